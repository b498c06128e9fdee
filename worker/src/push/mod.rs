//! Pushing a notification to one device, through the device's service: Web Push, FCM HTTP v1 or
//! APNs. Each client is made once per worker (connections are kept); what the service answers
//! becomes a [`Sent`] the job acts on.

mod apns;
mod fcm;
pub mod web_push;

use std::time::Duration;

use domain::push::{Message, Platform};
use entities::push_device;
use runtime::config::PushSettings;
use runtime::push::PushKeys;

/// How long a push service keeps a push for a device that is offline.
const TIME_TO_LIVE: Duration = Duration::from_secs(12 * 60 * 60);

/// What a push service made of one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Accepted for delivery.
    Accepted,
    /// The service no longer knows the device (uninstalled, expired, unsubscribed): forget it.
    Gone,
    /// Try again later (the service is busy or failing), after the wait it asked for if any.
    Later(Option<Duration>),
    /// Refused for a reason trying again will not fix (logged).
    Refused(String),
}

/// The push clients of one worker.
pub struct Pusher {
    web_push: Option<web_push_client::Client>,
    fcm: Option<fcm::Client>,
    apns: Option<apns::Client>,
}

impl std::fmt::Debug for Pusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pusher")
            .field("web_push", &self.web_push.is_some())
            .field("fcm", &self.fcm.is_some())
            .field("apns", &self.apns.is_some())
            .finish()
    }
}

impl Pusher {
    /// The clients of the services `settings` configure.
    pub fn new(settings: &PushSettings) -> anyhow::Result<Self> {
        let keys = PushKeys::load(settings)?;
        let web_push = match keys.vapid {
            Some(key) => Some(web_push_client::Client::new(key, settings)?),
            None => None,
        };
        let fcm = match &settings.fcm {
            Some(fcm) => Some(fcm::Client::new(fcm)?),
            None => None,
        };
        let apns = match &settings.apns {
            Some(apns) => Some(apns::Client::new(apns)?),
            None => None,
        };
        Ok(Self {
            web_push,
            fcm,
            apns,
        })
    }

    /// Pushes `message` to `device`.
    pub async fn send(&self, device: &push_device::Model, message: &Message) -> Sent {
        let platform = match device.platform() {
            Ok(platform) => platform,
            Err(bad) => return Sent::Refused(bad.to_string()),
        };
        match platform {
            Platform::WebPush => match &self.web_push {
                Some(client) => client.send(device, message).await,
                None => Sent::Refused("Web Push is not configured".into()),
            },
            Platform::Fcm => match &self.fcm {
                Some(client) => client.send(device, message).await,
                None => Sent::Refused("FCM is not configured".into()),
            },
            Platform::Apns => match &self.apns {
                Some(client) => client.send(device, message).await,
                None => Sent::Refused("APNs is not configured".into()),
            },
        }
    }
}

/// The wait a `Retry-After` header asks for (seconds; an HTTP date is taken as a minute).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?;
    let text = value.to_str().ok()?;
    Some(
        text.trim()
            .parse::<u64>()
            .map_or(Duration::from_secs(60), Duration::from_secs),
    )
}

/// What an HTTP status that is neither success nor "gone" means: later for 429 and 5xx,
/// refused otherwise.
fn failed(response: &reqwest::Response, detail: &str) -> Sent {
    let status = response.status();
    if status.as_u16() == 429 || status.is_server_error() {
        Sent::Later(retry_after(response))
    } else {
        Sent::Refused(format!("answered {status}: {detail}"))
    }
}

/// What a request that got no answer means: try later.
fn unanswered(err: &reqwest::Error) -> Sent {
    tracing::info!(error = %err, "a push service gave no answer");
    Sent::Later(None)
}

mod web_push_client {
    //! Sending Web Push requests (the encryption and the token are in [`super::web_push`]).

    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    /// How long a VAPID token is used before a new one is signed (each is valid for 12 hours).
    const TOKEN_REUSE: chrono::Duration = chrono::Duration::hours(1);

    pub struct Client {
        http: reqwest::Client,
        key: runtime::push::VapidKey,
        subject: String,
        allow_internal: bool,
        /// Signed tokens by push service origin, with when they were signed.
        tokens: Mutex<HashMap<String, (String, chrono::DateTime<chrono::Utc>)>>,
    }

    impl Client {
        pub fn new(key: runtime::push::VapidKey, settings: &PushSettings) -> anyhow::Result<Self> {
            let http = crate::jobs::webhooks::client::guarded(settings.allow_internal)
                .user_agent(concat!("Rekindle-Push/", env!("CARGO_PKG_VERSION")))
                .build()?;
            Ok(Self {
                http,
                key,
                subject: settings.vapid_subject.clone(),
                allow_internal: settings.allow_internal,
                tokens: Mutex::new(HashMap::new()),
            })
        }

        /// The VAPID header for `origin`, signed anew once an hour.
        fn authorization(&self, origin: &str) -> String {
            let now = runtime::write::wall_now();
            let mut tokens = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((header, signed)) = tokens.get(origin)
                && now - *signed < TOKEN_REUSE
            {
                return header.clone();
            }
            let expires = (now + chrono::Duration::hours(12)).timestamp();
            let header = web_push::vapid_authorization(
                self.key.secret(),
                &self.key.public_key,
                origin,
                &self.subject,
                expires,
            );
            tokens.insert(origin.to_owned(), (header.clone(), now));
            header
        }

        pub async fn send(&self, device: &push_device::Model, message: &Message) -> Sent {
            let endpoint = &device.token;
            let origin = match domain::push::web_push_endpoint(endpoint, self.allow_internal) {
                Ok(url) => url.origin().ascii_serialization(),
                Err(refusal) => return Sent::Refused(format!("endpoint refused: {refusal}")),
            };
            let keys = device
                .p256dh
                .as_deref()
                .zip(device.auth.as_deref())
                .and_then(|(p256dh, auth)| domain::push::web_push_keys(p256dh, auth).ok());
            let Some((ua_public, auth)) = keys else {
                return Sent::Refused("the subscription's keys do not read".into());
            };
            let mut salt = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
            let plaintext = message.data().to_string();
            let body = match web_push::encrypt(&ua_public, &auth, plaintext.as_bytes(), salt) {
                Ok(body) => body,
                Err(err) => return Sent::Refused(err.to_string()),
            };
            let sent = self
                .http
                .post(endpoint)
                .header("content-encoding", "aes128gcm")
                .header("content-type", "application/octet-stream")
                .header("ttl", TIME_TO_LIVE.as_secs().to_string())
                .header("urgency", "normal")
                .header("topic", message.collapse_key())
                .header("authorization", self.authorization(&origin))
                .body(body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => Sent::Accepted,
                Ok(response) if matches!(response.status().as_u16(), 404 | 410) => Sent::Gone,
                Ok(response) => failed(&response, "web push"),
                Err(err) => unanswered(&err),
            }
        }
    }
}
