//! Webhooks: the events an organization may subscribe to, how a delivery is signed, when a
//! failed one is tried again, and which addresses an endpoint may not point at.
//!
//! A delivery carries `Rekindle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC
//! keyed with the endpoint's secret over `"<t>.<body>"`. A receiver recomputes it, compares in
//! constant time, and refuses a timestamp more than [`REPLAY_WINDOW`] from its own clock.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a receiver should accept a signature's timestamp from its own clock.
pub const REPLAY_WINDOW: Duration = Duration::minutes(5);
/// A delivery not accepted this long after its event is given up (dead-lettered).
pub const GIVE_UP_AFTER: Duration = Duration::days(3);
/// A receiver that does not answer within this long failed the attempt.
pub const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Rekindle-Signature";

/// What an organization's endpoint may be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ConsentGranted,
    ConsentRevoked,
    /// A member logged a ritual (never the note).
    RitualCompleted,
    /// A member shared an assessment result (its band only; never a safety result).
    AssessmentCompleted,
    WeeklySummaryReady,
    /// A test delivery an organization's admin asked for.
    Ping,
}

impl EventType {
    pub const SUBSCRIBABLE: [EventType; 5] = [
        Self::ConsentGranted,
        Self::ConsentRevoked,
        Self::RitualCompleted,
        Self::AssessmentCompleted,
        Self::WeeklySummaryReady,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConsentGranted => "consent.granted",
            Self::ConsentRevoked => "consent.revoked",
            Self::RitualCompleted => "ritual.completed",
            Self::AssessmentCompleted => "assessment.completed",
            Self::WeeklySummaryReady => "weekly_summary.ready",
            Self::Ping => "ping",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([Self::Ping])
            .find(|e| e.as_str() == raw)
    }
}

/// A delivery's body: `{"id", "type", "createdAt", "data"}`, the same bytes on every attempt.
pub fn body(
    delivery_id: uuid::Uuid,
    event: EventType,
    at: DateTime<Utc>,
    data: &serde_json::Value,
) -> String {
    serde_json::json!({
        "id": crate::ids::global_id("WebhookDelivery", delivery_id),
        "type": event.as_str(),
        "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": data,
    })
    .to_string()
}

/// The signature header's value for a body sent at `at`.
pub fn signature(secret: &str, at: DateTime<Utc>, body: &[u8]) -> String {
    let t = at.timestamp();
    format!(
        "t={t},v1={}",
        hex::encode(keyed(secret, t, body).finalize().into_bytes())
    )
}

/// The HMAC-SHA256 keyed with `secret` over `"<t>.<body>"`, not yet finalized.
fn keyed(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // An HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a signature header as a receiver would: well formed, within the replay window of
/// `now`, and made with `secret` over `body`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: DateTime<Utc>) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (now.timestamp() - t).abs() > REPLAY_WINDOW.num_seconds() {
        return false;
    }
    keyed(secret, t, body).verify_slice(&v1).is_ok()
}

/// When to try a delivery again after its `attempt`-th failure (1-based): 30 s doubling each
/// time up to 6 h, a random point in the upper half of the step (`unit` in `[0, 1)`), or
/// `None` once that would fall after [`GIVE_UP_AFTER`] from the event.
pub fn next_attempt(
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    attempt: u32,
    unit: f64,
) -> Option<DateTime<Utc>> {
    let step = Duration::seconds(30)
        .checked_mul(1 << attempt.saturating_sub(1).min(20))
        .unwrap_or(Duration::hours(6))
        .min(Duration::hours(6));
    let half = step.num_milliseconds() / 2;
    let jitter = (half as f64 * unit.clamp(0.0, 1.0)) as i64;
    let at = now + Duration::milliseconds(half + jitter);
    (at <= created + GIVE_UP_AFTER).then_some(at)
}

/// Why an endpoint's address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("the URL does not parse as an absolute http or https URL")]
    Malformed,
    #[error("endpoints must use https")]
    NotHttps,
    #[error("the URL points at a loopback, private or link-local address")]
    PrivateAddress,
}

/// Whether an address is one an endpoint may not reach unless allowed: loopback, private,
/// link-local, unspecified, shared (CGNAT) or unique-local.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// What the scheme and a literal address in a URL allow, before any name is resolved (names
/// are checked again, address by address, when the worker connects).
pub fn check_url(raw: &str, require_https: bool, allow_internal: bool) -> Result<(), UrlRefusal> {
    let (scheme, rest) = raw.split_once("://").ok_or(UrlRefusal::Malformed)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(UrlRefusal::Malformed);
    }
    if require_https && scheme != "https" {
        return Err(UrlRefusal::NotHttps);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() || raw.len() > 2000 || raw.chars().any(char::is_whitespace) {
        return Err(UrlRefusal::Malformed);
    }
    let literal = host.parse::<IpAddr>().ok();
    let named_internal = host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost");
    if !allow_internal && (named_internal || literal.is_some_and(is_internal)) {
        return Err(UrlRefusal::PrivateAddress);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_time() {
        let at = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
        let header = signature("whsec", at, b"{\"a\":1}");
        assert!(header.starts_with(&format!("t={},v1=", at.timestamp())));
        assert!(verify("whsec", &header, b"{\"a\":1}", at));
        assert!(!verify("other", &header, b"{\"a\":1}", at));
        assert!(!verify("whsec", &header, b"{\"a\":2}", at));
        assert!(!verify(
            "whsec",
            &header,
            b"{\"a\":1}",
            at + Duration::minutes(6)
        ));
        assert!(!verify("whsec", "t=x,v1=zz", b"", at));
    }

    #[test]
    fn retries_back_off_and_stop_after_three_days() {
        let created = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
        let first = next_attempt(created, created, 1, 0.0).unwrap();
        assert_eq!(first - created, Duration::seconds(15));
        let second = next_attempt(created, created, 2, 0.999).unwrap();
        assert!(
            second - created < Duration::seconds(60) && second - created >= Duration::seconds(30)
        );
        let capped = next_attempt(created, created, 30, 0.0).unwrap();
        assert_eq!(capped - created, Duration::hours(3));
        let late = created + Duration::days(3) - Duration::hours(1);
        assert_eq!(next_attempt(created, late, 30, 0.0), None);
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1/hook",
            "https://10.1.2.3/",
            "https://192.168.0.1:8443/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://localhost/",
            "https://100.64.0.1/",
            "https://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(
                check_url(url, false, false),
                Err(UrlRefusal::PrivateAddress),
                "{url}"
            );
            assert_eq!(check_url(url, false, true), Ok(()), "{url}");
        }
        assert_eq!(
            check_url("https://hooks.example.com/x", true, false),
            Ok(())
        );
        assert_eq!(
            check_url("http://hooks.example.com/x", true, false),
            Err(UrlRefusal::NotHttps)
        );
        assert_eq!(
            check_url("ftp://x", false, false),
            Err(UrlRefusal::Malformed)
        );
        assert_eq!(
            check_url("https:///x", false, false),
            Err(UrlRefusal::Malformed)
        );
    }

    #[test]
    fn event_names_read_back() {
        for e in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
        }
        assert_eq!(EventType::parse("note.written"), None);
    }
}
