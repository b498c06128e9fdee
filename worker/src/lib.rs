//! Rekindle's worker: cron ticks and queued jobs, run by one apalis Monitor.
//!
//! `rekindle-worker` runs it as its own process; in embedded mode `rekindle-api` runs it
//! in-process. Either way [`run`] is the entry point.

pub mod cli;
pub mod http;
pub mod jobs;
pub mod push;
pub mod queue;

use std::future::Future;

use chrono::Utc;
use domain::clock::Clock;
use entities::worker_heartbeat;
use runtime::{JobQueue, Metrics, Settings};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// What every job handler can reach.
#[derive(Clone)]
pub struct JobState {
    pub db: DatabaseConnection,
    pub queue: JobQueue,
    /// The one write path (see [`runtime::write`]).
    pub writer: runtime::Writer,
    pub metrics: Metrics,
    /// Where "a notification was stored" is announced to the api's subscriptions.
    pub notifications: runtime::Fanout<domain::notification::Added>,
    pub identity: WorkerIdentity,
    /// How forgiving streaks are (summaries count them).
    pub streak_rules: domain::streak::StreakRules,
    /// Where webhook deliveries may go.
    pub webhooks: runtime::config::WebhookSettings,
    /// The time jobs work with: the system's, or one a test sets.
    pub clock: Clock,
    /// How long the changes feed keeps changes.
    pub changes_retention: std::time::Duration,
    /// Sends the emails accounts get.
    pub mailer: runtime::mail::Mailer,
    /// Webhook attempts in flight, per organization, in this process.
    pub webhook_flights: runtime::places::Places<Uuid>,
    /// The push services' clients.
    pub pusher: std::sync::Arc<push::Pusher>,
    /// Writes summaries' narratives with the coach's model, when one is configured.
    pub narrator: Option<std::sync::Arc<coach::narrator::Narrator>>,
    /// The runs this process has added to `queue_throughput` so far, by queue.
    pub counted: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, (u64, u64)>>>,
    /// What notifications and emails say, in every shipped locale.
    pub messages: std::sync::Arc<domain::messages::Messages>,
}

impl JobState {
    /// The state a worker with `settings` runs jobs with.
    pub fn new(
        settings: &Settings,
        db: DatabaseConnection,
        queue: JobQueue,
        metrics: Metrics,
        notifications: runtime::Fanout<domain::notification::Added>,
        identity: WorkerIdentity,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            writer: runtime::Writer::new(db.clone(), queue.clone(), settings.fault),
            db,
            queue,
            metrics,
            notifications,
            identity,
            streak_rules: settings.streak_rules,
            webhooks: settings.webhooks,
            clock,
            changes_retention: settings.clients.changes_retention,
            mailer: runtime::mail::Mailer::new(&settings.mail, settings.is_production())?,
            webhook_flights: runtime::places::Places::default(),
            pusher: std::sync::Arc::new(push::Pusher::new(&settings.push)?),
            narrator: match &settings.coach.model {
                Some(model) => Some(std::sync::Arc::new(coach::narrator::Narrator::new(
                    jobs::write_narratives::model_config(model),
                )?)),
                None => None,
            },
            counted: std::sync::Arc::default(),
            messages: std::sync::Arc::new(domain::messages::Messages::load()?),
        })
    }
}

impl JobState {
    /// Whom a notification is for, to be worded in their `locale`.
    pub fn recipient<'a>(
        &'a self,
        user_id: Uuid,
        locale: &'a str,
    ) -> domain::notification::Recipient<'a> {
        domain::notification::Recipient {
            user_id,
            locale,
            messages: &self.messages,
        }
    }
}

/// Who this worker process is, as recorded in its heartbeat row.
#[derive(Debug, Clone)]
pub struct WorkerIdentity {
    pub worker_id: Uuid,
    pub host: String,
    pub version: String,
    pub started_at: chrono::DateTime<Utc>,
}

impl WorkerIdentity {
    /// A new worker, starting now.
    pub fn new(now: chrono::DateTime<Utc>) -> Self {
        Self {
            worker_id: Uuid::new_v4(),
            host: host_name(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: now,
        }
    }

    /// The heartbeat row for this worker, seen at `now`.
    pub fn heartbeat(&self, now: chrono::DateTime<Utc>) -> worker_heartbeat::Model {
        worker_heartbeat::Model {
            worker_id: self.worker_id,
            host: self.host.clone(),
            version: self.version.clone(),
            started_at: self.started_at,
            last_seen_at: now,
        }
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Runs every worker until `shutdown` resolves, then lets in-flight jobs finish within the
/// configured shutdown timeout.
pub async fn run(
    settings: &Settings,
    state: JobState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_extended(settings, state, shutdown, |monitor, _| monitor).await
}

/// [`run`], with more queues registered by `extend` (tests add job kinds of their own).
pub async fn run_extended(
    settings: &Settings,
    state: JobState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    extend: impl FnOnce(apalis::prelude::Monitor, &jobs::Queues) -> apalis::prelude::Monitor,
) -> anyhow::Result<()> {
    // Beat once before the first tick so the worker is listed from its first second.
    worker_heartbeat::beat(&state.db, &state.identity.heartbeat(state.clock.now())).await?;
    tracing::info!(
        worker.id = %state.identity.worker_id,
        queue.backend = state.queue.backend_name(),
        "worker started"
    );
    let monitor = jobs::monitor(
        state.clone(),
        settings.shutdown_timeout,
        settings.heartbeat_secs,
        settings.worker_concurrency,
        extend,
    )?;
    monitor
        .run_with_signal(async move {
            shutdown.await;
            Ok(())
        })
        .await
        .map_err(|e| anyhow::anyhow!("worker monitor stopped with an error: {e}"))?;
    tracing::info!(worker.id = %state.identity.worker_id, "worker stopped");
    Ok(())
}
