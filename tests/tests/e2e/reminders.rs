//! Ritual reminders, end to end: the planner job on a real worker and queue, on the injected
//! clock; for a floating schedule each member reminded at the ritual's local time in their own
//! zone, across DST, following them when they travel; after their quiet hours, never for what
//! is already logged, and once however many workers run. (Schedules with a time zone, one
//! instant for both, in `schedule_instants.rs`.)

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::clock::{Clock, ManualClock, TimeSource};
use domain::jobs::PlanReminders;
use entities::reminder;
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::{
    Account, Options, Stores, TestApp, TestWorker, email, error_codes, eventually, uuid_of,
};
use serde_json::{Value, json};

const UPDATE_PROFILE: &str =
    "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { timezone } } }";
const NOTIFICATIONS: &str = "{ notifications(first: 50) { totalCount unreadCount edges { node { id kind title body data read } } } }";
pub(crate) const LONDON: Tz = chrono_tz::Europe::London;
pub(crate) const NEW_YORK: Tz = chrono_tz::America::New_York;
pub(crate) const TOKYO: Tz = chrono_tz::Asia::Tokyo;

/// Ana (London) and Ben (New York), paired, with one daily 21:00 ritual; an app and a worker
/// on a clock the test sets.
pub(crate) struct Scene {
    stores: Stores,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) app: TestApp,
    worker: TestWorker,
    pub(crate) ana: Account,
    pub(crate) ben: Account,
    pub(crate) item: String,
}

