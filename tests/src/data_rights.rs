//! A couple with something of every kind a member's data rights reach (for the export and
//! account deletion tests), and the hourly data-rights job run on demand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use domain::clock::{Clock, ManualClock, TimeSource};
use domain::jobs::ApplyDataRights;
use serde_json::{Value, json};

use crate::assessments::{SHARE, take_yes_no};
use crate::builders::{add_item, create_plan, pair};
use crate::{Account, Stores, TestApp, TestWorker, email, error_codes, eventually, wednesday_noon};

pub const EXPORT: &str = "mutation($p: String!) { exportMyData(input: { password: $p }) { downloadPath export { status requestedAt expiresAt readyAt } } }";
const COMPLETE: &str = "mutation($id: ID!, $note: String, $shared: Boolean) { completeRitual(input: { planItemId: $id, closeness: 4, note: $note, noteShared: $shared }) { completion { id } } }";
const ANSWER: &str = "mutation($date: NaiveDate, $a: String!) { answerCheckIn(input: { date: $date, answer: $a }) { checkIn { date } } }";

/// Words only one piece of data holds, so a search of the archive or of every table tells
/// whether it is there.
pub mod marks {
    pub const ANA_NAME: &str = "Anamarkova";
    pub const BEN_NAME: &str = "Benmarkov";
    pub const ANA_PRIVATE_NOTE: &str = "ana-private-note-ql4";
    pub const ANA_SHARED_NOTE: &str = "ana-shared-note-ze9";
    pub const BEN_PRIVATE_NOTE: &str = "ben-private-note-vx2";
    pub const BEN_SHARED_NOTE: &str = "ben-shared-note-kr7";
    pub const ANA_UNREVEALED: &str = "ana-unrevealed-answer-p3";
    pub const BEN_UNREVEALED: &str = "ben-unrevealed-answer-w8";
    pub const ANA_REVEALED: &str = "ana-revealed-answer-h5";
    pub const BEN_REVEALED: &str = "ben-revealed-answer-j6";
    pub const GOAL: &str = "couple-goal-n1";

    /// Every mark above: what no one but its owner (and, once revealed or shared, the
    /// partner) may ever be shown, and what no model may ever be told.
    pub const ALL: [&str; 11] = [
        ANA_NAME,
        BEN_NAME,
        ANA_PRIVATE_NOTE,
        ANA_SHARED_NOTE,
        BEN_PRIVATE_NOTE,
        BEN_SHARED_NOTE,
        ANA_UNREVEALED,
        BEN_UNREVEALED,
        ANA_REVEALED,
        BEN_REVEALED,
        GOAL,
    ];
}
use marks::*;

pub fn ok(body: &Value) {
    assert!(error_codes(body).is_empty(), "{body}");
}

/// Ana and Ben with a plan of two rituals logged by both (private and shared notes), check-ins
/// answered by one, the other and both, assessments (Ben shares one of his two), a couple
/// goal, and Ana's notification settings. Answers both, the couple's ID and the first item's.
pub async fn couple_with_everything(
    app: &TestApp,
    clock: &ManualClock,
) -> (Account, Account, String) {
    let ana = app.register(&email("ana"), ANA_NAME).await;
    let ben = app.register(&email("ben"), BEN_NAME).await;
    let couple_id = pair(app, &ana, &ben).await;
    ok(&app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!, $g: [String!]) { updateCouple(input: { coupleId: $id, goals: $g }) { couple { id } } }",
            json!({ "id": couple_id, "g": [GOAL] }),
        )
        .await);
    let plan = create_plan(app, &ana).await;
    let mut items = Vec::new();
    for (ritual, assignee) in [("six_second_kiss", "EITHER"), ("evening_check_in", "BOTH")] {
        let item = add_item(
            app,
            &ana,
            &plan,
            json!({
                "ritualKey": ritual, "assignee": assignee,
                "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
            }),
        )
        .await;
        items.push(item["id"].as_str().unwrap().to_owned());
    }
    for (who, item, note, shared) in [
        (&ana, &items[0], ANA_PRIVATE_NOTE, false),
        (&ben, &items[0], BEN_PRIVATE_NOTE, false),
        (&ana, &items[1], ANA_SHARED_NOTE, true),
        (&ben, &items[1], BEN_SHARED_NOTE, true),
    ] {
        ok(&app
            .graphql_as(
                who.token(),
                COMPLETE,
                json!({ "id": item, "note": note, "shared": shared }),
            )
            .await);
    }
    // Yesterday only Ana answered, today only Ben; tomorrow both.
    let today = clock.now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    ok(&app
        .graphql_as(
            ana.token(),
            ANSWER,
            json!({ "date": yesterday, "a": ANA_UNREVEALED }),
        )
        .await);
    ok(&app
        .graphql_as(ben.token(), ANSWER, json!({ "a": BEN_UNREVEALED }))
        .await);
    clock.advance(chrono::Duration::days(1));
    // A day on, the access tokens have expired.
    let ana = app.login(&ana.email, &ana.password).await;
    let ben = app.login(&ben.email, &ben.password).await;
    for (who, answer) in [(&ana, ANA_REVEALED), (&ben, BEN_REVEALED)] {
        ok(&app
            .graphql_as(who.token(), ANSWER, json!({ "a": answer }))
            .await);
    }
    take_yes_no(app, &ana, "signs_of_progress", &["look_forward"]).await;
    let (shared, _) = take_yes_no(app, &ben, "signs_of_progress", &["look_forward"]).await;
    ok(&app
        .graphql_as(ben.token(), SHARE, json!({ "id": shared }))
        .await);
    take_yes_no(app, &ben, "time_to_let_go", &["numbness", "contempt"]).await;
    ok(&app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { updateNotificationPreferences(input: { dailyCap: 3, mutePlanItemIds: [$id] }) { preferences { dailyCap } } }",
            json!({ "id": items[0] }),
        )
        .await);
    (ana, ben, couple_id)
}

/// The app on a driven clock, its stores (for a worker), and the clock.
pub async fn driven() -> (Stores, TestApp, Arc<ManualClock>) {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_driven(&stores, wednesday_noon(), &[]).await;
    let clock = app.clock.clone().unwrap();
    (stores, app, clock)
}

/// Runs the hourly data-rights job at the clock's time and waits for it to finish.
pub async fn apply_data_rights(app: &TestApp, worker: &TestWorker, clock: &ManualClock) {
    let before = worker.jobs_done("apply_data_rights").await;
    app.queue
        .push(ApplyDataRights { at: clock.now() })
        .await
        .unwrap();
    eventually("the data-rights run", Duration::from_secs(60), || async {
        (worker.jobs_done("apply_data_rights").await > before).then_some(())
    })
    .await;
}

/// A worker on the app's clock and stores.
pub async fn worker_for(stores: &Stores, clock: &Arc<ManualClock>) -> TestWorker {
    TestWorker::spawn_at(stores, Clock::from_source(clock.clone())).await
}
