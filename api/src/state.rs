//! The one application state every handler and resolver reaches.

use std::sync::Arc;

use runtime::{JobQueue, Metrics, Settings};
use sea_orm::DatabaseConnection;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub queue: JobQueue,
    pub metrics: Metrics,
}
