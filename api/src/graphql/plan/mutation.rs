//! Changing plans and logging rituals.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::catalog::{DefaultCadence, Ritual as CatalogRitual, RitualKey};
use domain::plan::{
    Assignee as DomainAssignee, UNDO_WINDOW_HOURS, check_completable, default_occurrence,
    parse_closeness, parse_note, parse_plan_name,
};
use entities::{completion, couple, couple_member, plan, plan_item, ritual};
use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

use super::history::{assignee_of, schedule_of};
use super::types::{Assignee, Cadence, Completion, Plan, PlanItem, ScheduleInput};
use crate::auth::{Caller, policy};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::node::{NodeKind, decode_id_of};
use crate::graphql::ritual::types::RitualCategory;
use crate::state::AppState;

#[derive(InputObject)]
pub struct CreatePlanInput {
    /// 1 to 80 characters.
    pub name: String,
}

#[derive(SimpleObject)]
pub struct CreatePlanPayload {
    pub plan: Plan,
}

/// A couple's private ritual, shaped like a catalog one.
#[derive(InputObject)]
pub struct CustomRitualInput {
    pub title: String,
    pub summary: String,
    pub why_it_helps: Option<String>,
    pub category: RitualCategory,
    /// Typical length in minutes.
    pub duration_minutes: i32,
    /// Ordered steps, if it has any.
    #[graphql(default)]
    pub steps: Vec<String>,
}

