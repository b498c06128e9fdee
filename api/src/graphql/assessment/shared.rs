//! A shared result as the couple sees it: scores and bands only, never answers,
//! recommendations or safety.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::instrument::ResultRecord;

use super::instruments::InstrumentNode;
use super::results::{ScoreLabel, SubscaleResult, instrument_of, subscales};
use crate::auth::policy::SharedResultAccess;
use crate::error::ApiError;
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;
use crate::state::AppState;

/// A result one member of the couple chose to share: its scores and bands, never its answers.
pub struct SharedAssessmentResult(pub SharedResultAccess);

/// A result one member of the couple chose to share: its scores and bands, never its answers.
#[Object]
impl SharedAssessmentResult {
    /// The shared result's global ID (not the `Assessment` ID its owner knows it by).
    pub async fn id(&self) -> ID {
        global_id(NodeKind::SharedAssessmentResult, self.0.row().id)
    }

    /// The instrument.
    async fn instrument(&self, ctx: &Context<'_>) -> Result<InstrumentNode, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(InstrumentNode(instrument_of(state, self.0.row()).await?))
    }

    /// Who shared it.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<CoupleMember>, ApiError> {
        let couple = self.0.couple();
        let members = Loaders::of(ctx)?.members(couple.id()).await?;
        Ok(members
            .iter()
            .find(|(m, _)| m.user_id == self.0.row().user_id)
            .and_then(|(m, u)| couple.member(m.clone(), u.clone()))
            .map(CoupleMember::new))
    }

    /// Whether you shared it.
    async fn is_mine(&self) -> bool {
        self.0.is_mine()
    }

    /// The total score.
    async fn total(&self) -> Result<f64, ApiError> {
        Ok(self.record()?.scored.total)
    }

    /// The band of the total, if the instrument bands it.
    async fn band(&self) -> Result<Option<ScoreLabel>, ApiError> {
        Ok(self.record()?.scored.band.as_ref().map(ScoreLabel::from))
    }

    /// Each subscale's score and band.
    async fn subscales(&self) -> Result<Vec<SubscaleResult>, ApiError> {
        Ok(subscales(&self.record()?.scored))
    }

    /// What the result is called, for an instrument that names outcomes.
    async fn outcome(&self) -> Result<Option<ScoreLabel>, ApiError> {
        Ok(self.record()?.scored.outcome.as_ref().map(ScoreLabel::from))
    }

    /// When it was submitted.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().submitted_at
    }

    /// When it was shared.
    async fn shared_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().shared_at
    }
}

impl SharedAssessmentResult {
    pub(crate) fn record(&self) -> Result<ResultRecord, ApiError> {
        self.0
            .row()
            .record()?
            .ok_or_else(|| ApiError::internal(&"a shared result has no record"))
    }
}

/// Both partners' latest shared results of one instrument, side by side.
#[derive(SimpleObject)]
pub struct AssessmentComparison {
    /// Your latest shared result.
    pub mine: SharedAssessmentResult,
    /// Your partner's latest shared result.
    pub partner: SharedAssessmentResult,
}

/// A shared result as a coach sees it: the instrument and the band of the total, nothing else
/// (no scores, subscales or answers; safety results never reach anyone but their owner).
pub struct CoachAssessmentResult(pub SharedAssessmentResult);

/// A shared result as a coach sees it: the instrument and the band of the total only.
#[Object]
impl CoachAssessmentResult {
    /// The instrument.
    async fn instrument(&self, ctx: &Context<'_>) -> Result<InstrumentNode, ApiError> {
        self.0.instrument(ctx).await
    }

    /// Who shared it.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<CoupleMember>, ApiError> {
        self.0.member(ctx).await
    }

    /// The band of the total, if the instrument bands it.
    async fn band(&self) -> Result<Option<ScoreLabel>, ApiError> {
        Ok(self.0.record()?.scored.band.as_ref().map(ScoreLabel::from))
    }

    /// When it was shared with the couple.
    async fn shared_at(&self) -> Option<DateTime<Utc>> {
        self.0.0.row().shared_at
    }
}
