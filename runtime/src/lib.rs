//! Start-up plumbing shared by `rekindle-api` and `rekindle-worker`: typed settings, telemetry,
//! connections to the database and the job queue, and the metrics registry.

pub mod cli;
pub mod clients;
pub mod config;
pub mod failures;
pub mod fanout;
pub mod mail;
pub mod metrics;
pub mod places;
pub mod push;
pub mod queue;
pub mod secret_token;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod write;

pub use config::Settings;
pub use fanout::Fanout;
pub use metrics::Metrics;
pub use queue::JobQueue;
pub use write::{Write, Writer};
