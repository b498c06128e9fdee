//! GET /graphiql: GraphiQL, an in-browser IDE, in development only. Every file it needs is
//! compiled into the binary (GraphiQL and React from `api/graphiql/vendor/`, put there by
//! `scripts/vendor-graphiql.sh`), so it works with no network, under a policy that lets the
//! page load nothing from anywhere else.

use actix_web::web;

/// Scripts, styles and connections (the WebSocket included) to this origin only; fonts and
/// images only from the stylesheet's own `data:` URLs; no framing, no form posts.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; font-src data:; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The page's files: path under /graphiql, type, contents.
const FILES: [(&str, &str, &str); 7] = [
    ("", HTML, include_str!("../../graphiql/index.html")),
    ("/page.js", JS, include_str!("../../graphiql/page.js")),
    ("/page.css", CSS, include_str!("../../graphiql/page.css")),
    (
        "/graphiql.min.js",
        JS,
        include_str!("../../graphiql/vendor/graphiql.min.js"),
    ),
    (
        "/graphiql.min.css",
        CSS,
        include_str!("../../graphiql/vendor/graphiql.min.css"),
    ),
    (
        "/react.production.min.js",
        JS,
        include_str!("../../graphiql/vendor/react.production.min.js"),
    ),
    (
        "/react-dom.production.min.js",
        JS,
        include_str!("../../graphiql/vendor/react-dom.production.min.js"),
    ),
];

/// Registers the page and its files.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for (path, content_type, body) in FILES {
        cfg.route(
            &format!("/graphiql{path}"),
            web::get().to(move || async move {
                super::admin_page::page_file(POLICY, "no-cache", content_type, body)
            }),
        );
    }
}
