//! Rekindle's pure logic: no I/O, no database, no web framework.
//!
//! Everything here is a plain function of its inputs, so it can be tested exhaustively and shared
//! by the api and the worker.

pub mod account;
pub mod breaks;
pub mod catalog;
pub mod changes;
pub mod checkin;
pub mod clock;
pub mod couple;
pub mod data_rights;
pub mod idempotency;
pub mod ids;
pub mod input;
pub mod instrument;
pub mod jobs;
pub mod messages;
pub mod notification;
pub mod operations;
pub mod organization;
pub mod plan;
pub mod progress;
pub mod push;
pub mod recommend;
pub mod reminder;
pub mod resources;
pub mod safety;
pub mod schedule;
pub mod streak;
pub mod summary;
pub mod text;
pub mod webhook;
