//! Webhooks: the events an organization may subscribe to, how a delivery is signed (as
//! Standard Webhooks does: see [`signing`]), when a failed one is tried again, and which
//! addresses an endpoint may not point at.

mod signing;

pub use signing::{
    ID_HEADER, SECRET_PREFIX, SIGNATURE_HEADER, TIMESTAMP_HEADER, secret_from, sign, verify,
};

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Duration, Utc};

/// How far a receiver should accept a signature's timestamp from its own clock.
pub const REPLAY_WINDOW: Duration = Duration::minutes(5);
/// A delivery not accepted this long after its event is given up (dead-lettered).
pub const GIVE_UP_AFTER: Duration = Duration::days(3);
/// A receiver that does not answer within this long failed the attempt.
pub const ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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

/// The `data` of a sample of `event` that an organization's admin asks for, to build a receiver
/// against: the fields a real one carries, with IDs that name nothing, and `"sample": true`.
pub fn sample_data(event: EventType) -> serde_json::Value {
    let id = |kind: &str| crate::ids::global_id(kind, uuid::Uuid::nil());
    let mut data = match event {
        EventType::ConsentGranted => serde_json::json!({
            "coupleId": id("Couple"), "scopes": ["PROGRESS", "PLANS"],
        }),
        EventType::ConsentRevoked => serde_json::json!({ "coupleId": id("Couple"), "scopes": [] }),
        EventType::RitualCompleted => serde_json::json!({
            "coupleId": id("Couple"), "planItemId": id("PlanItem"),
            "ritualKey": "six_second_kiss", "occurrence": "2026-01-05T21:00:00Z",
        }),
        EventType::AssessmentCompleted => serde_json::json!({
            "coupleId": id("Couple"), "instrumentKey": "listening_attunement",
            "band": "partly_tuned_in",
        }),
        EventType::WeeklySummaryReady => serde_json::json!({
            "coupleId": id("Couple"), "summaryId": id("WeeklySummary"), "weekStart": "2026-01-05",
        }),
        EventType::Ping => serde_json::json!({}),
    };
    data["sample"] = serde_json::Value::Bool(true);
    data
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

/// Attempts in a row without an HTTP answer that open an endpoint's circuit.
pub const CIRCUIT_FAILURES: usize = 5;
/// How long an open circuit holds an endpoint's deliveries back; then one attempt may try
/// again (and a failure opens it once more).
pub const CIRCUIT_COOL_DOWN: Duration = Duration::minutes(5);

/// Until when an endpoint's deliveries wait, if its circuit is open at `now`: its newest
/// [`CIRCUIT_FAILURES`] attempts (`recent`, newest first: when, and whether an HTTP answer
/// came) all got no answer, and the newest is less than [`CIRCUIT_COOL_DOWN`] old.
pub fn circuit_open_until(
    recent: &[(DateTime<Utc>, bool)],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let newest = recent.first()?.0;
    let failing = recent.len() >= CIRCUIT_FAILURES
        && recent[..CIRCUIT_FAILURES]
            .iter()
            .all(|(_, answered)| !answered);
    let until = newest + CIRCUIT_COOL_DOWN;
    (failing && until > now).then_some(until)
}

/// Why an endpoint's address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("the URL does not parse as an absolute http or https URL")]
    Malformed,
    #[error("endpoints must use https")]
    NotHttps,
    #[error("the URL must not carry a user name or password")]
    Credentials,
    #[error("the host must be a public address or a registrable name like hooks.example.com")]
    NotPublicName,
    #[error("the URL points at a loopback, private, link-local or reserved address")]
    PrivateAddress,
}

/// Top-level names that never reach the public internet.
const INTERNAL_SUFFIXES: [&str; 8] = [
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
    "arpa",
];

/// Whether an endpoint may reach `ip` without being allowed inside the network: a public
/// unicast address, not loopback, private, link-local, shared, reserved, documentation or
/// multicast, nor an IPv6 form that embeds such an IPv4 address (mapped, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            // 64:ff9b::/96, the well-known NAT64 prefix, carries an IPv4 address in its tail.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public_v4(embedded(s[6], s[7]));
            }
            // 2002::/16, 6to4, carries one in its second and third groups.
            if s[0] == 0x2002 {
                return is_public_v4(embedded(s[1], s[2]));
            }
            // Global unicast is 2000::/3, less the IETF's protocol block (Teredo among them),
            // and the documentation prefixes.
            let global = (s[0] & 0xe000) == 0x2000;
            let ietf = s[0] == 0x2001 && s[1] < 0x0200;
            let documentation = (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] & 0xfff0) == 0x3ff0;
            global && !ietf && !documentation
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 100 && (b & 0xc0) == 64)
        || (a == 169 && b == 254)
        || (a == 172 && (b & 0xf0) == 16)
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (b & 0xfe) == 18)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113))
}

/// Whether `name` is a plain registrable host name: two or more labels of letters, digits and
/// inner hyphens, a top-level label that is not all digits and not one kept for private use.
fn is_public_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let top = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && name.len() <= 253
        && labels.iter().all(label_ok)
        && !top.bytes().all(|b| b.is_ascii_digit())
        && !INTERNAL_SUFFIXES
            .iter()
            .any(|s| name == *s || name.ends_with(&format!(".{s}")))
}

/// Parses an endpoint's address with the WHATWG URL rules the HTTP client itself follows, and
/// checks the host it will connect to: a public address, or a registrable name (its addresses
/// are checked again, one by one, when the worker resolves and connects). Returns the URL as
/// the client will read it.
pub fn check_url(
    raw: &str,
    require_https: bool,
    allow_internal: bool,
) -> Result<url::Url, UrlRefusal> {
    // The parser drops tabs and newlines silently; an address holding any is refused instead.
    if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlRefusal::Malformed);
    }
    let url = url::Url::parse(raw).map_err(|_| UrlRefusal::Malformed)?;
    match url.scheme() {
        "https" => {}
        "http" if require_https => return Err(UrlRefusal::NotHttps),
        "http" => {}
        _ => return Err(UrlRefusal::Malformed),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    match url.host() {
        None => return Err(UrlRefusal::Malformed),
        Some(_) if allow_internal => {}
        Some(url::Host::Ipv4(ip)) if !is_public_v4(ip) => return Err(UrlRefusal::PrivateAddress),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            return Err(UrlRefusal::PrivateAddress);
        }
        Some(url::Host::Domain(name)) if !is_public_name(name) => {
            return Err(UrlRefusal::NotPublicName);
        }
        Some(_) => {}
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
