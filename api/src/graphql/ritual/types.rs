//! GraphQL types for catalog rituals, built from the stored rows.

use async_graphql::{Enum, ID, Object};
use entities::ritual;

use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, global_id};

/// The kind of closeness a ritual builds.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::catalog::RitualCategory")]
pub enum RitualCategory {
    /// Sharing fears, hopes and feelings.
    Emotional,
    /// Swapping ideas and growing through each other's perspectives.
    Intellectual,
    /// Touch and closeness, not only sex.
    Physical,
    /// New experiences that break the autopilot.
    Novelty,
    /// Noticing and naming what you appreciate.
    Gratitude,
    /// Structured conversations and check-ins.
    Communication,
    /// Time protected from devices.
    TechFree,
}

/// How often a ritual is meant to happen by default.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::catalog::DefaultCadence")]
pub enum RitualCadence {
    /// Every day.
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// Once a week.
    Weekly,
    /// Once every few weeks.
    EveryNWeeks,
    /// Once a month.
    Monthly,
    /// When the occasion arises, such as after an argument.
    AsNeeded,
}

/// A ritual from the catalog: a small, repeatable practice a couple can add to their plan.
pub struct Ritual(pub std::sync::Arc<ritual::Model>);

/// A ritual from the catalog: a small, repeatable practice a couple can add to their plan.
#[Object]
impl Ritual {
    /// The ritual's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Ritual, self.0.id)
    }

    /// The stable key, such as `six_second_kiss`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// A short title for lists.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the couple does, in a sentence or two.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// Why it helps, with the evidence behind it where there is some.
    async fn why_it_helps(&self) -> &str {
        &self.0.why_it_helps
    }

    /// The kind of closeness it builds.
    async fn category(&self) -> Result<RitualCategory, ApiError> {
        Ok(self.0.category()?.into())
    }

    /// How often it is meant to happen unless the couple chooses otherwise.
    async fn default_cadence(&self) -> Result<RitualCadence, ApiError> {
        Ok(self.0.default_cadence()?.into())
    }

    /// Typical time it takes, in minutes.
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }

    /// Its steps in order; empty when it has none.
    async fn steps(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.0.steps()?)
    }

    /// Whether it ships with Rekindle (rather than being added by an organization).
    async fn built_in(&self) -> bool {
        self.0.built_in
    }
}
