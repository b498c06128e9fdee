//! Uncoupling: 30 days after a couple is archived, the worker deletes what it shared (plans,
//! logs, check-ins, coaches' suggestions, shared results' sharing), once; the members keep their own.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use domain::clock::{Clock, ManualClock};
use domain::jobs::DeleteUncoupledData;
use entities::{assessment, check_in, completion, couple, plan, suggestion};
use rekindle_tests::assessments::{SHARE, take_yes_no};
use rekindle_tests::builders::{add_item, create_plan, grant, organization, pair};
use rekindle_tests::{
    Account, Options, Stores, TestApp, TestWorker, email, error_codes, eventually, uuid_of,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

const LEAVE: &str = "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { sharedDataDeleteAfter } } }";

/// A couple with a plan, a logged ritual, a check-in answer, a shared result and a coach's
/// suggestion; answers the two members and the couple's ID.
async fn couple_with_history(app: &TestApp) -> (Account, Account, String) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple_id = pair(app, &ana, &ben).await;
    let plan = create_plan(app, &ana).await;
    let item = add_item(
        app,
        &ana,
        &plan,
        json!({
            "ritualKey": "six_second_kiss", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
        }),
    )
    .await;
    let logged = app
        .graphql_as(
            ben.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }",
            json!({ "id": item["id"] }),
        )
        .await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    let answered = app
        .graphql_as(
            ana.token(),
            "mutation { answerCheckIn(input: { answer: \"A good day\" }) { checkIn { date } } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&answered).is_empty(), "{answered}");
    let (result, _) = take_yes_no(app, &ana, "signs_of_progress", &["look_forward"]).await;
    let shared = app
        .graphql_as(ana.token(), SHARE, json!({ "id": result }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, coach) = organization(app, &admin, "Harbor Coaching").await;
    grant(app, &ana, &org, &["PLANS"]).await;
    grant(app, &ben, &org, &["PLANS"]).await;
    let suggested = app
        .graphql_as(
            coach.token(),
            "mutation($c: ID!) { suggestToCouple(input: { coupleId: $c, ritualKey: \"six_second_kiss\" }) { suggestion { id } } }",
            json!({ "c": couple_id }),
        )
        .await;
    assert!(error_codes(&suggested).is_empty(), "{suggested}");
    (ana, ben, couple_id)
}

struct Left {
    plans: u64,
    completions: u64,
    check_ins: u64,
    shared: u64,
    results: u64,
    suggestions: u64,
}

async fn what_is_left(app: &TestApp, couple_id: &str, owner: &Account) -> Left {
    let id = uuid_of(couple_id);
    let db = &app.db;
    let plans = plan::Entity::find()
        .filter(plan::Column::CoupleId.eq(id))
        .all(db)
        .await
        .unwrap();
    let plan_ids: Vec<_> = plans.iter().map(|p| p.id).collect();
    let items = entities::plan_item::for_plans(db, &plan_ids).await.unwrap();
    let item_ids: Vec<_> = items.iter().map(|i| i.id).collect();
    Left {
        plans: plans.len() as u64,
        completions: completion::for_items(db, &item_ids).await.unwrap().len() as u64,
        check_ins: check_in::Entity::find()
            .filter(check_in::Column::CoupleId.eq(id))
            .count(db)
            .await
            .unwrap(),
        shared: assessment::Entity::find()
            .filter(assessment::Column::SharedWithCouple.eq(id))
            .count(db)
            .await
            .unwrap(),
        results: assessment::Entity::find()
            .filter(assessment::Column::UserId.eq(uuid_of(&owner.id)))
            .count(db)
            .await
            .unwrap(),
        suggestions: suggestion::Entity::find()
            .filter(suggestion::Column::CoupleId.eq(id))
            .count(db)
            .await
            .unwrap(),
    }
}

async fn runs(worker: &TestWorker) -> u64 {
    worker.jobs_done("delete_uncoupled_data").await
}

async fn delete_due(app: &TestApp, worker: &TestWorker, clock: &ManualClock) {
    use domain::clock::TimeSource;
    let before = runs(worker).await;
    app.queue
        .push(DeleteUncoupledData { at: clock.now() })
        .await
        .unwrap();
    eventually("the deletion run", Duration::from_secs(60), || async {
        (runs(worker).await > before).then_some(())
    })
    .await;
}

#[actix_web::test]
async fn an_archived_couples_shared_data_is_deleted_after_30_days_once() {
    let stores = Stores::fresh().await;
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
            clock: Some(clock.clone()),
        },
    )
    .await;
    let worker = TestWorker::spawn_at(&stores, Clock::from_source(clock.clone())).await;
    let (ana, _ben, gone) = couple_with_history(&app).await;
    let (cat, _dan, kept) = couple_with_history(&app).await;
    let left = app
        .graphql_as(ana.token(), LEAVE, json!({ "id": gone }))
        .await;
    assert!(error_codes(&left).is_empty(), "{left}");
    // The other couple splits five days later: its data is due five days later too.
    clock.set(start + chrono::Duration::days(5));
    let cat = app.login(&cat.email, &cat.password).await;
    let left = app
        .graphql_as(cat.token(), LEAVE, json!({ "id": kept }))
        .await;
    assert!(error_codes(&left).is_empty(), "{left}");

    let full = what_is_left(&app, &gone, &ana).await;
    assert_eq!(
        (
            full.plans,
            full.completions,
            full.check_ins,
            full.shared,
            full.suggestions
        ),
        (1, 1, 1, 1, 1)
    );

    // 29 days on: still kept, read-only, for both.
    clock.set(start + chrono::Duration::days(29));
    delete_due(&app, &worker, &clock).await;
    assert_eq!(what_is_left(&app, &gone, &ana).await.plans, 1);

    // 30 days and an hour on: deleted; each keeps their own result, no longer shared.
    clock.set(start + chrono::Duration::days(30) + chrono::Duration::hours(1));
    delete_due(&app, &worker, &clock).await;
    let after = what_is_left(&app, &gone, &ana).await;
    assert_eq!(
        (
            after.plans,
            after.completions,
            after.check_ins,
            after.shared,
            after.suggestions
        ),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(after.results, full.results, "her own result stays hers");
    let row = couple::find(&app.db, uuid_of(&gone))
        .await
        .unwrap()
        .unwrap();
    let deleted_at = row
        .shared_data_deleted_at
        .expect("the deletion is recorded");
    assert_eq!(row.goals, json!([]));
    // The couple archived later is untouched.
    let other = what_is_left(&app, &kept, &cat).await;
    assert_eq!(
        (
            other.plans,
            other.completions,
            other.check_ins,
            other.suggestions
        ),
        (1, 1, 1, 1)
    );

    // Again: nothing more happens, and the first deletion's time stands.
    clock.set(start + chrono::Duration::days(31));
    delete_due(&app, &worker, &clock).await;
    let row = couple::find(&app.db, uuid_of(&gone))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.shared_data_deleted_at, Some(deleted_at));
    assert_eq!(what_is_left(&app, &kept, &cat).await.plans, 1);
    worker.stop().await;
    app.stop().await;
}
