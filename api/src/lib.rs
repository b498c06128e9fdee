//! Rekindle's GraphQL API server as a library: `main.rs` only wires it up, and the end-to-end
//! tests start the very same [`startup::Application`] on a random port.

pub mod auth;
pub mod catalog;
pub mod coaching_engine;
pub mod error;
pub mod graphql;
pub mod http;
pub mod instruments;
pub mod read_cache;
pub mod startup;
pub mod state;

pub use startup::Application;
