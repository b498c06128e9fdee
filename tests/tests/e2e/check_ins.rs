//! Daily check-ins, answer-then-reveal (DESIGN.md's privacy rule 2): a partner's answer stays
//! hidden, not even its length or time showing, until both answered.

use chrono::Duration;
use rekindle_tests::builders::pair;
use rekindle_tests::{Account, TestApp, email, error_codes, wednesday_noon};
use serde_json::{Value, json};

const CHECK_IN: &str = "query($d: NaiveDate) { checkIn(date: $d) { date prompt { key text } myAnswer { text answeredAt updatedAt } partnerAnswered revealed partnerAnswer { text answeredAt updatedAt } } }";
const ANSWER: &str = "mutation($d: NaiveDate, $a: String!) { answerCheckIn(input: { date: $d, answer: $a }) { checkIn { date revealed myAnswer { text } partnerAnswer { text } } } }";

async fn check_in(app: &TestApp, who: &Account, date: Option<&str>) -> Value {
    let body = app
        .graphql_as(who.token(), CHECK_IN, json!({ "d": date }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["checkIn"].clone()
}

async fn answer(app: &TestApp, who: &Account, date: Option<&str>, text: &str) -> Value {
    app.graphql_as(who.token(), ANSWER, json!({ "d": date, "a": text }))
        .await
}

async fn couple_at_wednesday_noon() -> (TestApp, Account, Account) {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(&app, &ana, &ben).await;
    (app, ana, ben)
}

#[actix_web::test]
async fn the_partners_answer_stays_hidden_until_both_answered_then_both_see_both() {
    let (app, ana, ben) = couple_at_wednesday_noon().await;
    let cat = app.register(&email("cat"), "Cat").await;
    let dan = app.register(&email("dan"), "Dan").await;
    pair(&app, &cat, &dan).await;

    let secret = "The meeting with my manager went badly and I kept it to myself";
    let given = answer(&app, &ana, None, secret).await;
    assert!(error_codes(&given).is_empty(), "{given}");
    let for_ana = check_in(&app, &ana, None).await;
    assert_eq!(for_ana["date"], "2026-03-25");
    assert_eq!(for_ana["myAnswer"]["text"], secret);
    assert_eq!(
        (
            for_ana["partnerAnswered"].clone(),
            for_ana["revealed"].clone()
        ),
        (json!(false), json!(false))
    );

    let for_ben = check_in(&app, &ben, None).await;
    assert_eq!(
        for_ben["prompt"], for_ana["prompt"],
        "the same prompt for both"
    );
    assert_eq!(for_ben["partnerAnswered"], true);
    assert!(
        for_ben["partnerAnswer"].is_null() && for_ben["myAnswer"].is_null(),
        "{for_ben}"
    );
    let raw = for_ben.to_string();
    assert!(
        !raw.contains("manager"),
        "nothing of Ana's answer reaches Ben: {raw}"
    );
    assert!(
        !raw.contains(for_ana["myAnswer"]["answeredAt"].as_str().unwrap()),
        "not even its time"
    );
    let elsewhere = check_in(&app, &cat, None).await;
    assert_eq!(
        elsewhere["partnerAnswered"], false,
        "another couple's check-in is their own"
    );

    let both = answer(&app, &ben, None, "Glad you told me tonight").await;
    let payload = &both["data"]["answerCheckIn"]["checkIn"];
    assert_eq!(payload["revealed"], true, "{both}");
    assert_eq!(payload["partnerAnswer"]["text"], secret);
    let for_ana = check_in(&app, &ana, None).await;
    assert_eq!(for_ana["partnerAnswer"]["text"], "Glad you told me tonight");

    // Revealed answers are fixed.
    let changed = answer(&app, &ana, None, "Something else").await;
    assert_eq!(error_codes(&changed), vec!["CONFLICT"], "{changed}");
}

#[actix_web::test]
async fn an_answer_can_change_until_the_reveal_and_keeps_its_first_time() {
    let (app, ana, _) = couple_at_wednesday_noon().await;
    answer(&app, &ana, None, "First thought").await;
    app.advance(Duration::minutes(5));
    answer(&app, &ana, None, "Second thought").await;
    let mine = check_in(&app, &ana, None).await["myAnswer"].clone();
    assert_eq!(mine["text"], "Second thought");
    assert_ne!(mine["answeredAt"], mine["updatedAt"]);
}

#[actix_web::test]
async fn answers_are_taken_until_the_end_of_the_next_local_day() {
    let (app, ana, _) = couple_at_wednesday_noon().await;
    let yesterday = answer(&app, &ana, Some("2026-03-24"), "Late, but here").await;
    assert!(error_codes(&yesterday).is_empty(), "{yesterday}");
    for (date, code) in [
        ("2026-03-23", "BAD_USER_INPUT"),
        ("2026-03-26", "BAD_USER_INPUT"),
    ] {
        let body = answer(&app, &ana, Some(date), "Too late or too early").await;
        assert_eq!(error_codes(&body), vec![code], "{date}: {body}");
    }
    let future = app
        .graphql_as(ana.token(), CHECK_IN, json!({ "d": "2026-03-26" }))
        .await;
    assert_eq!(error_codes(&future), vec!["BAD_USER_INPUT"]);
    // A day later, Wednesday's is yesterday's: still open. Tuesday's has closed.
    app.advance(Duration::days(1));
    let ana = app.login(&ana.email, &ana.password).await;
    let body = answer(
        &app,
        &ana,
        Some("2026-03-25"),
        "Wednesday, answered on Thursday",
    )
    .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let body = answer(&app, &ana, Some("2026-03-24"), "Tuesday again").await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    let tuesday = check_in(&app, &ana, Some("2026-03-24")).await;
    assert_eq!(
        tuesday["myAnswer"]["text"], "Late, but here",
        "a past day stays readable"
    );
    assert_ne!(
        tuesday["prompt"]["key"],
        check_in(&app, &ana, None).await["prompt"]["key"]
    );
}

#[actix_web::test]
async fn check_ins_belong_to_a_couple_and_take_real_answers() {
    let (app, ana, _) = couple_at_wednesday_noon().await;
    for bad in ["", "   ", &"x".repeat(2001)] {
        let body = answer(&app, &ana, None, bad).await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    }
    let single = app.register(&email("solo"), "Solo").await;
    let body = app.graphql_as(single.token(), CHECK_IN, json!({})).await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    let coach = app.create_with_role(&email("coach"), "coach").await;
    let body = app.graphql_as(coach.token(), CHECK_IN, json!({})).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let body = app.graphql(CHECK_IN, json!({})).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
}