impl Scene {
    /// Ana in London and Ben in New York, with one daily 21:00 London ritual, floating or not.
    pub(crate) async fn new(start: DateTime<Utc>, assignee: &str, floating: bool) -> Self {
        let stores = Stores::fresh().await;
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
        let ana = app.register(&email("ana"), "Ana").await;
        let ben = app.register(&email("ben"), "Ben").await;
        pair(&app, &ana, &ben).await;
        set_timezone(&app, &ben, "America/New_York").await;
        let plan = create_plan(&app, &ana).await;
        let starts = start.date_naive().to_string();
        let item = add_item(
            &app,
            &ana,
            &plan,
            json!({
                "ritualKey": "six_second_kiss", "assignee": assignee,
                "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London", "startsOn": starts, "floating": floating }
            }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        Self {
            stores,
            clock,
            app,
            worker,
            ana,
            ben,
            item,
        }
    }

    /// Sets the clock and signs both in again (access tokens expire by the same clock).
    pub(crate) async fn at(&mut self, now: DateTime<Utc>) {
        self.clock.set(now);
        self.ana = self.app.login(&self.ana.email, &self.ana.password).await;
        self.ben = self.app.login(&self.ben.email, &self.ben.password).await;
    }

    /// Runs the planner for `now` on the worker and waits for it to finish.
    pub(crate) async fn plan(&self) {
        let before = planner_runs(&self.worker).await;
        self.app
            .queue
            .push(PlanReminders {
                at: self.clock.now(),
                after: None,
            })
            .await
            .unwrap();
        eventually("the planner run", Duration::from_secs(60), || async {
            (planner_runs(&self.worker).await > before).then_some(())
        })
        .await;
    }

    pub(crate) async fn reminders_of(&self, who: &Account) -> Vec<reminder::Model> {
        reminder::for_users(&self.app.db, &[uuid_of(&who.id)])
            .await
            .unwrap()
    }

    pub(crate) async fn stop(self) {
        self.worker.stop().await;
        self.app.stop().await;
        drop(self.stores);
    }
}

async fn planner_runs(worker: &TestWorker) -> u64 {
    worker.jobs_done("plan_reminders").await
}

pub(crate) async fn set_timezone(app: &TestApp, who: &Account, tz: &str) {
    let body = app
        .graphql_as(
            who.token(),
            UPDATE_PROFILE,
            json!({ "input": { "timezone": tz } }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
}

/// 21:00 on a date in a zone, as an instant.
pub(crate) fn nine_pm(tz: Tz, y: i32, m: u32, d: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, 21, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) async fn notifications(app: &TestApp, who: &Account) -> Vec<Value> {
    let body = app.graphql_as(who.token(), NOTIFICATIONS, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[actix_web::test]
async fn a_floating_schedule_reminds_each_member_at_21_00_in_their_own_zone_on_both_sides_of_dst() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 3, 6, 12, 0, 0).unwrap(),
        "BOTH",
        true,
    )
    .await;
    // New York springs forward on 8 March, London on 29 March.
    for (ben, tz, (m, d)) in [
        (true, NEW_YORK, (3, 7)),
        (true, NEW_YORK, (3, 8)),
        (false, LONDON, (3, 28)),
        (false, LONDON, (3, 29)),
    ] {
        let (day, due) = (date(2026, m, d), nine_pm(tz, 2026, m, d));
        scene.at(due - chrono::Duration::minutes(5)).await;
        scene.plan().await;
        let who = if ben { &scene.ben } else { &scene.ana };
        let rows = scene.reminders_of(who).await;
        let row = rows
            .iter()
            .find(|r| r.occurrence_date == day)
            .unwrap_or_else(|| panic!("no reminder for {day} in {rows:?}"));
        assert_eq!(row.due_at, due, "{day} in {tz}");
        assert_eq!(row.fire_at, due, "no quiet hours: it fires when due");
        assert_eq!(row.plan_item_id, uuid_of(&scene.item));
    }
    // The 21:00 instants in UTC moved with each zone's clock change.
    assert_eq!(
        nine_pm(NEW_YORK, 2026, 3, 7),
        Utc.with_ymd_and_hms(2026, 3, 8, 2, 0, 0).unwrap()
    );
    assert_eq!(
        nine_pm(NEW_YORK, 2026, 3, 8),
        Utc.with_ymd_and_hms(2026, 3, 9, 1, 0, 0).unwrap()
    );
    assert_eq!(
        nine_pm(LONDON, 2026, 3, 29),
        Utc.with_ymd_and_hms(2026, 3, 29, 20, 0, 0).unwrap()
    );
    // Each planning run found only the occurrences due around it.
    assert_eq!(scene.reminders_of(&scene.ana).await.len(), 2);
    assert_eq!(scene.reminders_of(&scene.ben).await.len(), 2);
    scene.stop().await;
}

#[actix_web::test]
async fn a_reminder_in_quiet_hours_waits_for_their_end() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        false,
    )
    .await;
    let body = scene
        .app
        .graphql_as(
            scene.ana.token(),
            UPDATE_PROFILE,
            json!({ "input": { "quietHours": { "start": "20:30", "end": "07:00" } } }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let due = nine_pm(LONDON, 2026, 6, 10);
    scene.at(due - chrono::Duration::minutes(5)).await;
    scene.plan().await;
    let rows = scene.reminders_of(&scene.ana).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].due_at, due);
    assert_eq!(
        rows[0].fire_at,
        LONDON
            .with_ymd_and_hms(2026, 6, 11, 7, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    );
    scene.stop().await;
}

const COMPLETE: &str = "mutation($id: ID!, $d: NaiveDate) { completeRitual(input: { planItemId: $id, occurrence: $d, closeness: 4 }) { completion { id } } }";

#[actix_web::test]
async fn what_is_already_logged_is_not_reminded() {
    for (assignee, ben_reminded) in [("BOTH", true), ("EITHER", false)] {
        let mut scene = Scene::new(
            Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
            assignee,
            true,
        )
        .await;
        // Ana logs the London occurrence of 10 June before it is due.
        let due = nine_pm(LONDON, 2026, 6, 10);
        scene.at(due - chrono::Duration::hours(2)).await;
        let body = scene
            .app
            .graphql_as(
                scene.ana.token(),
                COMPLETE,
                json!({ "id": scene.item, "d": "2026-06-10" }),
            )
            .await;
        assert!(error_codes(&body).is_empty(), "{body}");
        scene.at(due - chrono::Duration::minutes(5)).await;
        scene.plan().await;
        assert!(
            scene.reminders_of(&scene.ana).await.is_empty(),
            "{assignee}: Ana logged it"
        );
        // Ben's own 21:00 for that date is in New York, hours later.
        let ben_due = nine_pm(NEW_YORK, 2026, 6, 10);
        scene.at(ben_due - chrono::Duration::minutes(5)).await;
        scene.plan().await;
        let ben = scene.reminders_of(&scene.ben).await;
        assert_eq!(!ben.is_empty(), ben_reminded, "{assignee}: {ben:?}");
        scene.stop().await;
    }
}

#[actix_web::test]
async fn a_member_who_travels_is_reminded_of_a_floating_schedule_in_the_zone_they_are_in() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        true,
    )
    .await;
    let ny_due = nine_pm(NEW_YORK, 2026, 6, 10);
    scene.at(ny_due - chrono::Duration::minutes(5)).await;
    scene.plan().await;
    let planned = scene.reminders_of(&scene.ben).await;
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].fire_at, ny_due);

    // Ben lands in Tokyo before it goes out: the New York reminder is forgotten...
    set_timezone(&scene.app, &scene.ben, "Asia/Tokyo").await;
    assert!(scene.reminders_of(&scene.ben).await.is_empty());
    scene.plan().await;
    assert!(
        scene.reminders_of(&scene.ben).await.is_empty(),
        "21:00 in Tokyo is not due now"
    );
    // ...and his next one comes at 21:00 Tokyo time.
    let tokyo_due = nine_pm(TOKYO, 2026, 6, 11);
    scene.at(tokyo_due - chrono::Duration::minutes(5)).await;
    scene.plan().await;
    let rows = scene.reminders_of(&scene.ben).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].occurrence_date, date(2026, 6, 11));
    assert_eq!(rows[0].fire_at, tokyo_due);
    scene.stop().await;
}

