//! The ritual catalog: `rituals`, `ritual(key:)`, and rituals as nodes.

pub mod query;
pub mod types;
