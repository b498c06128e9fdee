//! No password, token, refresh token or hash ever reaches the logs.

use entities::user;
use rekindle_tests::{Account, TestApp, email, logs};
use serde_json::json;

#[actix_web::test]
async fn logs_of_register_login_refresh_and_password_change_hold_no_secrets() {
    logs::start();
    let app = TestApp::spawn().await;
    let address = email("secretive");
    let ana = app.register(&address, "Ana").await;
    let session = app.login(&ana.email, &ana.password).await;
    let body = app
        .graphql(
            "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken accessTokenExpiresAt user { id email } } }",
            json!({ "t": session.refresh_token }),
        )
        .await;
    let refreshed =
        Account::from_tokens(&body["data"]["refreshSession"], &ana.email, &ana.password).unwrap();
    // A refused login and a reused refresh token log too; they must not echo what was sent.
    app.graphql(
        "mutation($e: String!) { login(input: { email: $e, password: \"wrong but secret pw\" }) { accessToken } }",
        json!({ "e": ana.email }),
    )
    .await;
    app.graphql(
        "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken } }",
        json!({ "t": session.refresh_token }),
    )
    .await;
    let new_password = "an entirely new passphrase";
    let changer = app.login(&ana.email, &ana.password).await;
    app.graphql_as(
        changer.token(),
        "mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) { revokedSessions } }",
        json!({ "c": ana.password, "n": new_password }),
    )
    .await;
    let stored = user::find_by_email(&app.db, &address.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    app.stop().await;

    let captured = logs::captured();
    assert!(captured.contains("account registered"), "the capture works");
    let secrets = [
        ana.password.as_str(),
        new_password,
        "wrong but secret pw",
        ana.access_token.as_str(),
        ana.refresh_token.as_str(),
        session.access_token.as_str(),
        session.refresh_token.as_str(),
        refreshed.access_token.as_str(),
        refreshed.refresh_token.as_str(),
        changer.access_token.as_str(),
        stored.password_hash.as_str(),
    ];
    for secret in secrets {
        assert!(!captured.contains(secret), "a secret reached the logs");
    }
    // Tokens' signatures alone must not leak either.
    for token in [&ana.access_token, &refreshed.access_token] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(
            !captured.contains(signature),
            "a token signature reached the logs"
        );
    }
}

#[actix_web::test]
async fn a_get_requests_variables_never_reach_a_log_line() {
    logs::start();
    let app = TestApp::spawn_with(&[("REKINDLE_ACCESS_LOG", "true")]).await;
    let marker = format!("private-{}", uuid::Uuid::new_v4().simple());
    let variables = format!("%7B%22k%22%3A%22{marker}%22%7D");
    let (status, _, _) = app
        .get_with(
            &format!(
                "/graphql?query=query(%24k%3A%20String!)%20%7B%20ritual(key%3A%20%24k)%20%7B%20key%20%7D%20%7D&variables={variables}"
            ),
            &[("apollo-require-preflight", "true")],
        )
        .await;
    assert_eq!(status, 200);
    // The request's span, written with its access log line: the parameters' names only.
    let captured = rekindle_tests::eventually(
        "the request's span in the log",
        std::time::Duration::from_secs(10),
        || async {
            let captured = logs::captured();
            let written =
                captured.contains("/graphql?query&variables") || captured.contains(&marker);
            written.then_some(captured)
        },
    )
    .await;
    assert!(!captured.contains(&marker), "a variable was logged");
    app.stop().await;
}

#[actix_web::test]
async fn an_export_links_token_never_reaches_a_log_line() {
    logs::start();
    let app = TestApp::spawn().await;
    let token = format!("exp_{}", uuid::Uuid::new_v4().simple());
    let (status, _, _) = app.get(&format!("/exports/{token}")).await;
    assert_eq!(status, 404);
    // Something logged inside that request's span, so its fields were written.
    let captured = rekindle_tests::eventually(
        "the request's span in the log",
        std::time::Duration::from_secs(10),
        || async {
            let captured = logs::captured();
            captured.contains("/exports/{token}").then_some(captured)
        },
    )
    .await;
    assert!(!captured.contains(&token), "the token was logged");
    app.stop().await;
}
