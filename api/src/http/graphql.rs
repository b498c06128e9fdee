//! The GraphQL endpoint. Bodies are read here, not by an extractor, so that every refusal
//! (too large, not JSON, a mutation over GET) answers in GraphQL's error shape with a code.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, Request};
use futures_util::StreamExt;
use tracing::Instrument;

use super::client::client_info;
use crate::auth;
use crate::error::{ErrorCode, error_body, input_error_body};
use crate::graphql::AppSchema;
use crate::graphql::idempotency::KeyHeader;
use crate::state::AppState;
use domain::input::Reason;

fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_body(code, message))
}

/// A request refused as BAD_USER_INPUT about the part of it at `field`.
fn refuse_input(status: StatusCode, field: &str, reason: Reason, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(input_error_body(field, reason, message))
}

/// Media types a POST body may have; anything else (a browser's forgeable `text/plain`, form or
/// multipart) answers 415.
const JSON_TYPES: [&str; 2] = ["application/json", "application/graphql-response+json"];

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            JSON_TYPES
                .iter()
                .any(|t| media.trim().eq_ignore_ascii_case(t))
        })
}

/// A GraphQL answer: it may carry tokens, so no cache keeps it.
fn answer(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// POST /graphql: one request or a batch, as JSON.
pub async fn post(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let limits = &state.settings.graphql;
    if !is_json(&req) {
        return refuse_input(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
            Reason::NotSupported,
            "send the request as JSON (Content-Type: application/json)",
        );
    }
    let mut body = web::BytesMut::new();
    // The whole body within the limit: a body sent a byte at a time does not hold a worker.
    let deadline = tokio::time::Instant::now() + limits.body_timeout;
    loop {
        let Ok(next) = tokio::time::timeout_at(deadline, payload.next()).await else {
            return refuse_input(
                StatusCode::REQUEST_TIMEOUT,
                "body",
                Reason::NotNow,
                &format!(
                    "the request body did not arrive within {} seconds",
                    limits.body_timeout.as_secs()
                ),
            );
        };
        let Some(chunk) = next else {
            break;
        };
        let Ok(chunk) = chunk else {
            return refuse_input(
                StatusCode::BAD_REQUEST,
                "body",
                Reason::BadFormat,
                "the request body could not be read",
            );
        };
        if body.len() + chunk.len() > limits.max_body_bytes {
            return refuse_input(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body",
                Reason::TooLong,
                &format!(
                    "the request body is larger than {} bytes",
                    limits.max_body_bytes
                ),
            );
        }
        body.extend_from_slice(&chunk);
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::GraphqlParseFailed,
                &format!("the body is not a GraphQL request in JSON: {err}"),
            );
        }
    };
    if let BatchRequest::Batch(requests) = &batch {
        if limits.max_batch == 0 {
            return refuse_input(
                StatusCode::BAD_REQUEST,
                "body",
                Reason::NotSupported,
                "batched requests are turned off on this server; send one operation per request",
            );
        }
        if requests.is_empty() || requests.len() > limits.max_batch {
            return refuse_input(
                StatusCode::BAD_REQUEST,
                "body",
                Reason::TooMany,
                &format!("a batch holds 1 to {} requests", limits.max_batch),
            );
        }
    }
    let key = match req.headers().get(IDEMPOTENCY_KEY).map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) => Some(KeyHeader(key.to_owned())),
        Some(Err(_)) => {
            return refuse_input(
                StatusCode::BAD_REQUEST,
                "Idempotency-Key",
                Reason::BadCharacters,
                "the Idempotency-Key may hold only visible ASCII characters (a UUID is best)",
            );
        }
    };
    if key.is_some() && matches!(batch, BatchRequest::Batch(_)) {
        return refuse_input(
            StatusCode::BAD_REQUEST,
            "Idempotency-Key",
            Reason::Incompatible,
            "an Idempotency-Key names one operation: send the operation alone, not in a batch",
        );
    }
    let batch = match key {
        Some(key) => batch.data(key),
        None => batch,
    };
    execute(state, schema, &req, batch).await
}

