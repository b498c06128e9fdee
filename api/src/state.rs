//! The one application state every handler and resolver reaches.

use std::sync::Arc;

use domain::clock::Clock;
use runtime::{JobQueue, Metrics, Settings};
use sea_orm::DatabaseConnection;

use crate::auth::jwt::Keys;
use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::session_events::SessionEvents;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub queue: JobQueue,
    pub metrics: Metrics,
    /// The built-in ritual catalog, read once at start.
    pub catalog: Arc<crate::catalog::Catalog>,
    /// The time: the system's, or one a test sets.
    pub clock: Clock,
    pub keys: Arc<Keys>,
    pub hasher: Hasher,
    pub limiter: RateLimiter,
    pub session_events: SessionEvents,
    /// Set when the process is stopping: readiness answers 503 so load balancers drain it.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}
