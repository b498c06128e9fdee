//! Every REKINDLE_WORKER_HEARTBEAT_SECS (15 s by default): refresh this worker's heartbeat row, so operators can see who is running.

use apalis::prelude::*;
use apalis_cron::Tick;
use entities::worker_heartbeat;

use crate::JobState;

pub const NAME: &str = "record_heartbeat";

pub async fn run(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    let result = worker_heartbeat::beat(&state.db, &state.identity.heartbeat(state.clock.now()))
        .await
        .map_err(anyhow::Error::from);
    super::finish(&state, NAME, result)
}
