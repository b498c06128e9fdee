//! Structured breaks: proposed by one, agreed or declined by the other; an agreed break pauses
//! the plan so streaks hold; the check-in choices stay private until both chose.

use chrono::Duration;
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::{Account, TestApp, email, error_codes, wednesday_noon};
use serde_json::{Value, json};

const PROPOSE: &str = "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"Time to think, no new dates\", contactRules: \"A call on Sundays\" }) { coupleBreak { id status proposedByMe until checkInOn terms contactRules } } }";
const AGREE: &str = "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { coupleBreak { status decidedAt } } }";
const DECLINE: &str =
    "mutation($id: ID!) { declineBreak(input: { breakId: $id }) { coupleBreak { status } } }";
const CHOOSE: &str = "mutation($id: ID!, $c: BreakChoice!) { answerBreakCheckIn(input: { breakId: $id, choice: $c }) { coupleBreak { myChoice partnerChose revealed partnerChoice } } }";
const CURRENT: &str = "{ me { couple { currentBreak { id status proposedByMe terms checkInDue myChoice partnerChose revealed partnerChoice } activePlan { pausedUntil items { streak { current } } } } } }";

async fn current(app: &TestApp, who: &Account) -> Value {
    let body = app.graphql_as(who.token(), CURRENT, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["me"]["couple"].clone()
}

async fn propose(app: &TestApp, who: &Account, until: &str, check_in: &str) -> Value {
    app.graphql_as(who.token(), PROPOSE, json!({ "u": until, "c": check_in }))
        .await
}

/// A couple at Wednesday noon (25 March 2026) with a daily ritual since Monday, done Monday
/// and Tuesday; answers the two and the streak it has.
async fn couple_with_a_streak(app: &TestApp, a: &str, b: &str) -> (Account, Account, i64) {
    let first = app.register(&email(a), a).await;
    let second = app.register(&email(b), b).await;
    pair(app, &first, &second).await;
    let plan = create_plan(app, &first).await;
    let item = add_item(
        app,
        &first,
        &plan,
        json!({
            "ritualKey": "six_second_kiss", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London", "startsOn": "2026-03-23" }
        }),
    )
    .await;
    let mut streak = 0;
    for day in ["2026-03-23", "2026-03-24"] {
        let done = app
            .graphql_as(
                first.token(),
                "mutation($id: ID!, $d: NaiveDate!) { completeRitual(input: { planItemId: $id, occurrence: $d, closeness: 4 }) { item { streak { current } } } }",
                json!({ "id": item["id"], "d": day }),
            )
            .await;
        streak = done["data"]["completeRitual"]["item"]["streak"]["current"]
            .as_i64()
            .unwrap_or_else(|| panic!("{done}"));
    }
    assert!(streak >= 2, "two days done: {streak}");
    (first, second, streak)
}

async fn signed_in_again(app: &TestApp, who: &Account) -> Account {
    app.login(&who.email, &who.password).await
}

#[actix_web::test]
async fn an_agreed_break_pauses_the_plan_so_the_streak_holds() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben, streak) = couple_with_a_streak(&app, "ana", "ben").await;
    let (cat, _, _) = couple_with_a_streak(&app, "cat", "dan").await;

    let proposed = propose(&app, &ana, "2026-04-01", "2026-03-31").await;
    let id = proposed["data"]["proposeBreak"]["coupleBreak"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{proposed}"))
        .to_owned();
    let for_ben = current(&app, &ben).await;
    assert_eq!(for_ben["currentBreak"]["status"], "PROPOSED");
    assert_eq!(for_ben["currentBreak"]["proposedByMe"], false);
    assert_eq!(
        for_ben["currentBreak"]["terms"],
        "Time to think, no new dates"
    );
    assert!(
        for_ben["activePlan"]["pausedUntil"].is_null(),
        "not paused before both agree"
    );

    let own = app
        .graphql_as(ana.token(), AGREE, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&own), vec!["FORBIDDEN"], "{own}");
    let elsewhere = app
        .graphql_as(cat.token(), AGREE, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&elsewhere), vec!["NOT_FOUND"]);
    let agreed = app
        .graphql_as(ben.token(), AGREE, json!({ "id": id }))
        .await;
    assert_eq!(
        agreed["data"]["agreeToBreak"]["coupleBreak"]["status"], "ACTIVE",
        "{agreed}"
    );
    let again = app
        .graphql_as(ben.token(), DECLINE, json!({ "id": id }))
        .await;
    assert_eq!(
        error_codes(&again),
        vec!["CONFLICT"],
        "a decided break stays decided"
    );
    let paused = current(&app, &ana).await;
    // The break's last day ends at midnight in London (BST from 29 March).
    assert_eq!(
        paused["activePlan"]["pausedUntil"], "2026-04-01T23:00:00+00:00",
        "{paused}"
    );

    // Eight days later: the paused week cost Ana and Ben nothing; Cat and Dan's lapsed.
    app.advance(Duration::days(8));
    let ana = signed_in_again(&app, &ana).await;
    let cat = signed_in_again(&app, &cat).await;
    let after = current(&app, &ana).await;
    assert_eq!(
        after["activePlan"]["items"][0]["streak"]["current"], streak,
        "{after}"
    );
    assert!(
        after["currentBreak"].is_null(),
        "an ended break is no longer current"
    );
    let control = current(&app, &cat).await;
    assert_eq!(
        control["activePlan"]["items"][0]["streak"]["current"], 0,
        "{control}"
    );
    let node = app
        .graphql_as(
            ana.token(),
            "query($id: ID!) { node(id: $id) { ... on CoupleBreak { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["data"]["node"]["status"], "OVER", "{node}");
    let hidden = app
        .graphql_as(
            cat.token(),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(hidden["data"]["node"].is_null(), "{hidden}");
}

#[actix_web::test]
async fn check_in_choices_stay_private_until_both_chose() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben, _) = couple_with_a_streak(&app, "ana", "ben").await;
    let proposed = propose(&app, &ana, "2026-04-05", "2026-03-31").await;
    let id = proposed["data"]["proposeBreak"]["coupleBreak"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let early = app
        .graphql_as(ana.token(), CHOOSE, json!({ "id": id, "c": "RESUME" }))
        .await;
    assert_eq!(
        error_codes(&early),
        vec!["BAD_USER_INPUT"],
        "not agreed yet: {early}"
    );
    app.graphql_as(ben.token(), AGREE, json!({ "id": id }))
        .await;
    let early = app
        .graphql_as(ana.token(), CHOOSE, json!({ "id": id, "c": "RESUME" }))
        .await;
    assert_eq!(
        error_codes(&early),
        vec!["BAD_USER_INPUT"],
        "before the check-in date: {early}"
    );

    app.advance(Duration::days(6));
    let ana = signed_in_again(&app, &ana).await;
    let ben = signed_in_again(&app, &ben).await;
    assert_eq!(
        current(&app, &ana).await["currentBreak"]["checkInDue"],
        true
    );
    let chose = app
        .graphql_as(ana.token(), CHOOSE, json!({ "id": id, "c": "RESUME" }))
        .await;
    assert_eq!(
        chose["data"]["answerBreakCheckIn"]["coupleBreak"],
        json!({ "myChoice": "RESUME", "partnerChose": false, "revealed": false, "partnerChoice": null })
    );
    let for_ben = current(&app, &ben).await["currentBreak"].clone();
    assert_eq!(for_ben["partnerChose"], true);
    assert!(for_ben["partnerChoice"].is_null(), "{for_ben}");
    assert!(
        !for_ben.to_string().contains("RESUME"),
        "nothing of Ana's choice shows: {for_ben}"
    );
    let both = app
        .graphql_as(
            ben.token(),
            CHOOSE,
            json!({ "id": id, "c": "SEEK_PROFESSIONAL" }),
        )
        .await;
    assert_eq!(
        both["data"]["answerBreakCheckIn"]["coupleBreak"]["partnerChoice"], "RESUME",
        "{both}"
    );
    let for_ana = current(&app, &ana).await["currentBreak"].clone();
    assert_eq!(for_ana["partnerChoice"], "SEEK_PROFESSIONAL");
    assert_eq!(for_ana["revealed"], true);
    let again = app
        .graphql_as(ana.token(), CHOOSE, json!({ "id": id, "c": "EXTEND" }))
        .await;
    assert_eq!(error_codes(&again), vec!["CONFLICT"], "{again}");
}

