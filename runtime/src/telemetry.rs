//! Logging set-up: pretty for people, JSON for machines, filtered by RUST_LOG; and, where
//! `REKINDLE_OTLP_ENDPOINT` is set, spans exported over OTLP/HTTP (protobuf) with each request's
//! and job's trace id on its log lines.

use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::LogFormat;

/// Whether this process exports traces (set once, at start).
static EXPORTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process exports traces: only then do spans belong to real traces.
pub fn exporting() -> bool {
    EXPORTING.load(std::sync::atomic::Ordering::Relaxed)
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn"))
}

/// Installs the global subscriber once; later calls (tests start many apps) do nothing.
pub fn init(format: LogFormat) {
    let _ = install(format, None);
}

/// Exports spans while it lives; [`Traces::shutdown`] sends what is still buffered.
#[must_use = "dropping it stops nothing, but call shutdown at exit to send the last spans"]
pub struct Traces {
    provider: Option<SdkTracerProvider>,
}

impl Traces {
    /// Sends the spans still buffered and stops exporting.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(%error, "traces still buffered were not all sent");
        }
    }
}

/// Installs the global subscriber, exporting spans to `otlp_endpoint` (the collector's base
/// URL, `http://host:4318`) as `service` when one is given. Later calls do nothing.
pub fn init_with_traces(
    format: LogFormat,
    otlp_endpoint: Option<&str>,
    service: &'static str,
) -> anyhow::Result<Traces> {
    let provider = match otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{endpoint}/v1/traces"))
                .build()?;
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(Resource::builder().with_service_name(service).build())
                    .build(),
            )
        }
        None => None,
    };
    install(format, provider.as_ref().map(|p| p.tracer(service)))?;
    if provider.is_some() {
        // Requests carrying W3C `traceparent` join their caller's trace.
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        EXPORTING.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(Traces { provider })
}

fn install(
    format: LogFormat,
    tracer: Option<opentelemetry_sdk::trace::SdkTracer>,
) -> Result<(), tracing_subscriber::util::TryInitError> {
    let traces = tracer.map(|tracer| tracing_opentelemetry::layer().with_tracer(tracer));
    let registry = tracing_subscriber::registry().with(filter()).with(traces);
    match format {
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer()).try_init(),
        LogFormat::Json => registry
            .with(tracing_subscriber::fmt::layer().json().flatten_event(true))
            .try_init(),
    }
}

/// Records on `span` (which must declare an empty `trace_id` field) the trace it belongs to,
/// so its log lines carry it; nothing when traces are not exported.
pub fn record_trace_id(span: &tracing::Span) {
    let context = span.context();
    let trace = context.span().span_context().clone();
    if trace.is_valid() {
        span.record("trace_id", tracing::field::display(trace.trace_id()));
    }
}