#[derive(InputObject)]
pub struct AddPlanItemInput {
    pub plan_id: ID,
    /// A ritual from the catalog (or one of the couple's custom ones) ...
    pub ritual_key: Option<String>,
    /// ... or a new custom ritual, private to the couple. Exactly one of the two.
    pub custom_ritual: Option<CustomRitualInput>,
    pub schedule: ScheduleInput,
    pub assignee: Assignee,
    /// For ONE: the member (a user ID from `couple.members`).
    pub assignee_member_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct AddPlanItemPayload {
    pub item: PlanItem,
}

#[derive(InputObject)]
pub struct UpdatePlanItemInput {
    pub plan_item_id: ID,
    /// A new schedule; omitted keeps it.
    pub schedule: Option<ScheduleInput>,
    /// A new assignee; omitted keeps it.
    pub assignee: Option<Assignee>,
    pub assignee_member_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct UpdatePlanItemPayload {
    pub item: PlanItem,
}

#[derive(InputObject)]
pub struct RemovePlanItemInput {
    pub plan_item_id: ID,
}

/// The plan without the item; its history still counts in progress.
#[derive(SimpleObject)]
pub struct RemovePlanItemPayload {
    pub plan: Plan,
}

#[derive(InputObject)]
pub struct PausePlanInput {
    pub plan_id: ID,
    /// When the pause ends by itself; must be in the future.
    pub until: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct PausePlanPayload {
    pub plan: Plan,
}

#[derive(InputObject)]
pub struct ResumePlanInput {
    pub plan_id: ID,
}

#[derive(SimpleObject)]
pub struct ResumePlanPayload {
    pub plan: Plan,
}

#[derive(InputObject)]
pub struct ArchivePlanInput {
    pub plan_id: ID,
}

#[derive(SimpleObject)]
pub struct ArchivePlanPayload {
    pub plan: Plan,
}

#[derive(InputObject)]
pub struct CompleteRitualInput {
    pub plan_item_id: ID,
    /// The local date of the occurrence; defaults to the current period's (today's for a
    /// daily ritual, this week's for a weekly one). A later period's cannot be completed yet;
    /// a missed one may be logged up to 48 hours late.
    pub occurrence: Option<NaiveDate>,
    /// How close it felt, 1 to 5.
    pub closeness: i32,
    /// Private to you unless `noteShared`.
    pub note: Option<String>,
    #[graphql(default)]
    pub note_shared: bool,
}

#[derive(SimpleObject)]
pub struct CompleteRitualPayload {
    pub completion: Completion,
    pub item: PlanItem,
}

#[derive(InputObject)]
pub struct UndoCompletionInput {
    /// A completion you logged in the last 24 hours.
    pub completion_id: ID,
}

#[derive(SimpleObject)]
pub struct UndoCompletionPayload {
    /// The ID of the completion removed.
    pub completion_id: ID,
    pub item: PlanItem,
}

fn bad(err: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input(err.to_string())
}

/// Resolves who does an item; ONE must name a current member of the couple.
async fn assignee_from(
    state: &AppState,
    couple_id: Uuid,
    assignee: Assignee,
    member: Option<&ID>,
) -> Result<DomainAssignee, ApiError> {
    match (assignee, member) {
        (Assignee::Both, None) => Ok(DomainAssignee::Both),
        (Assignee::Either, None) => Ok(DomainAssignee::Either),
        (Assignee::One, Some(id)) => {
            let not_member =
                || ApiError::bad_input("assigneeMemberId is not a member of this couple");
            let user_id = decode_id_of(id, NodeKind::User, "member").map_err(|_| not_member())?;
            couple_member::find(&state.db, couple_id, user_id)
                .await?
                .filter(couple_member::Model::is_current)
                .ok_or_else(not_member)?;
            Ok(DomainAssignee::One(user_id))
        }
        (Assignee::One, None) => Err(ApiError::bad_input("ONE needs assigneeMemberId")),
        (_, Some(_)) => Err(ApiError::bad_input("assigneeMemberId goes with ONE only")),
    }
}

fn default_cadence(cadence: Cadence) -> DefaultCadence {
    match cadence {
        Cadence::Daily => DefaultCadence::Daily,
        Cadence::Weekdays => DefaultCadence::Weekdays,
        Cadence::Weekly => DefaultCadence::Weekly,
        Cadence::EveryNWeeks => DefaultCadence::EveryNWeeks,
        Cadence::Monthly => DefaultCadence::Monthly,
    }
}

/// The ritual an item uses: a visible one by key, or a new custom one.
async fn ritual_for_item<C: sea_orm::ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    input: &AddPlanItemInput,
) -> Result<Uuid, ApiError> {
    match (&input.ritual_key, &input.custom_ritual) {
        (Some(key), None) => Ok(ritual::find_by_key(db, key, Some(couple_id))
            .await?
            .ok_or_else(|| ApiError::not_found("ritual"))?
            .id),
        (None, Some(custom)) => {
            let key =
                RitualKey::parse(&format!("custom_{}", Uuid::new_v4().simple())).map_err(bad)?;
            let draft = CatalogRitual {
                key,
                title: custom.title.trim().to_owned(),
                summary: custom.summary.trim().to_owned(),
                why_it_helps: custom
                    .why_it_helps
                    .as_deref()
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .unwrap_or("Chosen by the two of you.")
                    .to_owned(),
                category: custom.category.into(),
                default_cadence: default_cadence(input.schedule.cadence),
                duration_minutes: u32::try_from(custom.duration_minutes)
                    .map_err(|_| bad("durationMinutes must be positive"))?,
                steps: custom.steps.iter().map(|s| s.trim().to_owned()).collect(),
            };
            draft.validate().map_err(bad)?;
            Ok(ritual::create_custom(db, couple_id, &draft).await?.id)
        }
        _ => Err(ApiError::bad_input(
            "give exactly one of ritualKey and customRitual",
        )),
    }
}

fn active_plan_conflict(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::conflict("the couple already has an active plan; archive it first")
        }
        _ => ApiError::from(err),
    }
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Starts the couple's plan; a couple has one active plan at a time.
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        input: CreatePlanInput,
    ) -> async_graphql::Result<CreatePlanPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::require_user(caller)?;
        let couple_id = couple_member::active_for_user(&state.db, user.id)
            .await
            .map_err(ApiError::from)?
            .map(|m| m.couple_id)
            .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "create or join a couple first"))?;
        policy::writable_couple(&state.db, caller, couple_id).await?;
        let name = parse_plan_name(&input.name).map_err(bad)?;
        if plan::active_for_couple(&state.db, couple_id)
            .await
            .map_err(ApiError::from)?
            .is_some()
        {
            return Err(ApiError::conflict(
                "the couple already has an active plan; archive it first",
            )
            .into());
        }
        let created = plan::create(&state.db, couple_id, name)
            .await
            .map_err(active_plan_conflict)?;
        Ok(CreatePlanPayload {
            plan: Plan(created),
        })
    }

    /// Adds a ritual on a schedule to the plan.
    async fn add_plan_item(
        &self,
        ctx: &Context<'_>,
        input: AddPlanItemInput,
    ) -> async_graphql::Result<AddPlanItemPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "plan")?;
        let (found, couple) = policy::writable_plan(&state.db, caller, plan_id).await?;
        let spec = input.schedule.to_spec(&couple.timezone, Utc::now())?;
        let assignee = assignee_from(
            state,
            couple.id,
            input.assignee,
            input.assignee_member_id.as_ref(),
        )
        .await?;
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        let ritual_id = ritual_for_item(&txn, couple.id, &input).await?;
        let item = plan_item::create(
            &txn,
            found.id,
            plan_item::Fields {
                ritual_id,
                schedule: serde_json::to_value(&spec).map_err(|e| ApiError::internal(&e))?,
                assignee: assignee.kind().to_owned(),
                assignee_user_id: assignee.member(),
            },
        )
        .await
        .map_err(ApiError::from)?;
        txn.commit().await.map_err(ApiError::from)?;
        Ok(AddPlanItemPayload {
            item: PlanItem { item, plan: found },
        })
    }

    /// Changes an item's schedule or who does it.
    async fn update_plan_item(
        &self,
        ctx: &Context<'_>,
        input: UpdatePlanItemInput,
    ) -> async_graphql::Result<UpdatePlanItemPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "plan item")?;
        let (item, found, couple) = policy::writable_item(&state.db, caller, item_id).await?;
        let schedule = match &input.schedule {
            Some(s) => serde_json::to_value(s.to_spec(&couple.timezone, Utc::now())?)
                .map_err(|e| ApiError::internal(&e))?,
            None => item.schedule.clone(),
        };
        let assignee = match input.assignee {
            Some(a) => {
                assignee_from(state, couple.id, a, input.assignee_member_id.as_ref()).await?
            }
            None if input.assignee_member_id.is_some() => {
                return Err(ApiError::bad_input("assigneeMemberId goes with assignee: ONE").into());
            }
            None => assignee_of(&item)?,
        };
        let fields = plan_item::Fields {
            ritual_id: item.ritual_id,
            schedule,
            assignee: assignee.kind().to_owned(),
            assignee_user_id: assignee.member(),
        };
        let updated = plan_item::update(&state.db, item, fields)
            .await
            .map_err(ApiError::from)?;
        Ok(UpdatePlanItemPayload {
            item: PlanItem {
                item: updated,
                plan: found,
            },
        })
    }

    /// Takes an item off the plan; its past completions still count in progress.
    async fn remove_plan_item(
        &self,
        ctx: &Context<'_>,
        input: RemovePlanItemInput,
    ) -> async_graphql::Result<RemovePlanItemPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "plan item")?;
        let (item, found, _) = policy::writable_item(&state.db, caller, item_id).await?;
        plan_item::remove(&state.db, item.id)
            .await
            .map_err(ApiError::from)?;
        Ok(RemovePlanItemPayload { plan: Plan(found) })
    }

    /// Pauses the whole plan (a holiday, an illness) until a time: nothing is due meanwhile
    /// and no streak breaks.
    async fn pause_plan(
        &self,
        ctx: &Context<'_>,
        input: PausePlanInput,
    ) -> async_graphql::Result<PausePlanPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "plan")?;
        let (found, _) = policy::writable_plan(&state.db, caller, plan_id).await?;
        let now = Utc::now();
        if input.until <= now {
            return Err(ApiError::bad_input("`until` must be in the future").into());
        }
        if input.until > now + Duration::days(366) {
            return Err(ApiError::bad_input("a pause lasts at most a year").into());
        }
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        plan::pause::end_running(&txn, found.id, now)
            .await
            .map_err(ApiError::from)?;
        plan::pause::record(&txn, found.id, now, input.until)
            .await
            .map_err(ApiError::from)?;
        plan::set_paused_until(&txn, found.id, Some(input.until))
            .await
            .map_err(ApiError::from)?;
        txn.commit().await.map_err(ApiError::from)?;
        Ok(PausePlanPayload {
            plan: reloaded(state, found).await?,
        })
    }

    /// Ends a pause early.
    async fn resume_plan(
        &self,
        ctx: &Context<'_>,
        input: ResumePlanInput,
    ) -> async_graphql::Result<ResumePlanPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "plan")?;
        let (found, _) = policy::writable_plan(&state.db, caller, plan_id).await?;
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        plan::pause::end_running(&txn, found.id, Utc::now())
            .await
            .map_err(ApiError::from)?;
        plan::set_paused_until(&txn, found.id, None)
            .await
            .map_err(ApiError::from)?;
        txn.commit().await.map_err(ApiError::from)?;
        Ok(ResumePlanPayload {
            plan: reloaded(state, found).await?,
        })
    }

    /// Retires the plan; its history stays in progress and a new plan can start.
    async fn archive_plan(
        &self,
        ctx: &Context<'_>,
        input: ArchivePlanInput,
    ) -> async_graphql::Result<ArchivePlanPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "plan")?;
        let (found, _) = policy::writable_plan(&state.db, caller, plan_id).await?;
        plan::archive(&state.db, found.id)
            .await
            .map_err(ApiError::from)?;
        Ok(ArchivePlanPayload {
            plan: reloaded(state, found).await?,
        })
    }

    /// Logs an occurrence as done. Idempotent per (item, occurrence, member): the same request
    /// again answers the same completion; a different one for a logged occurrence is a CONFLICT.
    async fn complete_ritual(
        &self,
        ctx: &Context<'_>,
        input: CompleteRitualInput,
    ) -> async_graphql::Result<CompleteRitualPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::require_user(caller)?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "plan item")?;
        let (item, found, _) = policy::writable_item(&state.db, caller, item_id).await?;
        if !assignee_of(&item)?.includes(user.id) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "this ritual is your partner's to log",
            )
            .into());
        }
        let schedule = schedule_of(&item)?;
        let now = Utc::now();
        let occurrence = match input.occurrence {
            Some(date) => date,
            None => default_occurrence(&schedule, now).ok_or_else(|| {
                ApiError::bad_input("the ritual has no occurrence in the current period")
            })?,
        };
        check_completable(&schedule, occurrence, now).map_err(bad)?;
        let closeness = i16::from(parse_closeness(input.closeness).map_err(bad)?);
        let note = parse_note(input.note.as_deref()).map_err(bad)?;
        let (stored, _created) = completion::insert_once(
            &state.db,
            completion::NewCompletion {
                plan_item_id: item.id,
                occurrence_date: occurrence,
                user_id: user.id,
                closeness,
                note: note.clone(),
                note_shared: input.note_shared,
            },
        )
        .await
        .map_err(ApiError::from)?;
        if stored.closeness != closeness
            || stored.note != note
            || stored.note_shared != input.note_shared
        {
            return Err(ApiError::conflict(
                "you already logged this occurrence differently; undo it first to change it",
            )
            .into());
        }
        let member = member_view(state, found.couple_id, user.id).await?;
        Ok(CompleteRitualPayload {
            completion: Completion::new(stored, member, Some(user.id)),
            item: PlanItem { item, plan: found },
        })
    }

    /// Removes a completion you logged, within 24 hours of logging it.
    async fn undo_completion(
        &self,
        ctx: &Context<'_>,
        input: UndoCompletionInput,
    ) -> async_graphql::Result<UndoCompletionPayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::require_user(caller)?;
        let id = decode_id_of(&input.completion_id, NodeKind::Completion, "completion")?;
        let found = completion::find(&state.db, id)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::not_found("completion"))?;
        let (item, plan, _) = policy::writable_item(&state.db, caller, found.plan_item_id)
            .await
            .map_err(|e| {
                if e.code == ErrorCode::NotFound {
                    ApiError::not_found("completion")
                } else {
                    e
                }
            })?;
        if found.user_id != user.id {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only the member who logged it can undo it",
            )
            .into());
        }
        if Utc::now() > found.created_at + Duration::hours(UNDO_WINDOW_HOURS) {
            return Err(ApiError::bad_input(
                "a completion can be undone only within 24 hours of logging it",
            )
            .into());
        }
        completion::delete(&state.db, found.id)
            .await
            .map_err(ApiError::from)?;
        Ok(UndoCompletionPayload {
            completion_id: input.completion_id,
            item: PlanItem { item, plan },
        })
    }
}

/// The plan as stored now (after a change), or as it was if it vanished meanwhile.
async fn reloaded(state: &AppState, found: plan::Model) -> Result<Plan, ApiError> {
    Ok(Plan(
        plan::find(&state.db, found.id).await?.unwrap_or(found),
    ))
}

async fn member_view(
    state: &AppState,
    couple_id: Uuid,
    user_id: Uuid,
) -> Result<Option<CoupleMember>, ApiError> {
    Ok(couple::members(&state.db, couple_id)
        .await?
        .into_iter()
        .find(|(m, _)| m.user_id == user_id)
        .map(|(m, u)| CoupleMember::new(&m, &u, Some(user_id))))
}
