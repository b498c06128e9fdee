//! CORS: pages served from the configured origins (`REKINDLE_CORS_ORIGINS`) may call the API
//! from a browser; no other page gets the headers that let a browser read an answer. None are
//! allowed by default. Requests without an `Origin` (apps, servers) are not affected, and a
//! request from an origin not listed is still answered, only without those headers: the
//! browser keeps the answer from the page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::error::{ErrorCode, error_body};
use crate::state::AppState;

/// Request headers an allowed page may send.
const ALLOWED_HEADERS: &str = "authorization, content-type, idempotency-key, apollo-require-preflight, x-apollo-operation-name, x-rekindle-client";
/// Response headers an allowed page may read.
const EXPOSED_HEADERS: &str = "retry-after, x-request-id";
/// How long a browser may remember a preflight's answer, in seconds.
const MAX_AGE_SECS: &str = "600";

/// Middleware: answers preflights and marks answers to allowed origins.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let Some(origin) = origin else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let allowed = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.settings.clients.cors_origins.contains(&origin));
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let response = if allowed {
            let mut response = HttpResponse::NoContent();
            response
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECS));
            response.finish()
        } else {
            HttpResponse::build(StatusCode::FORBIDDEN).json(error_body(
                ErrorCode::Forbidden,
                "this origin may not call the API from a browser (see REKINDLE_CORS_ORIGINS)",
            ))
        };
        let mut res = req.into_response(response);
        mark(&mut res, allowed.then_some(origin.as_str()));
        return Ok(res);
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    mark(&mut res, allowed.then_some(origin.as_str()));
    if allowed {
        res.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(res)
}

/// Every answer to a request with an `Origin` varies by it (caches must not mix them); one to an
/// allowed origin names it.
fn mark(res: &mut ServiceResponse<BoxBody>, allowed: Option<&str>) {
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
}
