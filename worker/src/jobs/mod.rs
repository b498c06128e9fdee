//! The one place jobs are registered: every cron tick and every queue this worker consumes,
//! and what happens when a job fails (retried with exponential backoff and jitter, then
//! dead-lettered).

pub mod announce;
pub mod data_rights;
pub mod plan_reminders;
pub mod prune_sync_data;
pub mod prune_worker_heartbeats;
mod queues;
pub mod record_heartbeat;
pub mod relay_outbox;
pub mod send_email;
pub mod send_push;
pub mod send_reminder;
pub mod uncoupling;
pub mod webhooks;
pub mod weekly_summaries;
pub mod write_narratives;

pub use queues::Queues;

use std::str::FromStr;
use std::time::{Duration, Instant};

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use chrono::{DateTime, Utc};
use cron::Schedule;
use domain::jobs::{
    AnnounceCheckIn, AnnounceCompletion, ApplyDataRights, BuildDataExport, BuildWeeklySummaries,
    DeleteUncoupledData, DeliverWebhook, Job, Ping, PlanReminders, PlanWeeklySummaries,
    PruneSyncData, PruneWorkerHeartbeats, Queued, RetryWebhooks, SendEmail, SendPush,
    SendReminders, WriteNarratives, retry_delay,
};
use entities::outbox::{self, Claim};
use entities::{dead_job, job_retry};
use runtime::metrics::Outcome;
use tracing::Instrument as _;

use crate::JobState;

