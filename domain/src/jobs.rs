//! Job payloads, their queue names and the retry rule. They live here so the api can enqueue
//! work without linking the worker, and so a queue's name never depends on where a type is
//! declared.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A kind of queued job: its payload type names its queue.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static {
    /// The queue's name, without the deployment's prefix. Never rename one with jobs in it.
    const QUEUE: &'static str;
    /// Runs in all, the first included, before the job is dead-lettered.
    const MAX_ATTEMPTS: u32 = 8;
}

/// A job as it sits on its queue: the payload and which run this is (1 for the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued<J> {
    pub job: J,
    pub attempt: u32,
    /// The outbox row the job was stored in by the write that caused it: a run takes that row
    /// first, so the job runs once however often it is handed to the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Uuid>,
}

impl<J> Queued<J> {
    /// A job's first run.
    pub fn first(job: J) -> Self {
        Self {
            job,
            attempt: 1,
            outbox: None,
        }
    }

    /// The next run after this one failed.
    pub fn again(self) -> Self {
        Self {
            attempt: self.attempt + 1,
            ..self
        }
    }
}

/// The first retry's nominal wait; each later one doubles it.
pub const RETRY_BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const RETRY_CAP: Duration = Duration::from_secs(60 * 60);

/// How long to wait before running a job again after its `attempt`th run failed: exponential
/// (`RETRY_BASE`, doubling, at most `RETRY_CAP`) with jitter. `jitter` in [0, 1) picks a point
/// in the upper half of the nominal wait, so retries of jobs that failed together spread out
/// but none comes back sooner than half its step.
pub fn retry_delay(attempt: u32, jitter: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(20);
    let nominal = RETRY_BASE.saturating_mul(1 << doublings).min(RETRY_CAP);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    nominal.mul_f64(0.5 + jitter / 2.0)
}

/// Does nothing: a probe of the queue, and the unit of its throughput benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {}

impl Job for Ping {
    const QUEUE: &'static str = "ping";
}

/// Removes worker heartbeat rows that have not been refreshed for `retention_secs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneWorkerHeartbeats {
    pub retention_secs: u64,
}

impl Job for PruneWorkerHeartbeats {
    const QUEUE: &'static str = "prune_worker_heartbeats";
}

/// Finds plan-item occurrences due around `at` and schedules each member's reminder: one page
/// of active plans (those after `after` in ID order), then queues itself for the next page, so
/// no run grows with the number of plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReminders {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub after: Option<Uuid>,
}

impl Job for PlanReminders {
    const QUEUE: &'static str = "plan_reminders";
}

/// Sends planned reminders that fire at the same instant, each if it is still due as planned
/// (`fire_at` as the planner set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReminders {
    pub fire_at: DateTime<Utc>,
    pub reminder_ids: Vec<Uuid>,
}

impl SendReminders {
    /// Reminders one job sends at most.
    pub const BATCH: usize = 200;
}

impl Job for SendReminders {
    const QUEUE: &'static str = "send_reminders";
}

/// Finds the couples whose local ISO week is over at `at` without a summary, and queues one
/// [`BuildWeeklySummaries`] per batch of them: one page of couples (those after `after`), then
/// queues itself for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanWeeklySummaries {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub after: Option<Uuid>,
}

impl Job for PlanWeeklySummaries {
    const QUEUE: &'static str = "plan_weekly_summaries";
}

/// Builds couple-weeks' summaries (each once) and tells both members of each it is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildWeeklySummaries {
    /// (couple, the Monday of its week), at most [`BuildWeeklySummaries::BATCH`].
    pub weeks: Vec<(Uuid, chrono::NaiveDate)>,
}

impl BuildWeeklySummaries {
    /// Couple-weeks one job builds at most.
    pub const BATCH: usize = 200;
}

impl Job for BuildWeeklySummaries {
    const QUEUE: &'static str = "build_weekly_summaries";
}

/// Deletes the shared data of couples archived long enough ago (their
/// `shared_data_delete_after` is before `at`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUncoupledData {
    pub at: DateTime<Utc>,
}

impl Job for DeleteUncoupledData {
    const QUEUE: &'static str = "delete_uncoupled_data";
}

/// Forgets what offline clients no longer need at `at`: idempotency keys whose answers
/// expired (a retry with one runs again) and changes older than the feed's retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneSyncData {
    pub at: DateTime<Utc>,
}

impl Job for PruneSyncData {
    const QUEUE: &'static str = "prune_sync_data";
}

/// Tells a member's partner about a logged completion (never its note or closeness).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnounceCompletion {
    pub completion_id: Uuid,
}

impl Job for AnnounceCompletion {
    const QUEUE: &'static str = "announce_completion";
}

/// Tells a member's partner that they answered today's check-in (never the answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnounceCheckIn {
    pub check_in_answer_id: Uuid,
}

