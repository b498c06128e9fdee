//! What production mode keeps to itself unless configured: metrics (with labels clients cannot
//! grow), the schema file, and batched requests.

use rekindle_tests::{PRODUCTION_ENV, Stores, TestApp, error_codes};
use serde_json::json;

#[actix_web::test]
async fn operation_names_in_metrics_are_bounded_and_production_metrics_are_private() {
    let app = TestApp::spawn().await;
    for i in 0..250 {
        app.graphql(&format!("query Op{i} {{ __typename }}"), json!({}))
            .await;
    }
    let long = format!("query {} {{ __typename }}", "L".repeat(200));
    app.graphql(&long, json!({})).await;
    let (_, _, text) = app.get("/metrics").await;
    let labels = text
        .lines()
        .filter(|l| l.starts_with("rekindle_graphql_operations_total{"))
        .count();
    assert!(labels <= 201, "{labels} operation labels");
    assert!(text.contains("operation=\"other\""));
    assert!(!text.contains(&"L".repeat(100)));
    app.stop().await;

    let app = TestApp::spawn_with(&PRODUCTION_ENV).await;
    let (status, _, _) = app.get("/metrics").await;
    assert_eq!(
        status, 404,
        "production serves no public /metrics by default"
    );
    app.stop().await;

    let mut env = PRODUCTION_ENV.to_vec();
    env.push(("REKINDLE_METRICS_TOKEN", "a-metrics-token"));
    let app = TestApp::spawn_with(&env).await;
    let (status, _, _) = app.get("/metrics").await;
    assert_eq!(status, 401);
    let (status, _, _) = app
        .get_with("/metrics", &[("authorization", "Bearer wrong")])
        .await;
    assert_eq!(status, 401);
    let (status, _, text) = app
        .get_with("/metrics", &[("authorization", "Bearer a-metrics-token")])
        .await;
    assert_eq!(status, 200);
    assert!(text.contains("rekindle_http_requests_total"));
    app.stop().await;

    let mut env = PRODUCTION_ENV.to_vec();
    env.push(("REKINDLE_METRICS_BIND", "127.0.0.1:0"));
    let stores = Stores::fresh().await;
    let settings = rekindle_tests::settings_from(
        &stores
            .env()
            .into_iter()
            .chain(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
            .collect(),
    );
    let built = api::Application::build(settings).await.unwrap();
    let port = built.metrics_port().expect("a private metrics port");
    let main_port = built.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(built.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = awc::Client::default();
    let res = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = client
        .get(format!("http://127.0.0.1:{main_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let _ = stop.send(());
    running.await.unwrap().unwrap();
}

#[actix_web::test]
async fn production_publishes_no_schema_and_takes_no_batches_unless_configured() {
    let app = TestApp::spawn_with(&PRODUCTION_ENV).await;
    let (status, _, _) = app.get("/schema.graphql").await;
    assert_eq!(status, 404);
    for path in ["/admin", "/admin/app.js"] {
        let (status, _, _) = app.get(path).await;
        assert_eq!(
            status, 404,
            "the operators' page is off in production: {path}"
        );
    }
    let one = json!({ "query": "{ __typename }" });
    let (status, body) = app.post_json("/graphql", &json!([one, one])).await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    app.stop().await;

    let mut env = PRODUCTION_ENV.to_vec();
    env.extend([
        ("REKINDLE_GRAPHQL_INTROSPECTION", "true"),
        ("REKINDLE_GRAPHQL_MAX_BATCH", "2"),
        ("REKINDLE_ADMIN_PAGE", "true"),
    ]);
    let app = TestApp::spawn_with(&env).await;
    let (status, _, page) = app.get("/admin").await;
    assert_eq!(status, 200, "configured on, it is served");
    assert!(page.contains("Rekindle operations"));
    let (status, _, sdl) = app.get("/schema.graphql").await;
    assert_eq!(status, 200);
    assert!(sdl.contains("type Query"));
    let (status, body) = app.post_json("/graphql", &json!([one, one])).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}
