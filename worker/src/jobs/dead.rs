//! Dead-lettered jobs: listed for inspection and sent back to their queue on request.

use anyhow::Context;
use chrono::{DateTime, Utc};
use entities::dead_job;
use runtime::JobQueue;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Sends a dead job back to its queue as a first run; answers false when there is no such job
/// or it was already sent back. It is marked once it is queued, so a failed push leaves it
/// here to try again (jobs are idempotent: two operators retrying at once run it twice at
/// worst, never lose it).
pub async fn retry(
    db: &DatabaseConnection,
    queue: &JobQueue,
    id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let Some(dead) = dead_job::find(db, id).await? else {
        return Ok(false);
    };
    if dead.retried_at.is_some() {
        return Ok(false);
    }
    let mut payload = dead.payload.clone();
    if let Some(object) = payload.as_object_mut() {
        object.insert("attempt".into(), 1.into());
    }
    queue
        .push_json(&dead.queue, payload)
        .await
        .with_context(|| format!("sending dead job {id} back to {}", dead.queue))?;
    dead_job::mark_retried(db, id, now).await?;
    Ok(true)
}