/// The header a client names one attempt of a mutation with (the IETF httpapi draft's).
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Authenticates the caller and runs the operation on the runtime that owns the database pool
/// ([`AppState::runtime`]), so the statements it awaits wake it there.
async fn execute(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: &HttpRequest,
    batch: BatchRequest,
) -> HttpResponse {
    let authorization = authorization(req).map(str::to_owned);
    let client = client_info(req, &state.settings.trusted_proxies);
    let runtime = state.runtime.clone();
    let run = async move {
        let caller = auth::authenticate(&state, authorization.as_deref()).await;
        if let Some(limited) = caller.throttled {
            return Err(limited);
        }
        Ok(schema.execute_batch(batch.data(caller).data(client)).await)
    };
    match runtime.spawn(run.in_current_span()).await {
        Ok(Ok(response)) => answer(&response),
        Ok(Err(limited)) => {
            let retry_after = limited.retry_after.unwrap_or(1);
            let mut body = crate::error::error_body(limited.code, &limited.message);
            body["errors"][0]["extensions"]["retryAfter"] = retry_after.into();
            HttpResponse::build(StatusCode::TOO_MANY_REQUESTS)
                .insert_header((header::RETRY_AFTER, retry_after.to_string()))
                .json(body)
        }
        Err(err) => {
            tracing::error!(error = %err, "a GraphQL operation did not finish");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalServerError,
                crate::error::INTERNAL_MESSAGE,
            )
        }
    }
}

fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// Whether a GET could only have come from a client that passed a CORS preflight (Apollo
/// Server's CSRF prevention): a `Content-Type` a plain form cannot send, or a header a
/// cross-site page cannot set without one.
fn preflighted(req: &HttpRequest) -> bool {
    let headers = req.headers();
    let non_simple_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|media| media.trim().to_ascii_lowercase())
        .is_some_and(|media| {
            !media.is_empty()
                && !matches!(
                    media.as_str(),
                    "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
                )
        });
    non_simple_type
        || headers.contains_key("apollo-require-preflight")
        || headers.contains_key("x-apollo-operation-name")
        || headers.contains_key("x-rekindle-client")
}

/// GET /graphql: queries only, from the query string, from clients that passed a preflight.
pub async fn get(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
) -> HttpResponse {
    if !preflighted(&req) {
        return refuse_input(
            StatusCode::BAD_REQUEST,
            "Content-Type",
            Reason::Required,
            "a GET request needs a header a browser form cannot send: `Content-Type: application/json`, `Apollo-Require-Preflight: true`, `X-Apollo-Operation-Name` or `X-Rekindle-Client`",
        );
    }
    let mut request = match get_request(req.query_string()) {
        Ok(request) => request,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::GraphqlParseFailed,
                &format!("the query string is not a GraphQL request: {err}"),
            );
        }
    };
    // A query sent by hash is looked up first, so a mutation cannot slip through GET by hash.
    if let Err(err) = state.persisted.resolve(&mut request) {
        return answer(&async_graphql::Response::from_errors(vec![err]));
    }
    if let Some(document) = state.documents.cached(&request.query) {
        request.set_parsed_query(document);
    }
    if is_mutation(&mut request) {
        return HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header(("Allow", "POST"))
            .json(input_error_body(
                "query",
                Reason::NotSupported,
                "mutations must be sent with POST, never GET",
            ));
    }
    execute(state, schema, &req, BatchRequest::Single(request)).await
}

/// A GraphQL request's fields in a query string, named as the GraphQL-over-HTTP spec names
/// them (`operationName`; async-graphql's own parser expects `operation_name` and would
/// silently run another operation).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    #[serde(default)]
    query: String,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

fn get_request(query_string: &str) -> Result<Request, String> {
    let params = web::Query::<GetParams>::from_query(query_string)
        .map_err(|e| e.to_string())?
        .into_inner();
    let mut request = Request::new(params.query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables {
        let value: serde_json::Value =
            serde_json::from_str(&variables).map_err(|e| format!("invalid variables: {e}"))?;
        request = request.variables(async_graphql::Variables::from_json(value));
    }
    if let Some(extensions) = params.extensions {
        request.extensions =
            serde_json::from_str(&extensions).map_err(|e| format!("invalid extensions: {e}"))?;
    }
    Ok(request)
}

/// Whether the operation the request selects is a mutation. The parsed document stays in the
/// request for execution; a query that does not parse is left to execution, which reports it.
fn is_mutation(request: &mut Request) -> bool {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    match &document.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match &operation_name {
            Some(name) => ops
                .get(name.as_str())
                .is_some_and(|op| op.node.ty == OperationType::Mutation),
            None => ops.values().any(|op| op.node.ty == OperationType::Mutation),
        },
    }
}

/// GET /schema.graphql: the published contract, served where introspection is on.
pub async fn schema_file(state: web::Data<AppState>, schema: web::Data<AppSchema>) -> HttpResponse {
    if !state.settings.graphql.introspection {
        return HttpResponse::NotFound().json(error_body(
            ErrorCode::NotFound,
            "the schema is not published by this server",
        ));
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(schema.sdl())
}
