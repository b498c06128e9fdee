//! Apple Push Notification service over HTTP/2, with token-based authentication: an ES256
//! provider token signed with the `.p8` key (renewed every 50 minutes: Apple takes one for an
//! hour and refuses a new one more often than every 20), then `POST /3/device/{token}`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::push::Message;
use entities::push_device;
use p256::SecretKey;
use p256::pkcs8::DecodePrivateKey;
use runtime::config::ApnsSettings;
use tokio::sync::Mutex;

use super::web_push::es256_jwt;
use super::{Sent, TIME_TO_LIVE, failed, unanswered};

/// How long a provider token is used.
const TOKEN_REUSE: chrono::Duration = chrono::Duration::minutes(50);

pub struct Client {
    http: reqwest::Client,
    url: String,
    key: SecretKey,
    key_id: String,
    team_id: String,
    topic: Option<String>,
    token: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl Client {
    pub fn new(settings: &ApnsSettings) -> anyhow::Result<Self> {
        let pem = std::fs::read_to_string(&settings.key_file).map_err(|e| {
            anyhow::anyhow!("reading the APNs key {}: {e}", settings.key_file.display())
        })?;
        let key = SecretKey::from_pkcs8_pem(&pem).map_err(|e| {
            anyhow::anyhow!(
                "the APNs key {} is not a .p8 (PKCS#8 P-256) key: {e}",
                settings.key_file.display()
            )
        })?;
        let mut http = reqwest::Client::builder()
            .http2_prior_knowledge()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Rekindle-Push/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &settings.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                anyhow::anyhow!("reading the APNs CA certificate {}: {e}", ca.display())
            })?;
            http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(Self {
            http: http.build()?,
            url: settings.url.clone(),
            key,
            key_id: settings.key_id.clone(),
            team_id: settings.team_id.clone(),
            topic: settings.topic.clone(),
            token: Mutex::new(None),
        })
    }

    /// The provider token: the cached one while it is young enough, else a new one.
    async fn provider_token(&self, renew: bool) -> String {
        let now = runtime::write::wall_now();
        let mut cached = self.token.lock().await;
        if !renew
            && let Some((token, signed)) = cached.as_ref()
            && now - *signed < TOKEN_REUSE
        {
            return token.clone();
        }
        let token = es256_jwt(
            &self.key,
            &serde_json::json!({ "alg": "ES256", "kid": self.key_id }),
            &serde_json::json!({ "iss": self.team_id, "iat": now.timestamp() }),
        );
        *cached = Some((token.clone(), now));
        token
    }

    pub async fn send(&self, device: &push_device::Model, message: &Message) -> Sent {
        let Some(topic) = device.app_id.as_deref().or(self.topic.as_deref()) else {
            return Sent::Refused(
                "no APNs topic: register the device with its appId or set REKINDLE_PUSH_APNS_TOPIC"
                    .into(),
            );
        };
        let mut payload = message.data();
        payload["aps"] = serde_json::json!({
            "alert": { "title": message.title, "body": message.body },
            "sound": "default",
            "thread-id": message.kind,
        });
        let expiration = (runtime::write::wall_now()
            + chrono::Duration::from_std(TIME_TO_LIVE).unwrap_or_default())
        .timestamp();
        let mut renew = false;
        // A refused provider token is renewed once and the push made again.
        for _ in 0..2 {
            let sent = self
                .http
                .post(format!("{}/3/device/{}", self.url, device.token))
                .bearer_auth(self.provider_token(renew).await)
                .header("apns-topic", topic)
                .header("apns-push-type", "alert")
                .header("apns-priority", "10")
                .header("apns-expiration", expiration.to_string())
                .header("apns-collapse-id", message.collapse_key())
                .json(&payload)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(err) => return unanswered(&err),
            };
            let status = response.status();
            if status.is_success() {
                return Sent::Accepted;
            }
            if status.as_u16() == 429 || status.is_server_error() {
                return failed(&response, "apns");
            }
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            let reason = answer["reason"].as_str().unwrap_or_default().to_owned();
            match (status.as_u16(), reason.as_str()) {
                (410, _) | (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => {
                    return Sent::Gone;
                }
                (403, "ExpiredProviderToken" | "InvalidProviderToken") if !renew => {
                    renew = true;
                }
                _ => return Sent::Refused(format!("answered {status}: {reason}")),
            }
        }
        Sent::Refused("APNs refused a new provider token".into())
    }
}
