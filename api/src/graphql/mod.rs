//! The GraphQL schema: per-object resolvers merged at the roots, plus the request policy.

pub mod connection;
pub mod extensions;
pub mod node;
pub mod ritual;
pub mod system;

use async_graphql::{EmptyMutation, MergedObject, MergedSubscription, Schema};

use crate::state::AppState;

/// The root of every query.
#[derive(MergedObject, Default)]
pub struct Query(node::NodeQuery, ritual::query::RitualQuery);

/// The root of every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(system::SystemSubscription);

pub type AppSchema = Schema<Query, EmptyMutation, Subscription>;

/// Builds the schema with the request limits and policy from the settings.
pub fn build_schema(state: &AppState) -> AppSchema {
    let limits = &state.settings.graphql;
    let mut builder = Schema::build(Query::default(), EmptyMutation, Subscription::default())
        .data(state.clone())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(10)
        .extension(extensions::RequestPolicy::new(
            state.metrics.clone(),
            limits.max_aliases,
        ));
    if state.settings.is_production() {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, exactly as `schema.graphql` holds it.
pub fn sdl() -> String {
    let schema = Schema::build(Query::default(), EmptyMutation, Subscription::default()).finish();
    schema.sdl()
}
