//! Members' data rights: an export of everything of theirs, and deleting their account.

use chrono::{DateTime, Duration, Utc};

/// How long a download link works after it was asked for.
pub const EXPORT_LINK_DAYS: i64 = 7;
/// How long a member has to change their mind after asking for their account to be deleted.
pub const DELETION_GRACE_DAYS: i64 = 14;

/// Where an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStatus {
    /// The archive is being built.
    Pending,
    /// The archive waits to be downloaded.
    Ready,
    /// Downloaded, once: the archive is gone.
    Downloaded,
    /// The link expired before anyone downloaded the archive.
    Expired,
}

impl ExportStatus {
    /// An export's status at `now`: downloaded wins over expired, expired over the rest.
    pub fn of(
        ready: bool,
        downloaded: bool,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if downloaded {
            Self::Downloaded
        } else if now >= expires_at {
            Self::Expired
        } else if ready {
            Self::Ready
        } else {
            Self::Pending
        }
    }
}

/// When an export asked for at `now` stops being downloadable.
pub fn export_expires(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(EXPORT_LINK_DAYS)
}

/// When an account whose deletion was asked for at `now` is deleted.
pub fn deletion_due(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(DELETION_GRACE_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn an_export_is_pending_then_ready_then_downloaded_or_expired() {
        let expires = at(100);
        assert_eq!(
            ExportStatus::of(false, false, expires, at(0)),
            ExportStatus::Pending
        );
        assert_eq!(
            ExportStatus::of(true, false, expires, at(99)),
            ExportStatus::Ready
        );
        assert_eq!(
            ExportStatus::of(true, false, expires, at(100)),
            ExportStatus::Expired
        );
        assert_eq!(
            ExportStatus::of(false, false, expires, at(100)),
            ExportStatus::Expired
        );
        assert_eq!(
            ExportStatus::of(true, true, expires, at(50)),
            ExportStatus::Downloaded
        );
        assert_eq!(
            ExportStatus::of(true, true, expires, at(500)),
            ExportStatus::Downloaded
        );
    }

    #[test]
    fn links_last_a_week_and_deletion_waits_two() {
        assert_eq!(export_expires(at(0)) - at(0), Duration::days(7));
        assert_eq!(deletion_due(at(0)) - at(0), Duration::days(14));
    }
}