/// Every second second: the outbox relay.
const RELAY_SCHEDULE: &str = "*/2 * * * * *";
/// At the top of every hour.
const PRUNE_SCHEDULE: &str = "0 0 * * * *";
/// At a quarter past every hour.
const PRUNE_SYNC_SCHEDULE: &str = "0 15 * * * *";
/// At the top of every hour: some zone's week ends at every hour (and some at half past: a
/// week ending then is built on the next hour's tick).
const WEEKLY_SUMMARY_SCHEDULE: &str = "0 0 * * * *";
/// At half past every hour.
const UNCOUPLING_SCHEDULE: &str = "0 30 * * * *";
/// At a quarter to every hour.
const DATA_RIGHTS_SCHEDULE: &str = "0 45 * * * *";
/// At the start of every minute.
const PLAN_REMINDERS_SCHEDULE: &str = "0 * * * * *";
/// At 30 seconds past every minute.
const RETRY_WEBHOOKS_SCHEDULE: &str = "30 * * * * *";
/// How long a run holds its job's outbox row: longer than a run may take.
const OUTBOX_LEASE: chrono::Duration = chrono::Duration::seconds(JOB_TIMEOUT.as_secs() as i64 + 15);
/// How often a copy of a job another run holds looks again.
const HELD_RECHECK: Duration = Duration::from_secs(4);
/// How often an idle worker looks for queued jobs (STACK.md #3: the default is 30 s).
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Longest a single run of a job may take before it counts as failed.
const JOB_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest a restarted worker waits before it registers again (it waits its restart count in
/// seconds up to this), so a worker does not spin while Redis is away.
const MAX_RESTART_DELAY: Duration = Duration::from_secs(10);

/// What a job's run can say went wrong.
#[derive(Debug)]
pub enum Failure {
    /// Worth trying again later (a store away, a timeout).
    Transient(anyhow::Error),
    /// Will fail the same way every time (bad stored data): dead-letter at once.
    Permanent(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure::Transient(err.into())
    }
}

/// A queued job this worker knows how to run.
pub trait Perform: Job {
    fn perform(&self, state: &JobState) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// Runs one job from its queue; a failed run is queued again after [`retry_delay`] or, after
/// its last attempt, kept in `dead_jobs`. Only when that bookkeeping itself fails does the
/// queue see an error (and then keeps the task itself).
pub async fn handle<J: Perform>(
    queued: Queued<J>,
    state: Data<JobState>,
) -> Result<(), BoxDynError> {
    // One span per run: its log lines carry the queue, the attempt and (when traces are
    // exported) the trace id.
    let span = tracing::info_span!(
        "job",
        job.queue = J::QUEUE,
        job.attempt = queued.attempt,
        trace_id = tracing::field::Empty
    );
    runtime::telemetry::record_trace_id(&span);
    run(queued, state).instrument(span).await
}

/// One run of a job, and what follows from its outcome (see [`handle`]).
async fn run<J: Perform>(queued: Queued<J>, state: Data<JobState>) -> Result<(), BoxDynError> {
    // A job a write stored in the outbox runs only while it holds the outbox row: a copy
    // handed over twice, or run after the job was done, leaves it alone.
    if let Some(id) = queued.outbox {
        // The outbox keeps the queue's time, the system's.
        let now = runtime::write::wall_now();
        match outbox::claim(&state.db, id, now, now + OUTBOX_LEASE).await? {
            Claim::Taken => {}
            Claim::Done => {
                tracing::debug!(job.queue = J::QUEUE, outbox.id = %id, "job already run; this copy is skipped");
                return Ok(());
            }
            Claim::HeldUntil(until) => {
                // Another run holds it. Look again soon (at the latest when its hold ends): if
                // that run finished, there is nothing left to do; if it died, this copy does
                // the job once the hold has ended.
                let wait = (until - now).to_std().unwrap_or_default().min(HELD_RECHECK)
                    + Duration::from_secs(1);
                state.queue.push_after(queued, wait).await?;
                return Ok(());
            }
        }
    }
    let started = Instant::now();
    let outcome = match tokio::time::timeout(JOB_TIMEOUT, queued.job.perform(&state)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Transient(anyhow::anyhow!(
            "timed out after {JOB_TIMEOUT:?}"
        ))),
    };
    state.metrics.job_duration(J::QUEUE, started.elapsed());
    let (error, permanent) = match outcome {
        Ok(()) => {
            state.metrics.job(J::QUEUE, Outcome::Ok);
            settle_outbox(&state, queued.outbox).await;
            return Ok(());
        }
        Err(Failure::Transient(e)) => (e, false),
        Err(Failure::Permanent(e)) => (e, true),
    };
    let message = format!("{error:#}");
    if !permanent && queued.attempt < J::MAX_ATTEMPTS {
        let delay = retry_delay(queued.attempt, rand::random::<f64>());
        tracing::warn!(
            job.queue = J::QUEUE,
            job.attempt = queued.attempt,
            retry_in_ms = delay.as_millis() as u64,
            error = %message,
            "job failed; it will run again"
        );
        state.metrics.job(J::QUEUE, Outcome::Retried);
        if let Some(id) = queued.outbox {
            // Let the row go so the next run can take it; held, it waits out the lease.
            if let Err(error) = outbox::release(&state.db, id).await {
                tracing::warn!(job.queue = J::QUEUE, %error, "could not release an outbox row; the retry waits for its lease");
            }
        }
        let attempt = queued.attempt;
        state.queue.push_after(queued.again(), delay).await?;
        // For operators' eyes only: the job is queued again whether or not this is kept.
        let now = state.clock.now();
        let retry_at = now + chrono::Duration::from_std(delay).unwrap_or_default();
        let kept = job_retry::record(&state.db, J::QUEUE, attempt, &message, now, retry_at).await;
        if let Err(error) = kept {
            tracing::warn!(job.queue = J::QUEUE, %error, "could not record a job's failed run");
        }
        return Ok(());
    }
    tracing::error!(
        job.queue = J::QUEUE,
        job.attempt = queued.attempt,
        error = %message,
        "job failed for the last time; kept in dead_jobs"
    );
    state.metrics.job(J::QUEUE, Outcome::Error);
    let payload = serde_json::to_value(&queued)?;
    dead_job::record(
        &state.db,
        dead_job::NewDeadJob {
            queue: J::QUEUE,
            payload,
            attempts: queued.attempt,
            last_error: &message,
        },
        state.clock.now(),
    )
    .await?;
    settle_outbox(&state, queued.outbox).await;
    Ok(())
}

/// Removes a job's outbox row once the job ran, or was kept in `dead_jobs`: no copy of it
/// runs again. Failing that, the row stays held until its lease ends, then a copy would find
/// it free: logged, as the job may then run once more.
async fn settle_outbox(state: &JobState, outbox: Option<uuid::Uuid>) {
    if let Some(id) = outbox
        && let Err(error) = outbox::finish(&state.db, id).await
    {
        tracing::warn!(outbox.id = %id, %error, "could not remove a finished job's outbox row");
    }
}

impl Perform for Ping {
    async fn perform(&self, _state: &JobState) -> Result<(), Failure> {
        Ok(())
    }
}

/// Every queue this worker consumes, by name.
pub const QUEUES: [&str; domain::jobs::QUEUES.len()] = domain::jobs::QUEUES;

/// Builds the monitor with every worker registered; `extend` may register more queues.
pub fn monitor(
    state: JobState,
    shutdown_timeout: Duration,
    heartbeat_secs: u32,
    concurrency: usize,
    extend: impl FnOnce(Monitor, &Queues) -> Monitor,
) -> anyhow::Result<Monitor> {
    // Every `heartbeat_secs` seconds (15 by default), on the second.
    let heartbeat = Schedule::from_str(&format!("*/{heartbeat_secs} * * * * *"))?;
    // Worker names are unique per process and per restart: backends track workers (and
    // recover a silent one's jobs) by name.
    let suffix = state.identity.worker_id.simple().to_string();
    let mut monitor = Monitor::new()
        .shutdown_timeout(shutdown_timeout)
        // A worker whose backend failed (Redis away) starts again, after a pause.
        .should_restart(|_, _| true);

    let (s, name) = (state.clone(), format!("record_heartbeat-{suffix}"));
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(name.as_str())
            .backend(CronScheduler::new(heartbeat.clone()))
            .data(s.clone())
            .build(record_heartbeat::run)
    });

    let (s, name) = (state.clone(), format!("{}-{suffix}", relay_outbox::NAME));
    let relay = Schedule::from_str(RELAY_SCHEDULE)?;
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(name.as_str())
            .backend(CronScheduler::new(relay.clone()))
            .data(s.clone())
            .build(relay_outbox::run)
    });

    monitor = ticking::<PruneWorkerHeartbeats>(monitor, &state, &suffix, PRUNE_SCHEDULE)?;
    monitor = ticking::<PruneSyncData>(monitor, &state, &suffix, PRUNE_SYNC_SCHEDULE)?;
    monitor = ticking::<PlanReminders>(monitor, &state, &suffix, PLAN_REMINDERS_SCHEDULE)?;
    monitor = ticking::<PlanWeeklySummaries>(monitor, &state, &suffix, WEEKLY_SUMMARY_SCHEDULE)?;
    monitor = ticking::<DeleteUncoupledData>(monitor, &state, &suffix, UNCOUPLING_SCHEDULE)?;
    monitor = ticking::<RetryWebhooks>(monitor, &state, &suffix, RETRY_WEBHOOKS_SCHEDULE)?;
    monitor = ticking::<ApplyDataRights>(monitor, &state, &suffix, DATA_RIGHTS_SCHEDULE)?;

    let on = Queues {
        state: state.clone(),
        suffix,
        concurrency,
    };
    monitor = on.register::<Ping>(monitor);
    monitor = on.register::<PruneWorkerHeartbeats>(monitor);
    monitor = on.register::<PruneSyncData>(monitor);
    monitor = on.register::<PlanReminders>(monitor);
    monitor = on.register::<SendReminders>(monitor);
    monitor = on.register::<AnnounceCompletion>(monitor);
    monitor = on.register::<AnnounceCheckIn>(monitor);
    monitor = on.register::<PlanWeeklySummaries>(monitor);
    monitor = on.register::<BuildWeeklySummaries>(monitor);
    monitor = on.register::<DeleteUncoupledData>(monitor);
    monitor = on.register::<DeliverWebhook>(monitor);
    monitor = on.register::<RetryWebhooks>(monitor);
    monitor = on.register::<BuildDataExport>(monitor);
    monitor = on.register::<ApplyDataRights>(monitor);
    monitor = on.register::<SendEmail>(monitor);
    monitor = on.register::<SendPush>(monitor);
    monitor = on.register::<WriteNarratives>(monitor);
    Ok(extend(monitor, &on))
}

