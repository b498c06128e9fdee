//! Email through a real SMTP sink the test starts: a password reset and an email verification,
//! each by a single-use, expiring link whose token is stored only as a digest.

use entities::sea_orm::EntityTrait;
use rekindle_tests::smtp::SmtpSink;
use rekindle_tests::{TestApp, email, error_codes, eventually};
use serde_json::json;
use std::time::Duration;

const REQUEST_RESET: &str =
    "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }";
const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) { endedSessions } }";
const REQUEST_VERIFY: &str = "mutation { requestEmailVerification { sent } }";
const VERIFY: &str = "mutation($t: String!) { verifyEmail(input: { token: $t }) { verified } }";

async fn app_with_sink() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_SMTP_URL", url.as_str()),
        ("REKINDLE_PUBLIC_URL", "https://app.example.com"),
        // The worker sends the mail, in this process whatever the backends.
        ("REKINDLE_EMBEDDED_WORKER", "true"),
    ])
    .await;
    (app, sink)
}

#[actix_web::test]
async fn a_password_reset_link_works_once_and_ends_every_session() {
    let (app, sink) = app_with_sink().await;
    let ana = app.register(&email("ana"), "Ana").await;

    // The same answer for an unknown address, and no email for it.
    for address in [ana.email.as_str(), "nobody-here@example.com"] {
        let body = app
            .graphql(REQUEST_RESET, json!({ "e": address.to_uppercase() }))
            .await;
        assert_eq!(
            body["data"]["requestPasswordReset"]["accepted"], true,
            "{body}"
        );
    }
    let mail = eventually("the reset email", Duration::from_secs(10), || async {
        sink.to(&ana.email).into_iter().next()
    })
    .await;
    assert!(sink.to("nobody-here@example.com").is_empty());
    assert_eq!(sink.mails().len(), 1);
    assert!(
        mail.data
            .contains("https://app.example.com/reset-password?token="),
        "{}",
        mail.data
    );
    let token = mail.token().unwrap();
    assert!(token.len() >= 40, "{token}");

    // Only a digest is stored.
    let stored = entities::email_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, token);

    // A wrong token or a weak password changes nothing.
    let wrong = app
        .graphql(
            RESET,
            json!({ "t": "not-the-token", "p": "a brand new password" }),
        )
        .await;
    assert_eq!(error_codes(&wrong), vec!["BAD_USER_INPUT"]);
    let weak = app
        .graphql(RESET, json!({ "t": token, "p": "short" }))
        .await;
    assert_eq!(error_codes(&weak), vec!["BAD_USER_INPUT"]);

    let reset = app
        .graphql(RESET, json!({ "t": token, "p": "a brand new password" }))
        .await;
    assert!(error_codes(&reset).is_empty(), "{reset}");
    assert_eq!(reset["data"]["resetPassword"]["endedSessions"], 1);
    // The old session is over; the old password no longer works; the new one does.
    let me = app
        .graphql_as(ana.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&me), vec!["UNAUTHENTICATED"]);
    let old = app
        .graphql(
            "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }",
            json!({ "e": ana.email, "p": ana.password }),
        )
        .await;
    assert_eq!(error_codes(&old), vec!["UNAUTHENTICATED"], "{old}");
    let again = app.login(&ana.email, "a brand new password").await;
    // Resetting by email proved the address.
    let verified = app
        .graphql_as(again.token(), "{ me { emailVerifiedAt } }", json!({}))
        .await;
    assert!(
        !verified["data"]["me"]["emailVerifiedAt"].is_null(),
        "{verified}"
    );

    // The link works once.
    let twice = app
        .graphql(RESET, json!({ "t": token, "p": "yet another password" }))
        .await;
    assert_eq!(error_codes(&twice), vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

#[actix_web::test]
async fn a_reset_link_expires_after_an_hour() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let stores = rekindle_tests::Stores::fresh().await;
    let clock = std::sync::Arc::new(domain::clock::ManualClock::new(
        rekindle_tests::wednesday_noon(),
    ));
    let app = TestApp::spawn_on(
        &stores,
        rekindle_tests::Options {
            env: vec![
                ("REKINDLE_SMTP_URL".into(), url),
                ("REKINDLE_EMBEDDED_WORKER".into(), "true".into()),
            ],
            clock: Some(clock.clone()),
        },
    )
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    app.graphql(REQUEST_RESET, json!({ "e": ana.email })).await;
    let token = eventually("the reset email", Duration::from_secs(10), || async {
        sink.to(&ana.email).into_iter().next()
    })
    .await
    .token()
    .unwrap();
    clock.advance(chrono::Duration::minutes(61));
    let late = app
        .graphql(RESET, json!({ "t": token, "p": "a brand new password" }))
        .await;
    assert_eq!(error_codes(&late), vec!["BAD_USER_INPUT"], "{late}");
    app.stop().await;
}

