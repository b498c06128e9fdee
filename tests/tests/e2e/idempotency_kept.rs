//! What a retry finds kept and what runs again: a retry with its variables' keys in another
//! order is the same request; nothing is kept for anonymous callers, refusals, or mutations
//! whose answers carry credentials or set a password, so their retries run again (a replayed
//! refresh token meets reuse detection).

use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

use crate::idempotency::{new_key, replayed, stored_keys};

#[actix_web::test]
async fn a_retry_with_its_variables_in_another_order_is_the_same_request() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let key = new_key();
    let query = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName timezone } } }";
    let auth = format!("Bearer {}", ana.access_token);
    let send = |variables: &'static str| {
        let body = format!(
            "{{\"query\": {}, \"variables\": {variables}}}",
            serde_json::to_string(query).unwrap()
        );
        let app = &app;
        let auth = auth.clone();
        let key = key.clone();
        async move {
            let headers = [
                ("content-type", "application/json"),
                ("idempotency-key", key.as_str()),
                ("authorization", auth.as_str()),
            ];
            let (status, _, body) = app.post_with("/graphql", &headers, &body).await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<Value>(&body).unwrap()
        }
    };
    // What a Swift or Kotlin client rebuilding its queued request might send: the same
    // values, the keys in another order.
    let first = send(r#"{"input": {"displayName": "Sam", "timezone": "Europe/Paris"}}"#).await;
    assert!(error_codes(&first).is_empty(), "{first}");
    let again = send(r#"{"input": {"timezone": "Europe/Paris", "displayName": "Sam"}}"#).await;
    assert!(replayed(&again), "{again}");
    assert_eq!(again["data"], first["data"]);
    app.stop().await;
}

#[actix_web::test]
async fn a_replayed_refresh_runs_again_and_meets_reuse_detection() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let refresh = "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken } }";
    let key = new_key();
    let vars = json!({ "t": ana.refresh_token });
    let first = app.graphql_keyed(None, &key, refresh, vars.clone()).await;
    let rotated = first["data"]["refreshSession"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let again = app.graphql_keyed(None, &key, refresh, vars).await;
    assert!(!replayed(&again), "{again}");
    assert_eq!(error_codes(&again), ["UNAUTHENTICATED"], "{again}");
    let me = app
        .graphql_as(Some(rotated.as_str()), "{ me { id } }", json!({}))
        .await;
    assert_eq!(
        error_codes(&me),
        ["UNAUTHENTICATED"],
        "the reused token ended the session: {me}"
    );
    // Signed in, a password change is never kept either.
    let ben = app.register(&rekindle_tests::email("ben"), "Ben").await;
    let change = "mutation($old: String!) { changePassword(input: { currentPassword: $old, newPassword: \"a-new-long-password-1\" }) { revokedSessions } }";
    app.graphql_keyed(ben.token(), &key, change, json!({ "old": ben.password }))
        .await;
    assert_eq!(stored_keys(&app).await, 0);
    app.stop().await;
}

#[actix_web::test]
async fn anonymous_and_refused_requests_store_nothing() {
    let app = TestApp::spawn().await;
    let rename =
        "mutation($n: String!) { updateProfile(input: { displayName: $n }) { user { id } } }";
    for _ in 0..5 {
        let refused = app
            .graphql_keyed(None, &new_key(), rename, json!({ "n": "Sam" }))
            .await;
        assert_eq!(error_codes(&refused), ["UNAUTHENTICATED"], "{refused}");
    }
    let email = rekindle_tests::email("ana");
    let login = "mutation($e: String!) { login(input: { email: $e, password: \"wrong-password\" }) { accessToken } }";
    app.graphql_keyed(None, &new_key(), login, json!({ "e": email }))
        .await;
    let ana = app.register(&email, "Ana").await;
    let bad = app
        .graphql_keyed(ana.token(), &new_key(), rename, json!({ "n": "\u{202e}" }))
        .await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"], "{bad}");
    assert_eq!(
        stored_keys(&app).await,
        0,
        "nothing refused or anonymous is kept"
    );
    // What did something is kept.
    let fine = app
        .graphql_keyed(ana.token(), &new_key(), rename, json!({ "n": "Sam" }))
        .await;
    assert!(error_codes(&fine).is_empty(), "{fine}");
    assert_eq!(stored_keys(&app).await, 1);
    app.stop().await;
}
