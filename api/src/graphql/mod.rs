//! The GraphQL schema: per-object resolvers merged at the roots, plus the request policy.

pub mod account;
pub mod admin;
pub mod assessment;
pub mod breaks;
pub mod changes;
pub mod checkin;
pub mod coach;
pub mod coach_invites;
pub mod coaching;
pub mod connection;
pub mod couple;
pub mod document;
pub mod extensions;
pub mod idempotency;
pub mod ids;
pub mod input_values;
pub mod loaders;
pub mod node;
pub mod notifications;
pub mod organization_content;
pub mod organizations;
pub mod parsed;
pub mod persisted;
pub mod plan;
pub mod push;
pub mod resources;
pub mod ritual;
pub mod summaries;
pub mod system;
pub mod webhooks;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::state::AppState;

/// The root of every query.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    account::query::AccountQuery,
    ritual::query::RitualQuery,
    assessment::query::AssessmentQuery,
    assessment::recommend::RecommendQuery,
    checkin::CheckInQuery,
    resources::ResourceQuery,
    notifications::NotificationQuery,
    organizations::OrganizationQuery,
    coaching::CoachingQuery,
    changes::ChangesQuery,
    admin::AdminQuery,
    push::PushQuery,
    coach::CoachQuery,
);

/// The root of every mutation.
///
/// Every mutation is safe to retry. Send `Idempotency-Key: <a new UUID>` with the request (over
/// WebSocket: `"idempotencyKey"` in the operation's `extensions`), and send the same key with
/// every retry of that request. The first request with a key runs; a retry with the same key,
/// operation and variables within 24 hours gets the first answer without running again, with
/// `extensions.idempotency.replayed: true`. A retry that arrives while the first is still
/// running waits for it, up to the operation time limit, then answers CONFLICT with
/// `extensions.retryAfter` (seconds): retry with the same key. The same key with a different
/// request answers BAD_USER_INPUT. Keys are per account. An answer that failed on the
/// server's side (INTERNAL_SERVER_ERROR) or was rate limited is not kept: its retry runs again.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::mutation::AccountMutation,
    account::email::EmailMutation,
    account::data_rights::DataRightsMutation,
    couple::mutation::CoupleMutation,
    plan::plan_mutation::PlanMutation,
    plan::item_mutation::ItemMutation,
    plan::completion_mutation::CompletionMutation,
    assessment::mutation::AssessmentMutation,
    assessment::recommend::RecommendMutation,
    checkin::CheckInMutation,
    breaks::BreakMutation,
    notifications::NotificationMutation,
    summaries::SummaryMutation,
    organizations::OrganizationMutation,
    coaching::CoachingMutation,
    coach_invites::CoachInviteMutation,
    webhooks::WebhookMutation,
    webhooks::secrets::WebhookSecretMutation,
    organization_content::ContentMutation,
    admin::mutation::AdminMutation,
    push::PushMutation,
    coach::mutation::CoachMutation,
);

/// The root of every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    system::SystemSubscription,
    notifications::NotificationSubscription,
    coach::reply::CoachSubscription,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with the request limits and policy from the settings.
pub fn build_schema(state: &AppState) -> AppSchema {
    let limits = &state.settings.graphql;
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(state.clone())
    // Introspection's own depth is held here; everything else to `max_depth` by the policy.
    .limit_depth(if limits.introspection {
        limits.max_depth.max(document::INTROSPECTION_MAX_DEPTH)
    } else {
        limits.max_depth
    })
    .limit_complexity(limits.max_complexity)
    .limit_directives(10)
    // A span per resolver, so a slow request in the logs shows which field was slow.
    .extension(async_graphql::extensions::Tracing)
    // Outside the request policy: a retry is answered before the policy runs anything, and
    // an operation the policy stops at its time limit lets its key go.
    .extension(idempotency::Idempotency)
    .extension(extensions::RequestPolicy::new(
        state.metrics.clone(),
        document::DocumentLimits {
            max_selections: limits.max_selections,
            max_aliases: limits.max_aliases,
            max_depth: limits.max_depth,
            introspection: limits.introspection,
        },
        limits.operation_timeout,
    ));
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if state.settings.is_production() {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, exactly as `schema.graphql` holds it.
pub fn sdl() -> String {
    let schema = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish();
    schema.sdl()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIPTIONS: &str = "{ __schema { types {
        name description
        fields(includeDeprecated: true) { name description args { name description } }
        inputFields { name description }
        enumValues(includeDeprecated: true) { name description }
    } } }";

    /// Every type, field, argument, input field and enum value a client sees says what it is.
    /// The one exception is what async-graphql generates around our types: the connection
    /// wrappers (their fields are described) and the built-in scalars.
    #[tokio::test]
    async fn every_type_and_field_has_a_description() {
        let schema = Schema::build(
            Query::default(),
            Mutation::default(),
            Subscription::default(),
        )
        .finish();
        let response = schema.execute(DESCRIPTIONS).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        let described = |v: &serde_json::Value| {
            v["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty())
        };
        let mut missing = Vec::new();
        for ty in data["__schema"]["types"].as_array().unwrap() {
            let name = ty["name"].as_str().unwrap();
            let generated = name.starts_with("__")
                || name.ends_with("Connection")
                || [
                    "Query",
                    "Mutation",
                    "Subscription",
                    "String",
                    "Int",
                    "Float",
                    "Boolean",
                    "ID",
                ]
                .contains(&name);
            if !generated && !described(ty) {
                missing.push(name.to_owned());
            }
            if name.starts_with("__") {
                continue;
            }
            let members = ["fields", "inputFields", "enumValues"]
                .iter()
                .filter_map(|key| ty[*key].as_array())
                .flatten();
            for member in members {
                let field = format!("{name}.{}", member["name"].as_str().unwrap());
                if !described(member) {
                    missing.push(field.clone());
                }
                for arg in member["args"].as_array().into_iter().flatten() {
                    if !described(arg) {
                        missing.push(format!("{field}({})", arg["name"].as_str().unwrap()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "undescribed: {missing:#?}");
    }
}
