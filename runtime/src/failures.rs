//! Jobs that failed: each queue's state with its failures counted, and dead-lettered jobs sent
//! back to their queue (by the worker's command line or an operator).

use anyhow::Context;
use chrono::{DateTime, Utc};
use entities::dead_job;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::JobQueue;
use crate::queue::QueueDepth;

/// What became of a request to send a dead job back to its queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    /// Queued again as a first run; the job as it now stands.
    Sent(dead_job::Model),
    /// There is no such dead job.
    Missing,
    /// It was already sent back or discarded.
    Settled,
}

impl Retry {
    pub fn sent(&self) -> bool {
        matches!(self, Retry::Sent(_))
    }
}

/// Sends a dead job back to its queue as a first run. It is marked once it is queued, so a
/// failed push leaves it here to try again (jobs are idempotent: two operators retrying at once
/// run it twice at worst, never lose it).
pub async fn retry(
    db: &DatabaseConnection,
    queue: &JobQueue,
    id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<Retry> {
    let Some(dead) = dead_job::find(db, id).await? else {
        return Ok(Retry::Missing);
    };
    if dead.retried_at.is_some() || dead.discarded_at.is_some() {
        return Ok(Retry::Settled);
    }
    let mut payload = dead.payload.clone();
    if let Some(object) = payload.as_object_mut() {
        object.insert("attempt".into(), 1.into());
        // Its outbox row went with its last failure: run again, it must not look for it.
        object.remove("outbox");
    }
    queue
        .push_json(&dead.queue, payload)
        .await
        .with_context(|| format!("sending dead job {id} back to {}", dead.queue))?;
    dead_job::mark_retried(db, id, now).await?;
    Ok(Retry::Sent(dead_job::Model {
        retried_at: Some(now),
        ..dead
    }))
}

/// One queue's jobs by state, failures included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueState {
    pub depth: QueueDepth,
    /// Jobs whose last run failed and whose next run is not yet due.
    pub failed: u64,
    /// Jobs that failed every attempt and wait for an operator.
    pub dead_lettered: u64,
}

/// Every one of `queues`' state, read now (`now` decides which failed runs still wait).
pub async fn queue_states(
    db: &DatabaseConnection,
    queue: &JobQueue,
    queues: &[&str],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<QueueState>> {
    let depths = queue.depths(queues).await?;
    let failed = entities::job_retry::waiting_by_queue(db, now).await?;
    let dead = dead_job::waiting_by_queue(db).await?;
    Ok(depths
        .into_iter()
        .map(|depth| QueueState {
            failed: failed.get(&depth.queue).copied().unwrap_or(0),
            dead_lettered: dead.get(&depth.queue).copied().unwrap_or(0),
            depth,
        })
        .collect())
}
