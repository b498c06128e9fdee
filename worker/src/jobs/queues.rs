//! Queue consumers, registered alike: polling, concurrency, panic catching and tracing.

use std::time::Duration;

use apalis::prelude::*;
use domain::jobs::Queued;

use super::{MAX_RESTART_DELAY, POLL_INTERVAL, Perform, handle};
use crate::JobState;
use crate::queue::{BoundedRedis, Tuning};

/// Registers queue consumers with the same polling, concurrency, panic catching and tracing.
pub struct Queues {
    pub(super) state: JobState,
    pub(super) suffix: String,
    pub(super) concurrency: usize,
}

impl Queues {
    /// Adds a consumer of `J`'s queue to `monitor`.
    pub fn register<J: Perform>(&self, monitor: Monitor) -> Monitor {
        let (state, concurrency) = (self.state.clone(), self.concurrency);
        let base = format!("{}-{}", J::QUEUE, self.suffix);
        let queue = state.queue.clone();
        if let Some(storage) = queue.sqlite_storage::<Queued<J>>(J::QUEUE) {
            monitor.register(move |restarts| {
                WorkerBuilder::new(format!("{base}-{restarts}"))
                    .backend(storage.clone().poll_with_interval(POLL_INTERVAL))
                    .concurrency(concurrency)
                    .catch_panic()
                    .enable_tracing()
                    .data(state.clone())
                    .build(handle::<J>)
            })
        } else if let Some((storage, conn)) = queue.redis_storage::<Queued<J>>(J::QUEUE) {
            monitor.register(move |restarts| {
                let delay = Duration::from_secs(restarts as u64).min(MAX_RESTART_DELAY);
                let backend = BoundedRedis::new(storage.clone(), conn.clone(), Tuning::default())
                    .starting_after(delay);
                WorkerBuilder::new(format!("{base}-{restarts}"))
                    .backend(backend.poll_with_interval(POLL_INTERVAL))
                    .concurrency(concurrency)
                    .catch_panic()
                    .enable_tracing()
                    .data(state.clone())
                    .build(handle::<J>)
            })
        } else {
            monitor
        }
    }
}
