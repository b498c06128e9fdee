//! Relay's `Node` interface: opaque global IDs and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::account::types::User;
use crate::graphql::assessment::instruments::InstrumentNode;
use crate::graphql::assessment::results::Assessment;
use crate::graphql::breaks::CoupleBreak;
use crate::graphql::couple::types::Couple;
use crate::graphql::notifications::Notification;
use crate::graphql::plan::completions::Completion;
use crate::graphql::plan::items::PlanItem;
use crate::graphql::plan::plans::Plan;
use crate::graphql::ritual::types::Ritual;
use crate::state::AppState;

/// The kinds of object reachable by global ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Ritual,
    User,
    Couple,
    Session,
    Plan,
    PlanItem,
    Completion,
    Instrument,
    Assessment,
    CoupleBreak,
    Notification,
    Organization,
    ApiKey,
    WebhookEndpoint,
    WebhookDelivery,
    Suggestion,
    FailedJob,
    AuditEntry,
}

impl NodeKind {
    /// The object's GraphQL type name, which its global ID starts with.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Ritual => "Ritual",
            NodeKind::User => "User",
            NodeKind::Couple => "Couple",
            NodeKind::Session => "Session",
            NodeKind::Plan => "Plan",
            NodeKind::PlanItem => "PlanItem",
            NodeKind::Completion => "Completion",
            NodeKind::Instrument => "Instrument",
            NodeKind::Assessment => "Assessment",
            NodeKind::CoupleBreak => "CoupleBreak",
            NodeKind::Notification => "Notification",
            NodeKind::Organization => "Organization",
            NodeKind::ApiKey => "ApiKey",
            NodeKind::WebhookEndpoint => "WebhookEndpoint",
            NodeKind::WebhookDelivery => "WebhookDelivery",
            NodeKind::Suggestion => "Suggestion",
            NodeKind::FailedJob => "FailedJob",
            NodeKind::AuditEntry => "AuditEntry",
        }
    }

    /// The kind a type name (or global ID prefix) names.
    pub fn from_prefix(prefix: &str) -> Option<Self> {
        match prefix {
            "Ritual" => Some(NodeKind::Ritual),
            "User" => Some(NodeKind::User),
            "Couple" => Some(NodeKind::Couple),
            "Session" => Some(NodeKind::Session),
            "Plan" => Some(NodeKind::Plan),
            "PlanItem" => Some(NodeKind::PlanItem),
            "Completion" => Some(NodeKind::Completion),
            "Instrument" => Some(NodeKind::Instrument),
            "Assessment" => Some(NodeKind::Assessment),
            "CoupleBreak" => Some(NodeKind::CoupleBreak),
            "Notification" => Some(NodeKind::Notification),
            "Organization" => Some(NodeKind::Organization),
            "ApiKey" => Some(NodeKind::ApiKey),
            "WebhookEndpoint" => Some(NodeKind::WebhookEndpoint),
            "WebhookDelivery" => Some(NodeKind::WebhookDelivery),
            "Suggestion" => Some(NodeKind::Suggestion),
            "FailedJob" => Some(NodeKind::FailedJob),
            "AuditEntry" => Some(NodeKind::AuditEntry),
            _ => None,
        }
    }
}

/// Encodes a global ID: opaque to clients, stable for the object's life.
pub fn global_id(kind: NodeKind, id: Uuid) -> ID {
    ID(domain::ids::global_id(kind.name(), id))
}

/// Decodes a global ID that must be of `kind`; another kind is as unknown as a missing object.
pub fn decode_id_of(id: &ID, kind: NodeKind, what: &str) -> Result<Uuid, ApiError> {
    match decode_global_id(id)? {
        (found, uuid) if found == kind => Ok(uuid),
        _ => Err(ApiError::not_found(what)),
    }
}

/// Decodes a global ID; anything that is not one of ours is bad input.
pub fn decode_global_id(id: &ID) -> Result<(NodeKind, Uuid), ApiError> {
    let invalid = || ApiError::bad_input(format!("`{}` is not a valid ID", id.as_str()));
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (prefix, raw) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::from_prefix(prefix).ok_or_else(invalid)?;
    let uuid = Uuid::parse_str(raw).map_err(|_| invalid())?;
    Ok((kind, uuid))
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
        let (kind, uuid) = decode_global_id(&id)?;
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
            NodeKind::Couple if signed_in => {
                visible(policy::readable_couple(state, caller, uuid).await)?
                    .map(|access| Node::Couple(Couple::new(access)))
            }
            NodeKind::Plan if signed_in => {
                visible(policy::readable_plan(state, caller, uuid).await)?
                    .map(|access| Node::Plan(Plan::new(access)))
            }
            NodeKind::PlanItem if signed_in => {
                visible(policy::readable_item(state, caller, uuid).await)?
                    .map(|access| Node::PlanItem(PlanItem::new(access)))
            }
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
            NodeKind::User
            | NodeKind::Couple
            | NodeKind::CoupleBreak
            | NodeKind::Notification
            | NodeKind::Assessment
            | NodeKind::Session
            | NodeKind::Plan
            | NodeKind::PlanItem
            | NodeKind::Completion
            // Read through `organization(id:)` and `Organization.apiKeys`.
            | NodeKind::Organization
            | NodeKind::ApiKey
            | NodeKind::WebhookEndpoint
            | NodeKind::WebhookDelivery
            // Read through `couple.suggestions` and `CoachedCouple.suggestions`.
            | NodeKind::Suggestion
            // Operators read these through `admin`.
            | NodeKind::FailedJob
            | NodeKind::AuditEntry => None,
        };
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_deletion_names_couples_in_the_feed_as_the_api_does() {
        assert_eq!(NodeKind::Couple.name(), entities::data_rights::COUPLE_KIND);
    }

    #[test]
    fn global_ids_round_trip_and_refuse_strangers() {
        let uuid = Uuid::new_v4();
        let id = global_id(NodeKind::Ritual, uuid);
        assert_eq!(decode_global_id(&id).unwrap(), (NodeKind::Ritual, uuid));
        for bad in [
            "",
            "not base64!",
            "Q291cGxlOjEyMw",
            &URL_SAFE_NO_PAD.encode("Ritual:nope"),
        ] {
            assert!(decode_global_id(&ID(bad.to_owned())).is_err(), "{bad}");
        }
    }
}
