# Las palabras del coach en español: los mismos mensajes que en.ftl, con las mismas variables.
# Se habla de tú al miembro y de ustedes a la pareja. Los títulos, resúmenes y pasos de los
# rituales vienen del catálogo y pueden estar en inglés.

## Lo primero que dice el coach, y cuando una respuesta escrita reemplaza a la del modelo.

coach-disclosure =
    Antes que nada: soy el coach automático de Rekindle, un programa, no una persona ni un
    terapeuta. Puedo compartir ideas y rituales, pero no reemplazo la ayuda profesional.
coach-fallback-note =
    (El modelo de lenguaje del coach no pudo responder en este momento, así que esta respuesta
    viene de la guía escrita de Rekindle.)

## Seguridad: la respuesta a un mensaje que detuvo el filtro de seguridad, según el motivo.

coach-safety-suicide =
    Gracias por contármelo. Lo que escribiste suena a que podrías estar pensando en quitarte la
    vida o en no querer estar aquí, y eso importa más que cualquier otra cosa de la que podamos
    hablar.
coach-safety-self-harm =
    Gracias por contármelo. Parece que podrías estar haciéndote daño, y mereces cuidado y apoyo
    ahora mismo.
coach-safety-violence =
    Gracias por contármelo. Lo que describes suena a que podrías no estar a salvo, y tu
    seguridad es lo primero.
coach-safety-abuse =
    Gracias por contármelo. Lo que describes suena a maltrato, y no es tu culpa.
coach-safety-coercive-control =
    Gracias por contármelo. Lo que describes suena a que te controlan o te aíslan, que es una
    forma de maltrato, y no es tu culpa.
coach-safety-resources = Por favor, busca ahora a quienes pueden ayudarte:
coach-safety-closing =
    Si estás en peligro inmediato, llama al número de emergencias de tu país. Esta conversación
    es privada: no se le avisa a tu pareja y nada de ella aparece en sus resúmenes compartidos.
    Soy un coach automático, así que aquí me limito a indicarte estos servicios.

## Temas: las palabras y frases que los nombran (separadas por comas) y sus respuestas.

coach-greeting-triggers =
    hola, buenas, buenos días, buenas tardes, buenas noches, qué tal, cómo estás
coach-greeting-reply-1 =
    Hola. Estoy aquí cuando quieras pensar en algo sobre ustedes dos. { $plan } ¿Qué tienes en
    mente hoy?
coach-greeting-reply-2 =
    Hola. Podemos hablar de lo que se siente difícil ahora, planear un pequeño ritual o ver cómo
    va tu plan. { $streak } ¿Por dónde quieres empezar?

coach-about-coach-triggers =
    eres una persona, eres humano, eres humana, eres real, eres un bot, eres terapeuta, quién
    eres, qué eres, es privado, qué haces con mis mensajes, mi pareja puede ver, se va a enterar
coach-about-coach-reply-1 =
    Soy el coach automático de Rekindle: un programa, no una persona ni un terapeuta. Lo que
    escribes aquí es solo tuyo; ni tu pareja, ni los coaches, ni las plataformas ven esta
    conversación, y puedes borrarla cuando quieras.

coach-drift-triggers =
    distanciados, distanciamos, distancia, distantes, compañeros de piso, compañeros de cuarto,
    desconectados, me siento sola, me siento solo, soledad, rutina, piloto automático,
    invisible, ya no hablamos, casi no hablamos
coach-drift-reply-1 =
    Distanciarse casi nunca viene de un gran suceso; suele ser el desgaste lento de la rutina, y
    la mayoría de las parejas lo nota cuando la soledad ya parece normal. Los momentos pequeños y
    regulares de atención real lo deshacen más rápido que los grandes gestos.
    { $ritual-evening-check-in } { $plan }
coach-drift-reply-2 =
    Sentirse como compañeros de piso es de lo más común que cuentan las parejas, y es una señal,
    no un veredicto. La curiosidad suele ser lo primero que desgasta la rutina: prueba con una
    pregunta abierta al día sobre su mundo interior. { $ritual-how-are-we-doing } { $streak }

coach-conflict-triggers =
    pelea, peleas, peleamos, pelear, peleando, discusión, discusiones, discutimos, discutir,
    discutiendo, gritos, gritar, grita, misma discusión, a la defensiva, critica, criticar, culpa
