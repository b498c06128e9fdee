//! The GraphQL schema: per-object resolvers merged at the roots, plus the request policy.

pub mod account;
pub mod connection;
pub mod couple;
pub mod document;
pub mod extensions;
pub mod node;
pub mod plan;
pub mod ritual;
pub mod system;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::state::AppState;

/// The root of every query.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    account::query::AccountQuery,
    ritual::query::RitualQuery,
);

/// The root of every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::mutation::AccountMutation,
    couple::mutation::CoupleMutation,
    plan::mutation::PlanMutation,
);

/// The root of every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(system::SystemSubscription);

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
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_directives(10)
    .extension(extensions::RequestPolicy::new(
        state.metrics.clone(),
        document::DocumentLimits {
            max_selections: limits.max_selections,
            max_aliases: limits.max_aliases,
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
