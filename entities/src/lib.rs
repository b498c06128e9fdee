//! sea-orm entities (one module per table) and the queries the api and worker share.

pub mod completion;
pub mod couple;
pub mod couple_member;
pub mod invite;
pub mod page;
pub mod plan;
pub mod plan_item;
pub mod refresh_token;
pub mod ritual;
pub mod session;
pub mod user;
pub mod worker_heartbeat;

pub use sea_orm;
