//! Relay's `Node` interface: opaque global IDs and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};
use uuid::Uuid;

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::account::types::{Session, User};
use crate::graphql::admin::types::{AuditEntry, FailedJob};
use crate::graphql::assessment::instruments::InstrumentNode;
use crate::graphql::assessment::results::Assessment;
use crate::graphql::assessment::shared::SharedAssessmentResult;
use crate::graphql::breaks::CoupleBreak;
use crate::graphql::coaching::{AccessEvent, CoachedCouple};
use crate::graphql::couple::types::Couple;
use crate::graphql::notifications::Notification;
use crate::graphql::organization_content::Suggestion;
use crate::graphql::organizations::{ApiKey, Organization};
use crate::graphql::plan::completions::Completion;
use crate::graphql::plan::items::PlanItem;
use crate::graphql::plan::plans::Plan;
use crate::graphql::ritual::types::Ritual;
use crate::graphql::summaries::WeeklySummary;
use crate::graphql::webhooks::{WebhookDelivery, WebhookEndpoint};
use crate::state::AppState;

use crate::graphql::ids::{NodeKind, decode_global_id};
use crate::graphql::loaders::Loaders;

/// The organization the caller belongs to (as a coach), if any: null for everyone else.
async fn organization_of(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<policy::OrganizationAccess>, ApiError> {
    visible(policy::callers_organization(state, caller).await).map(Option::flatten)
}

/// A webhook endpoint of the organization the caller manages; null for anyone else.
async fn managed_endpoint(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<entities::webhook::Model>, ApiError> {
    let Some(org) = organization_of(state, caller).await? else {
        return Ok(None);
    };
    let endpoint = entities::webhook::find(&state.db, id).await?;
    Ok(policy::managed_endpoint(&org, endpoint).ok())
}

/// Whether the caller could coach anyone: an API key or a coach. A member or an operator
/// coaches nowhere, and no statement is spent finding that out.
fn may_coach(caller: &Caller) -> bool {
    caller.api_key.is_some()
        || caller
            .user
            .as_ref()
            .is_some_and(|u| u.role == domain::account::Role::Coach)
}

/// The couple as the caller's organization coaches it (as one of its coaches or API keys),
/// when both members granted it access; `None` for anyone else, as for a missing couple.
async fn coached(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<Option<policy::CoachedCoupleAccess>, ApiError> {
    if !may_coach(caller) {
        return Ok(None);
    }
    match policy::coached_couple(state, caller, couple_id).await {
        Ok(found) => Ok(Some(found)),
        Err(err)
            if matches!(
                err.code,
                crate::error::ErrorCode::NotFound | crate::error::ErrorCode::Forbidden
            ) =>
        {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// A plan item of a couple the caller's organization coaches with the PLANS scope.
async fn coached_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<Option<policy::ItemAccess>, ApiError> {
    if !may_coach(caller) {
        return Ok(None);
    }
    let Some(item) = entities::plan_item::find(&state.db, item_id).await? else {
        return Ok(None);
    };
    let Some(plan) = entities::plan::find(&state.db, item.plan_id).await? else {
        return Ok(None);
    };
    let Some(coached) = coached(state, caller, plan.couple_id).await? else {
        return Ok(None);
    };
    Ok(coached
        .within(domain::organization::Scope::Plans)
        .ok()
        .and_then(|couple| couple.plan(plan))
        .and_then(|plan| plan.item(item)))
}

/// A policy answer as `node` gives it: NOT_FOUND (missing or not the caller's) becomes null.
fn visible<T>(answer: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match answer {
        Ok(found) => Ok(Some(found)),
        Err(err) if err.code == crate::error::ErrorCode::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// An object with a global ID, refetchable through `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global, opaque ID."))]
pub enum Node {
    Ritual(Ritual),
    User(User),
    Couple(Couple),
    Plan(Plan),
    PlanItem(PlanItem),
    Completion(Completion),
    Instrument(InstrumentNode),
    Assessment(Assessment),
    CoupleBreak(CoupleBreak),
    Notification(Notification),
    Session(Session),
    Organization(Organization),
    ApiKey(ApiKey),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    Suggestion(Suggestion),
    FailedJob(FailedJob),
    AuditEntry(AuditEntry),
    PushDevice(crate::graphql::push::PushDevice),
    CoachConversation(crate::graphql::coach::CoachConversation),
    CoachMessage(crate::graphql::coach::CoachMessage),
    WeeklySummary(WeeklySummary),
    SharedAssessmentResult(SharedAssessmentResult),
    AccessEvent(AccessEvent),
    CoachedCouple(CoachedCouple),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global ID; null when no such object exists or the caller may
    /// not see it (the two look the same).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID from any object's `id`.")] id: ID,
    ) -> Result<Option<Node>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let (kind, uuid) = decode_global_id(&id, "id")?;
        let signed_in = caller.user.is_some();
        let node = match kind {
            NodeKind::Ritual if state.catalog.by_id(uuid).is_some() => state
                .catalog
                .by_id(uuid)
                .map(|found| Node::Ritual(Ritual(found))),
            NodeKind::Ritual => {
                let scope = policy::ritual_scope(state, caller).await?;
                entities::ritual::find_by_id(&state.db, uuid, scope)
                    .await?
                    .map(|model| Node::Ritual(Ritual(model.into())))
            }
            NodeKind::User if policy::may_view_account(caller, uuid) => {
                entities::user::find_by_id(&state.db, uuid)
                    .await?
                    .and_then(|model| policy::account(caller, model))
                    .map(|access| Node::User(User::new(access)))
            }
            NodeKind::Couple if signed_in || caller.api_key.is_some() => {
                let member = match signed_in {
                    true => visible(policy::readable_couple(state, caller, uuid).await)?,
                    false => None,
                };
                match member {
                    Some(access) => Some(Node::Couple(Couple::new(access))),
                    // A coach, or an API key, gets the couple as its organization coaches it.
                    None => coached(state, caller, uuid)
                        .await?
                        .map(|access| Node::CoachedCouple(CoachedCouple(access))),
                }
            }
            NodeKind::Plan if signed_in => {
                visible(policy::readable_plan(state, caller, uuid).await)?
                    .map(|access| Node::Plan(Plan::new(access)))
            }
            NodeKind::PlanItem if signed_in => {
                // The caller's own couple's item is in the read cache; any other is decided
                // from the store.
                let cached = match Loaders::of(ctx)?.warm_plans().await? {
                    Some(part) => part.item(uuid).map(|(p, i)| (p.clone(), i.clone())),
                    None => None,
                };
                let access = match policy::current_couples_item(state, caller, cached).await? {
                    Some(access) => Some(access),
                    None => match visible(policy::readable_item(state, caller, uuid).await)? {
                        Some(access) => Some(access),
                        None => coached_item(state, caller, uuid).await?,
                    },
                };
                access.map(|access| Node::PlanItem(PlanItem::new(access)))
            }
            NodeKind::PlanItem if caller.api_key.is_some() => coached_item(state, caller, uuid)
                .await?
                .map(|access| Node::PlanItem(PlanItem::new(access))),
            NodeKind::Completion if signed_in => {
                visible(policy::readable_completion(state, caller, uuid).await)?
                    .map(|access| Node::Completion(Completion::new(access)))
            }
            NodeKind::Instrument => state
                .instruments
                .by_id(uuid)
                .map(|found| Node::Instrument(InstrumentNode(found))),
            NodeKind::Assessment if signed_in => {
                visible(policy::own_assessment(state, caller, uuid).await)?
                    .map(|access| Node::Assessment(Assessment(access)))
            }
            NodeKind::CoupleBreak if signed_in => {
                visible(policy::readable_break(state, caller, uuid).await)?
                    .map(|access| Node::CoupleBreak(CoupleBreak(access)))
            }
            NodeKind::Notification if signed_in => entities::notification::find(&state.db, uuid)
                .await?
                .and_then(|row| policy::own_notification(caller, row))
                .map(|access| Node::Notification(Notification(access))),
            NodeKind::Session if signed_in => {
                let found = entities::session::find(&state.db, uuid).await?;
                policy::own_session(caller, found)
                    .ok()
                    .map(|a| Node::Session(Session::new(a)))
            }
            NodeKind::Organization if signed_in || caller.api_key.is_some() => {
                visible(policy::readable_organization(state, caller, uuid).await)?
                    .map(|access| Node::Organization(Organization(access)))
            }
            NodeKind::ApiKey if signed_in => match organization_of(state, caller).await? {
                Some(org) => {
                    let key = entities::api_key::find(&state.db, uuid).await?;
                    ApiKey::managed(&org, key).ok().map(Node::ApiKey)
                }
                None => None,
            },
            NodeKind::WebhookEndpoint if signed_in || caller.api_key.is_some() => {
                managed_endpoint(state, caller, uuid)
                    .await?
                    .map(|endpoint| Node::WebhookEndpoint(WebhookEndpoint(endpoint)))
            }
            NodeKind::WebhookDelivery if signed_in || caller.api_key.is_some() => {
                match entities::webhook::delivery::find(&state.db, uuid).await? {
                    Some(row) => managed_endpoint(state, caller, row.endpoint_id)
                        .await?
                        .and_then(|endpoint| WebhookDelivery::of_endpoint(&endpoint, row))
                        .map(Node::WebhookDelivery),
                    None => None,
                }
            }
            NodeKind::Suggestion if signed_in || caller.api_key.is_some() => {
                visible(policy::readable_suggestion(state, caller, uuid).await)?
                    .map(|access| Node::Suggestion(Suggestion::new(access)))
            }
            NodeKind::FailedJob if policy::operator(caller).is_ok() => {
                entities::dead_job::find(&state.db, uuid)
                    .await?
                    .map(|row| Node::FailedJob(FailedJob(row)))
            }
            NodeKind::AuditEntry if policy::operator(caller).is_ok() => {
                entities::audit::find(&state.db, uuid)
                    .await?
                    .map(|row| Node::AuditEntry(AuditEntry(row)))
            }
            NodeKind::PushDevice if signed_in => crate::graphql::push::node(state, caller, uuid)
                .await?
                .map(Node::PushDevice),
            NodeKind::CoachConversation if signed_in => {
                crate::graphql::coach::conversation_node(state, caller, uuid)
                    .await?
                    .map(Node::CoachConversation)
            }
            NodeKind::CoachMessage if signed_in => {
                crate::graphql::coach::message_node(state, caller, uuid)
                    .await?
                    .map(Node::CoachMessage)
            }
            NodeKind::WeeklySummary if signed_in || caller.api_key.is_some() => {
                match entities::weekly_summary::find(&state.db, uuid).await? {
                    Some(row) => {
                        let member = match signed_in {
                            true => visible(
                                policy::readable_couple(state, caller, row.couple_id).await,
                            )?,
                            false => None,
                        };
                        // A coach or key reads it with the PROGRESS scope.
                        let couple = match member {
                            Some(couple) => Some(couple),
                            None => coached(state, caller, row.couple_id)
                                .await?
                                .and_then(|c| c.within(domain::organization::Scope::Progress).ok()),
                        };
                        couple
                            .and_then(|couple| couple.summary(row))
                            .map(WeeklySummary::new)
                            .transpose()?
                            .map(Node::WeeklySummary)
                    }
                    None => None,
                }
            }
            NodeKind::SharedAssessmentResult if signed_in => {
                let row = entities::assessment::find(&state.db, uuid).await?;
                match row.as_ref().and_then(|row| row.shared_with_couple) {
                    Some(couple_id) => {
                        visible(policy::readable_couple(state, caller, couple_id).await)?
                            .zip(row)
                            .and_then(|(couple, row)| couple.shared_result(row))
                            .map(|access| {
                                Node::SharedAssessmentResult(SharedAssessmentResult(access))
                            })
                    }
                    None => None,
                }
            }
            NodeKind::AccessEvent if signed_in => {
                crate::graphql::coaching::access_event_node(state, caller, uuid)
                    .await?
                    .map(Node::AccessEvent)
            }
            // What the caller may not see, or no caller at all: null, like a missing object.
            NodeKind::User
            | NodeKind::Couple
            | NodeKind::Plan
            | NodeKind::PlanItem
            | NodeKind::Completion
            | NodeKind::Assessment
            | NodeKind::CoupleBreak
            | NodeKind::Notification
            | NodeKind::Session
            | NodeKind::Organization
            | NodeKind::ApiKey
            | NodeKind::WebhookEndpoint
            | NodeKind::WebhookDelivery
            | NodeKind::Suggestion
            | NodeKind::FailedJob
            | NodeKind::AuditEntry
            | NodeKind::PushDevice
            | NodeKind::CoachConversation
            | NodeKind::CoachMessage
            | NodeKind::WeeklySummary
            | NodeKind::SharedAssessmentResult
            | NodeKind::AccessEvent => None,
        };
        Ok(node)
    }
}
