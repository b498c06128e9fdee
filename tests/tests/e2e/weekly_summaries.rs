//! Weekly summaries: built once the couple's local ISO week is over (Tongatapu, UTC+13, ends
//! its week 23 hours before Honolulu, UTC-10), once per couple-week and never for a week over
//! before the couple was formed, announced to both, with nothing private in them; an
//! administrator rebuilds one in place.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use domain::clock::{Clock, ManualClock};
use domain::jobs::PlanWeeklySummaries;
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::{
    Account, Options, Stores, TestApp, TestWorker, email, error_codes, eventually, uuid_of,
};
use serde_json::{Value, json};

const SUMMARIES: &str = "{ me { couple { weeklySummaries(first: 10) { totalCount edges { node { weekStart planned completed members { memberId planned done } averageCloseness closenessTrend balance { category share } streakWeeks suggestion { text ritualKey } narrative checkInsBothAnswered resultsShared builtAt } } } } } }";
const REBUILD: &str = "mutation($c: ID!, $w: NaiveDate!) { rebuildWeeklySummary(input: { coupleId: $c, weekStart: $w }) { weekStart builtAt } }";

struct Couple {
    ana: Account,
    ben: Account,
    id: String,
}

/// A couple living in `tz`, with one daily ritual at 20:00 there since 1 June 2026.
async fn couple_in(app: &TestApp, tz: &str) -> (Couple, String) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let id = pair(app, &ana, &ben).await;
    let moved = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!, $tz: String!) { updateCouple(input: { coupleId: $id, timezone: $tz }) { couple { timezone } } }",
            json!({ "id": id, "tz": tz }),
        )
        .await;
    assert!(error_codes(&moved).is_empty(), "{moved}");
    let plan = create_plan(app, &ana).await;
    let item = add_item(
        app,
        &ana,
        &plan,
        json!({
            "ritualKey": "six_second_kiss", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "20:00", "timezone": tz, "startsOn": "2026-06-01" }
        }),
    )
    .await;
    (
        Couple { ana, ben, id },
        item["id"].as_str().unwrap().to_owned(),
    )
}

