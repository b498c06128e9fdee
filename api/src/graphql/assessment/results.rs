//! A member's assessments and their results, as the owner sees them.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::instrument::{self as engine, Answer, ResultRecord};

use super::instruments::InstrumentNode;
use crate::auth::policy::AssessmentAccess;
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::resources::{SupportResource, resources_for};
use crate::graphql::ritual::types::{Ritual, RitualCategory};
use crate::instruments::StoredInstrument;
use crate::state::AppState;

/// The stored instrument version an assessment belongs to: from memory, or from the store for
/// a version no longer current.
pub async fn instrument_of(
    state: &AppState,
    row: &entities::assessment::Model,
) -> Result<Arc<StoredInstrument>, ApiError> {
    state
        .instruments
        .stored(&state.db, row.instrument_id)
        .await?
        .ok_or_else(|| ApiError::internal(&"an assessment's instrument is not stored"))
}

/// Where an assessment is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AssessmentStatus {
    /// Answers can still be given and changed.
    InProgress,
    /// Scored; the answers are fixed.
    Submitted,
}

/// One saved answer.
#[derive(SimpleObject)]
pub struct AssessmentAnswer {
    /// The item answered.
    pub item_key: String,
    /// The point or option chosen, for a Likert or single-choice item.
    pub choice: Option<String>,
    /// The answer to a yes-or-no item.
    pub yes: Option<bool>,
}

/// A key and what to call it.
#[derive(SimpleObject)]
pub struct ScoreLabel {
    /// The band's or outcome's key.
    pub key: String,
    /// Its label.
    pub label: String,
}

impl From<&engine::BandScore> for ScoreLabel {
    fn from(band: &engine::BandScore) -> Self {
        Self {
            key: band.key.clone(),
            label: band.label.clone(),
        }
    }
}

/// A subscale's score.
#[derive(SimpleObject)]
pub struct SubscaleResult {
    /// The subscale's key.
    pub key: String,
    /// What it measures.
    pub title: String,
    /// Its score (sum or mean, as the instrument scores).
    pub score: f64,
    /// Its band, if the subscale has bands.
    pub band: Option<ScoreLabel>,
}

pub(super) fn subscales(scored: &engine::Scored) -> Vec<SubscaleResult> {
    scored
        .subscales
        .iter()
        .map(|s| SubscaleResult {
            key: s.key.clone(),
            title: s.title.clone(),
            score: s.score,
            band: s.band.as_ref().map(ScoreLabel::from),
        })
        .collect()
}

/// Something worth doing besides rituals.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::instrument::Action")]
pub enum RecommendedAction {
    /// Danger or abuse: get help now, from the safety resources.
    SeekImmediateHelp,
    /// A therapist or counsellor first; rituals come after.
    TalkToProfessional,
    /// Structure and feedback from a coach or a course.
    ConsiderGuidedSupport,
    /// Raise it with your partner in a calm, honest conversation.
    TalkTogether,
}

/// What a result suggests, and why.
pub struct Recommendation(engine::RecommendationHit);

/// What a result suggests, and why.
#[Object]
impl Recommendation {
    /// Why this is recommended.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Rituals from the catalog that answer it.
    async fn rituals(&self, ctx: &Context<'_>) -> Result<Vec<Ritual>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(self
            .0
            .ritual_keys
            .iter()
            .filter_map(|key| state.catalog.by_key(key.as_str()))
            .map(Ritual)
            .collect())
    }

    /// Kinds of ritual that answer it.
    async fn ritual_categories(&self) -> Vec<RitualCategory> {
        self.0
            .ritual_categories
            .iter()
            .map(|c| RitualCategory::from(*c))
            .collect()
    }

    /// Books, apps or workshops for its steps (guided support for a professional), if any.
    async fn resources(&self, ctx: &Context<'_>) -> Result<Vec<SupportResource>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let mut helps: Vec<domain::resources::Help> = self
            .0
            .actions
            .iter()
            .filter_map(|a| domain::resources::help_for(*a))
            .collect();
        helps.dedup();
        Ok(helps
            .into_iter()
            .flat_map(|help| resources_for(state, help))
            .collect())
    }

    /// Steps beyond rituals.
    async fn actions(&self) -> Vec<RecommendedAction> {
        self.0
            .actions
            .iter()
            .map(|a| RecommendedAction::from(*a))
            .collect()
    }
}

/// Which way a score moved, by the instrument's own sense of better.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::instrument::Direction")]
pub enum ChangeDirection {
    /// Better news than before.
    Better,
    /// Worse news than before.
    Worse,
}

/// How the total moved since the previous result of the same instrument.
#[derive(SimpleObject)]
pub struct ScoreChange {
    /// The new total minus the previous one.
    pub delta: f64,
    /// Whether the change reaches the instrument's reliable-change threshold (false when it has
    /// none): a change this size is more than noise.
    pub reliable: bool,
    /// Better or worse; null when the total did not move.
    pub direction: Option<ChangeDirection>,
}

impl From<engine::Change> for ScoreChange {
    fn from(c: engine::Change) -> Self {
        Self {
            delta: c.delta,
            reliable: c.reliable,
            direction: c.direction.map(ChangeDirection::from),
        }
    }
}

