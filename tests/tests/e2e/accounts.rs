//! Registering, signing in, the caller's profile and password.

use rekindle_tests::{TestApp, email, error_codes};
use serde_json::{Value, json};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id email displayName timezone role } } }";
const ME: &str =
    "{ me { id email displayName timezone role quietHours { start end } couple { id } } }";

fn register_input(email: &str, password: &str, timezone: &str) -> Value {
    json!({ "input": { "email": email, "password": password, "displayName": "Ana", "timezone": timezone } })
}

#[actix_web::test]
async fn a_new_member_registers_signs_in_and_reads_their_profile() {
    let app = TestApp::spawn().await;
    let address = email("Ana");
    let body = app
        .graphql(
            REGISTER,
            register_input(
                &address.to_uppercase(),
                "correct horse battery",
                "America/New_York",
            ),
        )
        .await;
    let user = &body["data"]["register"]["user"];
    assert_eq!(
        user["email"],
        address.to_lowercase(),
        "emails are stored lower-cased"
    );
    assert_eq!(user["role"], "MEMBER");
    assert_eq!(user["timezone"], "America/New_York");

    let ana = app.login(&address, "correct horse battery").await;
    let me = app.graphql_as(ana.token(), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["id"], ana.id.as_str());
    assert_eq!(me["data"]["me"]["quietHours"], Value::Null);
    assert_eq!(me["data"]["me"]["couple"], Value::Null);
    app.stop().await;
}

#[actix_web::test]
async fn a_duplicate_email_in_any_case_is_a_conflict() {
    let app = TestApp::spawn().await;
    let address = email("dup");
    app.register(&address, "First").await;
    let body = app
        .graphql(
            REGISTER,
            register_input(&address.to_uppercase(), "another good passphrase", "UTC"),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"], "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn weak_passwords_bad_emails_and_unknown_timezones_are_bad_input() {
    let app = TestApp::spawn().await;
    for (address, password, tz) in [
        (email("short"), "short".to_owned(), "UTC"),
        (email("common"), "Password123".to_owned(), "UTC"),
        (
            "not-an-email".to_owned(),
            "correct horse battery".to_owned(),
            "UTC",
        ),
        (
            email("tz"),
            "correct horse battery".to_owned(),
            "Mars/Olympus_Mons",
        ),
    ] {
        let body = app
            .graphql(REGISTER, register_input(&address, &password, tz))
            .await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{address} {tz}: {body}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_wrong_password_or_unknown_email_is_unauthenticated_alike() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let login = "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }";
    let wrong = app
        .graphql(login, json!({ "e": ana.email, "p": "wrong password!!" }))
        .await;
    let unknown = app
        .graphql(
            login,
            json!({ "e": email("nobody"), "p": "wrong password!!" }),
        )
        .await;
    assert_eq!(error_codes(&wrong), vec!["UNAUTHENTICATED"]);
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_profile_updates_and_quiet_hours_can_be_cleared() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let update = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { displayName timezone quietHours { start end } } } }";
    let body = app
        .graphql_as(
            ana.token(),
            update,
            json!({ "input": { "displayName": " Ana B ", "timezone": "Asia/Kolkata", "quietHours": { "start": "22:00", "end": "07:00" } } }),
        )
        .await;
    let user = &body["data"]["updateProfile"]["user"];
    assert_eq!(user["displayName"], "Ana B");
    assert_eq!(user["timezone"], "Asia/Kolkata");
    assert_eq!(
        user["quietHours"],
        json!({ "start": "22:00", "end": "07:00" })
    );

    let body = app
        .graphql_as(
            ana.token(),
            update,
            json!({ "input": { "displayName": "Ana" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateProfile"]["user"]["quietHours"],
        json!({ "start": "22:00", "end": "07:00" }),
        "omitted fields stay"
    );
    let body = app
        .graphql_as(
            ana.token(),
            update,
            json!({ "input": { "quietHours": null } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateProfile"]["user"]["quietHours"],
        Value::Null
    );

    for bad in [
        json!({ "timezone": "Nowhere/Special" }),
        json!({ "quietHours": { "start": "25:00", "end": "07:00" } }),
        json!({ "quietHours": { "start": "07:00", "end": "07:00" } }),
        json!({ "displayName": "   " }),
    ] {
        let body = app
            .graphql_as(ana.token(), update, json!({ "input": bad }))
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    }
    app.stop().await;
}
