//! Every two seconds: hands to the queue the outbox's jobs that a crash kept from it (the
//! writer died between its commit and its hand-over) or that the queue lost (handed over long
//! ago, never run). Every worker relays; a job handed over twice runs once, so relays may
//! overlap.

use apalis::prelude::*;
use apalis_cron::Tick;
use entities::{dead_job, outbox};
use runtime::write::{Stored, wall_now};

use crate::JobState;

pub const NAME: &str = "relay_outbox";
/// A writer hands its own jobs over at once; only older ones are the relay's.
const GRACE: chrono::Duration = chrono::Duration::seconds(2);
/// A job handed over this long ago and never run is taken as lost by the queue.
const LOST_AFTER: chrono::Duration = chrono::Duration::minutes(10);
/// Rows relayed per tick at most (the rest on the next ones).
const PER_TICK: u64 = 1_000;

pub async fn run(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    super::finish(&state, NAME, relay(&state).await)
}

async fn relay(state: &JobState) -> anyhow::Result<()> {
    let now = wall_now();
    let rows = outbox::stranded(&state.db, now, GRACE, LOST_AFTER, PER_TICK).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut jobs = Vec::with_capacity(rows.len());
    for row in &rows {
        match Stored::from_row(row) {
            Some(job) => jobs.push(job),
            None => {
                // Never written so by this code: kept for an operator, out of the relay's way.
                tracing::error!(outbox.id = %row.id, job.queue = %row.queue, "an outbox row is not JSON; kept in dead_jobs");
                dead_job::record(
                    &state.db,
                    dead_job::NewDeadJob {
                        queue: &row.queue,
                        payload: serde_json::Value::String(row.payload.clone()),
                        attempts: 0,
                        last_error: "its outbox row is not JSON",
                    },
                    state.clock.now(),
                )
                .await?;
                outbox::finish(&state.db, row.id).await?;
            }
        }
    }
    let relayed = jobs.len();
    state.writer.hand_off(jobs, now).await?;
    if relayed > 0 {
        tracing::info!(
            outbox.relayed = relayed,
            "relayed jobs a writer did not hand over"
        );
    }
    Ok(())
}
