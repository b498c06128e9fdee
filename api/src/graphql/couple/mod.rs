//! Couples: creating one, inviting and joining a partner, updating and leaving.

pub mod mutation;
pub mod types;
