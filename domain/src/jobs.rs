//! Job payloads and their queue names. They live here so the api can enqueue work without
//! linking the worker, and so a queue's name never depends on where a type is declared.

use serde::{Deserialize, Serialize};

/// Removes worker heartbeat rows that have not been refreshed for `retention_secs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneWorkerHeartbeats {
    pub retention_secs: u64,
}

impl PruneWorkerHeartbeats {
    pub const QUEUE: &'static str = "prune_worker_heartbeats";
}