/// A service to turn to for help.
#[derive(SimpleObject)]
pub struct SafetyResource {
    /// The service.
    pub name: String,
    /// What it offers.
    pub description: String,
    /// A number to call, if it has one.
    pub phone: Option<String>,
    /// A web address, if it has one.
    pub url: Option<String>,
}

/// What a result that raised a safety concern tells its owner. Only the owner ever sees it.
pub struct SafetyNotice(Vec<String>);

/// What a result that raised a safety concern tells its owner. Only the owner ever sees it.
#[Object]
impl SafetyNotice {
    /// What the answers that raised the concern mean for you.
    async fn messages(&self) -> &[String] {
        &self.0
    }

    /// Kinds of guided support (therapists, coaches, courses) for when you are safe: the
    /// guide's guided-support resources.
    async fn guided_support(&self, ctx: &Context<'_>) -> Result<Vec<SupportResource>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(resources_for(state, domain::resources::Help::GuidedSupport))
    }

    /// Services that help now, for a country (ISO 3166-1 alpha-2, such as `GB`); the general
    /// list for a country without its own or when none is given.
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Two-letter country code; the general list when absent or unknown.")]
        country: Option<String>,
    ) -> Result<Vec<SafetyResource>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(state
            .safety_resources
            .for_country(country.as_deref())
            .iter()
            .map(|r| SafetyResource {
                name: r.name.clone(),
                description: r.description.clone(),
                phone: r.phone.clone(),
                url: r.url.clone(),
            })
            .collect())
    }
}

/// A scored assessment, as its owner sees it.
pub struct AssessmentResult(pub(super) ResultRecord);

/// A scored assessment, as its owner sees it.
#[Object]
impl AssessmentResult {
    /// The total score (sum or mean of the items, reverse-scored ones reversed).
    async fn total(&self) -> f64 {
        self.0.scored.total
    }

    /// The band the total falls in, if the instrument bands its total.
    async fn band(&self) -> Option<ScoreLabel> {
        self.0.scored.band.as_ref().map(ScoreLabel::from)
    }

    /// Each subscale's score and band.
    async fn subscales(&self) -> Vec<SubscaleResult> {
        subscales(&self.0.scored)
    }

    /// What the result is called, for an instrument that names outcomes (burnout, boredom or
    /// neither, for one).
    async fn outcome(&self) -> Option<ScoreLabel> {
        self.0.scored.outcome.as_ref().map(ScoreLabel::from)
    }

    /// What the result suggests doing.
    async fn recommendations(&self) -> Vec<Recommendation> {
        self.0
            .scored
            .recommendations
            .iter()
            .cloned()
            .map(Recommendation)
            .collect()
    }

    /// How the total moved since your previous result of this instrument; null for the first.
    async fn change(&self) -> Option<ScoreChange> {
        self.0.change.map(ScoreChange::from)
    }

    /// Set when an answer raised a safety concern: messages and where to get help. Nothing of
    /// it, nor that this result exists, ever reaches your partner.
    async fn safety(&self) -> Option<SafetyNotice> {
        let messages: Vec<String> = self
            .0
            .scored
            .flags
            .iter()
            .filter(|f| f.safety)
            .map(|f| f.message.clone())
            .collect();
        (!messages.is_empty()).then_some(SafetyNotice(messages))
    }
}

/// One member taking one instrument: answers saved as they go, then a result. Visible to that
/// member only.
pub struct Assessment(pub AssessmentAccess);

/// One member taking one instrument: answers saved as they go, then a result. Visible to that
/// member only.
#[Object]
impl Assessment {
    /// The assessment's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Assessment, self.0.row().id)
    }

    /// The instrument, in the version these answers belong to.
    async fn instrument(&self, ctx: &Context<'_>) -> Result<InstrumentNode, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(InstrumentNode(instrument_of(state, self.0.row()).await?))
    }

    /// In progress or submitted.
    async fn status(&self) -> Result<AssessmentStatus, ApiError> {
        Ok(if self.0.row().is_submitted()? {
            AssessmentStatus::Submitted
        } else {
            AssessmentStatus::InProgress
        })
    }

    /// The answers saved so far.
    async fn answers(&self) -> Result<Vec<AssessmentAnswer>, ApiError> {
        Ok(self
            .0
            .row()
            .answers()?
            .into_iter()
            .map(|(item_key, answer)| match answer {
                Answer::Choice(choice) => AssessmentAnswer {
                    item_key,
                    choice: Some(choice),
                    yes: None,
                },
                Answer::YesNo(yes) => AssessmentAnswer {
                    item_key,
                    choice: None,
                    yes: Some(yes),
                },
            })
            .collect())
    }

    /// When it was started.
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.row().started_at
    }

    /// When answers last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.row().updated_at
    }

    /// When it was submitted, if it was.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().submitted_at
    }

    /// The result, once submitted.
    async fn result(&self) -> Result<Option<AssessmentResult>, ApiError> {
        Ok(self.0.row().record()?.map(AssessmentResult))
    }

    /// Whether the result is shared with your couple.
    async fn shared(&self) -> bool {
        self.0.row().shared_with_couple.is_some()
    }

    /// When the result was shared, while it is.
    async fn shared_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().shared_at
    }
}
