//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use runtime::store;

use crate::state::AppState;

/// GET /healthz: the process is alive and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// GET /readyz: 200 when the database and the queue both answer, else 503 naming which not.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "draining",
            "checks": {},
        }));
    }
    let (database, queue) = tokio::join!(store::database_ready(&state.db), state.queue.ready());
    let word = |up: bool| if up { "up" } else { "down" };
    let body = serde_json::json!({
        "status": if database && queue { "ready" } else { "unavailable" },
        "checks": { "database": word(database), "queue": word(queue) },
    });
    if database && queue {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
