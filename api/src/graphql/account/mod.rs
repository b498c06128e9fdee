//! Accounts and sessions: registering, signing in, refreshing, and the caller's own profile.

pub mod data_rights;
pub mod email;
pub mod mutation;
pub mod query;
pub mod types;
