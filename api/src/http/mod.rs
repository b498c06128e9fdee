//! HTTP routes: GraphQL (POST, GET, WebSocket), health, readiness, metrics, the schema file,
//! webhooks' test ping, data export downloads, and the operators' page.

pub mod admin_page;
pub mod client;
pub mod cors;
pub mod exports;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod observe;
pub mod socket;
pub mod spans;
pub mod webhooks;

use actix_web::http::header;
use actix_web::{guard, middleware, web};

/// Registers every route; GraphiQL only when `graphiql` is set (development), the operators'
/// page only when `admin_page` is.
pub fn routes(cfg: &mut web::ServiceConfig, graphiql: bool, admin_page: bool) {
    cfg.service(
        web::resource("/graphql")
            // Every answer, refusals and parse errors included: an answer may carry tokens.
            .wrap(middleware::DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .route(
                web::get()
                    .guard(guard::Header("upgrade", "websocket"))
                    .to(socket::subscriptions),
            )
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    // HEAD too: load balancers and uptime checks often probe with it.
    .service(
        web::resource("/healthz")
            .route(web::get().to(health::healthz))
            .route(web::head().to(health::healthz)),
    )
    .service(
        web::resource("/readyz")
            .route(web::get().to(health::readyz))
            .route(web::head().to(health::readyz)),
    )
    .route("/metrics", web::get().to(observe::metrics))
    .route("/schema.graphql", web::get().to(graphql::schema_file))
    .route("/exports/{token}", web::get().to(exports::download))
    .route("/webhooks/{endpoint}/ping", web::post().to(webhooks::ping));
    if graphiql {
        graphiql::routes(cfg);
    }
    if admin_page {
        admin_page::routes(cfg);
    }
}
