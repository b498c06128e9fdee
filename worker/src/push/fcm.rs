//! Firebase Cloud Messaging, HTTP v1: an OAuth2 access token got with the service account's
//! signed assertion (cached until shortly before it expires), then one `messages:send` per
//! device.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::push::Message;
use entities::push_device;
use runtime::config::FcmSettings;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Sent, TIME_TO_LIVE, failed, unanswered};

/// The scope an FCM access token needs.
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// A cached token is renewed this long before it expires.
const RENEW_BEFORE: chrono::Duration = chrono::Duration::minutes(5);

/// A service account's credentials, as the JSON file Google issues holds them.
#[derive(Deserialize)]
struct Credentials {
    project_id: String,
    client_email: String,
    private_key: String,
    #[serde(default = "default_token_uri")]
    token_uri: String,
}

fn default_token_uri() -> String {
    "https://oauth2.googleapis.com/token".into()
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default = "default_expiry")]
    expires_in: i64,
}

fn default_expiry() -> i64 {
    3600
}

pub struct Client {
    http: reqwest::Client,
    send_url: String,
    credentials: Credentials,
    key: jsonwebtoken::EncodingKey,
    token: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl Client {
    pub fn new(settings: &FcmSettings) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(&settings.credentials_file).map_err(|e| {
            anyhow::anyhow!(
                "reading the FCM credentials {}: {e}",
                settings.credentials_file.display()
            )
        })?;
        let credentials: Credentials = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the FCM credentials {} are not a service account's JSON: {e}",
                settings.credentials_file.display()
            )
        })?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(credentials.private_key.as_bytes())
            .map_err(|e| anyhow::anyhow!("the FCM service account's private_key: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Rekindle-Push/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            send_url: format!(
                "{}/v1/projects/{}/messages:send",
                settings.url, credentials.project_id
            ),
            credentials,
            key,
            token: Mutex::new(None),
        })
    }

    /// An access token: the cached one while it lasts, else a new one.
    async fn access_token(&self) -> Result<String, Sent> {
        let now = runtime::write::wall_now();
        let mut cached = self.token.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && *expires - RENEW_BEFORE > now
        {
            return Ok(token.clone());
        }
        let claims = serde_json::json!({
            "iss": self.credentials.client_email,
            "scope": SCOPE,
            "aud": self.credentials.token_uri,
            "iat": now.timestamp(),
            "exp": now.timestamp() + 3600,
        });
        let assertion = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &claims,
            &self.key,
        )
        .map_err(|e| Sent::Refused(format!("signing the FCM assertion: {e}")))?;
        let answer = self
            .http
            .post(&self.credentials.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| unanswered(&e))?;
        if !answer.status().is_success() {
            return Err(failed(&answer, "the OAuth2 token endpoint"));
        }
        let token: TokenAnswer = answer
            .json()
            .await
            .map_err(|e| Sent::Refused(format!("the OAuth2 token answer: {e}")))?;
        let expires = now + chrono::Duration::seconds(token.expires_in);
        *cached = Some((token.access_token.clone(), expires));
        Ok(token.access_token)
    }

    pub async fn send(&self, device: &push_device::Model, message: &Message) -> Sent {
        let token = match self.access_token().await {
            Ok(token) => token,
            Err(sent) => return sent,
        };
        // FCM's data values are strings.
        let data: serde_json::Map<String, serde_json::Value> = message
            .data()
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (k.clone(), serde_json::Value::String(text))
            })
            .collect();
        let key = message.collapse_key();
        let body = serde_json::json!({
            "message": {
                "token": device.token,
                "notification": { "title": message.title, "body": message.body },
                "data": data,
                "android": {
                    "collapse_key": key,
                    "ttl": format!("{}s", TIME_TO_LIVE.as_secs()),
                    "notification": { "tag": key },
                },
            }
        });
        let sent = self
            .http
            .post(&self.send_url)
            .bearer_auth(token)
            .json(&body)
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
        if status.as_u16() == 401 {
            // The token was refused: get a new one on the next try.
            *self.token.lock().await = None;
            return Sent::Later(Some(Duration::from_secs(1)));
        }
        if status.as_u16() == 429 || status.is_server_error() {
            return failed(&response, "fcm");
        }
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        let unregistered = answer["error"]["details"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|detail| detail["errorCode"] == "UNREGISTERED")
            || answer["error"]["status"] == "NOT_FOUND";
        if unregistered {
            Sent::Gone
        } else {
            Sent::Refused(format!("answered {status}: {}", answer["error"]["message"]))
        }
    }
}
