//! Signing deliveries as the Standard Webhooks specification does (standardwebhooks.com), so
//! receivers verify with its libraries in any language. Three headers: `webhook-id` (the same
//! on every attempt of a delivery), `webhook-timestamp` (the attempt's Unix seconds) and
//! `webhook-signature`, space-separated `v1,<base64 HMAC-SHA256>` over `"<id>.<timestamp>.<body>"`
//! keyed with the secret's bytes: one per secret in use, two while a rotated secret overlaps.
//! A secret is `whsec_` and base64 of random bytes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::REPLAY_WINDOW;

/// The header naming the message (the delivery), the same on every attempt.
pub const ID_HEADER: &str = "webhook-id";
/// The header with the attempt's Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header with the signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// A secret from 32 random bytes: `whsec_` and their standard base64.
pub fn secret_from(bytes: &[u8; 32]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key a secret stands for: the bytes its base64 encodes. Secrets made before signing
/// followed the specification were URL-safe base64; they still sign, but only Rekindle's own
/// check knows them (rotating the secret gives one every library reads).
fn key(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(encoded)
        .or_else(|_| URL_SAFE_NO_PAD.decode(encoded))
        .unwrap_or_else(|_| encoded.as_bytes().to_vec())
}

fn mac(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // An HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret))
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` value for message `id` sent at `at`: one `v1,` signature per
/// secret, space-separated.
pub fn sign(secrets: &[&str], id: &str, at: DateTime<Utc>, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| {
            let digest = mac(secret, id, at.timestamp(), body)
                .finalize()
                .into_bytes();
            format!("v1,{}", STANDARD.encode(digest))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a delivery as a receiver would: a timestamp within [`REPLAY_WINDOW`] of `now`, and
/// among the signatures one made with `secret` over this id, timestamp and body.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> bool {
    let Ok(timestamp) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now.timestamp() - timestamp).abs() > REPLAY_WINDOW.num_seconds() {
        return false;
    }
    signatures.split(' ').any(|versioned| {
        let Some(encoded) = versioned.strip_prefix("v1,") else {
            return false;
        };
        let Ok(given) = STANDARD.decode(encoded) else {
            return false;
        };
        mac(secret, id, timestamp, body)
            .verify_slice(&given)
            .is_ok()
    })
}
