//! Adding, changing and removing the rituals on a plan.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::catalog::{CustomRitual, DefaultCadence, RitualKey};
use domain::input::Reason;
use domain::plan::Assignee as DomainAssignee;
use entities::{couple_member, plan_item, ritual};
use uuid::Uuid;

use super::items::PlanItem;
use super::plans::Plan;
use super::schedules::{Assignee, Cadence, ScheduleInput};
use crate::auth::Caller;
use crate::auth::policy::{self, CoupleAccess};
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_global_id, decode_id_of};
use crate::graphql::ritual::types::RitualCategory;
use crate::state::AppState;
use entities::change::{Action, Audience};

/// A couple's private ritual, shaped like a catalog one.
#[derive(InputObject)]
pub struct CustomRitualInput {
    /// A short title, 1 to 80 characters.
    pub title: String,
    /// What the couple does, in a sentence or two.
    pub summary: String,
    /// Why it helps; a default is used when left out.
    pub why_it_helps: Option<String>,
    /// The kind of closeness it builds.
    pub category: RitualCategory,
    /// Typical length in minutes.
    pub duration_minutes: i32,
    /// Ordered steps, if it has any.
    #[graphql(default)]
    pub steps: Vec<String>,
}

/// A ritual to put on a plan.
#[derive(InputObject)]
pub struct AddPlanItemInput {
    /// The plan to add it to.
    pub plan_id: ID,
    /// A ritual from the catalog (or one of the couple's custom ones) ...
    pub ritual_key: Option<String>,
    /// ... or a new custom ritual, private to the couple. Exactly one of the two.
    pub custom_ritual: Option<CustomRitualInput>,
    /// When it happens.
    pub schedule: ScheduleInput,
    /// Who does it.
    pub assignee: Assignee,
    /// For ONE: the member (a user ID from `couple.members`).
    pub assignee_member_id: Option<ID>,
}

/// The item added.
#[derive(SimpleObject)]
pub struct AddPlanItemPayload {
    /// The new item.
    pub item: PlanItem,
}

/// A change to an item.
#[derive(InputObject)]
pub struct UpdatePlanItemInput {
    /// The item to change.
    pub plan_item_id: ID,
    /// A new schedule; omitted keeps it.
    pub schedule: Option<ScheduleInput>,
    /// A new assignee; omitted keeps it.
    pub assignee: Option<Assignee>,
    /// For assignee ONE: the member.
    pub assignee_member_id: Option<ID>,
}

/// The item changed.
#[derive(SimpleObject)]
pub struct UpdatePlanItemPayload {
    /// The item as it is now.
    pub item: PlanItem,
}

/// Taking an item off its plan.
#[derive(InputObject)]
pub struct RemovePlanItemInput {
    /// The item to remove.
    pub plan_item_id: ID,
}

/// The plan without the item; its history still counts in progress.
#[derive(SimpleObject)]
pub struct RemovePlanItemPayload {
    /// The plan the item was on.
    pub plan: Plan,
}

/// Resolves who does an item; ONE must name a current member of the couple. `object` is the
/// path of the input object holding `assignee` and `assigneeMemberId`.
pub(crate) async fn assignee_from(
    state: &AppState,
    couple: &CoupleAccess,
    assignee: Assignee,
    member: Option<&ID>,
    object: &str,
) -> Result<DomainAssignee, ApiError> {
    let field = format!("{object}.assigneeMemberId");
    // An ID of the wrong shape is named as such, whatever the assignee.
    let named = member.map(|id| decode_global_id(id, &field)).transpose()?;
    match (assignee, member) {
        (Assignee::Both, None) => Ok(DomainAssignee::Both),
        (Assignee::Either, None) => Ok(DomainAssignee::Either),
        (Assignee::One, Some(_)) => {
            let not_member = || {
                ApiError::invalid(
                    &field,
                    Reason::NotOneOf,
                    "assigneeMemberId is not a member of this couple",
                )
            };
            let user_id = match named {
                Some((NodeKind::User, uuid)) => uuid,
                _ => return Err(not_member()),
            };
            couple_member::find(&state.db, couple.id(), user_id)
                .await?
                .filter(couple_member::Model::is_current)
                .ok_or_else(not_member)?;
            Ok(DomainAssignee::One(user_id))
        }
        (Assignee::One, None) => Err(ApiError::invalid(
            field,
            Reason::Required,
            "ONE needs assigneeMemberId",
        )),
        (_, Some(_)) => Err(ApiError::invalid(
            field,
            Reason::Incompatible,
            "assigneeMemberId goes with ONE only",
        )),
    }
}

