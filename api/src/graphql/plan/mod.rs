//! Plans: a couple's rituals on schedules, completions, streaks and progress.

pub mod history;
pub mod mutation;
pub mod progress;
pub mod types;
