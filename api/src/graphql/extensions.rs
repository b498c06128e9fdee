//! The request policy every GraphQL request passes: stable error codes on every error, a limit
//! on aliases, internal errors logged and masked, and operations counted in the metrics.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
    NextValidation,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use runtime::Metrics;
use runtime::metrics::Outcome;

use crate::error::{ErrorCode, INTERNAL_MESSAGE, code_of, with_code};

/// Operation name under which requests that never reached execution are counted.
const INVALID_OPERATION: &str = "(invalid)";

pub struct RequestPolicy {
    metrics: Metrics,
    max_aliases: usize,
}

impl RequestPolicy {
    pub fn new(metrics: Metrics, max_aliases: usize) -> Self {
        Self {
            metrics,
            max_aliases,
        }
    }
}

impl ExtensionFactory for RequestPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestPolicyExtension {
            metrics: self.metrics.clone(),
            max_aliases: self.max_aliases,
        })
    }
}

struct RequestPolicyExtension {
    metrics: Metrics,
    max_aliases: usize,
}

#[async_trait::async_trait]
impl Extension for RequestPolicyExtension {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                response.errors = response.errors.into_iter().map(classify).collect();
                response
            })
            .boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|err| {
            self.metrics
                .graphql_operation(INVALID_OPERATION, Outcome::Error);
            with_code(err, ErrorCode::GraphqlParseFailed)
        })?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            self.metrics
                .graphql_operation(INVALID_OPERATION, Outcome::Error);
            return Err(with_code(
                ServerError::new(
                    format!(
                        "the query uses {aliases} aliases; at most {} are allowed",
                        self.max_aliases
                    ),
                    None,
                ),
                ErrorCode::GraphqlValidationFailed,
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            self.metrics
                .graphql_operation(INVALID_OPERATION, Outcome::Error);
            errors
                .into_iter()
                .map(|err| with_code(err, ErrorCode::GraphqlValidationFailed))
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        response.errors = response.errors.into_iter().map(classify).collect();
        let outcome = if response.errors.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        self.metrics
            .graphql_operation(operation_name.unwrap_or("(anonymous)"), outcome);
        response
    }
}

/// Gives an execution error without a code the right one. Errors we raise carry a code already;
/// one with a `source` came from an unexpected failure (say, the database) and is logged and
/// masked; the rest are async-graphql's own input checks (a variable of the wrong type).
fn classify(err: ServerError) -> ServerError {
    if code_of(&err).is_some() {
        return err;
    }
    if err.source.is_some() {
        tracing::error!(error = %err.message, path = ?err.path, "resolver failed");
        let masked = ServerError {
            message: INTERNAL_MESSAGE.to_owned(),
            source: None,
            locations: err.locations,
            path: err.path,
            extensions: None,
        };
        return with_code(masked, ErrorCode::InternalServerError);
    }
    with_code(err, ErrorCode::BadUserInput)
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    let operations: usize = match &document.operations {
        DocumentOperations::Single(op) => count_in(&op.node.selection_set.node),
        DocumentOperations::Multiple(ops) => ops
            .values()
            .map(|op| count_in(&op.node.selection_set.node))
            .sum(),
    };
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| count_in(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

fn count_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_in(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: rituals { b: totalCount ...F } c: ritual(key: \"x\") { key } }
             fragment F on RitualConnection { d: totalCount ... on RitualConnection { e: totalCount } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 5);
    }
}
