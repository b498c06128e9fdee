use rekindle_tests::TestApp;
use serde_json::{Value, json};

#[actix_web::test]
async fn healthz_and_readyz_answer_200_on_healthy_stores() {
    let app = TestApp::spawn().await;
    let (status, _, body) = app.get("/healthz").await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["checks"], json!({ "database": "up", "queue": "up" }));
    app.stop().await;
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let (_, first, _) = app.get("/healthz").await;
    let (_, second, _) = app.get("/graphql?query=%7B__typename%7D").await;
    let a = first
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_owned();
    let b = second
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!a.is_empty());
    assert_ne!(a, b, "each request gets its own id");
    app.stop().await;
}

#[actix_web::test]
async fn metrics_count_requests_operations_and_latency() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    app.graphql_as(
        ana.token(),
        "query CatalogPage { rituals { totalCount } }",
        json!({}),
    )
    .await;
    app.graphql("query Broken { nope }", json!({})).await;
    // An anonymous caller's name takes no label: anyone could fill them.
    app.graphql("query SquattedName { rituals { totalCount } }", json!({}))
        .await;
    let (status, headers, text) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        text.contains(
            "rekindle_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"} 4"
        ),
        "{text}"
    );
    assert!(!text.contains("SquattedName"), "{text}");
    assert!(
        text.contains("rekindle_graphql_operations_total{operation=\"other\",outcome=\"ok\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(
            "rekindle_graphql_operations_total{operation=\"CatalogPage\",outcome=\"ok\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "rekindle_graphql_operations_total{operation=\"(invalid)\",outcome=\"error\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("rekindle_http_request_duration_seconds_count{route=\"/graphql\"} 4"),
        "{text}"
    );
    app.stop().await;
}
