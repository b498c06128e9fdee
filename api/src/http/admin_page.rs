//! GET /admin: the operators' page, three static files compiled into the binary (no front-end
//! build step). It signs in through `login` and reads and acts through `admin` and the operator
//! mutations, like any other client; it holds the token in memory only.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const INDEX: &str = include_str!("../../admin/index.html");
const SCRIPT: &str = include_str!("../../admin/app.js");
const STYLE: &str = include_str!("../../admin/app.css");

/// Scripts and styles from this origin only, no inline code, no framing, no form posts.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// Registers the page's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(index))
        .route("/admin/app.js", web::get().to(script))
        .route("/admin/app.css", web::get().to(style));
}

fn file(content_type: &'static str, body: &'static str) -> HttpResponse {
    page_file(POLICY, "no-store", content_type, body)
}

/// A file of a page compiled into the binary, under its Content-Security-Policy, never framed
/// and sending no referrer.
pub(super) fn page_file(
    policy: &'static str,
    cache: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, policy))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}

async fn index() -> HttpResponse {
    file("text/html; charset=utf-8", INDEX)
}

async fn script() -> HttpResponse {
    file("text/javascript; charset=utf-8", SCRIPT)
}

async fn style() -> HttpResponse {
    file("text/css; charset=utf-8", STYLE)
}
