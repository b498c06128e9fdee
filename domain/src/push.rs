//! Push notifications: the platforms a device may be registered on, what a registration must
//! look like, and what a push carries. A push says what the in-app notification says (its kind,
//! title and body) and the IDs a client needs to open it: never a note, an answer or anything
//! of a safety result, because no notification holds one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// Where a device gets its pushes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Apple Push Notification service (iOS, iPadOS, macOS apps).
    Apns,
    /// Firebase Cloud Messaging (Android apps).
    Fcm,
    /// The Web Push protocol (browsers), encrypted end to end.
    WebPush,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Apns => "APNS",
            Platform::Fcm => "FCM",
            Platform::WebPush => "WEB_PUSH",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "APNS" => Some(Platform::Apns),
            "FCM" => Some(Platform::Fcm),
            "WEB_PUSH" => Some(Platform::WebPush),
            _ => None,
        }
    }
}

/// Why a registration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("an APNs device token is 64 to 200 hexadecimal characters")]
    ApnsToken,
    #[error("an FCM registration token is 1 to 4096 characters of letters, digits and -_:.")]
    FcmToken,
    #[error(
        "a Web Push subscription's p256dh key is an uncompressed P-256 point (65 bytes) and its auth secret 16 bytes, both base64url"
    )]
    WebPushKeys(&'static str),
    #[error("appId is at most 255 characters of letters, digits and .-_:")]
    AppId,
    #[error("locale is a language tag of at most 35 characters (en, en-GB, pt-BR)")]
    Locale,
}

/// An APNs device token, lower-cased.
pub fn apns_token(raw: &str) -> Result<String, RegistrationError> {
    let token = raw.trim().to_ascii_lowercase();
    let ok = (64..=200).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then_some(token).ok_or(RegistrationError::ApnsToken)
}

/// An FCM registration token.
pub fn fcm_token(raw: &str) -> Result<String, RegistrationError> {
    let token = raw.trim();
    let ok = (1..=4096).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b));
    ok.then(|| token.to_owned())
        .ok_or(RegistrationError::FcmToken)
}

/// A Web Push subscription's keys, decoded: the browser's P-256 public key (65 bytes,
/// uncompressed) and its 16-byte auth secret.
pub fn web_push_keys(p256dh: &str, auth: &str) -> Result<(Vec<u8>, Vec<u8>), RegistrationError> {
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('='));
    let key = decode(p256dh)
        .ok()
        .filter(|key| key.len() == 65 && key[0] == 4)
        .ok_or(RegistrationError::WebPushKeys("p256dh"))?;
    let secret = decode(auth)
        .ok()
        .filter(|secret| secret.len() == 16)
        .ok_or(RegistrationError::WebPushKeys("auth"))?;
    Ok((key, secret))
}

impl crate::input::Refusal for RegistrationError {
    fn field(&self) -> &'static str {
        match self {
            RegistrationError::ApnsToken | RegistrationError::FcmToken => "token",
            RegistrationError::WebPushKeys("auth") => "subscription.keys.auth",
            RegistrationError::WebPushKeys(_) => "subscription.keys.p256dh",
            RegistrationError::AppId => "appId",
            RegistrationError::Locale => "locale",
        }
    }

    fn reason(&self) -> crate::input::Reason {
        crate::input::Reason::BadFormat
    }
}

/// A Web Push subscription's endpoint, checked as webhook addresses are: https on a public
/// address, unless `allow_internal` (tests) lets it be plain http on any address.
pub fn web_push_endpoint(
    raw: &str,
    allow_internal: bool,
) -> Result<url::Url, crate::webhook::UrlRefusal> {
    crate::webhook::check_url(raw, !allow_internal, allow_internal)
}

/// An app ID (an APNs topic such as `com.example.app`, or an FCM app's name), if given.
pub fn app_id(raw: Option<&str>) -> Result<Option<String>, RegistrationError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let ok = raw.len() <= 255
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(&b));
    ok.then(|| Some(raw.to_owned()))
        .ok_or(RegistrationError::AppId)
}