coach-conflict-reply-1 =
    La misma discusión una y otra vez suele significar que el tema de fondo aún no se ha
    nombrado. Cuando vuelva la calma, repásenla juntos: qué necesitaba cada uno, no quién tenía
    razón. Hablen desde su propia experiencia, en primera persona, y validen antes de intentar
    arreglar. { $ritual-argument-debrief }
coach-conflict-reply-2 =
    El conflicto no es el enemigo; quedarse atascados, sí. Una conversación honesta y planeada,
    con reglas claras (sin culpas, sin sarcasmo, escuchando hasta el final), puede reiniciar las
    cosas más rápido que semanas de evitarse con cortesía. { $steps-honesty-hour }

coach-distraction-triggers =
    teléfono, celular, móvil, redes sociales, instagram, tiktok, tele, televisión, netflix,
    series, pantalla, pantallas, portátil, computadora, correos, notificaciones, estrés del
    trabajo
coach-distraction-reply-1 =
    Los teléfonos y las pantallas son la distracción que más nombran las parejas: muchas tocan
    más el teléfono que a la otra persona en una noche. Proteger un rato al día sin aparatos
    marca una diferencia real. { $ritual-tech-free-meal } { $plan }
coach-distraction-reply-2 =
    La atención es lo más escaso en una relación hoy. Prueben a reservar un espacio pequeño y
    sagrado donde el teléfono nunca entre, como los primeros minutos de la mañana.
    { $ritual-morning-gratitude }

coach-burnout-boredom-triggers =
    aburridos, aburrida, aburrido, aburrimiento, quemado, quemada, agotado, agotada, agotamiento,
    sin energía, apatía, apático, apática, inquieto, inquieta, lo mismo de siempre, cansada de
    nosotros, cansado de nosotros
coach-burnout-boredom-reply-1 =
    Ayuda distinguir el agotamiento del aburrimiento. El aburrimiento se siente como inquietud y
    un descontento leve, y responde a la novedad, a hábitos nuevos y a microcitas. El
    agotamiento se siente como cansancio emocional y apatía, y suele necesitar límites, tiempo y
    a menudo apoyo profesional. { $band-burnout-boredom } { $ritual-weekly-adventure }
coach-burnout-boredom-reply-2 =
    Si es aburrimiento, la novedad es el remedio más fiable: hacer algo nuevo juntos hace que la
    emoción se contagie al otro. Si es un cansancio más hondo, sé amable contigo primero.
    { $band-burnout-boredom } { $ritual-monthly-new-experience }

coach-resentment-triggers =
    resentimiento, resentida, resentido, rencor, llevar la cuenta, lleva la cuenta, pasivo
    agresivo, pasiva agresiva, ley del hielo, no me habla, injusto, injusta, amargura, amargado,
    amargada
coach-resentment-reply-1 =
    El resentimiento crece con lo que nunca se dice. Algunas señales discretas: bromas que
    pican, llevar la cuenta, negar el cariño, esquivar temas como el dinero o la familia
    política, silencios largos, rutinas propias que dejan fuera al otro y pensar lo peor.
    Nombrar una de ellas con suavidad ya es empezar. { $band-resentment-red-flags }
    { $steps-honesty-hour }
coach-resentment-reply-2 =
    Las heridas viejas tapadas con sonrisas no se van; se acumulan. Elige una queja, no toda la
    lista, y llévala a una conversación tranquila y planeada. { $ritual-honesty-hour }

coach-break-triggers =
    un descanso, tomarnos un tiempo, darnos un tiempo, espacio, tiempo separados, separación,
    separarnos, pausa
coach-break-reply-1 =
    Algunas parejas se reencuentran tomando distancia por un tiempo. Un descanso estructurado
    funciona mejor cuando los dos acuerdan sus condiciones, sus límites y un plazo; sin esa
    claridad puede volverse una ruptura lenta. En Rekindle, uno de ustedes propone un descanso
    con fecha de fin y el otro lo acepta o lo rechaza. { $break }
coach-break-reply-2 =
    El espacio puede ser un gesto de cariño cuando se acuerda, tiene límites y dura un tiempo
    definido. Antes de proponer un descanso, escriban qué espera cada uno de él y cuándo van a
    hablarlo. { $break }

