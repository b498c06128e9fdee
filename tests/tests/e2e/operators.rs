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

/// The lines a tick writes when it did something; with nothing done it says nothing at info.
const TICK_LINES: [&str; 3] = [
    "planned reminders",
    "queued webhook attempts",
    "pruned what offline clients no longer need",
];

#[actix_web::test]
async fn ticks_that_find_nothing_to_do_say_nothing_at_info() {
    use domain::jobs::{Job, PlanReminders, PruneSyncData, RetryWebhooks};
    logs::start();
    let app = TestApp::spawn_with(&[("REKINDLE_EMBEDDED_WORKER", "true")]).await;
    let now = app.now();
    app.queue
        .push(PlanReminders {
            at: now,
            after: None,
        })
        .await
        .unwrap();
    app.queue.push(RetryWebhooks { at: now }).await.unwrap();
    app.queue.push(PruneSyncData { at: now }).await.unwrap();
    rekindle_tests::eventually(
        "the three ticks ran",
        std::time::Duration::from_secs(30),
        || async {
            let totals = app.metrics.job_totals();
            [
                PlanReminders::QUEUE,
                RetryWebhooks::QUEUE,
                PruneSyncData::QUEUE,
            ]
            .iter()
            .all(|queue| totals.get(*queue).is_some_and(|(done, _)| *done >= 1))
            .then_some(())
        },
    )
    .await;
    app.stop().await;
    // No test in this process writes a tick's line for nothing: every one found counted some.
    let captured = logs::captured();
    assert!(captured.contains("\"level\""), "the capture works");
    for line in captured.lines() {
        let Ok(line) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let fields = &line["fields"];
        let message = fields["message"].as_str().unwrap_or_default();
        if line["level"] == "INFO" && TICK_LINES.contains(&message) {
            let counts: Vec<u64> = fields
                .as_object()
                .unwrap()
                .values()
                .filter_map(Value::as_u64)
                .collect();
            assert!(counts.iter().any(|n| *n > 0), "an idle tick spoke: {line}");
        }
    }
}
