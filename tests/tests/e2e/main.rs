//! End-to-end tests: each starts the real app on a random port against fresh stores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod catalog;
mod compose;
mod health;
mod node;
mod readiness;
mod request_errors;
mod schema;
mod subscriptions;
mod worker;
