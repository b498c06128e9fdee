//! sea-orm entities (one module per table) and the queries the api and worker share.

pub mod page;
pub mod ritual;
pub mod worker_heartbeat;

pub use sea_orm;
