//! `POST /webhooks/{endpointId}/ping`: an organization's admin asks for a test delivery to one
//! of its endpoints (signed and logged like any other). Answers 202 with the delivery's ID.
//! `?event=ritual.completed` (any event type) sends a sample of that event instead of a ping:
//! the fields a real one carries, IDs that name nothing, `"sample": true`. Pings are rate
//! limited per organization (and per client address) like sign-in attempts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::input::Reason;
use domain::webhook::EventType;
use tracing::Instrument;

use crate::auth::{self, policy};
use crate::error::input_error_body;
use crate::error::{ApiError, ErrorCode, error_body};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

/// What `?event=` asks for.
#[derive(serde::Deserialize)]
pub struct PingQuery {
    event: Option<String>,
}

pub async fn ping(
    state: web::Data<AppState>,
    req: HttpRequest,
    endpoint: web::Path<String>,
    query: web::Query<PingQuery>,
) -> HttpResponse {
    let event = match query.event.as_deref() {
        None => EventType::Ping,
        Some(raw) => match EventType::parse(raw) {
            Some(event) => event,
            None => {
                let known: Vec<&str> = EventType::SUBSCRIBABLE
                    .iter()
                    .map(|e| e.as_str())
                    .chain([EventType::Ping.as_str()])
                    .collect();
                return HttpResponse::BadRequest().json(input_error_body(
                    "event",
                    Reason::NotOneOf,
                    &format!("`event` must be one of {}", known.join(", ")),
                ));
            }
        },
    };
    let authorization = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let client = super::client::client_info(&req, &state.settings.trusted_proxies);
    let runtime = state.runtime.clone();
    let run = async move {
        send_ping(
            &state,
            authorization.as_deref(),
            client.ip,
            &endpoint,
            event,
        )
        .await
    };
    match runtime.spawn(run.in_current_span()).await {
        Ok(Ok(delivery)) => HttpResponse::Accepted().json(serde_json::json!({
            "deliveryId": global_id(NodeKind::WebhookDelivery, delivery).as_str(),
        })),
        Ok(Err(err)) => {
            let status = match err.code {
                ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
                ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            HttpResponse::build(status).json(error_body(err.code, &err.message))
        }
        Err(join) => {
            tracing::error!(error = %join, "a webhook ping did not finish");
            HttpResponse::InternalServerError().json(error_body(
                ErrorCode::InternalServerError,
                crate::error::INTERNAL_MESSAGE,
            ))
        }
    }
}

async fn send_ping(
    state: &AppState,
    authorization: Option<&str>,
    ip: Option<std::net::IpAddr>,
    endpoint: &str,
    event: EventType,
) -> Result<uuid::Uuid, ApiError> {
    let caller = auth::authenticate(state, authorization).await;
    if let Some(limited) = caller.throttled.clone() {
        return Err(limited);
    }
    let id = decode_id_of(
        &async_graphql::ID(endpoint.to_owned()),
        NodeKind::WebhookEndpoint,
        "endpointId",
    )?;
    let org = policy::webhook_organization(state, &caller).await?;
    state
        .limiter
        .attempt("webhook_ping", &org.organization().id.to_string(), ip)
        .await?;
    let endpoint = policy::managed_endpoint(&org, entities::webhook::find(&state.db, id).await?)?;
    if endpoint.disabled_at.is_some() {
        return Err(ApiError::invalid(
            "endpointId",
            Reason::NotNow,
            "the endpoint is disabled",
        ));
    }
    let now = state.clock.now();
    let data = match event {
        EventType::Ping => serde_json::json!({
            "organizationId": global_id(NodeKind::Organization, org.organization().id).as_str(),
        }),
        sample => domain::webhook::sample_data(sample),
    };
    let mut write = state.writer.begin(now).await?;
    let made = entities::webhook::enqueue_to(
        &*write,
        vec![endpoint],
        event,
        |id| domain::webhook::body(id, event, now, &data),
        now,
    )
    .await?;
    let delivery = made
        .first()
        .map(|d| d.id)
        .ok_or_else(|| ApiError::internal(&"a ping stored no delivery"))?;
    write.deliver([delivery])?;
    write.commit().await?;
    Ok(delivery)
}
