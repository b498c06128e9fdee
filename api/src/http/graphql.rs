//! The GraphQL endpoint. Bodies are read here, not by an extractor, so that every refusal
//! (too large, not JSON, a mutation over GET) answers in GraphQL's error shape with a code.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, Request};
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::StreamExt;

use crate::auth::{self, ClientInfo};
use crate::error::{ErrorCode, error_body};
use crate::graphql::AppSchema;
use crate::state::AppState;

fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(error_body(code, message))
}

/// POST /graphql: one request or a batch, as JSON.
pub async fn post(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let limits = &state.settings.graphql;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the request body could not be read",
            );
        };
        if body.len() + chunk.len() > limits.max_body_bytes {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadUserInput,
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
    if let BatchRequest::Batch(requests) = &batch
        && (requests.is_empty() || requests.len() > limits.max_batch)
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("a batch holds 1 to {} requests", limits.max_batch),
        );
    }
    let caller = auth::authenticate(&state, authorization(&req)).await;
    let batch = batch.data(caller).data(client_info(&req));
    HttpResponse::Ok().json(schema.execute_batch(batch).await)
}

fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

fn client_info(req: &HttpRequest) -> ClientInfo {
    ClientInfo {
        ip: req.peer_addr().map(|addr| addr.ip()),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// GET /graphql: queries only, from the query string.
pub async fn get(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
) -> HttpResponse {
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::GraphqlParseFailed,
                &format!("the query string is not a GraphQL request: {err}"),
            );
        }
    };
    if is_mutation(&request) {
        return HttpResponse::build(StatusCode::METHOD_NOT_ALLOWED)
            .insert_header(("Allow", "POST"))
            .json(error_body(
                ErrorCode::BadUserInput,
                "mutations must be sent with POST, never GET",
            ));
    }
    let caller = auth::authenticate(&state, authorization(&req)).await;
    let request = request.data(caller).data(client_info(&req));
    HttpResponse::Ok().json(schema.execute(request).await)
}

/// Whether the operation the request selects is a mutation. A query that does not parse is
/// left to execution, which reports the parse error.
fn is_mutation(request: &Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    match &document.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops
                .get(name.as_str())
                .is_some_and(|op| op.node.ty == OperationType::Mutation),
            None => ops.values().any(|op| op.node.ty == OperationType::Mutation),
        },
    }
}

/// GET /graphql with `Upgrade: websocket`: subscriptions over graphql-transport-ws. The access
/// token comes in the `connection_init` payload, as `{"Authorization": "Bearer <token>"}` (or
/// `{"accessToken": "<token>"}`).
pub async fn subscriptions(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let client = client_info(&req);
    let state = AppState::clone(&state);
    GraphQLSubscription::new(AppSchema::clone(&schema))
        .on_connection_init(move |init: serde_json::Value| {
            let (state, client) = (state.clone(), client.clone());
            async move {
                let header = init
                    .get("Authorization")
                    .or_else(|| init.get("authorization"))
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .or_else(|| {
                        init.get("accessToken")
                            .and_then(|v| v.as_str())
                            .map(|t| format!("Bearer {t}"))
                    });
                let caller = auth::authenticate(&state, header.as_deref()).await;
                let mut data = async_graphql::Data::default();
                data.insert(caller);
                data.insert(client);
                Ok(data)
            }
        })
        .start(&req, payload)
}

/// GET /schema.graphql: the published contract.
pub async fn schema_file(schema: web::Data<AppSchema>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(schema.sdl())
}

/// GET /graphiql: an in-browser IDE, in development only.
pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql")
                .finish(),
        )
}
