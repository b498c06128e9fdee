//! Recommendations for the couple's plan, from the caller's latest results, the results their
//! partner shared and the distractions the couple named; accepting some adds them to the plan.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::catalog::RitualKey;
use domain::input::Reason;
use domain::instrument::ResultRecord;
use domain::recommend::{Inputs, Recommendations, ResultOf, Source, recommend};
use domain::resources::help_for;
use entities::{assessment, plan_item, ritual};

use super::results::RecommendedAction;
use crate::auth::Caller;
use crate::auth::policy::{self, CoupleAccess};
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::graphql::loaders::Loaders;
use crate::graphql::plan::item_mutation::assignee_from;
use crate::graphql::plan::items::PlanItem;
use crate::graphql::plan::schedules::{Assignee, ScheduleInput};
use crate::graphql::resources::{SupportResource, resources_for};
use crate::graphql::ritual::types::Ritual;
use crate::state::AppState;
use entities::change::{Action, Audience};

/// Where a reason comes from.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReasonSource {
    /// Your own latest result of an instrument.
    YourResult,
    /// A result your partner shared.
    PartnerSharedResult,
    /// The distractions your couple named.
    Distractions,
}

/// Why a ritual is proposed.
#[derive(SimpleObject)]
pub struct RecommendationReason {
    /// What led to it.
    pub source: ReasonSource,
    /// The instrument whose result led to it, if one did.
    pub instrument_key: Option<String>,
    /// The reason, in words.
    pub text: String,
}

/// A ritual worth adding to the plan, with every reason for it.
#[derive(SimpleObject)]
pub struct RecommendedRitual {
    /// The ritual.
    pub ritual: Ritual,
    /// Every reason that led to it.
    pub reasons: Vec<RecommendationReason>,
}

/// A step beyond rituals, from your own results.
#[derive(SimpleObject)]
pub struct RecommendedStep {
    /// What to do.
    pub action: RecommendedAction,
    /// The instrument whose result suggests it.
    pub instrument_key: String,
    /// Why.
    pub reason: String,
    /// Books, apps or workshops that help with it (guided support for a professional), if any.
    pub resources: Vec<SupportResource>,
}

/// What your plan could add, and why.
#[derive(SimpleObject)]
pub struct PlanRecommendation {
    /// Rituals to add, the plan's own left out.
    pub rituals: Vec<RecommendedRitual>,
    /// Steps beyond rituals, professional help first.
    pub steps: Vec<RecommendedStep>,
    /// Whether professional support should come before new rituals (burnout, danger).
    pub professional_support_first: bool,
}

/// A recommended ritual to add, and when.
#[derive(InputObject)]
pub struct AcceptedRitualInput {
    /// A ritual from `recommendPlan`.
    pub ritual_key: String,
    /// When it happens.
    pub schedule: ScheduleInput,
    /// Who does it.
    pub assignee: Assignee,
    /// For assignee ONE: the member.
    pub assignee_member_id: Option<ID>,
}

/// The recommendations to add to a plan.
#[derive(InputObject)]
pub struct AcceptRecommendationsInput {
    /// The couple's active plan.
    pub plan_id: ID,
    /// The rituals chosen, each once.
    pub rituals: Vec<AcceptedRitualInput>,
}

/// The items added.
#[derive(SimpleObject)]
pub struct AcceptRecommendationsPayload {
    /// The new plan items, in the order given.
    pub items: Vec<PlanItem>,
}

fn records(rows: &[assessment::Model]) -> Result<Vec<(String, ResultRecord)>, ApiError> {
    let mut out = Vec::new();
    for row in rows {
        if let Some(record) = row.record()? {
            out.push((row.instrument_key.clone(), record));
        }
    }
    Ok(out)
}

/// Kept results as the recommender reads them.
fn results_of(list: &[(String, ResultRecord)]) -> Vec<ResultOf<'_>> {
    list.iter()
        .map(|(key, record)| ResultOf {
            instrument: key,
            scored: &record.scored,
        })
        .collect()
}