#[actix_web::test]
async fn two_workers_send_each_reminder_once_at_its_instant() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        true,
    )
    .await;
    let second = TestWorker::spawn_at(&scene.stores, Clock::from_source(scene.clock.clone())).await;
    let due = nine_pm(LONDON, 2026, 6, 10);
    scene.at(due - chrono::Duration::seconds(1)).await;
    // The same minute planned four times, with two workers taking the runs.
    for _ in 0..4 {
        scene
            .app
            .queue
            .push(PlanReminders {
                at: due - chrono::Duration::seconds(1),
                after: None,
            })
            .await
            .unwrap();
    }
    let reminded = eventually("Ana's reminder", Duration::from_secs(60), || async {
        let all = notifications(&scene.app, &scene.ana).await;
        (!all.is_empty()).then_some(all)
    })
    .await;
    assert_eq!(reminded[0]["kind"], "RITUAL_REMINDER");
    assert_eq!(reminded[0]["data"]["planItemId"], json!(scene.item));
    assert_eq!(reminded[0]["data"]["occurrenceDate"], "2026-06-10");
    assert_eq!(reminded[0]["read"], false);
    // Let every queued copy of the planning and sending run, then count.
    eventually("all four planner runs", Duration::from_secs(60), || async {
        let runs = planner_runs(&scene.worker).await + planner_runs(&second).await;
        (runs >= 4).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(notifications(&scene.app, &scene.ana).await.len(), 1);
    let rows = scene.reminders_of(&scene.ana).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "sent");
    // Ben's 21:00 is New York's, five hours off: nothing for him yet.
    assert!(notifications(&scene.app, &scene.ben).await.is_empty());
    // The send is in one worker's reminder lateness histogram.
    let sent_count = |text: String| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("rekindle_reminder_lateness_seconds_count "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    let counted = sent_count(scene.worker.metrics().await) + sent_count(second.metrics().await);
    assert_eq!(counted, 1);
    second.stop().await;
    scene.stop().await;
}

#[actix_web::test]
async fn muted_items_and_a_spent_daily_cap_send_nothing() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        false,
    )
    .await;
    let prefs = "mutation($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { preferences { dailyCap mutedPlanItems { id } } } }";
    let body = scene
        .app
        .graphql_as(
            scene.ana.token(),
            prefs,
            json!({ "input": { "mutePlanItemIds": [scene.item] } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateNotificationPreferences"]["preferences"]["mutedPlanItems"][0]["id"],
        json!(scene.item),
        "{body}"
    );
    let due = nine_pm(LONDON, 2026, 6, 10);
    scene.at(due - chrono::Duration::minutes(5)).await;
    scene.plan().await;
    assert!(scene.reminders_of(&scene.ana).await.is_empty(), "muted");

    // Unmuted, but with a cap of none a day: planned, then not sent.
    let body = scene
        .app
        .graphql_as(
            scene.ana.token(),
            prefs,
            json!({ "input": { "unmutePlanItemIds": [scene.item], "dailyCap": 0 } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateNotificationPreferences"]["preferences"]["dailyCap"], 0,
        "{body}"
    );
    let next = nine_pm(LONDON, 2026, 6, 11);
    scene.at(next - chrono::Duration::seconds(1)).await;
    scene.plan().await;
    let row = eventually("the reminder settled", Duration::from_secs(60), || async {
        scene
            .reminders_of(&scene.ana)
            .await
            .into_iter()
            .find(|r| r.status != "scheduled")
    })
    .await;
    assert_eq!(row.status, "skipped");
    assert!(notifications(&scene.app, &scene.ana).await.is_empty());
    scene.stop().await;
}

#[actix_web::test]
async fn a_reminder_whose_job_was_lost_is_queued_again_and_sent_once() {
    let mut scene = Scene::new(
        Utc.with_ymd_and_hms(2026, 6, 8, 12, 0, 0).unwrap(),
        "BOTH",
        false,
    )
    .await;
    let due = nine_pm(LONDON, 2026, 6, 10);
    // Planned as if by a worker that died before queueing its job.
    reminder::plan(
        &scene.app.db,
        reminder::Wanted {
            plan_item_id: uuid_of(&scene.item),
            occurrence_date: date(2026, 6, 10),
            user_id: uuid_of(&scene.ana.id),
            due_at: due,
            fire_at: due,
        },
        due - chrono::Duration::minutes(5),
    )
    .await
    .unwrap()
    .unwrap();
    scene.at(due + chrono::Duration::minutes(3)).await;
    scene.plan().await;
    let sent = eventually("the late reminder", Duration::from_secs(60), || async {
        let all = notifications(&scene.app, &scene.ana).await;
        (!all.is_empty()).then_some(all)
    })
    .await;
    assert_eq!(sent.len(), 1);
    scene.plan().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(notifications(&scene.app, &scene.ana).await.len(), 1);
    scene.stop().await;
}
