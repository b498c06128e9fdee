//! What clients beyond the API's own are served: automatic persisted queries (hit and miss,
//! over POST and GET), a mode that runs only registered operations, and CORS for configured
//! origins only.

use futures_util::SinkExt;
use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

const CATALOG: &str = "query Catalog { rituals(first: 1) { totalCount } }";

fn sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, body: Value) -> Value {
    let (status, body) = app.post_json("/graphql", &body).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[actix_web::test]
async fn an_unknown_hash_is_a_miss_then_a_hit_once_the_text_was_sent() {
    let app = TestApp::spawn().await;
    let hash = sha256(CATALOG);
    let miss = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(error_codes(&miss), ["PERSISTED_QUERY_NOT_FOUND"], "{miss}");
    assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");

    let registered = post(
        &app,
        json!({ "query": CATALOG, "extensions": persisted(&hash) }),
    )
    .await;
    assert!(
        registered["data"]["rituals"]["totalCount"].is_number(),
        "{registered}"
    );
    let hit = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert!(hit["data"]["rituals"]["totalCount"].is_number(), "{hit}");

    // Over GET, as CDNs like it.
    let extensions = persisted(&hash).to_string();
    let path = format!("/graphql?extensions={}", url_escape(&extensions));
    let (status, _, body) = app
        .get_with(&path, &[("apollo-require-preflight", "true")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("totalCount"), "{body}");

    // And over a WebSocket.
    let mut socket = crate::subscriptions::connect_as(&app, None).await;
    let message =
        json!({ "id": "1", "type": "subscribe", "payload": { "extensions": persisted(&hash) } });
    socket
        .send(crate::subscriptions::send(message))
        .await
        .unwrap();
    let next = crate::subscriptions::next_json(&mut socket).await;
    assert!(
        next["payload"]["data"]["rituals"]["totalCount"].is_number(),
        "{next}"
    );
    drop(socket);
    app.stop().await;
}

#[actix_web::test]
async fn a_hash_that_does_not_match_its_text_is_refused() {
    let app = TestApp::spawn().await;
    let wrong = post(
        &app,
        json!({ "query": CATALOG, "extensions": persisted(&sha256("{ me { id } }")) }),
    )
    .await;
    assert_eq!(error_codes(&wrong), ["BAD_USER_INPUT"], "{wrong}");
    app.stop().await;
}

#[actix_web::test]
async fn a_mutation_sent_by_hash_still_needs_post() {
    let app = TestApp::spawn().await;
    let logout = "mutation { logout(input: { refreshToken: \"never-issued\" }) { revoked } }";
    let hash = sha256(logout);
    let registered = post(
        &app,
        json!({ "query": logout, "extensions": persisted(&hash) }),
    )
    .await;
    assert!(error_codes(&registered).is_empty(), "{registered}");
    let path = format!(
        "/graphql?extensions={}",
        url_escape(&persisted(&hash).to_string())
    );
    let (status, _, body) = app
        .get_with(&path, &[("apollo-require-preflight", "true")])
        .await;
    assert_eq!(status, 405, "{body}");
    app.stop().await;
}

/// A manifest registering `CATALOG`, written where the app can read it.
fn manifest() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("operations-{}.json", uuid::Uuid::new_v4()));
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            { "id": sha256(CATALOG), "name": "Catalog", "type": "query", "body": CATALOG }
        ]
    });
    std::fs::write(&path, manifest.to_string()).unwrap();
    path
}

#[actix_web::test]
async fn the_persisted_only_mode_runs_registered_operations_and_refuses_the_rest() {
    let file = manifest();
    let path = file.display().to_string();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_PERSISTED_QUERIES_FILE", path.as_str()),
        ("REKINDLE_PERSISTED_ONLY", "true"),
    ])
    .await;
    let by_hash = post(&app, json!({ "extensions": persisted(&sha256(CATALOG)) })).await;
    assert!(
        by_hash["data"]["rituals"]["totalCount"].is_number(),
        "{by_hash}"
    );
    let by_text = post(&app, json!({ "query": CATALOG })).await;
    assert!(
        by_text["data"]["rituals"]["totalCount"].is_number(),
        "{by_text}"
    );

    let other = "query Other { __typename }";
    let unregistered = post(&app, json!({ "query": other })).await;
    assert_eq!(error_codes(&unregistered), ["FORBIDDEN"], "{unregistered}");
    assert!(unregistered["data"].is_null(), "{unregistered}");
    let apq = post(
        &app,
        json!({ "query": other, "extensions": persisted(&sha256(other)) }),
    )
    .await;
    assert_eq!(
        error_codes(&apq),
        ["FORBIDDEN"],
        "automatic registration is off: {apq}"
    );
    let unknown = post(&app, json!({ "extensions": persisted(&sha256(other)) })).await;
    assert_eq!(error_codes(&unknown), ["FORBIDDEN"], "{unknown}");
    app.stop().await;
    std::fs::remove_file(file).unwrap();
}

#[actix_web::test]
async fn no_origin_is_allowed_by_default() {
    let app = TestApp::spawn().await;
    let (status, headers, _) = preflight(&app, "https://app.example.com").await;
    assert_eq!(status, 403);
    assert!(headers.get("access-control-allow-origin").is_none());
    let (status, headers, _) = post_from(&app, "https://app.example.com").await;
    assert_eq!(
        status, 200,
        "an answer, which the browser keeps from the page"
    );
    assert!(headers.get("access-control-allow-origin").is_none());
    app.stop().await;
}

#[actix_web::test]
async fn configured_origins_may_call_from_a_browser_and_others_may_not() {
    let app = TestApp::spawn_with(&[(
        "REKINDLE_CORS_ORIGINS",
        "https://app.example.com,http://localhost:3000",
    )])
    .await;
    let (status, headers, _) = preflight(&app, "https://app.example.com").await;
    assert_eq!(status, 204);
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "https://app.example.com"
    );
    let allowed = headers
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap();
    for needed in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(needed), "{allowed}");
    }
    let (status, headers, body) = post_from(&app, "http://localhost:3000").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers.get("access-control-allow-origin").unwrap(),
        "http://localhost:3000"
    );
    assert_eq!(headers.get("vary").unwrap(), "Origin");

    let (status, headers, _) = preflight(&app, "https://evil.example").await;
    assert_eq!(status, 403);
    assert!(headers.get("access-control-allow-origin").is_none());
    let (_, headers, _) = post_from(&app, "https://evil.example").await;
    assert!(headers.get("access-control-allow-origin").is_none());
    app.stop().await;
}

type Answer = (u16, awc::http::header::HeaderMap, String);

async fn preflight(app: &TestApp, origin: &str) -> Answer {
    let mut res = app
        .client
        .request(
            awc::http::Method::OPTIONS,
            format!("{}/graphql", app.address),
        )
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header((
            "access-control-request-headers",
            "authorization, content-type",
        ))
        .send()
        .await
        .expect("request sent");
    let body = res.body().await.expect("body read");
    (
        res.status().as_u16(),
        res.headers().clone(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn post_from(app: &TestApp, origin: &str) -> Answer {
    let body = json!({ "query": CATALOG }).to_string();
    app.post_with(
        "/graphql",
        &[("content-type", "application/json"), ("origin", origin)],
        &body,
    )
    .await
}

/// Percent-encodes a query-string value.
fn url_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