#[actix_web::test]
async fn a_member_proves_their_email_by_the_link_sent_to_it() {
    let (app, sink) = app_with_sink().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let before = app
        .graphql_as(ana.token(), "{ me { emailVerifiedAt } }", json!({}))
        .await;
    assert!(before["data"]["me"]["emailVerifiedAt"].is_null());
    let asked = app.graphql_as(ana.token(), REQUEST_VERIFY, json!({})).await;
    assert_eq!(
        asked["data"]["requestEmailVerification"]["sent"], true,
        "{asked}"
    );
    let mail = eventually(
        "the verification email",
        Duration::from_secs(10),
        || async { sink.to(&ana.email).into_iter().next() },
    )
    .await;
    assert!(
        mail.data
            .contains("https://app.example.com/verify-email?token=")
    );
    let token = mail.token().unwrap();

    // Anyone holding the link verifies it, once; nobody needs to be signed in.
    let verified = app.graphql(VERIFY, json!({ "t": token })).await;
    assert_eq!(
        verified["data"]["verifyEmail"]["verified"], true,
        "{verified}"
    );
    let twice = app.graphql(VERIFY, json!({ "t": token })).await;
    assert_eq!(error_codes(&twice), vec!["BAD_USER_INPUT"]);
    let ana = app.login(&ana.email, &ana.password).await;
    let after = app
        .graphql_as(ana.token(), "{ me { emailVerifiedAt } }", json!({}))
        .await;
    assert!(!after["data"]["me"]["emailVerifiedAt"].is_null(), "{after}");
    // Verified already: no more links.
    let again = app.graphql_as(ana.token(), REQUEST_VERIFY, json!({})).await;
    assert_eq!(again["data"]["requestEmailVerification"]["sent"], false);
    // Asking needs a signed-in member.
    let anon = app.graphql(REQUEST_VERIFY, json!({})).await;
    assert_eq!(error_codes(&anon), vec!["UNAUTHENTICATED"]);
    app.stop().await;
}

#[actix_web::test]
async fn setting_a_password_ends_every_other_reset_link() {
    let (app, sink) = app_with_sink().await;
    let ana = app.register(&email("ana"), "Ana").await;
    for _ in 0..3 {
        app.graphql(REQUEST_RESET, json!({ "e": ana.email })).await;
    }
    let tokens = eventually("three reset emails", Duration::from_secs(10), || async {
        let mails = sink.to(&ana.email);
        (mails.len() == 3).then(|| mails.iter().map(|m| m.token().unwrap()).collect::<Vec<_>>())
    })
    .await;
    let reset = app
        .graphql(
            RESET,
            json!({ "t": tokens[0], "p": "a brand new password" }),
        )
        .await;
    assert!(error_codes(&reset).is_empty(), "{reset}");
    let other = app
        .graphql(
            RESET,
            json!({ "t": tokens[1], "p": "an attacker's password" }),
        )
        .await;
    assert_eq!(error_codes(&other), vec!["BAD_USER_INPUT"], "{other}");

    // A password changed while signed in ends outstanding links too.
    let signed_in = app.login(&ana.email, "a brand new password").await;
    app.graphql(REQUEST_RESET, json!({ "e": ana.email })).await;
    let late = eventually("a fourth reset email", Duration::from_secs(10), || async {
        sink.to(&ana.email).get(3).map(|m| m.token().unwrap())
    })
    .await;
    let changed = app
        .graphql_as(
            signed_in.token(),
            "mutation { changePassword(input: { currentPassword: \"a brand new password\", newPassword: \"the newest password\" }) { revokedSessions } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&changed).is_empty(), "{changed}");
    let after = app
        .graphql(RESET, json!({ "t": late, "p": "an attacker's password" }))
        .await;
    assert_eq!(error_codes(&after), vec!["BAD_USER_INPUT"], "{after}");
    app.stop().await;
}

#[actix_web::test]
async fn a_reset_request_takes_as_long_for_an_unknown_email_as_for_a_known_one() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_SMTP_URL", url.as_str()),
        ("REKINDLE_RATE_LIMIT_PER_IP", "1000"),
        ("REKINDLE_RATE_LIMIT_PER_ACCOUNT", "1000"),
        ("REKINDLE_EMBEDDED_WORKER", "true"),
    ])
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    let missing = email("nobody");
    let timed = |address: String| {
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let body = app.graphql(REQUEST_RESET, json!({ "e": address })).await;
            assert_eq!(
                body["data"]["requestPasswordReset"]["accepted"], true,
                "{body}"
            );
            started.elapsed()
        }
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        known.push(timed(ana.email.clone()).await);
        unknown.push(timed(missing.clone()).await);
    }
    let median = |mut all: Vec<Duration>| {
        all.sort();
        all[all.len() / 2]
    };
    let (known, unknown) = (median(known), median(unknown));
    let apart = known.abs_diff(unknown);
    assert!(
        apart < Duration::from_millis(20),
        "medians {known:?} (known) and {unknown:?} (unknown) are {apart:?} apart"
    );
    // The mail still goes, through the worker, to the known address only.
    eventually("the reset emails", Duration::from_secs(30), || async {
        (sink.to(&ana.email).len() == 15).then_some(())
    })
    .await;
    assert!(sink.to(&missing).is_empty());
    app.stop().await;
}
