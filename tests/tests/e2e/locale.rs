//! A member's locale: their notifications (and so push messages) and emails are worded in
//! it, from the shipped message files; email links follow the configured template.

use std::time::Duration;

use rekindle_tests::builders::{complete, pair, plan_with_item};
use rekindle_tests::smtp::SmtpSink;
use rekindle_tests::{Account, TestApp, email, error_codes, eventually};
use serde_json::{Value, json};

const LATEST: &str =
    "{ notifications(first: 1) { totalCount edges { node { kind title body } } } }";

/// The member's newest notification, once they have `n`.
async fn newest(app: &TestApp, who: &Account, n: u64) -> Value {
    eventually("the notification", Duration::from_secs(60), || async {
        let body = app.graphql_as(who.token(), LATEST, json!({})).await;
        let page = &body["data"]["notifications"];
        (page["totalCount"] == n).then(|| page["edges"][0]["node"].clone())
    })
    .await
}

#[actix_web::test]
async fn notifications_and_emails_are_worded_in_each_members_locale() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(&[
        ("REKINDLE_SMTP_URL", url.as_str()),
        ("REKINDLE_EMBEDDED_WORKER", "true"),
        // An app that opens its own screens: links are deep links.
        (
            "REKINDLE_EMAIL_LINK_TEMPLATE",
            "rekindle://{page}?token={token}",
        ),
    ])
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let changed = app
        .graphql_as(
            ben.token(),
            "mutation { updateProfile(input: { locale: \"es-mx\" }) { user { locale } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        changed["data"]["updateProfile"]["user"]["locale"], "es-MX",
        "{changed}"
    );
    let me = app
        .graphql_as(ana.token(), "{ me { locale } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["locale"], "en", "{me}");
    pair(&app, &ana, &ben).await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;

    // Ana logs the ritual: Ben (es-MX, read from the Spanish file) is told in Spanish.
    let logged = complete(&app, &ana, &item, json!({})).await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    let told = newest(&app, &ben, 1).await;
    assert_eq!(told["kind"], "PARTNER_COMPLETED");
    assert_eq!(told["title"], "Ana hizo Six-second kiss", "{told}");
    assert_eq!(told["body"], "Tu pareja registró un ritual que comparten.");

    // Ben answers today's check-in: Ana is told in English.
    let answered = app
        .graphql_as(
            ben.token(),
            "mutation { answerCheckIn(input: { answer: \"Me sentí escuchado.\" }) { checkIn { date } } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&answered).is_empty(), "{answered}");
    let told = newest(&app, &ana, 1).await;
    assert_eq!(told["title"], "Ben answered today's check-in", "{told}");

    // Ben's password reset email is in Spanish, its link a deep link.
    let asked = app
        .graphql(
            "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }",
            json!({ "e": ben.email }),
        )
        .await;
    assert!(error_codes(&asked).is_empty(), "{asked}");
    let mail = eventually("the reset email", Duration::from_secs(30), || async {
        sink.to(&ben.email).into_iter().next()
    })
    .await;
    let text = mail.unfolded();
    assert!(text.contains("Alguien pidi"), "{text}");
    assert!(text.contains("rekindle://reset-password?token="), "{text}");
    assert!(mail.token().is_some_and(|t| t.len() >= 40), "{text}");
    app.stop().await;
}

#[actix_web::test]
async fn a_member_registers_with_a_locale_and_a_bad_one_is_refused() {
    let app = TestApp::spawn().await;
    let register = "mutation($e: String!, $l: String) { register(input: { email: $e, password: \"a long passphrase\", displayName: \"Dee\", timezone: \"Europe/Madrid\", locale: $l }) { user { locale } } }";
    let made = app
        .graphql(register, json!({ "e": email("dee"), "l": "pt-BR" }))
        .await;
    assert_eq!(
        made["data"]["register"]["user"]["locale"], "pt-BR",
        "{made}"
    );
    let refused = app
        .graphql(register, json!({ "e": email("eve"), "l": "not a tag" }))
        .await;
    assert_eq!(
        rekindle_tests::input_errors(&refused),
        [("input.locale".to_owned(), "BAD_FORMAT".to_owned())],
        "{refused}"
    );
    app.stop().await;
}
