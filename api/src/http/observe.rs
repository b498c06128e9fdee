//! Per-request observation: the request id header, the HTTP metrics, and (with
//! `REKINDLE_ACCESS_LOG`) one log line per request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};
use tracing_actix_web::RequestId;

use crate::state::AppState;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Middleware: counts the request by route pattern and status, returns its request id (the one
/// tracing-actix-web put on the request's span) in `x-request-id`, and where asked writes the
/// access log line: method, route template (`/exports/{token}`, never a path's secret or a
/// query string), status, duration and request id.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req.extensions().get::<RequestId>().copied();
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<AppState>>();
    let metrics = state.map(|state| state.metrics.clone());
    let access_log = state.is_some_and(|state| state.settings.access_log);
    let mut res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.http_request(&route, &method, res.status().as_u16(), elapsed);
    }
    if access_log {
        tracing::info!(
            target: "rekindle::access",
            method = %method,
            route = %route,
            status = res.status().as_u16(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            request_id = %request_id.map(|id| id.to_string()).unwrap_or_default(),
            "request"
        );
    }
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(id) = request_id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(res)
}

/// GET /metrics on the API's address: Prometheus text. With REKINDLE_METRICS_TOKEN it needs
/// that bearer token; in production without one it is not served here at all (use
/// REKINDLE_METRICS_BIND for a private address).
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let access = &state.settings.metrics;
    match &access.token {
        Some(token) => {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            let matches = presented.is_some_and(|p| {
                Sha256::digest(p.as_bytes()) == Sha256::digest(token.expose().as_bytes())
            });
            if !matches {
                return HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                    .finish();
            }
        }
        None if state.settings.is_production() || access.bind.is_some() => {
            return HttpResponse::NotFound().finish();
        }
        None => {}
    }
    render(&state.metrics)
}

/// Prometheus text of `metrics`.
pub fn render(metrics: &runtime::Metrics) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}
