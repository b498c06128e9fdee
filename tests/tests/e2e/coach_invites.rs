//! Coaches join an organization by an emailed link its admins send: for that email only, once,
//! within a week; a newcomer gets a coach account, an existing coach signs in first.

use std::time::Duration;

use rekindle_tests::builders::organization;
use rekindle_tests::smtp::SmtpSink;
use rekindle_tests::{TestApp, email, error_codes, eventually};
use serde_json::json;

const INVITE: &str =
    "mutation($e: String!) { inviteCoach(input: { email: $e }) { email expiresAt } }";
const ACCEPT: &str = "mutation($t: String!, $n: String, $p: String) { acceptCoachInvite(input: { token: $t, displayName: $n, password: $p }) { organizationName email } }";
const MY_ORG: &str = "{ organization { name myRole coaches { displayName role } } }";

async fn invited(app: &TestApp, sink: &SmtpSink, by: &rekindle_tests::Account, to: &str) -> String {
    let sent = app.graphql_as(by.token(), INVITE, json!({ "e": to })).await;
    assert!(error_codes(&sent).is_empty(), "{sent}");
    eventually("the invitation", Duration::from_secs(10), || async {
        sink.to(to).into_iter().last()
    })
    .await
    .token()
    .unwrap()
}

#[actix_web::test]
async fn an_invited_newcomer_becomes_a_coach_of_the_organization_once() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_SMTP_URL", url.as_str()),
        // The worker sends the invitation, in this process whatever the backends.
        ("REKINDLE_EMBEDDED_WORKER", "true"),
    ])
    .await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    let newcomer = email("newcomer");
    let token = invited(&app, &sink, &org_admin, &newcomer).await;
    assert!(sink.to(&newcomer)[0].data.contains("Harbor Coaching"));

    // Without an account yet: a name and a password make one.
    let missing = app.graphql(ACCEPT, json!({ "t": token })).await;
    assert_eq!(error_codes(&missing), vec!["BAD_USER_INPUT"], "{missing}");
    let joined = app
        .graphql(
            ACCEPT,
            json!({ "t": token, "n": "Coach Nia", "p": "a long coach password" }),
        )
        .await;
    assert!(error_codes(&joined).is_empty(), "{joined}");
    assert_eq!(
        joined["data"]["acceptCoachInvite"]["organizationName"],
        "Harbor Coaching"
    );
    let nia = app.login(&newcomer, "a long coach password").await;
    let mine = app.graphql_as(nia.token(), MY_ORG, json!({})).await;
    assert!(error_codes(&mine).is_empty(), "{mine}");
    assert_eq!(mine["data"]["organization"]["myRole"], "COACH");
    let coaches = mine["data"]["organization"]["coaches"].as_array().unwrap();
    assert_eq!(coaches.len(), 2);
    // A coach who is not an admin cannot invite or make keys.
    let by_coach = app
        .graphql_as(nia.token(), INVITE, json!({ "e": email("other") }))
        .await;
    assert_eq!(error_codes(&by_coach), vec!["FORBIDDEN"]);
    // Coaches see the couples their organization was granted.
    let couples = app
        .graphql_as(nia.token(), "{ coachCouples { totalCount } }", json!({}))
        .await;
    assert_eq!(
        couples["data"]["coachCouples"]["totalCount"], 0,
        "{couples}"
    );

    // The link works once.
    let again = app
        .graphql(
            ACCEPT,
            json!({ "t": token, "n": "Coach Nia", "p": "a long coach password" }),
        )
        .await;
    assert_eq!(error_codes(&again), vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

#[actix_web::test]
async fn an_invitation_is_for_its_email_only() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_SMTP_URL", url.as_str()),
        // The worker sends the invitation, in this process whatever the backends.
        ("REKINDLE_EMBEDDED_WORKER", "true"),
    ])
    .await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;

    // An existing coach account must sign in to accept; another account may not take it.
    let coach = app.create_with_role(&email("coach"), "coach").await;
    let token = invited(&app, &sink, &org_admin, &coach.email).await;
    let anonymous = app
        .graphql(
            ACCEPT,
            json!({ "t": token, "n": "Someone", "p": "a long password here" }),
        )
        .await;
    assert_eq!(
        error_codes(&anonymous),
        vec!["UNAUTHENTICATED"],
        "{anonymous}"
    );
    let stranger = app.create_with_role(&email("stranger"), "coach").await;
    let taken = app
        .graphql_as(stranger.token(), ACCEPT, json!({ "t": token }))
        .await;
    assert_eq!(error_codes(&taken), vec!["FORBIDDEN"], "{taken}");
    let accepted = app
        .graphql_as(coach.token(), ACCEPT, json!({ "t": token }))
        .await;
    assert!(error_codes(&accepted).is_empty(), "{accepted}");
    let mine = app.graphql_as(coach.token(), MY_ORG, json!({})).await;
    assert_eq!(mine["data"]["organization"]["myRole"], "COACH", "{mine}");

    // A member's account cannot coach.
    let member = app.register(&email("member"), "Mia").await;
    let token = invited(&app, &sink, &org_admin, &member.email).await;
    let refused = app
        .graphql_as(member.token(), ACCEPT, json!({ "t": token }))
        .await;
    assert_eq!(error_codes(&refused), vec!["BAD_USER_INPUT"], "{refused}");
    app.stop().await;
}
