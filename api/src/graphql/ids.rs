//! Global IDs: the opaque, stable ID of every object reachable by `node(id:)`. Encoding them
//! needs no GraphQL object, so every object can name its ID without importing the `Node`
//! interface (which imports every object to refetch it).

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use domain::input::Reason;

use crate::error::ApiError;

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
    PushDevice,
    CoachConversation,
    CoachMessage,
    WeeklySummary,
    SharedAssessmentResult,
    AccessEvent,
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
            NodeKind::PushDevice => "PushDevice",
            NodeKind::CoachConversation => "CoachConversation",
            NodeKind::CoachMessage => "CoachMessage",
            NodeKind::WeeklySummary => "WeeklySummary",
            NodeKind::SharedAssessmentResult => "SharedAssessmentResult",
            NodeKind::AccessEvent => "AccessEvent",
        }
    }

    /// What a person calls an object of this kind, in an error message.
    pub fn noun(self) -> &'static str {
        match self {
            NodeKind::Ritual => "ritual",
            NodeKind::User => "user",
            NodeKind::Couple => "couple",
            NodeKind::Session => "session",
            NodeKind::Plan => "plan",
            NodeKind::PlanItem => "plan item",
            NodeKind::Completion => "completion",
            NodeKind::Instrument => "instrument",
            NodeKind::Assessment => "assessment",
            NodeKind::CoupleBreak => "break",
            NodeKind::Notification => "notification",
            NodeKind::Organization => "organization",
            NodeKind::ApiKey => "API key",
            NodeKind::WebhookEndpoint => "webhook endpoint",
            NodeKind::WebhookDelivery => "webhook delivery",
            NodeKind::Suggestion => "suggestion",
            NodeKind::FailedJob => "failed job",
            NodeKind::AuditEntry => "audit entry",
            NodeKind::PushDevice => "push device",
            NodeKind::CoachConversation => "conversation",
            NodeKind::CoachMessage => "message",
            NodeKind::WeeklySummary => "weekly summary",
            NodeKind::SharedAssessmentResult => "shared result",
            NodeKind::AccessEvent => "access event",
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
            "PushDevice" => Some(NodeKind::PushDevice),
            "CoachConversation" => Some(NodeKind::CoachConversation),
            "CoachMessage" => Some(NodeKind::CoachMessage),
            "WeeklySummary" => Some(NodeKind::WeeklySummary),
            "SharedAssessmentResult" => Some(NodeKind::SharedAssessmentResult),
            "AccessEvent" => Some(NodeKind::AccessEvent),
            _ => None,
        }
    }
}

/// Encodes a global ID: opaque to clients, stable for the object's life.
pub fn global_id(kind: NodeKind, id: Uuid) -> ID {
    ID(domain::ids::global_id(kind.name(), id))
}

/// Decodes the global ID given as the input field at `field` (such as `input.planId`), which
/// must be of `kind`; another kind is as unknown as a missing object.
pub fn decode_id_of(id: &ID, kind: NodeKind, field: &str) -> Result<Uuid, ApiError> {
    match decode_global_id(id, field)? {
        (found, uuid) if found == kind => Ok(uuid),
        _ => Err(ApiError::not_found(kind.noun())),
    }
}

/// Decodes the global ID given at `field`; anything that is not one of ours is bad input.
pub fn decode_global_id(id: &ID, field: &str) -> Result<(NodeKind, Uuid), ApiError> {
    let invalid = || {
        ApiError::invalid(
            field,
            Reason::NotAnId,
            format!("`{}` is not a valid ID", id.as_str()),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (prefix, raw) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::from_prefix(prefix).ok_or_else(invalid)?;
    let uuid = Uuid::parse_str(raw).map_err(|_| invalid())?;
    Ok((kind, uuid))
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
        assert_eq!(
            decode_global_id(&id, "id").unwrap(),
            (NodeKind::Ritual, uuid)
        );
        for bad in [
            "",
            "not base64!",
            "Q291cGxlOjEyMw",
            &URL_SAFE_NO_PAD.encode("Ritual:nope"),
        ] {
            assert!(
                decode_global_id(&ID(bad.to_owned()), "id").is_err(),
                "{bad}"
            );
        }
    }
}
