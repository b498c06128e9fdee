//! Stopping: readiness fails first while load balancers drain the instance, a request in flight
//! is answered, and new connections are refused once the listener closes.

use std::time::{Duration, Instant};

use rekindle_tests::{Options, Stores, TestApp, email};
use serde_json::json;

#[actix_web::test]
async fn a_request_in_flight_at_sigterm_is_answered_after_readiness_turned_503() {
    let stores = Stores::fresh().await;
    let mut app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![
                ("REKINDLE_SHUTDOWN_DRAIN_SECS".into(), "1".into()),
                // A slow password hash makes sign-in the slow request held across the signal.
                ("REKINDLE_ARGON2_MEMORY_KIB".into(), "65536".into()),
                ("REKINDLE_ARGON2_ITERATIONS".into(), "12".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    let address = app.address.clone();
    let slow = actix_web::rt::spawn({
        let (email, password) = (ana.email.clone(), ana.password.clone());
        async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let mut res = client
                .post(format!("{address}/graphql"))
                .insert_header(("content-type", "application/json"))
                .send_body(
                    json!({
                        "query": "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }",
                        "variables": { "e": email, "p": password }
                    })
                    .to_string(),
                )
                .await
                .expect("the slow request is answered");
            let body: serde_json::Value = res.json().await.unwrap();
            (res.status().as_u16(), body)
        }
    });
    // Let the slow request reach the server before the signal.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !slow.is_finished(),
        "the request is still in flight when the signal comes"
    );
    app.begin_stop();
    let started = Instant::now();
    let mut saw_draining = false;
    while started.elapsed() < Duration::from_secs(1) {
        let client = awc::Client::default();
        match client.get(format!("{}/readyz", app.address)).send().await {
            Ok(res) if res.status().as_u16() == 503 => {
                saw_draining = true;
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert!(saw_draining, "readiness answers 503 while draining");
    let (status, body) = slow.await.unwrap();
    assert_eq!(status, 200);
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
    let address = app.address.clone();
    app.stop().await;
    let refused = awc::Client::default()
        .get(format!("{address}/healthz"))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "new connections are refused after the stop"
    );
}
