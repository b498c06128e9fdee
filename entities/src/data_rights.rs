//! Members' data rights, over every table: the archive of everything of a member (with the
//! couple's shared data as that member sees it), and the deletion of an account. [`TABLES`]
//! says what each table holds of a member and what both do with it; a test holds it to the
//! tables the migrations make, so a new table cannot be forgotten.

mod delete;
mod export;

use crate::check_in;

pub use delete::delete_account;
pub use export::{FORMAT, build as export};

/// What the export and the deletion do with one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    /// Where the member's rows go in the archive (or why none do).
    pub export: &'static str,
    /// What deleting the account does to the member's rows.
    pub deletion: &'static str,
}

const fn table(name: &'static str, export: &'static str, deletion: &'static str) -> Table {
    Table {
        name,
        export,
        deletion,
    }
}

/// Every table there is, and what the member's data rights do with it.
pub const TABLES: &[Table] = &[
    table("users", "account", "anonymised: only the random ID stays"),
    table("sessions", "sessions", "deleted"),
    table(
        "refresh_tokens",
        "none: secrets, stored as digests",
        "deleted",
    ),
    table("email_tokens", "emailLinks (never the secret)", "deleted"),
    table(
        "couples",
        "couples",
        "an active couple is left (uncoupling rules); kept while shared",
    ),
    table(
        "couple_members",
        "couples[].members",
        "kept: a former member, named as deleted",
    ),
    table(
        "invites",
        "couples[].invites (the member's)",
        "open ones revoked; kept while shared",
    ),
    table(
        "rituals",
        "couples[].customRituals",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "plans",
        "couples[].plans",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "plan_pauses",
        "couples[].plans[].pauses",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "plan_items",
        "couples[].plans[].items",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "completions",
        "couples[].plans[].items[].completions (a partner's note only when shared)",
        "private notes removed at once; the rest shared until the couple's shared data goes",
    ),
    table(
        "instruments",
        "none: questionnaires, nobody's data",
        "untouched",
    ),
    table(
        "assessments",
        "assessments; a partner's shared results as couples[].sharedResults",
        "deleted",
    ),
    table(
        "check_in_answers",
        "couples[].checkIns (a partner's answer only once both answered)",
        "unrevealed answers deleted; revealed ones shared until the couple's shared data goes",
    ),
    table(
        "couple_breaks",
        "couples[].breaks (a partner's choice only once both chose)",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "dead_jobs",
        "none: operators' record of failed jobs (IDs only)",
        "untouched",
    ),
    table(
        "notifications",
        "notifications",
        "deleted; what partners were told of the member no longer names them",
    ),
    table("reminders", "reminders", "deleted"),
    table("notification_settings", "notificationSettings", "deleted"),
    table(
        "muted_plan_items",
        "notificationSettings.mutedPlanItems",
        "deleted",
    ),
    table(
        "weekly_summaries",
        "couples[].weeklySummaries",
        "shared: deleted with the couple's shared data",
    ),
    table(
        "worker_heartbeats",
        "none: workers, nobody's data",
        "untouched",
    ),
    table(
        "queue_throughput",
        "none: counts of job runs per queue, nobody's data",
        "untouched",
    ),
    table(
        "organizations",
        "organizations (those the member belongs to)",
        "untouched",
    ),
    table("organization_members", "organizations", "deleted"),
    table(
        "api_keys",
        "apiKeysCreated (never the secret)",
        "kept for the organization, no longer naming the member",
    ),
    table(
        "access_grants",
        "accessGrants",
        "deleted: the organizations lose access at once",
    ),
    table(
        "access_events",
        "accessEvents",
        "kept for the organization, no longer naming the member",
    ),
    table("webhook_endpoints", "none: an organization's", "untouched"),
    table(
        "webhook_deliveries",
        "none: an organization's log of events (IDs only)",
        "untouched",
    ),
    table("webhook_attempts", "none: an organization's", "untouched"),
    table(
        "coach_invites",
        "none: an organization's invitations",
        "kept, no longer naming who invited",
    ),
    table(
        "suggestions",
        "couples[].suggestions",
        "kept while shared, no longer naming the member",
    ),
    table(
        "idempotency_keys",
        "none: hashed keys and sealed answers, kept a day",
        "deleted",
    ),
    table(
        "changes",
        "none: what offline clients fetch again",
        "deleted (the member's own)",
    ),
    table("audit_log", "none: operators' record (IDs only)", "kept"),
    table(
        "outbox",
        "none: jobs waiting to run (IDs only)",
        "untouched: each is gone once its job ran",
    ),
    table(
        "job_retries",
        "none: operators' record of failed runs",
        "untouched",
    ),
    table("data_exports", "dataExports (never the link)", "deleted"),
    table(
        "push_devices",
        "pushDevices (platform, app, locale and when last pushed; never the token)",
        "deleted",
    ),
    table(
        "coach_conversations",
        "coachConversations (with a safety concern the gate raised: the member's own)",
        "deleted",
    ),
    table(
        "coach_messages",
        "coachConversations[].messages (text, engine, fallback reason, tokens)",
        "deleted",
    ),
];

/// The name the changes feed gives a couple (the api's `NodeKind::Couple`).
pub const COUPLE_KIND: &str = "Couple";

/// Whether someone else in `others` answered the check-in `answer` belongs to (same couple,
/// same day): then both answers are revealed to both.
fn answered_alike(others: &[check_in::Model], answer: &check_in::Model) -> bool {
    others.iter().any(|o| {
        o.couple_id == answer.couple_id
            && o.local_date == answer.local_date
            && o.user_id != answer.user_id
    })
}
