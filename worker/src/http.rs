//! The worker's own small HTTP surface: /healthz and /metrics (jobs by queue and outcome), so
//! a separate worker process can be watched like the api.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use runtime::Metrics;

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}

/// Binds `bind` (port 0 picks one) and builds the server; answers it with its port.
pub fn serve(bind: &str, registry: Metrics) -> anyhow::Result<(Server, u16)> {
    let listener = TcpListener::bind(bind)
        .with_context(|| format!("binding {bind} for /healthz and /metrics"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(registry.clone()))
            .route("/healthz", web::get().to(healthz))
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, port))
}
