//! The root span of every request: the fields tracing-actix-web's own carries, with the path's
//! secrets and the query's values left out (an export link's token, a GET's variables never
//! reach a log line or a trace), and, where
//! traces are exported, joined to the caller's trace (W3C `traceparent`) with its `trace_id`
//! recorded, so every log line of the request carries it. Where they are not, no `trace_id` is
//! written at all.

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, USER_AGENT};
use opentelemetry::propagation::Extractor;
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Paths whose last segment is a secret: the segment is written as `{token}`.
const SECRET_PATHS: [&str; 1] = ["/exports/"];

pub struct RequestSpans;

impl RootSpanBuilder for RequestSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let connection = request.connection_info();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let method = request.method().as_str();
        let user_agent = request
            .headers()
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = %route,
            http.flavor = ?request.version(),
            http.scheme = %connection.scheme(),
            http.host = %connection.host(),
            http.client_ip = %connection.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %target(request),
            http.status_code = Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = Empty,
            trace_id = Empty,
            request_id = Empty,
            exception.message = Empty,
            exception.details = Empty,
        );
        if let Some(id) = request.extensions().get::<RequestId>() {
            span.record("request_id", tracing::field::display(id));
        }
        if runtime::telemetry::exporting() {
            let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
                propagator.extract(&Headers(request.headers()))
            });
            // Refused only when the span is disabled, and then nothing is exported anyway.
            let _ = span.set_parent(parent);
            runtime::telemetry::record_trace_id(&span);
        }
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The request's path, with a secret path segment replaced, and the names of its query
/// parameters without their values (a GET /graphql's `variables` are a member's data).
fn target(request: &ServiceRequest) -> String {
    let path = request.path();
    for prefix in SECRET_PATHS {
        if path.starts_with(prefix) {
            return format!("{prefix}{{token}}");
        }
    }
    match request.uri().query() {
        Some(query) if !query.is_empty() => {
            let names: Vec<&str> = query
                .split('&')
                .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
                .collect();
            format!("{path}?{}", names.join("&"))
        }
        _ => path.to_owned(),
    }
}

/// A request's headers, as OpenTelemetry's propagators read them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
