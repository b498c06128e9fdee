//! Plans: the `Plan`, `PlanItem` and `Completion` objects, schedules, progress, and the
//! mutations that change them.

pub mod completion_mutation;
pub mod completions;
pub mod item_mutation;
pub mod items;
pub mod plan_mutation;
pub mod plans;
pub mod progress;
pub mod schedules;
