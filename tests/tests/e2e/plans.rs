//! Plans, schedules and completions, end to end (streaks and progress: `progress.rs`).

use chrono::{Duration, NaiveDate};
use rekindle_tests::{TestApp, email, error_codes, wednesday_noon};
use serde_json::{Value, json};

use rekindle_tests::builders::{
    ADD_ITEM, CREATE_PLAN, add_item, complete, couple, pair, plan_with_item,
};

const COMPLETIONS: &str = "query($id: ID!) { node(id: $id) { ... on PlanItem { completions { totalCount edges { node { id occurrence note noteShared isMine member { displayName } } } } } } }";

#[actix_web::test]
async fn a_couple_builds_a_plan_of_three_rituals_and_finds_it_through_me() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let (plan, _) = plan_with_item(&app, &ana, "BOTH").await;
    let weekly = add_item(&app, &ben, &plan, json!({
        "ritualKey": "honesty_hour", "assignee": "EITHER",
        "schedule": { "cadence": "WEEKLY", "daysOfWeek": ["SUNDAY", "WEDNESDAY", "SUNDAY"], "localTime": "19:30", "timezone": "America/New_York" }
    }))
    .await;
    assert_eq!(
        weekly["schedule"]["daysOfWeek"],
        json!(["WEDNESDAY", "SUNDAY"])
    );
    let custom = add_item(&app, &ana, &plan, json!({
        "customRitual": { "title": "Sunday pancakes", "summary": "Cook breakfast together, phones away.", "category": "NOVELTY", "durationMinutes": 45, "steps": ["Shop", "Cook", "Eat"] },
        "assignee": "EITHER",
        "schedule": { "cadence": "MONTHLY", "nthWeekday": { "nth": "FIRST", "weekday": "SUNDAY" }, "localTime": "09:00" }
    }))
    .await;
    let custom_key = custom["ritual"]["key"].as_str().unwrap().to_owned();
    assert!(custom_key.starts_with("custom_"));

    // Next occurrences are RFC 3339 instants at the local time asked for.
    for item in [&weekly] {
        let times: Vec<chrono::DateTime<chrono::FixedOffset>> = item["nextOccurrences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(times.len(), 3);
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        for t in &times {
            let local = t.with_timezone(&chrono_tz::America::New_York);
            assert_eq!(local.format("%H:%M").to_string(), "19:30");
        }
    }

    let body = app
        .graphql_as(ben.token(), "{ me { couple { activePlan { name items { ritual { key } assignee schedule { cadence timezone } } } } } }", json!({}))
        .await;
    let items = body["data"]["me"]["couple"]["activePlan"]["items"]
        .as_array()
        .unwrap()
        .clone();
    let keys: Vec<&str> = items
        .iter()
        .map(|i| i["ritual"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec!["six_second_kiss", "honesty_hour", custom_key.as_str()]
    );
    assert_eq!(
        items[2]["schedule"]["timezone"], "Europe/London",
        "the couple's zone by default"
    );

    // One active plan per couple.
    let body = app.graphql_as(ben.token(), CREATE_PLAN, json!({})).await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"]);
    // The custom ritual is private to the couple.
    let (cat, dan) = (
        app.register(&email("cat"), "Cat").await,
        app.register(&email("dan"), "Dan").await,
    );
    pair(&app, &cat, &dan).await;
    let lookup = "query($k: String!) { ritual(key: $k) { key } rituals(first: 100) { edges { node { key } } } }";
    let theirs = app
        .graphql_as(cat.token(), lookup, json!({ "k": custom_key }))
        .await;
    assert_eq!(theirs["data"]["ritual"], Value::Null);
    assert!(!theirs.to_string().contains(&custom_key));
    let ours = app
        .graphql_as(ana.token(), lookup, json!({ "k": custom_key }))
        .await;
    assert_eq!(ours["data"]["ritual"]["key"], custom_key.as_str());
    app.stop().await;
}

#[actix_web::test]
async fn bad_schedules_are_bad_input() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, _) = couple(&app).await;
    let (plan, _) = plan_with_item(&app, &ana, "BOTH").await;
    for schedule in [
        json!({ "cadence": "WEEKLY", "localTime": "09:00" }),
        json!({ "cadence": "DAILY", "localTime": "9am" }),
        json!({ "cadence": "DAILY", "localTime": "09:00", "timezone": "Atlantis/Capital" }),
        json!({ "cadence": "EVERY_N_WEEKS", "intervalWeeks": 1, "daysOfWeek": ["MONDAY"], "localTime": "09:00" }),
        json!({ "cadence": "MONTHLY", "dayOfMonth": 32, "localTime": "09:00" }),
        json!({ "cadence": "MONTHLY", "localTime": "09:00" }),
    ] {
        let body = app
            .graphql_as(ana.token(), ADD_ITEM, json!({ "input": { "planId": plan, "ritualKey": "six_second_kiss", "assignee": "BOTH", "schedule": schedule } }))
            .await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{schedule}: {body}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_same_completion_twice_even_at_once_makes_one_and_answers_the_same() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, _) = couple(&app).await;
    let (_, item) = plan_with_item(&app, &ana, "BOTH").await;
    let (a, b) = futures_util::join!(
        complete(&app, &ana, &item, json!({ "note": "lovely" })),
        complete(&app, &ana, &item, json!({ "note": "lovely" })),
    );
    assert!(
        error_codes(&a).is_empty() && error_codes(&b).is_empty(),
        "{a} {b}"
    );
    assert_eq!(
        a["data"]["completeRitual"]["completion"],
        b["data"]["completeRitual"]["completion"]
    );
    let again = complete(&app, &ana, &item, json!({ "note": "lovely" })).await;
    assert_eq!(
        again["data"]["completeRitual"]["completion"],
        a["data"]["completeRitual"]["completion"]
    );
    let list = app
        .graphql_as(ana.token(), COMPLETIONS, json!({ "id": item }))
        .await;
    assert_eq!(list["data"]["node"]["completions"]["totalCount"], 1);
    // The same occurrence logged differently is a conflict, not a silent overwrite.
    let different = complete(&app, &ana, &item, json!({ "closeness": 2 })).await;
    assert_eq!(error_codes(&different), vec!["CONFLICT"]);
    app.stop().await;
}

