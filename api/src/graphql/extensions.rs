//! The request policy every GraphQL request passes, over HTTP and WebSocket alike: on a socket,
//! the caller is looked up again for every operation; the document is parsed once and checked
//! (which operation, size after fragment expansion, aliases, NUL bytes) before anything
//! validates or runs; queries and mutations run under a time limit; every error leaves with a
//! stable code; internal errors are logged and masked; operations are counted in the metrics.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextSubscribe, NextValidation,
};
use async_graphql::parser::parse_query;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};
use domain::input::Reason;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use runtime::Metrics;
use runtime::metrics::Outcome;

use super::document::{self, DocumentError, DocumentLimits};
use super::input_values;
use super::loaders::{RequestLoaders, Warm};
use super::parsed::Keeper;
use crate::auth::{self, Caller, SocketCredential};
use crate::error::{
    ErrorCode, INTERNAL_MESSAGE, code_of, input_error, mark_input, server_error, with_code,
};
use crate::state::AppState;

/// Operation name under which requests that never reached execution are counted.
const INVALID_OPERATION: &str = "(invalid)";

pub struct RequestPolicy {
    metrics: Metrics,
    limits: DocumentLimits,
    timeout: Duration,
}

impl RequestPolicy {
    pub fn new(metrics: Metrics, limits: DocumentLimits, timeout: Duration) -> Self {
        Self {
            metrics,
            limits,
            timeout,
        }
    }
}

impl ExtensionFactory for RequestPolicy {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestPolicyExtension {
            metrics: self.metrics.clone(),
            limits: self.limits,
            timeout: self.timeout,
            unkept: Mutex::new(None),
        })
    }
}

struct RequestPolicyExtension {
    metrics: Metrics,
    limits: DocumentLimits,
    timeout: Duration,
    /// A document parsed for this request and not yet kept: offered to the cache once it
    /// validated, dropped with the request otherwise.
    unkept: Mutex<Option<Unkept>>,
}

struct Unkept {
    query: String,
    document: ExecutableDocument,
    keeper: Keeper,
}

impl RequestPolicyExtension {
    /// Sets the request's parsed document: the one kept for its text, or a new parse, offered
    /// for keeping after validation.
    fn parse(&self, state: &AppState, request: &mut Request) -> Result<(), ServerError> {
        if let Some(document) = state.documents.cached(&request.query) {
            request.set_parsed_query(document);
            return Ok(());
        }
        let document = parse_query(&request.query)?;
        if state.documents.may_keep(&request.query) {
            let signed_in = Caller::of(request).is_some_and(Caller::signed_in);
            let unkept = Unkept {
                query: request.query.clone(),
                document: document.clone(),
                keeper: if signed_in {
                    Keeper::SignedIn
                } else {
                    Keeper::Anonymous
                },
            };
            *self
                .unkept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(unkept);
        }
        request.set_parsed_query(document);
        Ok(())
    }