impl Job for AnnounceCheckIn {
    const QUEUE: &'static str = "announce_check_in";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_base_up_to_the_cap() {
        assert_eq!(
            retry_delay(1, 0.999_999),
            Duration::from_secs(2).mul_f64(0.999_999_5)
        );
        assert_eq!(retry_delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(retry_delay(2, 0.0), Duration::from_secs(2));
        assert_eq!(retry_delay(4, 0.0), Duration::from_secs(8));
        assert_eq!(retry_delay(30, 0.0), RETRY_CAP / 2);
        assert_eq!(retry_delay(u32::MAX, 0.5), RETRY_CAP.mul_f64(0.75));
    }

    #[test]
    fn jitter_stays_in_the_upper_half_of_the_step() {
        for attempt in 1..12 {
            let nominal = RETRY_BASE.saturating_mul(1 << (attempt - 1)).min(RETRY_CAP);
            for jitter in [0.0, 0.25, 0.5, 0.99, -3.0, 7.0, f64::NAN] {
                let delay = retry_delay(attempt, jitter);
                assert!(delay >= nominal / 2, "{attempt} {jitter}: {delay:?}");
                assert!(delay <= nominal, "{attempt} {jitter}: {delay:?}");
            }
        }
    }

    #[test]
    fn a_queued_job_reads_back_as_written() {
        let queued = Queued::first(PlanReminders {
            at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            after: None,
        });
        let json = serde_json::to_string(&queued).unwrap();
        assert_eq!(
            serde_json::from_str::<Queued<PlanReminders>>(&json).unwrap(),
            queued
        );
        assert_eq!(queued.attempt, 1);
    }
}

/// Makes one attempt at a webhook delivery (when it is pending and due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverWebhook {
    pub delivery_id: Uuid,
}

impl Job for DeliverWebhook {
    const QUEUE: &'static str = "deliver_webhook";
}

/// Every minute: queues an attempt for each webhook delivery whose next attempt is due at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryWebhooks {
    pub at: DateTime<Utc>,
}

impl Job for RetryWebhooks {
    const QUEUE: &'static str = "retry_webhooks";
}

/// Builds the archive of a member's data export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildDataExport {
    pub export_id: Uuid,
}

impl Job for BuildDataExport {
    const QUEUE: &'static str = "build_data_export";
}

/// Every hour: deletes the accounts whose grace period ended at `at`, and drops the export
/// archives whose link expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyDataRights {
    pub at: DateTime<Utc>,
}

impl Job for ApplyDataRights {
    const QUEUE: &'static str = "apply_data_rights";
}

/// One of the emails accounts get. The worker makes the link's secret when it sends the
/// message, so no secret ever sits on a queue (or in a dead job's payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountEmail {
    /// A password-reset link, to the account with this (normalised) email if one exists:
    /// the request that asked does not look, so it answers alike either way.
    PasswordReset { email: String },
    /// A link proving the account's email is theirs.
    EmailVerification { user_id: Uuid },
    /// An organization's invitation to coach.
    CoachInvite { invite_id: Uuid },
}

/// Sends one email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEmail {
    pub email: AccountEmail,
}

impl Job for SendEmail {
    const QUEUE: &'static str = "send_email";
}

/// Pushes stored notifications to their members' devices (every device, or those a round
/// left to try again), once each member's quiet hours are over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendPush {
    pub notification_ids: Vec<Uuid>,
    /// The devices still to push to; all of the members' when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<Uuid>>,
    /// Rounds before this one (each retries the devices whose service asked to try later).
    #[serde(default)]
    pub round: u32,
}

impl SendPush {
    /// Notifications pushed by one job at most: what one write stores comes in jobs of this.
    pub const BATCH: usize = 100;

    /// The pushes of notifications just stored.
    pub fn of(notification_ids: Vec<Uuid>) -> Self {
        Self {
            notification_ids,
            devices: None,
            round: 0,
        }
    }
}

impl Job for SendPush {
    const QUEUE: &'static str = "send_push";
}

/// Has the configured model write the narratives of weekly summaries just built; each keeps
/// its template narrative until then, and when the model fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteNarratives {
    pub summary_ids: Vec<Uuid>,
}

impl Job for WriteNarratives {
    const QUEUE: &'static str = "write_narratives";
}

/// Every queue there is, by name.
pub const QUEUES: [&str; 17] = [
    Ping::QUEUE,
    PruneWorkerHeartbeats::QUEUE,
    PruneSyncData::QUEUE,
    PlanReminders::QUEUE,
    SendReminders::QUEUE,
    AnnounceCompletion::QUEUE,
    AnnounceCheckIn::QUEUE,
    PlanWeeklySummaries::QUEUE,
    BuildWeeklySummaries::QUEUE,
    DeleteUncoupledData::QUEUE,
    DeliverWebhook::QUEUE,
    RetryWebhooks::QUEUE,
    BuildDataExport::QUEUE,
    ApplyDataRights::QUEUE,
    SendEmail::QUEUE,
    SendPush::QUEUE,
    WriteNarratives::QUEUE,
];
