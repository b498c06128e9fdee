//! Every REKINDLE_WORKER_HEARTBEAT_SECS (15 s by default): refresh this worker's heartbeat row,
//! so operators can see who is running, and add the runs this process finished or failed since
//! the last beat to `queue_throughput` (operators see each queue's last hour).

use std::collections::BTreeMap;
use std::sync::PoisonError;

use apalis::prelude::*;
use apalis_cron::Tick;
use entities::{queue_throughput, worker_heartbeat};

use crate::JobState;

pub const NAME: &str = "record_heartbeat";

pub async fn run(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    let now = state.clock.now();
    let result = async {
        worker_heartbeat::beat(&state.db, &state.identity.heartbeat(now)).await?;
        count_runs(&state, now).await
    }
    .await
    .map_err(anyhow::Error::from);
    super::finish(&state, NAME, result)
}

/// Adds the runs counted since the last beat; what fails to be added is added next time.
async fn count_runs(
    state: &JobState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sea_orm::DbErr> {
    let totals = state.metrics.job_totals();
    let runs = {
        let counted = state.counted.lock().unwrap_or_else(PoisonError::into_inner);
        new_runs(&totals, &counted)
    };
    queue_throughput::add(&state.db, now, &runs).await?;
    let mut counted = state.counted.lock().unwrap_or_else(PoisonError::into_inner);
    for run in &runs {
        let entry = counted.entry(run.queue.clone()).or_default();
        entry.0 += run.done;
        entry.1 += run.failed;
    }
    Ok(())
}

/// What `totals` holds beyond what was `counted` already.
fn new_runs(
    totals: &BTreeMap<String, (u64, u64)>,
    counted: &BTreeMap<String, (u64, u64)>,
) -> Vec<queue_throughput::Runs> {
    totals
        .iter()
        .filter_map(|(queue, (done, failed))| {
            let (was_done, was_failed) = counted.get(queue).copied().unwrap_or_default();
            let run = queue_throughput::Runs {
                queue: queue.clone(),
                done: done.saturating_sub(was_done),
                failed: failed.saturating_sub(was_failed),
            };
            (run.done + run.failed > 0).then_some(run)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_runs_not_yet_counted_are_added() {
        let totals = BTreeMap::from([
            ("a".to_owned(), (5, 1)),
            ("b".to_owned(), (2, 0)),
            ("c".to_owned(), (0, 3)),
        ]);
        let counted = BTreeMap::from([("a".to_owned(), (3, 1)), ("b".to_owned(), (2, 0))]);
        let runs = new_runs(&totals, &counted);
        assert_eq!(
            runs,
            [
                queue_throughput::Runs {
                    queue: "a".into(),
                    done: 2,
                    failed: 0
                },
                queue_throughput::Runs {
                    queue: "c".into(),
                    done: 0,
                    failed: 3
                },
            ]
        );
    }
}
