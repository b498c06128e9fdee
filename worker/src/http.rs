//! The worker's own small HTTP surface: /healthz and /metrics (jobs by queue and outcome, job
//! durations, reminder lateness, and each queue's depth read at scrape time), so a separate
//! worker process can be watched like the api.

use std::fmt::Write;
use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use runtime::{JobQueue, Metrics};
use sea_orm::DatabaseConnection;

/// Where the queue depths on /metrics are read from.
#[derive(Clone)]
pub struct Depths {
    pub queue: JobQueue,
    /// Where failed and dead-lettered jobs are counted.
    pub db: DatabaseConnection,
    /// Decides which failed runs still wait for their retry.
    pub clock: domain::clock::Clock,
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn metrics(metrics: web::Data<Metrics>, depths: web::Data<Option<Depths>>) -> HttpResponse {
    let mut text = metrics.render();
    if let Some(depths) = depths.as_ref() {
        match render_depths(depths).await {
            Ok(lines) => text.push_str(&lines),
            // The counters still answer; the gauges are missing until the stores are back.
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "could not read queue depths"),
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}

async fn render_depths(depths: &Depths) -> anyhow::Result<String> {
    let now = depths.clock.now();
    let states =
        runtime::failures::queue_states(&depths.db, &depths.queue, &crate::jobs::QUEUES, now)
            .await?;
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        out,
        "# HELP rekindle_queue_jobs Jobs in each queue by state (failed: a run failed and the next is not yet due; dead_lettered: every attempt failed, awaiting an operator), read when scraped."
    );
    let _ = writeln!(out, "# TYPE rekindle_queue_jobs gauge");
    for state in states {
        for (name, n) in [
            ("waiting", state.depth.waiting),
            ("scheduled", state.depth.scheduled),
            ("running", state.depth.running),
            ("failed", state.failed),
            ("dead_lettered", state.dead_lettered),
        ] {
            let _ = writeln!(
                out,
                "rekindle_queue_jobs{{queue=\"{}\",state=\"{name}\"}} {n}",
                state.depth.queue
            );
        }
    }
    let outbox = entities::outbox::depth(&depths.db).await?;
    let _ = writeln!(
        out,
        "# HELP rekindle_outbox_entries Jobs written with a write and not yet run (waiting to be handed to the queue, or on it)."
    );
    let _ = writeln!(out, "# TYPE rekindle_outbox_entries gauge");
    let _ = writeln!(out, "rekindle_outbox_entries {}", outbox.entries);
    let _ = writeln!(
        out,
        "# HELP rekindle_outbox_oldest_age_seconds Age of the oldest outbox entry, by the system's clock (0 when empty)."
    );
    let _ = writeln!(out, "# TYPE rekindle_outbox_oldest_age_seconds gauge");
    let age = outbox.oldest.map_or(0.0, |at| {
        (runtime::write::wall_now() - at).as_seconds_f64().max(0.0)
    });
    let _ = writeln!(out, "rekindle_outbox_oldest_age_seconds {age:.3}");
    Ok(out)
}

/// Binds `bind` (port 0 picks one) and builds the server; answers it with its port. With
/// `depths`, /metrics also reads each queue's depth when scraped.
pub fn serve(
    bind: &str,
    registry: Metrics,
    depths: Option<Depths>,
) -> anyhow::Result<(Server, u16)> {
    let listener = TcpListener::bind(bind)
        .with_context(|| format!("binding {bind} for /healthz and /metrics"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(registry.clone()))
            .app_data(web::Data::new(depths.clone()))
            .route("/healthz", web::get().to(healthz))
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, port))
}