/// A locale, if given: a BCP 47-looking tag.
pub fn locale(raw: Option<&str>) -> Result<Option<String>, RegistrationError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let ok = raw.len() <= 35
        && raw.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    ok.then(|| Some(raw.to_owned()))
        .ok_or(RegistrationError::Locale)
}

/// What a push carries: the notification as the app shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The notification's global ID: also the collapse key, so a push sent again replaces
    /// the first instead of showing twice.
    pub id: String,
    /// The notification's kind as the GraphQL enum spells it (`PARTNER_COMPLETED`).
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The IDs in the notification's data (`planItemId`, `coupleId`, ...), and nothing else.
    pub ids: Map<String, Value>,
}

impl Message {
    /// The message for a stored notification: `data` is its data object, of which only the
    /// string fields whose names end in `Id` are kept.
    pub fn new(id: String, kind: &str, title: &str, body: &str, data: &Value) -> Self {
        let ids = data
            .as_object()
            .map(|fields| {
                fields
                    .iter()
                    .filter(|(name, value)| name.ends_with("Id") && value.is_string())
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id,
            kind: kind.to_ascii_uppercase(),
            title: title.to_owned(),
            body: body.to_owned(),
            ids,
        }
    }

    /// The fields a client reads, as JSON: `{ notificationId, kind, title, body, ...ids }`.
    pub fn data(&self) -> Value {
        let mut fields = self.ids.clone();
        fields.insert("notificationId".into(), json!(self.id));
        fields.insert("kind".into(), json!(self.kind));
        fields.insert("title".into(), json!(self.title));
        fields.insert("body".into(), json!(self.body));
        Value::Object(fields)
    }

    /// A collapse key of at most 32 characters of the base64url alphabet (Web Push's `Topic`
    /// limit; APNs allows 64 bytes, FCM any): a digest of the notification's ID.
    pub fn collapse_key(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(&digest[..24])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_checked_per_platform() {
        let apns = "A".repeat(64);
        assert_eq!(apns_token(&apns).unwrap(), "a".repeat(64));
        assert!(apns_token("xyz").is_err());
        assert!(fcm_token("abc:DEF-123_x.y").is_ok());
        assert!(fcm_token("has space").is_err());
        assert!(fcm_token("").is_err());
        let point = URL_SAFE_NO_PAD.encode([4u8; 65]);
        let secret = URL_SAFE_NO_PAD.encode([1u8; 16]);
        assert!(web_push_keys(&point, &secret).is_ok());
        assert!(web_push_keys(&URL_SAFE_NO_PAD.encode([2u8; 33]), &secret).is_err());
        assert!(web_push_keys(&point, "short").is_err());
        assert_eq!(
            app_id(Some(" com.example.app ")).unwrap().as_deref(),
            Some("com.example.app")
        );
        assert!(app_id(Some("no spaces please")).is_err());
        assert_eq!(locale(Some("pt-BR")).unwrap().as_deref(), Some("pt-BR"));
        assert!(locale(Some("en_GB")).is_err());
        assert_eq!(locale(None).unwrap(), None);
    }

    #[test]
    fn a_message_keeps_only_ids_of_the_data() {
        let data = json!({ "planItemId": "UGxhbkl0ZW06MQ", "note": "private", "occurrence": "2026-06-10", "coupleId": 7 });
        let message = Message::new(
            "Tm90aWZpY2F0aW9uOjE".into(),
            "partner_completed",
            "Ana did it",
            "Tap to see",
            &data,
        );
        assert_eq!(message.kind, "PARTNER_COMPLETED");
        assert_eq!(
            message.data(),
            json!({ "notificationId": "Tm90aWZpY2F0aW9uOjE", "kind": "PARTNER_COMPLETED", "title": "Ana did it", "body": "Tap to see", "planItemId": "UGxhbkl0ZW06MQ" })
        );
        let key = message.collapse_key();
        assert_eq!(key.len(), 32);
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
