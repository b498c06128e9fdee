//! Email: over SMTP when `REKINDLE_SMTP_URL` is set; otherwise (development) each message is
//! written to the log instead, so its link can be followed by hand. Only the worker sends
//! mail: a request that causes one queues it, so it answers as fast whether or not a message
//! goes out.

use crate::config::MailSettings;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    production: bool,
    /// How links are written (`{page}` and `{token}` filled in).
    link_template: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings, production: bool) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("REKINDLE_MAIL_FROM is not an address: {e}"))?;
        let transport = match &settings.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("REKINDLE_SMTP_URL: {e}"))?
                    .build(),
            ),
            None => None,
        };
        Ok(Self {
            transport,
            from,
            production,
            link_template: settings.link_template.clone(),
        })
    }

    /// A link into the app to `page` with `token`, as the link template writes it
    /// (`{public_url}/{page}?token={token}` unless configured).
    pub fn link(&self, page: &str, token: &str) -> String {
        self.link_template
            .replace("{page}", page)
            .replace("{token}", token)
    }

    /// Sends a plain-text message. A message that cannot be sent is logged (without its body,
    /// which may hold a token) and reported to the caller.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        let Some(transport) = &self.transport else {
            if self.production {
                tracing::warn!(
                    subject,
                    "no SMTP server is configured: an email was not sent"
                );
            } else {
                tracing::info!(to, subject, body = %body, "email (no SMTP server configured; written here instead)");
            }
            return Ok(());
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse()?)
            .subject(subject)
            .body(body)?;
        transport.send(message).await.map_err(|e| {
            tracing::error!(error = %e, subject, "an email could not be sent");
            anyhow::Error::from(e)
        })?;
        Ok(())
    }
}
