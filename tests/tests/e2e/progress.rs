//! Streaks through pauses, and progress (weeks, streaks and the balance of categories), end to end.

use chrono::Duration;
use rekindle_tests::{TestApp, wednesday_noon};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use rekindle_tests::builders::{add_item, complete, couple, plan_with_item};

const STREAK: &str =
    "query($id: ID!) { node(id: $id) { ... on PlanItem { streak { current longest unit } } } }";

#[actix_web::test]
async fn a_pause_never_breaks_a_streak_and_resume_brings_occurrences_back() {
    // The couple starts their plan eight days before the test looks at it.
    let today = wednesday_noon().date_naive();
    let app = TestApp::spawn_at(wednesday_noon() - Duration::days(8)).await;
    let (ana, _) = couple(&app).await;
    let (plan, _) = plan_with_item(&app, &ana, "BOTH").await;
    let item = add_item(&app, &ana, &plan, json!({
        "ritualKey": "morning_gratitude", "assignee": "EITHER",
        "schedule": { "cadence": "DAILY", "localTime": "06:00", "timezone": "UTC", "startsOn": (today - Duration::days(7)).to_string() }
    }))
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (item_uuid, plan_uuid) = (
        rekindle_tests::uuid_of(&item),
        rekindle_tests::uuid_of(&plan),
    );
    let ana_uuid = rekindle_tests::uuid_of(&ana.id);
    app.advance(Duration::days(8));
    let ana = app.login(&ana.email, &ana.password).await;
    // Done on days -7 and -6, a holiday on days -5 to -3 (a pause recorded then), done -2 and -1.
    for offset in [-7, -6, -2, -1] {
        entities::completion::insert_once(
            &app.db,
            entities::completion::NewCompletion {
                plan_item_id: item_uuid,
                occurrence_date: today + Duration::days(offset),
                user_id: ana_uuid,
                log: domain::plan::Log {
                    closeness: 5,
                    note: None,
                    note_shared: false,
                },
            },
            app.now(),
        )
        .await
        .unwrap();
    }
    let streak = |body: Value| body["data"]["node"]["streak"].clone();
    // Without the pause, days -5 to -3 are misses: one is forgiven, the second breaks the streak.
    let before = streak(
        app.graphql_as(ana.token(), STREAK, json!({ "id": item }))
            .await,
    );
    assert_eq!(before["current"], 2, "{before}");
    let holiday_start = (today - Duration::days(5))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    entities::plan::pause::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        plan_id: Set(plan_uuid),
        starts_at: Set(holiday_start),
        ends_at: Set(holiday_start + Duration::days(3)),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let after = streak(
        app.graphql_as(ana.token(), STREAK, json!({ "id": item }))
            .await,
    );
    assert_eq!(
        after,
        json!({ "current": 4, "longest": 4, "unit": "DAY" }),
        "paused days are skipped"
    );

    // Pausing now: the next occurrences wait for the end of the pause.
    let until = app.now() + Duration::days(3);
    let body = app
        .graphql_as(ana.token(), "mutation($id: ID!, $u: DateTime!) { pausePlan(input: { planId: $id, until: $u }) { plan { pausedUntil } } }", json!({ "id": plan, "u": until.to_rfc3339() }))
        .await;
    assert!(
        body["data"]["pausePlan"]["plan"]["pausedUntil"].is_string(),
        "{body}"
    );
    let next =
        "query($id: ID!) { node(id: $id) { ... on PlanItem { nextOccurrences(first: 1) } } }";
    let first = |body: Value| {
        chrono::DateTime::parse_from_rfc3339(
            body["data"]["node"]["nextOccurrences"][0].as_str().unwrap(),
        )
        .unwrap()
    };
    assert!(
        first(
            app.graphql_as(ana.token(), next, json!({ "id": item }))
                .await
        ) >= until
    );
    let body = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { resumePlan(input: { planId: $id }) { plan { pausedUntil } } }",
            json!({ "id": plan }),
        )
        .await;
    assert_eq!(
        body["data"]["resumePlan"]["plan"]["pausedUntil"],
        Value::Null
    );
    assert!(
        first(
            app.graphql_as(ana.token(), next, json!({ "id": item }))
                .await
        ) < app.now() + Duration::days(1)
    );
    let again = streak(
        app.graphql_as(ana.token(), STREAK, json!({ "id": item }))
            .await,
    );
    assert_eq!(
        again["current"], 4,
        "the pause and resume left the streak alone"
    );
    app.stop().await;
}

#[actix_web::test]
async fn progress_shows_weeks_streaks_and_balance() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let (plan, kiss) = plan_with_item(&app, &ana, "EITHER").await;
    let read = add_item(
        &app,
        &ana,
        &plan,
        json!({
            "ritualKey": "reading_aloud", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
        }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &ana, &kiss, json!({ "closeness": 5 })).await;
    complete(&app, &ben, &read, json!({ "closeness": 3 })).await;
    let body = app
        .graphql_as(ben.token(), "{ me { couple { progress(weeks: 12) {
            weeks { weekStart planned completed rate averageCloseness }
            streaks { couple { current unit } items { item { ritual { key } } streak { current unit } } }
            balance { category share } } } } }", json!({}))
        .await;
    let progress = &body["data"]["me"]["couple"]["progress"];
    let weeks = progress["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12, "{body}");
    let this_week = weeks.last().unwrap();
    assert_eq!(this_week["completed"], 2);
    assert!(this_week["planned"].as_u64().unwrap() >= 2);
    assert_eq!(this_week["averageCloseness"], 4.0);
    assert!(
        weeks[..11].iter().all(|w| w["planned"] == 0),
        "nothing before the plan"
    );
    assert_eq!(
        progress["streaks"]["couple"],
        json!({ "current": 1, "unit": "WEEK" })
    );
    assert_eq!(progress["streaks"]["items"].as_array().unwrap().len(), 2);
    let balance: Vec<(String, f64)> = progress["balance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["category"].as_str().unwrap().to_owned(),
                b["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        balance,
        vec![
            ("EMOTIONAL".into(), 0.0),
            ("INTELLECTUAL".into(), 0.5),
            ("PHYSICAL".into(), 0.5),
            ("NOVELTY".into(), 0.0),
            ("GRATITUDE".into(), 0.0),
            ("COMMUNICATION".into(), 0.0),
            ("TECH_FREE".into(), 0.0)
        ]
    );
    app.stop().await;
}
