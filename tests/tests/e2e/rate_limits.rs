//! Sign-in, registration and invite redemption are rate limited per account and per address.

use rekindle_tests::{Options, Stores, TestApp, email, error_codes};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }";

/// An app with these limits, counted over a day: no test straddles a window boundary by luck.
async fn app_with(per_account: u32, per_ip: u32) -> TestApp {
    let stores = Stores::fresh().await;
    TestApp::spawn_on(
        &stores,
        Options {
            env: vec![
                (
                    "REKINDLE_RATE_LIMIT_PER_ACCOUNT".into(),
                    per_account.to_string(),
                ),
                ("REKINDLE_RATE_LIMIT_PER_IP".into(), per_ip.to_string()),
                ("REKINDLE_RATE_LIMIT_WINDOW_SECS".into(), "86400".into()),
            ],
            ..Options::default()
        },
    )
    .await
}

fn assert_rate_limited(body: &Value) {
    assert_eq!(error_codes(body), vec!["RATE_LIMITED"], "{body}");
    let retry = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .expect("retryAfter");
    assert!((1..=86_400).contains(&retry), "retryAfter {retry}");
}

#[actix_web::test]
async fn login_attempts_are_limited_per_account() {
    let app = app_with(3, 1000).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let bea = app.register(&email("bea"), "Bea").await;
    for _ in 0..3 {
        let body = app
            .graphql(LOGIN, json!({ "e": ana.email, "p": "not the password" }))
            .await;
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    }
    let body = app
        .graphql(LOGIN, json!({ "e": ana.email, "p": ana.password }))
        .await;
    assert_rate_limited(&body);
    let body = app
        .graphql(
            LOGIN,
            json!({ "e": ana.email.to_uppercase(), "p": ana.password }),
        )
        .await;
    assert_rate_limited(&body);
    let body = app
        .graphql(LOGIN, json!({ "e": bea.email, "p": bea.password }))
        .await;
    assert!(
        error_codes(&body).is_empty(),
        "another account is not affected: {body}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn login_attempts_are_limited_per_client_address() {
    let app = app_with(1000, 4).await;
    for _ in 0..4 {
        let body = app
            .graphql(
                LOGIN,
                json!({ "e": email("nobody"), "p": "whatever it is" }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    }
    let body = app
        .graphql(
            LOGIN,
            json!({ "e": email("nobody"), "p": "whatever it is" }),
        )
        .await;
    assert_rate_limited(&body);
    app.stop().await;
}

#[actix_web::test]
async fn registration_is_limited_per_client_address() {
    let app = app_with(1000, 2).await;
    app.register(&email("one"), "One").await;
    app.register(&email("two"), "Two").await;
    let body = app
        .graphql(
            "mutation($e: String!) { register(input: { email: $e, password: \"a long passphrase\", displayName: \"Three\", timezone: \"UTC\" }) { accessToken } }",
            json!({ "e": email("three") }),
        )
        .await;
    assert_rate_limited(&body);
    app.stop().await;
}

#[actix_web::test]
async fn invite_redemption_is_limited_per_account() {
    let app = app_with(2, 1000).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let join = "mutation($c: String!) { joinCouple(input: { code: $c }) { couple { id } } }";
    for _ in 0..2 {
        let body = app
            .graphql_as(ana.token(), join, json!({ "c": "ACDEFGHJKM" }))
            .await;
        assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
    }
    let body = app
        .graphql_as(ana.token(), join, json!({ "c": "ACDEFGHJKM" }))
        .await;
    assert_rate_limited(&body);
    app.stop().await;
}