#[actix_web::test]
async fn occurrences_can_be_logged_early_or_up_to_48_hours_late_and_undone_within_a_day() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let today: NaiveDate = wednesday_noon().date_naive();
    let (ana, _) = couple(&app).await;
    let (plan, _) = plan_with_item(&app, &ana, "BOTH").await;
    let item = add_item(&app, &ana, &plan, json!({
        "ritualKey": "morning_gratitude", "assignee": "EITHER",
        "schedule": { "cadence": "DAILY", "localTime": "00:00", "timezone": "UTC", "startsOn": (today - Duration::days(10)).to_string() }
    }))
    .await;
    let item = item["id"].as_str().unwrap();
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    // Yesterday 00:00 was due 24 to 48 hours ago: still loggable.
    let late = complete(&app, &ana, item, json!({ "occurrence": day(-1) })).await;
    assert!(error_codes(&late).is_empty(), "{late}");
    // Two days ago 00:00 was due more than 48 hours ago.
    let too_late = complete(&app, &ana, item, json!({ "occurrence": day(-2) })).await;
    assert_eq!(error_codes(&too_late), vec!["BAD_USER_INPUT"], "{too_late}");
    // Tomorrow's belongs to a later period.
    let early = complete(&app, &ana, item, json!({ "occurrence": day(1) })).await;
    assert_eq!(error_codes(&early), vec!["BAD_USER_INPUT"]);
    // No date: today's.
    let today = complete(&app, &ana, item, json!({})).await;
    assert_eq!(
        today["data"]["completeRitual"]["completion"]["occurrence"],
        day(0)
    );
    // Bad ratings.
    for closeness in [0, 6] {
        let body = complete(
            &app,
            &ana,
            item,
            json!({ "occurrence": day(-1), "closeness": closeness }),
        )
        .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    }

    let id = today["data"]["completeRitual"]["completion"]["id"].clone();
    let undo = "mutation($id: ID!) { undoCompletion(input: { completionId: $id }) { completionId item { id } } }";
    let body = app.graphql_as(ana.token(), undo, json!({ "id": id })).await;
    assert_eq!(body["data"]["undoCompletion"]["completionId"], id, "{body}");
    let list = app
        .graphql_as(ana.token(), COMPLETIONS, json!({ "id": item }))
        .await;
    assert_eq!(
        list["data"]["node"]["completions"]["totalCount"], 1,
        "only yesterday's remains"
    );

    // Logged just under 24 hours ago: it can still be undone; just over: too old.
    let yesterday_id = list["data"]["node"]["completions"]["edges"][0]["node"]["id"].clone();
    let again = complete(&app, &ana, item, json!({})).await;
    let again_id = again["data"]["completeRitual"]["completion"]["id"].clone();
    app.advance(Duration::hours(23));
    let ana = app.login(&ana.email, &ana.password).await;
    let body = app
        .graphql_as(ana.token(), undo, json!({ "id": again_id }))
        .await;
    assert_eq!(
        body["data"]["undoCompletion"]["completionId"], again_id,
        "{body}"
    );
    app.advance(Duration::hours(2));
    let ana = app.login(&ana.email, &ana.password).await;
    let body = app
        .graphql_as(ana.token(), undo, json!({ "id": yesterday_id }))
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn either_needs_one_member_both_needs_each_and_one_is_for_the_named_member() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let (plan, both) = plan_with_item(&app, &ana, "BOTH").await;
    let either = add_item(
        &app,
        &ana,
        &plan,
        json!({
            "ritualKey": "tech_free_meal", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
        }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let members = app
        .graphql_as(
            ana.token(),
            "{ me { couple { members { id isMe } } } }",
            json!({}),
        )
        .await;
    let ben_id = members["data"]["me"]["couple"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["isMe"] == false)
        .unwrap()["id"]
        .clone();
    let bens = add_item(
        &app,
        &ana,
        &plan,
        json!({
            "ritualKey": "gratitude_post_its", "assignee": "ONE", "assigneeMemberId": ben_id,
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
        }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let completed = |body: Value| {
        body["data"]["me"]["couple"]["progress"]["weeks"][0]["completed"]
            .as_u64()
            .unwrap()
    };
    let progress = "{ me { couple { progress(weeks: 1) { weeks { completed planned } } } } }";
    assert_eq!(
        completed(app.graphql_as(ana.token(), progress, json!({})).await),
        0
    );
    complete(&app, &ana, &either, json!({})).await;
    complete(&app, &ana, &both, json!({})).await;
    assert_eq!(
        completed(app.graphql_as(ana.token(), progress, json!({})).await),
        1,
        "EITHER is done, BOTH waits for Ben"
    );
    complete(&app, &ben, &both, json!({})).await;
    assert_eq!(
        completed(app.graphql_as(ben.token(), progress, json!({})).await),
        2
    );

    let body = complete(&app, &ana, &bens, json!({})).await;
    assert_eq!(
        error_codes(&body),
        vec!["FORBIDDEN"],
        "Ben's ritual is his to log"
    );
    let body = complete(&app, &ben, &bens, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    assert_eq!(
        completed(app.graphql_as(ben.token(), progress, json!({})).await),
        3
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_private_note_is_its_authors_alone_and_a_shared_one_is_read_by_both() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let (_, item) = plan_with_item(&app, &ana, "BOTH").await;
    complete(
        &app,
        &ana,
        &item,
        json!({ "note": "I felt far away today" }),
    )
    .await;
    complete(
        &app,
        &ben,
        &item,
        json!({ "note": "best part of my day", "noteShared": true }),
    )
    .await;

    let notes = |body: &Value| -> Vec<(String, Value)> {
        body["data"]["node"]["completions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["member"]["displayName"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    e["node"]["note"].clone(),
                )
            })
            .collect()
    };
    let as_ben = app
        .graphql_as(ben.token(), COMPLETIONS, json!({ "id": item }))
        .await;
    assert_eq!(
        notes(&as_ben),
        vec![
            ("Ana".to_owned(), Value::Null),
            ("Ben".to_owned(), json!("best part of my day"))
        ]
    );
    assert!(
        !as_ben.to_string().contains("far away"),
        "the private note never reaches the partner"
    );
    let as_ana = app
        .graphql_as(ana.token(), COMPLETIONS, json!({ "id": item }))
        .await;
    assert_eq!(
        notes(&as_ana),
        vec![
            ("Ana".to_owned(), json!("I felt far away today")),
            ("Ben".to_owned(), json!("best part of my day"))
        ]
    );
    app.stop().await;
}