async fn summaries(app: &TestApp, who: &Account) -> Vec<Value> {
    let body = app.graphql_as(who.token(), SUMMARIES, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["me"]["couple"]["weeklySummaries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn ready_notices(app: &TestApp, who: &Account) -> usize {
    let body = app
        .graphql_as(
            who.token(),
            "{ notifications(first: 50) { edges { node { kind } } } }",
            json!({}),
        )
        .await;
    body["data"]["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["kind"] == "WEEKLY_SUMMARY_READY")
        .count()
}

/// Planning runs finished on the worker.
async fn builds(worker: &TestWorker) -> u64 {
    worker.jobs_done("plan_weekly_summaries").await
}

/// Runs the hourly planning for the clock's instant and waits until it and the builds it
/// queued are done.
async fn plan_summaries(app: &TestApp, worker: &TestWorker, at: DateTime<Utc>) {
    let before = builds(worker).await;
    app.queue
        .push(PlanWeeklySummaries { at, after: None })
        .await
        .unwrap();
    eventually("the planning run", Duration::from_secs(60), || async {
        (builds(worker).await > before).then_some(())
    })
    .await;
}

async fn relogin(app: &TestApp, c: &mut Couple) {
    c.ana = app.login(&c.ana.email, &c.ana.password).await;
    c.ben = app.login(&c.ben.email, &c.ben.password).await;
}

#[actix_web::test]
async fn each_couple_gets_one_summary_when_its_own_week_ends() {
    let stores = Stores::fresh().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
    ));
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
            clock: Some(clock.clone()),
        },
    )
    .await;
    let worker = TestWorker::spawn_at(&stores, Clock::from_source(clock.clone())).await;
    let (mut tonga, tonga_item) = couple_in(&app, "Pacific/Tongatapu").await;
    let (mut honolulu, honolulu_item) = couple_in(&app, "Pacific/Honolulu").await;

    // Friday 12 June: each logs that day's ritual (their local Friday), with a private note.
    let log = "mutation($id: ID!, $d: NaiveDate!) { completeRitual(input: { planItemId: $id, occurrence: $d, closeness: 4, note: \"words only we know\" }) { completion { id } } }";
    clock.set(Utc.with_ymd_and_hms(2026, 6, 12, 9, 0, 0).unwrap());
    relogin(&app, &mut tonga).await;
    let done = app
        .graphql_as(
            tonga.ana.token(),
            log,
            json!({ "id": tonga_item, "d": "2026-06-12" }),
        )
        .await;
    assert!(error_codes(&done).is_empty(), "{done}");
    clock.set(Utc.with_ymd_and_hms(2026, 6, 13, 6, 30, 0).unwrap());
    relogin(&app, &mut honolulu).await;
    let done = app
        .graphql_as(
            honolulu.ben.token(),
            log,
            json!({ "id": honolulu_item, "d": "2026-06-12" }),
        )
        .await;
    assert!(error_codes(&done).is_empty(), "{done}");

    // Sunday 14 June 11:01 UTC is Monday 00:01 in Tongatapu, Sunday 01:01 in Honolulu.
    let tonga_over = Utc.with_ymd_and_hms(2026, 6, 14, 11, 1, 0).unwrap();
    clock.set(tonga_over);
    relogin(&app, &mut tonga).await;
    relogin(&app, &mut honolulu).await;
    plan_summaries(&app, &worker, tonga_over).await;
    let built = eventually("Tongatapu's summary", Duration::from_secs(60), || async {
        let all = summaries(&app, &tonga.ana).await;
        (!all.is_empty()).then_some(all)
    })
    .await;
    assert_eq!(built.len(), 1);
    let week = &built[0];
    assert_eq!(week["weekStart"], "2026-06-08");
    assert_eq!(week["planned"], 7);
    assert_eq!(week["completed"], 1);
    let narrative = week["narrative"].as_str().unwrap();
    assert!(narrative.contains("1 of 7 planned rituals"), "{narrative}");
    assert_eq!(week["averageCloseness"], 4.0);
    let ana = week["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| uuid_of(m["memberId"].as_str().unwrap()) == uuid_of(&tonga.ana.id))
        .unwrap()
        .clone();
    assert_eq!(
        (ana["planned"].clone(), ana["done"].clone()),
        (json!(7), json!(1))
    );
    assert!(!week.to_string().contains("words only we know"), "{week}");
    // In Honolulu it is still Saturday: its last finished week is the one before, which
    // ended before the couple was formed on 8 June: no summary, no notice.
    let weeks = |all: Vec<Value>| -> Vec<String> {
        all.iter()
            .map(|w| w["weekStart"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        weeks(summaries(&app, &honolulu.ana).await),
        Vec::<String>::new()
    );

    // Sunday 14 June 10:01 UTC + 23 h: Monday 00:01 in Honolulu.
    let honolulu_over = Utc.with_ymd_and_hms(2026, 6, 15, 10, 1, 0).unwrap();
    clock.set(honolulu_over);
    relogin(&app, &mut tonga).await;
    relogin(&app, &mut honolulu).await;
    plan_summaries(&app, &worker, honolulu_over).await;
    let built = eventually("Honolulu's summary", Duration::from_secs(60), || async {
        let all = summaries(&app, &honolulu.ben).await;
        (!all.is_empty()).then_some(all)
    })
    .await;
    assert_eq!(weeks(built.clone()), ["2026-06-08"]);
    assert_eq!(built[0]["completed"], 1);
    // Planned again and again, Tongatapu still has its one summary, announced once to each.
    plan_summaries(&app, &worker, honolulu_over).await;
    assert_eq!(summaries(&app, &tonga.ben).await.len(), 1);
    for (who, weeks) in [
        (&tonga.ana, 1),
        (&tonga.ben, 1),
        (&honolulu.ana, 1),
        (&honolulu.ben, 1),
    ] {
        eventually(
            "each summary announced",
            Duration::from_secs(60),
            || async { (ready_notices(&app, who).await == weeks).then_some(()) },
        )
        .await;
    }

    // An operator rebuilds Tongatapu's week in place; a member may not.
    let admin = app.create_with_role(&email("ops"), "admin").await;
    let before = summaries(&app, &tonga.ana).await[0]["builtAt"].clone();
    clock.set(honolulu_over + chrono::Duration::hours(1));
    let admin = app.login(&admin.email, &admin.password).await;
    relogin(&app, &mut tonga).await;
    let vars = json!({ "c": tonga.id, "w": "2026-06-08" });
    let rebuilt = app.graphql_as(admin.token(), REBUILD, vars.clone()).await;
    assert!(error_codes(&rebuilt).is_empty(), "{rebuilt}");
    assert_eq!(
        rebuilt["data"]["rebuildWeeklySummary"]["weekStart"],
        "2026-06-08"
    );
    let after = summaries(&app, &tonga.ana).await;
    assert_eq!(after.len(), 1, "replaced, not added");
    assert_ne!(after[0]["builtAt"], before);
    assert_eq!(after[0]["completed"], 1);
    let refused = app.graphql_as(tonga.ana.token(), REBUILD, vars).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    // The rebuild is in the audit log, with the week and nothing of the summary.
    let log = app
        .graphql_as(
            admin.token(),
            "query($t: ID!) { admin { auditLog(targetId: $t) { edges { node { action actorId targetKind detail } } } } }",
            json!({ "t": tonga.id }),
        )
        .await;
    let entries = log["data"]["admin"]["auditLog"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    let entry = &entries[0]["node"];
    assert_eq!(entry["action"], "weekly_summary.rebuild");
    assert_eq!(entry["actorId"], admin.id.as_str());
    assert_eq!(entry["targetKind"], "couple");
    assert_eq!(entry["detail"], json!({ "weekStart": "2026-06-08" }));
    let unfinished = app
        .graphql_as(
            admin.token(),
            REBUILD,
            json!({ "c": tonga.id, "w": "2026-06-15" }),
        )
        .await;
    assert_eq!(error_codes(&unfinished), ["BAD_USER_INPUT"], "{unfinished}");
    worker.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn with_a_model_the_worker_has_it_write_the_narrative_from_the_weeks_numbers_only() {
    use rekindle_tests::model_server::{Answer, FakeModel};
    let model = FakeModel::start().await;
    let written = "You two kept a quiet rhythm this week. Try a weekly adventure next.";
    model.script([Answer::streamed(written)]);
    let stores = Stores::fresh().await;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
    ));
    let mut env = model.env();
    env.push(("REKINDLE_EMBEDDED_WORKER".into(), "false".into()));
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env,
            clock: Some(clock.clone()),
        },
    )
    .await;
    let worker =
        TestWorker::spawn_configured(&stores, Clock::from_source(clock.clone()), &model.env())
            .await;
    let (mut couple, item) = couple_in(&app, "Europe/London").await;
    clock.set(Utc.with_ymd_and_hms(2026, 6, 10, 9, 0, 0).unwrap());
    relogin(&app, &mut couple).await;
    let done = app
        .graphql_as(
            couple.ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, occurrence: \"2026-06-10\", closeness: 4, note: \"words only we know\" }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    assert!(error_codes(&done).is_empty(), "{done}");
    let over = Utc.with_ymd_and_hms(2026, 6, 15, 0, 1, 0).unwrap();
    clock.set(over);
    relogin(&app, &mut couple).await;
    plan_summaries(&app, &worker, over).await;
    let narrative = eventually("the model's narrative", Duration::from_secs(60), || async {
        let all = summaries(&app, &couple.ana).await;
        let narrative = all.first()?["narrative"].as_str()?.to_owned();
        (narrative == written).then_some(narrative)
    })
    .await;
    assert_eq!(narrative, written);
    let bodies = model.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        bodies[0].contains("\\\"planned\\\":7"),
        "the numbers are told: {}",
        bodies[0]
    );
    for private in [
        "words only we know",
        "Ana",
        "Ben",
        &couple.ana.email,
        &couple.ben.email,
    ] {
        assert!(
            !bodies[0].contains(private),
            "{private} was sent: {}",
            bodies[0]
        );
    }
}
