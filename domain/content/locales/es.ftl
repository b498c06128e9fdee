# Los mensajes de Rekindle en español: notificaciones y correos, los mismos mensajes que en.ftl.

## Notificaciones.

ritual-reminder-title = Es hora de { $ritual }
ritual-reminder-body = Unos minutos juntos ahora mantienen viva la racha.

partner-completed-title = { $who } hizo { $ritual }
partner-completed-body = Tu pareja registró un ritual que comparten.

partner-checked-in-title = { $who } respondió el check-in de hoy
partner-checked-in-body-both = Ya respondieron los dos: vean las respuestas del otro.
partner-checked-in-body-yours = Responde el tuyo para ver las respuestas de los dos.

weekly-summary-title = Su semana juntos
weekly-summary-body = Miren lo que planearon, lo que hicieron y qué probar después.

data-export-title = Tus datos están listos
data-export-body = Descárgalos una sola vez con el enlace que recibiste, antes de que caduque.

## Correos.

email-reset-subject = Restablece tu contraseña de Rekindle
email-reset-body =
    Alguien pidió restablecer la contraseña de tu cuenta de Rekindle.

    Para elegir una nueva, abre este enlace antes de una hora:
    { $link }

    Si no fuiste tú, ignora este correo: tu contraseña sigue igual.

email-verify-subject = Confirma tu correo para Rekindle
email-verify-body =
    Para confirmar que este es tu correo para Rekindle, abre este enlace antes de un día:
    { $link }

email-coach-invite-subject = Únete a tu equipo en Rekindle
email-coach-invite-body =
    { $organization } te invita a ser coach con su equipo en Rekindle.

    Para aceptar, abre este enlace antes de una semana:
    { $link }
