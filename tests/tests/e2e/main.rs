//! End-to-end tests: each starts the real app on a random port against fresh stores.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod assessments;
mod authorization;
mod catalog;
mod compose;
mod concurrent_writes;
mod couples;
mod health;
mod http_hardening;
mod loading;
mod node;
mod password_guessing;
mod plans;
mod production;
mod rate_limits;
mod readiness;
mod request_errors;
mod schema;
mod secrets_in_logs;
mod sessions;
mod shutdown;
mod socket_sessions;
mod stored_data;
mod subscriptions;
mod worker;