pub(crate) fn default_cadence(cadence: Cadence) -> DefaultCadence {
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
    state: &AppState,
    couple: &CoupleAccess,
    input: &AddPlanItemInput,
) -> Result<Uuid, ApiError> {
    match (&input.ritual_key, &input.custom_ritual) {
        (Some(key), None) => {
            RitualKey::parse(key).map_err(|e| ApiError::refused("input", &e))?;
            Ok(
                ritual::find_by_key(db, key, ritual::Viewer::of_couple(couple.id()))
                    .await?
                    .ok_or_else(|| ApiError::not_found("ritual"))?
                    .id,
            )
        }
        (None, Some(custom)) => {
            let draft = CustomRitual {
                title: custom.title.clone(),
                summary: custom.summary.clone(),
                why_it_helps: custom.why_it_helps.clone(),
                category: custom.category.into(),
                duration_minutes: custom.duration_minutes,
                steps: custom.steps.clone(),
            }
            .into_ritual(Uuid::new_v4(), default_cadence(input.schedule.cadence))
            .map_err(|e| ApiError::refused("input.customRitual", &e))?;
            Ok(
                ritual::create_custom(db, couple.id(), &draft, state.clock.now())
                    .await?
                    .id,
            )
        }
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "input.customRitual",
            Reason::Incompatible,
            "give exactly one of ritualKey and customRitual",
        )),
        (None, None) => Err(ApiError::invalid(
            "input.ritualKey",
            Reason::Required,
            "give exactly one of ritualKey and customRitual",
        )),
    }
}

#[derive(Default)]
pub struct ItemMutation;

#[Object]
impl ItemMutation {
    /// Adds a ritual on a schedule to the plan.
    async fn add_plan_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AddPlanItemInput`.")]
        input: AddPlanItemInput,
    ) -> Result<AddPlanItemPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let plan_id = decode_id_of(&input.plan_id, NodeKind::Plan, "input.planId")?;
        let plan = policy::writable_plan(state, caller, plan_id).await?;
        let couple = plan.couple();
        let now = state.clock.now();
        let spec = input
            .schedule
            .to_spec(&couple.couple().timezone, now, "input.schedule")?;
        let assignee = assignee_from(
            state,
            couple,
            input.assignee,
            input.assignee_member_id.as_ref(),
            "input",
        )
        .await?;
        let mut write = state.writer.begin(now).await?;
        let ritual_id = ritual_for_item(&*write, state, couple, &input).await?;
        let fields = plan_item::Fields {
            ritual_id,
            schedule: spec,
            assignee,
        };
        let item = plan_item::create(&*write, plan.plan().id, fields, now).await?;
        let made = recorded(
            NodeKind::PlanItem,
            item.id,
            Action::Created,
            Audience::Couple(couple.id()),
        );
        write.changes([made]);
        write.commit().await?;
        let access = plan
            .item(item)
            .ok_or_else(|| ApiError::internal(&"a new item is not on its plan"))?;
        Ok(AddPlanItemPayload {
            item: PlanItem::new(access),
        })
    }

    /// Changes an item's schedule or who does it.
    async fn update_plan_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UpdatePlanItemInput`.")]
        input: UpdatePlanItemInput,
    ) -> Result<UpdatePlanItemPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "input.planItemId")?;
        let access = policy::writable_item(state, caller, item_id).await?;
        let couple = access.plan().couple();
        let item = access.item();
        let schedule = match &input.schedule {
            Some(s) => s.to_spec(
                &couple.couple().timezone,
                state.clock.now(),
                "input.schedule",
            )?,
            None => item.spec()?,
        };
        let assignee = match input.assignee {
            Some(a) => {
                assignee_from(state, couple, a, input.assignee_member_id.as_ref(), "input").await?
            }
            None if input.assignee_member_id.is_some() => {
                if let Some(id) = &input.assignee_member_id {
                    decode_global_id(id, "input.assigneeMemberId")?;
                }
                return Err(ApiError::invalid(
                    "input.assigneeMemberId",
                    Reason::Incompatible,
                    "assigneeMemberId goes with assignee: ONE",
                ));
            }
            None => item.assignee()?,
        };
        let fields = plan_item::Fields {
            ritual_id: item.ritual_id,
            schedule,
            assignee,
        };
        // Reminders planned on the old schedule are forgotten with the change.
        let mut write = state.writer.begin(state.clock.now()).await?;
        let updated = plan_item::update(&*write, item.clone(), fields).await?;
        entities::reminder::forget_scheduled_for_item(&*write, updated.id).await?;
        let changed = recorded(
            NodeKind::PlanItem,
            updated.id,
            Action::Updated,
            Audience::Couple(couple.id()),
        );
        write.change(changed);
        write.commit().await?;
        let access = access
            .updated(updated)
            .ok_or_else(|| ApiError::internal(&"an item changed its ID"))?;
        Ok(UpdatePlanItemPayload {
            item: PlanItem::new(access),
        })
    }

    /// Takes an item off the plan; its past completions still count in progress.
    async fn remove_plan_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RemovePlanItemInput`.")]
        input: RemovePlanItemInput,
    ) -> Result<RemovePlanItemPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "input.planItemId")?;
        let access = policy::writable_item(state, caller, item_id).await?;
        let now = state.clock.now();
        let item_id = access.item().id;
        let mut write = state.writer.begin(now).await?;
        plan_item::remove(&*write, item_id, now).await?;
        let couple = Audience::Couple(access.plan().plan().couple_id);
        let gone = recorded(NodeKind::PlanItem, item_id, Action::Deleted, couple);
        write.changes([gone]);
        write.commit().await?;
        Ok(RemovePlanItemPayload {
            plan: Plan::new(access.plan().clone()),
        })
    }
}
