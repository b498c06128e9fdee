//! When pushes go: a push waits out its member's quiet hours, and a ritual reminder is pushed
//! like any other notification. The app runs on a clock the test sets.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use domain::clock::ManualClock;
use domain::jobs::PlanReminders;
use rekindle_tests::push_services::{Browser, FakePushService, push_env};
use rekindle_tests::{Options, Stores, TestApp, error_codes, eventually};
use serde_json::{Value, json};

use super::{couple_with_item, register};

const COMPLETE: &str = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }";

fn pushes_run(app: &TestApp) -> u64 {
    rekindle_tests::worker::jobs_done(&app.metrics.render(), "send_push")
}

#[actix_web::test]
async fn a_push_waits_out_quiet_hours_and_reminders_are_pushed_too() {
    let (web, fcm, apns) = (
        FakePushService::start().await,
        FakePushService::start().await,
        FakePushService::start_tls().await,
    );
    let stores = Stores::fresh().await;
    let (mut env, _) = push_env(&stores.data_dir.join("push"), &fcm, &apns);
    env.push(("REKINDLE_EMBEDDED_WORKER".into(), "true".into()));
    // Three seconds before Ben's quiet hours (22:00 to 07:00 in London, where the tests'
    // accounts live) end.
    let clock = Arc::new(ManualClock::new(
        chrono_tz::Europe::London
            .with_ymd_and_hms(2026, 6, 10, 6, 59, 57)
            .unwrap()
            .with_timezone(&Utc),
    ));
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env,
            clock: Some(clock.clone()),
        },
    )
    .await;
    let (ana, ben, item) = couple_with_item(&app).await;
    let quiet = app
        .graphql_as(
            ben.token(),
            "mutation { updateProfile(input: { quietHours: { start: \"22:00\", end: \"07:00\" } }) { user { id } } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&quiet).is_empty(), "{quiet}");
    let browser = Browser::new();
    register(
        &app,
        &ben,
        json!({ "platform": "WEB_PUSH", "subscription": { "endpoint": format!("{}/push/ben", web.url), "keys": browser.keys() } }),
    )
    .await;

    // Inside quiet hours: the push is looked at, and waits (it looks again while the clock
    // stands still, and still waits).
    let done = app
        .graphql_as(ana.token(), COMPLETE, json!({ "id": item }))
        .await;
    assert!(error_codes(&done).is_empty(), "{done}");
    eventually("the push held twice", Duration::from_secs(30), || async {
        (pushes_run(&app) >= 2).then_some(())
    })
    .await;
    assert!(web.pushes().is_empty(), "nothing pushed in quiet hours");

    // Quiet hours over: it goes.
    clock.advance(chrono::Duration::seconds(5));
    let got = super::pushes(&web, 1).await;
    let message: Value = serde_json::from_slice(&browser.decrypt(&got[0].body).unwrap()).unwrap();
    assert_eq!(message["kind"], "PARTNER_COMPLETED");

    // At 21:00 London Ben is reminded of the ritual he has not logged: pushed as well.
    let nine_pm = chrono_tz::Europe::London
        .with_ymd_and_hms(2026, 6, 10, 21, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    clock.set(nine_pm);
    app.queue
        .push(PlanReminders {
            at: nine_pm,
            after: None,
        })
        .await
        .unwrap();
    let got = super::pushes(&web, 2).await;
    let message: Value = serde_json::from_slice(&browser.decrypt(&got[1].body).unwrap()).unwrap();
    assert_eq!(message["kind"], "RITUAL_REMINDER");
    assert!(message["planItemId"].is_string(), "{message}");
    app.stop().await;
}