coach-professional-help-triggers =
    terapeuta, terapia, terapia de pareja, consejero, consejera, psicólogo, psicóloga,
    profesional, pedir ayuda, buscar ayuda, ayuda externa, necesitamos ayuda
coach-professional-help-reply-1 =
    Pedir ayuda es un acto de cuidado, no un fracaso. Vale la pena sobre todo ante ciclos de
    heridas que se repiten sin mejorar, deshonestidad crónica, una pérdida profunda de confianza
    como infidelidades repetidas, problemas de salud mental que se interponen, o cuando uno de
    los dos ya se desconectó. La autoayuda da privacidad y tu propio ritmo; el acompañamiento de
    un terapeuta o un coach da estructura, compromiso y una mirada de fuera. La lista de
    recursos de la app tiene libros, pódcasts y talleres.

coach-let-go-triggers =
    dejarlo, dejarla, rendirme, rendirnos, terminar la relación, ruptura, romper con él,
    romper con ella, separarme, divorcio, divorciarnos, se acabó
coach-let-go-reply-1 =
    Es una pregunta difícil, y merece honestidad más que una respuesta rápida. Entre las señales
    que la gente sopesa están sentirse entumecido hagas lo que hagas, temer el tiempo juntos, la
    misma pelea una y otra vez, el desprecio en lugar del respeto, no compartir una visión del
    futuro, y que ni la ayuda profesional cambie nada. { $band-time-to-let-go } Decidas lo que
    decidas, un consejero puede ayudarte a decidirlo bien.

coach-ideas-triggers =
    idea, ideas, sugerencia, sugiere, algo nuevo, qué podemos hacer, qué hacemos, cita, fin de
    semana, ritual, rituales, probar
coach-ideas-reply-1 =
    Aquí va una para probar: { $ritual-weekly-adventure } Lo pequeño y nuevo gana a lo grande y
    conocido. { $plan }
coach-ideas-reply-2 =
    Una pequeña con mucho efecto: { $ritual-cuddle-countdown } O, si las palabras les salen
    mejor: { $ritual-gratitude-post-its }

coach-plan-triggers =
    plan, racha, rachas, progreso, cómo vamos, cómo va nuestro plan, nos saltamos, se nos pasó,
    atrasados
coach-plan-reply-1 =
    { $plan } { $streak } { $break } La constancia importa más que la intensidad: un ritual
    pequeño y regular gana a uno grande que se abandona.
coach-plan-reply-2 =
    { $streak } { $plan } Si algo se sigue escapando, háganlo más pequeño o pásenlo a una hora
    que de verdad les funcione.

coach-touch-triggers =
    contacto, tocar, tocarnos, abrazo, abrazos, caricias, cariño, intimidad, íntimo, sexo, beso,
    besos, físico
coach-touch-reply-1 =
    El contacto puede sentirse incómodo cuando hay muros emocionales. Empiecen poco a poco, con
    una mano en el hombro y no con nada sexual, respeten los límites del otro y dejen que la
    comodidad crezca. { $steps-touch-ladder }
coach-touch-reply-2 =
    La intimidad física es más que el sexo: tomarse de la mano, abrazarse, incluso respirar al
    mismo ritmo. { $ritual-six-second-kiss }

coach-listening-triggers =
    escuchar, escucha, no me escucha, nunca escucha, no me oye, oírme, entenderme, no me entiende,
    sentirme escuchada, sentirme escuchado
coach-listening-reply-1 =
    Escuchar bien es una habilidad que se practica: dejar los aparatos y mirar a los ojos,
    resumir lo que el otro siente sin juzgar, notar los cambios de ánimo, hacer preguntas
    abiertas, seguir presente en un conflicto en vez de preparar tu defensa, y validar los
    sentimientos aunque no estés de acuerdo. { $band-listening-attunement }
    { $ritual-evening-check-in }

coach-comparison-triggers =
    otras parejas, comparar, compararnos, comparo, pareja perfecta, todos los demás, en redes
coach-comparison-reply-1 =
    Lo que otras parejas publican es una selección de sus mejores momentos; detrás hay los
    mismos silencios incómodos y discusiones a medias. Compararse suele hacer que uno se sienta
    menos y más lejos del otro. La única medida que importa es la que construyen ustedes dos.

