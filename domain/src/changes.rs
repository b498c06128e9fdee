//! The changes feed's rules: how long changes are kept, and when a client's cursor is too old
//! to sync from (it must reload everything instead).

use chrono::{DateTime, Duration, Utc};

/// How long changes are kept unless configured otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// Changes are kept this much longer than a cursor lives, so a cursor handed out just before
/// its time finds every change after it.
pub const PRUNE_MARGIN: Duration = Duration::days(1);

/// Whether a cursor handed out at `issued_at` is past `retention` at `now`.
pub fn cursor_expired(issued_at: DateTime<Utc>, now: DateTime<Utc>, retention: Duration) -> bool {
    issued_at + retention < now
}

/// Changes recorded before this instant may be forgotten at `now`: no live cursor needs them.
pub fn prune_before(now: DateTime<Utc>, retention: Duration) -> DateTime<Utc> {
    now - retention - PRUNE_MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_lives_as_long_as_the_retention() {
        let issued = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let retention = Duration::days(30);
        assert!(!cursor_expired(issued, issued + retention, retention));
        assert!(cursor_expired(
            issued,
            issued + retention + Duration::seconds(1),
            retention
        ));
    }

    #[test]
    fn what_a_live_cursor_may_still_need_is_never_pruned() {
        let issued = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let retention = Duration::days(30);
        // The last instant the cursor is live: changes recorded after it was issued are kept.
        let now = issued + retention;
        assert!(prune_before(now, retention) < issued);
    }
}
