//! What operators see: accounts, jobs, workers, aggregates and their own actions. None of these
//! types reaches a couple's content (DESIGN.md rule 4); `tests/e2e/admin.rs` walks them all.

use async_graphql::{Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entities::{audit, dead_job, user, worker_heartbeat};
use serde_json::Value;

use crate::error::ApiError;
use crate::graphql::account::types::Role;
use crate::graphql::ids::{NodeKind, global_id};

/// Counts over the whole service, read now: aggregates only.
#[derive(SimpleObject)]
pub struct ServiceStats {
    /// Accounts, disabled ones included.
    pub users: u64,
    /// Accounts that are disabled.
    pub disabled_users: u64,
    /// Couples that are together in Rekindle (not archived).
    pub active_couples: u64,
    /// Plans that are their couple's current plan.
    pub active_plans: u64,
    /// Rituals logged per day (by the day of the occurrence), one entry for every day of the
    /// range asked for, oldest first, days without any included as 0.
    pub completions_per_day: Vec<DayCount>,
    /// The coach over the same days: counts only, never a word of a conversation.
    pub coach: CoachUsage,
}

/// How the coach was used: counts only.
#[derive(SimpleObject)]
pub struct CoachUsage {
    /// Messages members sent the coach.
    pub member_messages: u64,
    /// Replies a language model wrote.
    pub model_replies: u64,
    /// Replies the script wrote although a model is configured (failures, safety).
    pub fallbacks: u64,
    /// Messages the safety gate stopped.
    pub safety_stops: u64,
    /// Tokens model calls took, sent and written.
    pub tokens: u64,
}

/// How many of something one day had.
#[derive(SimpleObject)]
pub struct DayCount {
    /// The day.
    pub date: NaiveDate,
    /// How many.
    pub count: u64,
}

/// One job queue's state, read now.
#[derive(SimpleObject)]
pub struct QueueState {
    /// The queue's name (without the deployment's prefix).
    pub name: String,
    /// Jobs due and waiting for a worker.
    pub waiting: u64,
    /// Jobs due later (reminders at their instant, retries after their wait).
    pub scheduled: u64,
    /// Jobs a worker has taken and not finished.
    pub running: u64,
    /// Jobs whose last run failed and that will run again by themselves (counted among
    /// `scheduled` too).
    pub failed: u64,
    /// Jobs that failed every attempt and wait for an operator to retry or discard them.
    pub dead_lettered: u64,
    /// Runs that finished in the last hour, on every worker (added up at each worker's
    /// heartbeat, so up to `REKINDLE_WORKER_HEARTBEAT_SECS` behind).
    pub done_last_hour: u64,
    /// Runs that failed in the last hour (tried again later, or dead-lettered).
    pub failed_last_hour: u64,
}

/// The outbox: jobs written with the writes that caused them and not yet run.
#[derive(SimpleObject)]
pub struct OutboxState {
    /// Entries waiting to be handed to the queue, or handed over and not yet run.
    pub entries: u64,
    /// When the oldest entry was written (null when there is none). Minutes old means jobs
    /// are not being run: look at the workers.
    pub oldest_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A job that failed every attempt (dead-lettered), awaiting an operator.
pub struct FailedJob(pub dead_job::Model);

/// A job that failed every attempt (dead-lettered), awaiting an operator.
#[Object]
impl FailedJob {
    /// Its global ID, for `retryFailedJob` and `discardFailedJob`.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::FailedJob, self.0.id)
    }

    /// The queue it ran on.
    async fn queue(&self) -> &str {
        &self.0.queue
    }

    /// How many times it ran.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// Why its last run failed.
    async fn last_error(&self) -> &str {
        &self.0.last_error
    }

    /// When it failed for the last time.
    async fn failed_at(&self) -> DateTime<Utc> {
        self.0.failed_at
    }

    /// When an operator sent it back to its queue, if one did.
    async fn retried_at(&self) -> Option<DateTime<Utc>> {
        self.0.retried_at
    }

    /// When an operator discarded it, if one did.
    async fn discarded_at(&self) -> Option<DateTime<Utc>> {
        self.0.discarded_at
    }

    /// The job as it sat on its queue. Job payloads hold IDs and instants only, never content.
    async fn payload(&self) -> Json<Value> {
        Json(self.0.payload.clone())
    }
}

/// A worker process, as its heartbeats tell.
pub struct WorkerStatus {
    pub row: worker_heartbeat::Model,
    /// Whether it beat recently enough to count as running.
    pub alive: bool,
}

/// A worker process, as its heartbeats tell.
#[Object]
impl WorkerStatus {
    /// The process's ID (new at every start).
    async fn id(&self) -> String {
        self.row.worker_id.to_string()
    }

    /// The host it runs on.
    async fn host(&self) -> &str {
        &self.row.host
    }

    /// The version of Rekindle it runs.
    async fn version(&self) -> &str {
        &self.row.version
    }

    /// When it started.
    async fn started_at(&self) -> DateTime<Utc> {
        self.row.started_at
    }

    /// When it last proved it was running.
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.row.last_seen_at
    }

    /// Whether it beat within three heartbeat intervals.
    async fn alive(&self) -> bool {
        self.alive
    }
}

