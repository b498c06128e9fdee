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
    /// Dead-lettered jobs awaiting a retry are counted as `failed`.
    pub db: DatabaseConnection,
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
    let queues = crate::jobs::QUEUES;
    let read = depths.queue.depths(&queues).await?;
    let failed = entities::dead_job::waiting_by_queue(&depths.db).await?;
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        out,
        "# HELP rekindle_queue_jobs Jobs in each queue by state (failed: dead-lettered, awaiting a retry), read when scraped."
    );
    let _ = writeln!(out, "# TYPE rekindle_queue_jobs gauge");
    for depth in read {
        let dead = failed.get(&depth.queue).copied().unwrap_or(0);
        for (state, n) in [
            ("waiting", depth.waiting),
            ("scheduled", depth.scheduled),
            ("running", depth.running),
            ("failed", dead),
        ] {
            let _ = writeln!(
                out,
                "rekindle_queue_jobs{{queue=\"{}\",state=\"{state}\"}} {n}",
                depth.queue
            );
        }
    }
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
