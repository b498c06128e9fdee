//! Starting, pausing, resuming and archiving a plan.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::plan::{check_pause_until, parse_plan_name};
use entities::constraint::Unique;
use entities::plan;

use super::plans::Plan;
use crate::auth::Caller;
use crate::auth::policy::{self, PlanAccess};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// 1 to 80 characters.
    pub name: String,
}

/// The plan started.
#[derive(SimpleObject)]
pub struct CreatePlanPayload {
    /// The new, active plan.
    pub plan: Plan,
}

/// A pause of the whole plan.
#[derive(InputObject)]
pub struct PausePlanInput {
    /// The plan to pause.
    pub plan_id: ID,
    /// When the pause ends by itself; must be in the future, at most a year away.
    pub until: DateTime<Utc>,
}

/// The paused plan.
#[derive(SimpleObject)]
pub struct PausePlanPayload {
    /// The plan, with `pausedUntil` set.
    pub plan: Plan,
}

/// Ending a pause early.
#[derive(InputObject)]
pub struct ResumePlanInput {
    /// The plan to resume.
    pub plan_id: ID,
}

/// The resumed plan.
#[derive(SimpleObject)]
pub struct ResumePlanPayload {
    /// The plan, no longer paused.
    pub plan: Plan,
}

/// Retiring a plan.
#[derive(InputObject)]
pub struct ArchivePlanInput {
    /// The plan to archive.
    pub plan_id: ID,
}

/// The archived plan.
#[derive(SimpleObject)]
pub struct ArchivePlanPayload {
    /// The plan, no longer active.
    pub plan: Plan,
}

/// The plan as stored now (after a change), or as it was if it vanished meanwhile.
async fn reloaded(state: &AppState, access: PlanAccess) -> Result<Plan, ApiError> {
    let access = match plan::find(&state.db, access.plan().id).await? {
        Some(now) => access.clone().updated(now).unwrap_or(access),
        None => access,
    };
    Ok(Plan::new(access))
}

#[derive(Default)]
pub struct PlanMutation;

/// The change a plan's couple is told of when the plan changes.
fn plan_updated(access: &policy::PlanAccess) -> entities::change::NewChange {
    let plan = access.plan();
    recorded(
        NodeKind::Plan,
        plan.id,
        Action::Updated,
        Audience::Couple(plan.couple_id),
    )
}

#[Object]
impl PlanMutation {
    /// Starts the couple's plan; a couple has one active plan at a time.
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreatePlanInput`.")]
        input: CreatePlanInput,
    ) -> Result<CreatePlanPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple = policy::callers_couple(state, caller)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "create or join a couple first"))?;
        let name = parse_plan_name(&input.name)?;
        // The unique index on active plans answers a race; this answers the common case.
        if plan::active_for_couple(&state.db, couple.id())
            .await?
            .is_some()
        {
            return Err(ApiError::already(Unique::ActivePlan));
        }
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let created = plan::create(&*write, couple.id(), name, now).await?;
        let made = recorded(
            NodeKind::Plan,
            created.id,
            Action::Created,
            Audience::Couple(couple.id()),
        );
        write.changes([made]);
        write.commit().await?;
        let access = couple
            .plan(created)
            .ok_or_else(|| ApiError::internal(&"a new plan is not its couple's"))?;
        Ok(CreatePlanPayload {
            plan: Plan::new(access),
        })
    }

    /// Pauses the whole plan (a holiday, an illness) until a time: nothing is due meanwhile
    /// and no streak breaks.
    async fn pause_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `PausePlanInput`.")]
        input: PausePlanInput,
    ) -> Result<PausePlanPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "input.planId")?;
        let access = policy::writable_plan(state, caller, plan_id).await?;
        let now = state.clock.now();
        check_pause_until(input.until, now)?;
        let id = access.plan().id;
        let mut write = state.writer.begin(now).await?;
        plan::pause::end_running(&*write, id, now).await?;
        plan::pause::record(&*write, id, now, input.until).await?;
        plan::set_paused_until(&*write, id, Some(input.until)).await?;
        write.changes([plan_updated(&access)]);
        write.commit().await?;
        Ok(PausePlanPayload {
            plan: reloaded(state, access).await?,
        })
    }

    /// Ends a pause early.
    async fn resume_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ResumePlanInput`.")]
        input: ResumePlanInput,
    ) -> Result<ResumePlanPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "input.planId")?;
        let access = policy::writable_plan(state, caller, plan_id).await?;
        let id = access.plan().id;
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        plan::pause::end_running(&*write, id, now).await?;
        plan::set_paused_until(&*write, id, None).await?;
        write.changes([plan_updated(&access)]);
        write.commit().await?;
        Ok(ResumePlanPayload {
            plan: reloaded(state, access).await?,
        })
    }

    /// Retires the plan; its history stays in progress and a new plan can start.
    async fn archive_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ArchivePlanInput`.")]
        input: ArchivePlanInput,
    ) -> Result<ArchivePlanPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "input.planId")?;
        let access = policy::writable_plan(state, caller, plan_id).await?;
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        plan::archive(&*write, access.plan().id, now).await?;
        write.changes([plan_updated(&access)]);
        write.commit().await?;
        Ok(ArchivePlanPayload {
            plan: reloaded(state, access).await?,
        })
    }
}