/// The rituals of the couple's active plan's current items.
async fn rituals_in_plan(
    ctx: &Context<'_>,
    state: &AppState,
    couple: &CoupleAccess,
) -> Result<Vec<RitualKey>, ApiError> {
    let loaders = Loaders::of(ctx)?;
    let mut keys = Vec::new();
    for plan in loaders.plans(couple.id()).await?.iter() {
        if !plan.is_active()? {
            continue;
        }
        for item in loaders.items(plan.id).await?.iter() {
            if item.is_active()?
                && let Some(found) = state.catalog.by_id(item.ritual_id)
                && let Ok(key) = RitualKey::parse(&found.key)
            {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}

/// The caller's recommendations as they stand now.
async fn current(ctx: &Context<'_>) -> Result<Recommendations, ApiError> {
    let state = ctx.data::<AppState>()?;
    let caller = ctx.data::<Caller>()?;
    let user = policy::may_take_assessment(caller)?;
    let own = records(&assessment::latest_results(&state.db, user).await?)?;
    let couple = policy::callers_couple(state, caller).await?;
    let (partner, distractions, in_plan) = match &couple {
        Some(couple) => {
            let shared: Vec<assessment::Model> =
                assessment::latest_shared_by_others(&state.db, couple.id(), user)
                    .await?
                    .into_iter()
                    .filter_map(|row| couple.shared_result(row))
                    .map(|access| access.row().clone())
                    .collect();
            (
                records(&shared)?,
                couple.couple().distractions()?,
                rituals_in_plan(ctx, state, couple).await?,
            )
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let mut catalog = Vec::new();
    for found in state.catalog.all() {
        if let Ok(key) = RitualKey::parse(&found.key) {
            catalog.push((key, found.category()?));
        }
    }
    let inputs = Inputs {
        own: results_of(&own),
        partner: results_of(&partner),
        distractions,
        in_plan,
        catalog,
    };
    Ok(recommend(&inputs))
}

#[derive(Default)]
pub struct RecommendQuery;

#[Object]
impl RecommendQuery {
    /// Rituals your plan could add and steps beyond rituals, each with the reasons that led to
    /// it: from your latest results, the results your partner shared, and the distractions your
    /// couple named. Rituals the active plan has are left out.
    async fn recommend_plan(&self, ctx: &Context<'_>) -> Result<PlanRecommendation, ApiError> {
        let state = ctx.data::<AppState>()?;
        let found = current(ctx).await?;
        let professional_support_first = found.professional_first();
        let rituals = found
            .rituals
            .into_iter()
            .filter_map(|proposal| {
                let ritual = state.catalog.by_key(proposal.ritual.as_str())?;
                let reasons = proposal
                    .reasons
                    .into_iter()
                    .map(|reason| {
                        let (source, instrument_key) = match reason.source {
                            Source::Own { instrument } => {
                                (ReasonSource::YourResult, Some(instrument))
                            }
                            Source::Partner { instrument } => {
                                (ReasonSource::PartnerSharedResult, Some(instrument))
                            }
                            Source::Distractions(_) => (ReasonSource::Distractions, None),
                        };
                        RecommendationReason {
                            source,
                            instrument_key,
                            text: reason.text,
                        }
                    })
                    .collect();
                Some(RecommendedRitual {
                    ritual: Ritual(ritual),
                    reasons,
                })
            })
            .collect();
        let steps = found
            .steps
            .into_iter()
            .map(|step| RecommendedStep {
                action: step.action.into(),
                instrument_key: step.instrument,
                reason: step.reason,
                resources: help_for(step.action)
                    .map(|help| resources_for(state, help))
                    .unwrap_or_default(),
            })
            .collect();
        Ok(PlanRecommendation {
            rituals,
            steps,
            professional_support_first,
        })
    }
}

#[derive(Default)]
pub struct RecommendMutation;

#[Object]
impl RecommendMutation {
    /// Adds chosen recommendations to the couple's active plan, all or none. Each must be among
    /// your current recommendations (`recommendPlan`).
    async fn accept_recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AcceptRecommendationsInput`.")]
        input: AcceptRecommendationsInput,
    ) -> Result<AcceptRecommendationsPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "input.planId")?;
        let plan = policy::writable_plan(state, caller, plan_id).await?;
        if !plan.plan().is_active()? {
            return Err(ApiError::invalid(
                "input.planId",
                Reason::NotNow,
                "recommendations go on an active plan",
            ));
        }
        if input.rituals.is_empty() {
            return Err(ApiError::invalid(
                "input.rituals",
                Reason::TooFew,
                "choose at least one ritual",
            ));
        }
        let recommended = current(ctx).await?;
        let couple = plan.couple();
        let now = state.clock.now();
        let mut prepared = Vec::new();
        for (i, chosen) in input.rituals.iter().enumerate() {
            let object = format!("input.rituals.{i}");
            let key_field = format!("{object}.ritualKey");
            // What is given is checked first, then whether it was recommended.
            let spec = chosen.schedule.to_spec(
                &couple.couple().timezone,
                now,
                &format!("{object}.schedule"),
            )?;
            let assignee = assignee_from(
                state,
                couple,
                chosen.assignee,
                chosen.assignee_member_id.as_ref(),
                &object,
            )
            .await?;
            if input.rituals[..i]
                .iter()
                .any(|earlier| earlier.ritual_key == chosen.ritual_key)
            {
                return Err(ApiError::invalid(
                    key_field,
                    Reason::Duplicate,
                    format!("`{}` is chosen twice", chosen.ritual_key),
                ));
            }
            if !recommended
                .rituals
                .iter()
                .any(|p| p.ritual.as_str() == chosen.ritual_key)
            {
                return Err(ApiError::invalid(
                    key_field,
                    Reason::NotOneOf,
                    format!("`{}` is not among your recommendations", chosen.ritual_key),
                ));
            }
            prepared.push((chosen.ritual_key.clone(), spec, assignee));
        }
        let mut write = state.writer.begin(now).await?;
        let mut created = Vec::new();
        for (key, schedule, assignee) in prepared {
            let ritual_id =
                ritual::find_by_key(&*write, &key, ritual::Viewer::of_couple(couple.id()))
                    .await?
                    .ok_or_else(|| ApiError::not_found("ritual"))?
                    .id;
            let fields = plan_item::Fields {
                ritual_id,
                schedule,
                assignee,
            };
            created.push(plan_item::create(&*write, plan.plan().id, fields, now).await?);
        }
        let changes: Vec<_> = created
            .iter()
            .map(|item| {
                let couple = Audience::Couple(couple.id());
                recorded(NodeKind::PlanItem, item.id, Action::Created, couple)
            })
            .collect();
        write.changes(changes);
        write.commit().await?;
        let mut items = Vec::new();
        for item in created {
            let access = plan
                .item(item)
                .ok_or_else(|| ApiError::internal(&"a new item is not its plan's"))?;
            items.push(PlanItem::new(access));
        }
        Ok(AcceptRecommendationsPayload { items })
    }
}