#[actix_web::test]
async fn one_break_at_a_time_a_declined_one_changes_nothing_and_timelines_are_checked() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben, _) = couple_with_a_streak(&app, "ana", "ben").await;
    for (until, check_in) in [
        ("2026-03-25", "2026-03-25"),
        ("2026-12-01", "2026-04-01"),
        ("2026-04-01", "2026-04-02"),
        ("2026-04-01", "2026-03-24"),
    ] {
        let body = propose(&app, &ana, until, check_in).await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{until} {check_in}: {body}"
        );
    }
    let proposed = propose(&app, &ana, "2026-04-01", "2026-03-31").await;
    let id = proposed["data"]["proposeBreak"]["coupleBreak"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = propose(&app, &ben, "2026-04-02", "2026-03-31").await;
    assert_eq!(error_codes(&second), vec!["CONFLICT"], "{second}");
    let declined = app
        .graphql_as(ben.token(), DECLINE, json!({ "id": id }))
        .await;
    assert_eq!(
        declined["data"]["declineBreak"]["coupleBreak"]["status"], "DECLINED",
        "{declined}"
    );
    let after = current(&app, &ana).await;
    assert!(
        after["currentBreak"].is_null() && after["activePlan"]["pausedUntil"].is_null(),
        "{after}"
    );
    let anew = propose(&app, &ben, "2026-04-02", "2026-03-31").await;
    assert!(error_codes(&anew).is_empty(), "{anew}");

    let solo = app.register(&email("solo"), "Solo").await;
    rekindle_tests::builders::create_couple(&app, &solo).await;
    let alone = propose(&app, &solo, "2026-04-01", "2026-03-31").await;
    assert_eq!(error_codes(&alone), vec!["BAD_USER_INPUT"], "{alone}");
}
