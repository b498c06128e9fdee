//! Operators' comforts on the HTTP side: health probes answer HEAD, and the optional access log
//! writes one line per request with the route's template, never a path's secret or a query.

use rekindle_tests::{TestApp, logs};
use serde_json::Value;

#[actix_web::test]
async fn health_and_readiness_answer_head_as_they_answer_get() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "HEAD {path}");
        let (status, _, _) = app.get(path).await;
        assert_eq!(status, 200, "GET {path}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_access_log_names_routes_never_secrets_or_queries() {
    logs::start();
    let app = TestApp::spawn_with(&[("REKINDLE_ACCESS_LOG", "true")]).await;
    let token = format!("secret-export-token-{}", uuid::Uuid::new_v4().simple());
    let (status, headers, _) = app.get(&format!("/exports/{token}?who=secret-query")).await;
    assert_eq!(status, 404);
    let export_request = headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (graphql_status, headers, _) = app.get("/graphql?query=%7B__typename%7D").await;
    let graphql_request = headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    app.stop().await;

    let captured = logs::captured();
    let access: Vec<Value> = captured
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["target"] == "rekindle::access")
        .collect();
    let line_of = |request: &str| {
        access
            .iter()
            .find(|line| line["fields"]["request_id"] == request)
            .unwrap_or_else(|| panic!("no access line for {request}: {access:?}"))
            .clone()
    };
    let export = line_of(&export_request);
    assert_eq!(export["fields"]["route"], "/exports/{token}");
    assert_eq!(export["fields"]["method"], "GET");
    assert_eq!(export["fields"]["status"], 404);
    assert!(export["fields"]["duration_ms"].as_f64().is_some());
    let graphql = line_of(&graphql_request);
    assert_eq!(graphql["fields"]["route"], "/graphql");
    assert_eq!(graphql["fields"]["status"], graphql_status);
    for line in [&export, &graphql] {
        let fields = line["fields"].to_string();
        assert!(!fields.contains(&token), "{fields}");
        assert!(
            !fields.contains("secret-query") && !fields.contains("__typename"),
            "{fields}"
        );
    }
}