coach-gratitude-triggers =
    agradecida, agradecido, gratitud, agradecer, aprecio, valorar, darle las gracias
coach-gratitude-reply-1 =
    Nombrar cada día algo que aprecias es uno de los rituales más sencillos que hay.
    { $ritual-morning-gratitude }

coach-positive-triggers =
    mejor, más cerca, más unidos, nos reímos, genial, maravilloso, felices, feliz, funcionó, nos
    ayudó, esperanza
coach-positive-reply-1 =
    Eso merece celebrarse. El progreso suele ser discreto: discusiones más cortas, un contacto
    que vuelve a ser bienvenido, bromas nuevas entre ustedes, la curiosidad que regresa.
    { $streak } Celebren juntos los pequeños logros.

## Todo lo demás.

coach-unknown-reply-1 =
    Gracias por contármelo. ¿Me cuentas un poco más de lo que ha estado pasando entre ustedes
    dos? { $plan }
coach-unknown-reply-2 =
    Te escucho. ¿Qué sería un pequeño paso en la dirección correcta esta semana? { $streak }

## Los datos del propio miembro, como los dicen las respuestas.

coach-fact-plan-empty =
    Todavía no tienes un plan activo; para empezar basta con un pequeño ritual diario.
coach-fact-plan =
    { $count ->
        [one] Tu plan tiene { $titles }.
       *[other] Tu plan tiene { $count } rituales, entre ellos { $titles }.
    }
coach-fact-streak = Tu racha actual es de { $current } (la más larga, { $longest }).
coach-fact-break-running = Ustedes dos están en un descanso acordado hasta el { $until }.
coach-fact-break-proposed = Se propuso un descanso y está esperando respuesta.
coach-fact-band = Tu último resultado de { $instrument } fue «{ $band }».
coach-fact-ritual = { $title }: { $summary }
coach-fact-steps = { $title }, paso a paso: { $steps }.

## Fechas.

coach-date = { $day } de { $month } de { $year }
coach-day = { $weekday } { $day } de { $month }
coach-month-1 = enero
coach-month-2 = febrero
coach-month-3 = marzo
coach-month-4 = abril
coach-month-5 = mayo
coach-month-6 = junio
coach-month-7 = julio
coach-month-8 = agosto
coach-month-9 = septiembre
coach-month-10 = octubre
coach-month-11 = noviembre
coach-month-12 = diciembre
coach-weekday-1 = lunes
coach-weekday-2 = martes
coach-weekday-3 = miércoles
coach-weekday-4 = jueves
coach-weekday-5 = viernes
coach-weekday-6 = sábado
coach-weekday-7 = domingo

## Temas de conversación para la pareja.

coach-starter-check-in-1 =
    Los dos respondieron «{ $about }» el { $day }. Pregúntense: ¿qué añadirían ahora a su
    respuesta?
coach-starter-check-in-2 =
    El { $day } los dos respondieron «{ $about }». ¿Qué les dijo la respuesta del otro que no
    sabían?
coach-starter-shared-result-1 =
    { $about } dio «{ $band }». ¿Qué les pareció cierto a cada uno y qué no?
coach-starter-shared-result-2 =
    Mirando «{ $band }» en { $about }: ¿qué cosa pequeña lo movería en la buena dirección?
coach-starter-completion-1 =
    Hicieron { $about } el { $day }. ¿Qué momento de ese rato les gustaría repetir más?
coach-starter-completion-2 =
    Recuerden { $about } del { $day }: ¿cuándo se sintieron más cerca?
coach-starter-plan-1 =
    { $about } es parte de su plan. ¿Qué haría que se sintiera menos como una tarea y más como
    un momento?
coach-starter-plan-2 = Si pudieran cambiar una cosa de cómo hacen { $about }, ¿cuál sería?
coach-starter-general-1 =
    ¿Qué hizo tu pareja hace poco que apreciaste pero no le dijiste?
coach-starter-general-2 = ¿Cómo sería una noche cualquiera perfecta juntos esta semana?
coach-starter-general-3 = ¿Qué les gustaría probar juntos por primera vez este mes?
