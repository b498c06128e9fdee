//! Assessments: instruments, taking them privately, results and their sharing.

pub mod instruments;
pub mod mutation;
pub mod query;
pub mod recommend;
pub mod results;
pub mod shared;