/// An account as an operator manages it: who it is and how it signs in, nothing of its couple.
pub struct ManagedAccount {
    pub account: user::Model,
    /// Its sessions that are neither revoked nor expired.
    pub live_sessions: u64,
    /// When one of its sessions was last used.
    pub last_active_at: Option<DateTime<Utc>>,
}

/// An account as an operator manages it: who it is and how it signs in, nothing of its couple.
#[Object]
impl ManagedAccount {
    /// The account's global ID (a `User` ID).
    async fn id(&self) -> ID {
        global_id(NodeKind::User, self.account.id)
    }

    /// Its email address.
    async fn email(&self) -> &str {
        &self.account.email
    }

    /// When the address was proved, if it was.
    async fn email_verified_at(&self) -> Option<DateTime<Utc>> {
        self.account.email_verified_at
    }

    /// The name it shows.
    async fn display_name(&self) -> &str {
        &self.account.display_name
    }

    /// Its IANA time zone.
    async fn timezone(&self) -> &str {
        &self.account.timezone
    }

    /// What it may do.
    async fn role(&self) -> Result<Role, ApiError> {
        Ok(self.account.role()?.into())
    }

    /// Whether it is disabled (it cannot sign in, and none of its sessions works).
    async fn disabled(&self) -> bool {
        self.account.disabled
    }

    /// When it registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.account.created_at
    }

    /// How many of its sessions are live (neither revoked nor expired).
    async fn live_sessions(&self) -> u64 {
        self.live_sessions
    }

    /// When one of its live sessions was last used.
    async fn last_active_at(&self) -> Option<DateTime<Utc>> {
        self.last_active_at
    }
}

/// One action an administrator took.
pub struct AuditEntry(pub audit::Model);

/// Where an administrator acted from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuditVia {
    /// Through the API, signed in as an administrator.
    Api,
    /// With `rekindle-api` on the server's command line, where no account acts.
    CommandLine,
}

/// One action an administrator took.
#[Object]
impl AuditEntry {
    /// The entry's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::AuditEntry, self.0.id)
    }

    /// The administrator who acted (a `User` ID); null for the command line.
    async fn actor_id(&self) -> Option<ID> {
        (self.0.actor_id != audit::COMMAND_LINE).then(|| global_id(NodeKind::User, self.0.actor_id))
    }

    /// Where they acted from.
    async fn via(&self) -> AuditVia {
        if self.0.actor_id == audit::COMMAND_LINE {
            AuditVia::CommandLine
        } else {
            AuditVia::Api
        }
    }

    /// What they did, as `object.verb`: `user.create` (command line), `user.disable`,
    /// `user.enable`, `user.revoke_sessions`, `user.change_role`, `failed_job.retry`,
    /// `failed_job.discard`, `weekly_summary.rebuild`, `organization.create`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// What kind of thing it was done to: `user`, `failed_job`, `couple`, `organization`.
    async fn target_kind(&self) -> &str {
        &self.0.target_kind
    }

    /// The global ID of what it was done to.
    async fn target_id(&self) -> ID {
        ID(self.0.target_id.clone())
    }

    /// The action's settings (a new role, a week), never content.
    async fn detail(&self) -> Json<Value> {
        Json(self.0.detail.clone())
    }

    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