    fn refuse(&self, err: ServerError, code: ErrorCode) -> ServerError {
        self.metrics
            .graphql_operation(INVALID_OPERATION, Outcome::Error, true);
        with_code(err, code)
    }
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

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(state) = ctx.data::<AppState>() {
            // An operation sent by hash gets its text before anything reads it.
            let persisted = state.persisted.resolve(&mut request);
            persisted.map_err(|err| self.refuse(err, ErrorCode::BadUserInput))?;
            // On a WebSocket the caller is whoever the session is now, not at connection time.
            if let Some(socket) = ctx.data_opt::<SocketCredential>() {
                let caller = auth::authenticate(state, socket.authorization.as_deref()).await;
                socket.observe(&caller);
                request = request.data(caller);
            }
        }
        // Parsed once (or taken from the documents parsed before) and kept in the request,
        // where async-graphql takes it from; the name and variables step aside meanwhile.
        let variables = std::mem::take(&mut request.variables);
        let operation_name = request.operation_name.take();
        let parsed = match ctx.data::<AppState>() {
            Ok(state) => self.parse(state, &mut request),
            Err(_) => Ok(()),
        };
        let checked = match parsed.and_then(|()| request.parsed_query()) {
            Ok(document) => {
                document::check(document, operation_name.as_deref(), &variables, self.limits)
                    .map_err(|err| match err {
                        DocumentError::Operation(message) => self.refuse(
                            input_error("operationName", Reason::NotOneOf, message),
                            ErrorCode::BadUserInput,
                        ),
                        DocumentError::TooLarge(message) => self.refuse(
                            ServerError::new(message, None),
                            ErrorCode::GraphqlValidationFailed,
                        ),
                        DocumentError::Introspection => {
                            let mut err = ServerError::new(
                                "introspection is off on this server: read the published \
                                 schema.graphql instead",
                                None,
                            );
                            err.extensions
                                .get_or_insert_with(Default::default)
                                .set("reason", "INTROSPECTION_DISABLED");
                            self.refuse(err, ErrorCode::GraphqlValidationFailed)
                        }
                        DocumentError::Nul => self.refuse(
                            input_error(
                                "variables",
                                Reason::BadCharacters,
                                "text must not contain NUL characters",
                            ),
                            ErrorCode::BadUserInput,
                        ),
                    })
                    .and_then(|()| {
                        let registry = &ctx.schema_env.registry;
                        input_values::check(
                            registry,
                            document,
                            operation_name.as_deref(),
                            &variables,
                        )
                        .map_err(|bad| {
                            self.refuse(
                                input_error(&bad.field, bad.reason, bad.message),
                                ErrorCode::BadUserInput,
                            )
                        })
                    })
            }
            Err(err) => Err(self.refuse(err, ErrorCode::GraphqlParseFailed)),
        };
        let kind = request
            .parsed_query()
            .ok()
            .and_then(|document| document::operation_type(document, operation_name.as_deref()));
        request.variables = variables;
        request.operation_name = operation_name;
        checked?;
        if let Ok(state) = ctx.data::<AppState>() {
            // Loaders live for one operation: what they cache is never older than it. A query
            // by a member reads their couple's rows from the read cache, exact for the versions
            // its first statement read; a mutation reads what it wrote, so never from there.
            let warm = match Caller::of(&request) {
                Some(caller) if kind == Some(OperationType::Query) => caller
                    .current_couple
                    .get()
                    .and_then(Option::as_ref)
                    .and_then(|(_, couple)| Warm::new(&state.read_cache, couple)),
                _ => None,
            };
            request = request.data(RequestLoaders::new(&state.db, &state.catalog, warm));
        }
        next.run(ctx, request).await
    }

    /// The checks async-graphql makes on the parsed document (nesting, directives) fail as a
    /// parse failure.
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|err| self.refuse(err, ErrorCode::GraphqlParseFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let validated = next.run(ctx).await;
        let unkept = self
            .unkept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let (Ok(_), Some(unkept), Ok(state)) = (&validated, unkept, ctx.data::<AppState>()) {
            state
                .documents
                .keep(&unkept.query, unkept.document, unkept.keeper);
        }
        validated.map_err(|errors| {
            self.metrics
                .graphql_operation(INVALID_OPERATION, Outcome::Error, true);
            let errors: Vec<ServerError> = errors.into_iter().map(argument_error).collect();
            // A bad argument is also met by the complexity count, which reads the arguments
            // again and says only "Expected input type …": once named, it is not told twice.
            let named = errors.iter().any(|err| code_of(err).is_some());
            errors
                .into_iter()
                .filter(|err| !(named && err.message.starts_with("Expected input type")))
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
        let mut response =
            match tokio::time::timeout(self.timeout, next.run(ctx, operation_name)).await {
                Ok(response) => response,
                Err(_) => {
                    tracing::warn!(
                        operation = operation_name.unwrap_or("(anonymous)"),
                        timeout_ms = self.timeout.as_millis(),
                        "operation stopped at its time limit"
                    );
                    Response::from_errors(vec![server_error(
                        ErrorCode::InternalServerError,
                        format!(
                            "the operation took longer than {} ms and was stopped",
                            self.timeout.as_millis()
                        ),
                    )])
                }
            };
        response.errors = response.errors.into_iter().map(classify).collect();
        let outcome = if response.errors.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        let known = ctx.data_opt::<Caller>().is_some_and(Caller::signed_in);
        self.metrics
            .graphql_operation(operation_name.unwrap_or("(anonymous)"), outcome, known);
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
    // An argument async-graphql could not read: named by the field it was given to.
    let field = err
        .path
        .iter()
        .filter_map(|segment| match segment {
            async_graphql::PathSegment::Field(name) => Some(name.as_str()),
            async_graphql::PathSegment::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".");
    let mut err = err;
    mark_input(&mut err, &field, Reason::WrongType);
    err
}

/// An argument validation found of the wrong type, not one of an enumeration's values, or
/// missing a field: BAD_USER_INPUT naming the input path, as Apollo's servers answer a bad
/// variable. Anything else validation finds is left as it is.
fn argument_error(mut err: ServerError) -> ServerError {
    let Some(rest) = err.message.strip_prefix("Invalid value for argument \"") else {
        return err;
    };
    let Some((path, problem)) = rest.split_once("\", ") else {
        return err;
    };
    let named_field = |problem: &str| {
        problem
            .split('"')
            .nth(1)
            .map(|name| format!("{path}.{name}"))
            .unwrap_or_else(|| path.to_owned())
    };
    let (field, reason) = if problem.starts_with("enumeration type") {
        (path.to_owned(), Reason::NotOneOf)
    } else if problem.starts_with("field \"") && problem.ends_with("is required but not provided") {
        (named_field(problem), Reason::Required)
    } else if problem.starts_with("unknown field") {
        (named_field(problem), Reason::UnknownField)
    } else if problem.starts_with("Oneof") {
        (path.to_owned(), Reason::Incompatible)
    } else {
        (path.to_owned(), Reason::WrongType)
    };
    mark_input(&mut err, &field, reason);
    err
}
