//! Retrying a mutation safely: the rules for `Idempotency-Key` (the IETF httpapi draft's
//! header). A key names one attempt at one operation; the first request with it runs, and a
//! retry with the same key and the same request gets the first one's answer without running
//! again.

use std::time::Duration;

/// How long an answer is kept for retries with its key; after this the key is forgotten and
/// the same key runs the request again.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest key accepted, in characters.
pub const KEY_MAX: usize = 255;

/// How often a retry that arrives while the first request still runs looks again.
pub const POLL_EVERY: Duration = Duration::from_millis(50);

/// Seconds a client is told to wait before retrying a request whose first attempt is still
/// running.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Why a key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the Idempotency-Key is empty")]
    Empty,
    #[error("the Idempotency-Key is longer than {KEY_MAX} characters")]
    TooLong,
    #[error("the Idempotency-Key may hold only visible ASCII characters (a UUID is best)")]
    Invalid,
}

/// The key a client sent, as the draft writes it (a structured-field string, `"…"`) or bare.
pub fn parse_key(raw: &str) -> Result<&str, KeyError> {
    let trimmed = raw.trim();
    let key = trimmed
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(trimmed);
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    if key.chars().count() > KEY_MAX {
        return Err(KeyError::TooLong);
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) || key.contains('"') {
        return Err(KeyError::Invalid);
    }
    Ok(key)
}

/// How long a running first attempt holds its key before a retry may take it over (its
/// process died mid-request): longer than any request may run.
pub fn lock_for(operation_timeout: Duration) -> Duration {
    operation_timeout + Duration::from_secs(10)
}

/// Whether an answer is kept for retries. An answer that failed on our side, or was refused
/// for going too fast, is not: the retry runs again instead of repeating a failure that a
/// second attempt may not have.
pub fn keeps_answer<'c>(mut error_codes: impl Iterator<Item = &'c str>) -> bool {
    !error_codes.any(|code| matches!(code, "INTERNAL_SERVER_ERROR" | "RATE_LIMITED"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_taken_bare_or_quoted() {
        let id = "8e03978e-40d5-43e8-bc93-6894a57f9324";
        assert_eq!(parse_key(id), Ok(id));
        assert_eq!(parse_key(&format!("\"{id}\"")), Ok(id));
        assert_eq!(parse_key(&format!("  {id} ")), Ok(id));
    }

    #[test]
    fn empty_long_and_odd_keys_are_refused() {
        assert_eq!(parse_key(""), Err(KeyError::Empty));
        assert_eq!(parse_key("\"\""), Err(KeyError::Empty));
        assert_eq!(
            parse_key(&"k".repeat(KEY_MAX)),
            Ok("k".repeat(KEY_MAX).as_str())
        );
        assert_eq!(parse_key(&"k".repeat(KEY_MAX + 1)), Err(KeyError::TooLong));
        assert_eq!(parse_key("two words"), Err(KeyError::Invalid));
        assert_eq!(parse_key("clé"), Err(KeyError::Invalid));
        assert_eq!(parse_key("a\"b"), Err(KeyError::Invalid));
    }

    #[test]
    fn failures_on_our_side_and_rate_limits_are_not_kept() {
        assert!(keeps_answer([].into_iter()));
        assert!(keeps_answer(["NOT_FOUND", "BAD_USER_INPUT"].into_iter()));
        assert!(!keeps_answer(
            ["NOT_FOUND", "INTERNAL_SERVER_ERROR"].into_iter()
        ));
        assert!(!keeps_answer(["RATE_LIMITED"].into_iter()));
    }

    #[test]
    fn a_running_attempt_holds_its_key_longer_than_it_may_run() {
        let timeout = Duration::from_secs(30);
        assert!(lock_for(timeout) > timeout);
    }
}