/// A job a cron tick queues, made from the tick's instant.
pub trait Ticked: Job {
    fn at(now: DateTime<Utc>) -> Self;
}

/// Adds a cron tick on `schedule` (6 fields, seconds first) that queues one `J` each time.
/// Every worker process ticks: the jobs must not mind running twice for the same instant.
fn ticking<J: Ticked>(
    monitor: Monitor,
    state: &JobState,
    suffix: &str,
    schedule: &str,
) -> anyhow::Result<Monitor> {
    let schedule = Schedule::from_str(schedule)?;
    let (state, name) = (state.clone(), format!("enqueue_{}-{suffix}", J::QUEUE));
    Ok(monitor.register(move |_| {
        WorkerBuilder::new(name.as_str())
            .backend(CronScheduler::new(schedule.clone()))
            .data(state.clone())
            .build(enqueue::<J>)
    }))
}

async fn enqueue<J: Ticked>(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    let result = state.queue.push(J::at(state.clock.now())).await;
    finish(&state, &format!("enqueue_{}", J::QUEUE), result)
}

impl Ticked for PlanReminders {
    fn at(now: DateTime<Utc>) -> Self {
        Self {
            at: now,
            after: None,
        }
    }
}

impl Ticked for PlanWeeklySummaries {
    fn at(now: DateTime<Utc>) -> Self {
        Self {
            at: now,
            after: None,
        }
    }
}

impl Ticked for RetryWebhooks {
    fn at(now: DateTime<Utc>) -> Self {
        Self { at: now }
    }
}

impl Ticked for DeleteUncoupledData {
    fn at(now: DateTime<Utc>) -> Self {
        Self { at: now }
    }
}

/// Counts a finished cron tick in the metrics and turns its error into apalis's.
fn finish(state: &JobState, queue: &str, result: anyhow::Result<()>) -> Result<(), BoxDynError> {
    match result {
        Ok(()) => {
            state.metrics.job(queue, Outcome::Ok);
            Ok(())
        }
        Err(err) => {
            state.metrics.job(queue, Outcome::Error);
            tracing::warn!(job.queue = queue, error = %format!("{err:#}"), "job failed");
            Err(err.into())
        }
    }
}
