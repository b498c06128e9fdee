//! Members' data rights: `exportMyData` builds (in the worker) an archive of everything of the
//! member and of what their couple shared with them, downloaded once through an expiring
//! link, with nothing private of the partner in it; `deleteMyAccount` waits out a cancellable
//! grace period, then leaves nothing of the member in any table (the partner keeps what was
//! shared only as uncoupling allows).

use std::sync::Arc;
use std::time::Duration;

use domain::clock::{Clock, ManualClock, TimeSource};
use domain::jobs::{ApplyDataRights, DeleteUncoupledData};
use rekindle_tests::assessments::{SHARE, take_yes_no};
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::scan::{cells, holds_uuid, tables};
use rekindle_tests::{
    Account, Stores, TestApp, TestWorker, email, error_codes, eventually, uuid_of, wednesday_noon,
};
use serde_json::{Value, json};

const EXPORT: &str = "mutation($p: String!) { exportMyData(input: { password: $p }) { downloadPath export { status requestedAt expiresAt readyAt } } }";
const EXPORT_STATUS: &str = "{ me { dataExport { status readyAt downloadedAt } } }";
const DELETE: &str = "mutation($p: String!) { deleteMyAccount(input: { password: $p }) { deletionScheduledFor user { deletionScheduledFor } } }";
const CANCEL: &str = "mutation { cancelAccountDeletion { user { deletionScheduledFor } } }";
const COMPLETE: &str = "mutation($id: ID!, $note: String, $shared: Boolean) { completeRitual(input: { planItemId: $id, closeness: 4, note: $note, noteShared: $shared }) { completion { id } } }";
const ANSWER: &str = "mutation($date: NaiveDate, $a: String!) { answerCheckIn(input: { date: $date, answer: $a }) { checkIn { date } } }";

/// Words only one piece of data holds, so a search of the archive or of every table tells
/// whether it is there.
mod marks {
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
}
use marks::*;

fn ok(body: &Value) {
    assert!(error_codes(body).is_empty(), "{body}");
}

/// Ana and Ben with a plan of two rituals logged by both (private and shared notes), check-ins
/// answered by one, the other and both, assessments (Ben shares one of his two), a couple
/// goal, and Ana's notification settings. Answers both, the couple's ID and the first item's.
async fn couple_with_everything(app: &TestApp, clock: &ManualClock) -> (Account, Account, String) {
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
async fn driven() -> (Stores, TestApp, Arc<ManualClock>) {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_driven(&stores, wednesday_noon(), &[]).await;
    let clock = app.clock.clone().unwrap();
    (stores, app, clock)
}

async fn export_status(app: &TestApp, who: &Account) -> Value {
    let body = app.graphql_as(who.token(), EXPORT_STATUS, json!({})).await;
    ok(&body);
    body["data"]["me"]["dataExport"].clone()
}

#[actix_web::test]
async fn an_export_holds_everything_of_the_member_and_nothing_private_of_the_partner() {
    let (stores, app, clock) = driven().await;
    let (ana, ben, couple_id) = couple_with_everything(&app, &clock).await;

    // The password is asked for, and a wrong one builds nothing.
    let wrong = app
        .graphql_as(ana.token(), EXPORT, json!({ "p": "not-her-password" }))
        .await;
    assert_eq!(error_codes(&wrong), ["FORBIDDEN"], "{wrong}");
    assert_eq!(export_status(&app, &ana).await, Value::Null);

    // No worker runs yet: the export waits, and so does its link.
    let asked = app
        .graphql_as(ana.token(), EXPORT, json!({ "p": ana.password }))
        .await;
    ok(&asked);
    let asked = &asked["data"]["exportMyData"];
    assert_eq!(asked["export"]["status"], "PENDING");
    let expires: chrono::DateTime<chrono::Utc> = asked["export"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(expires - clock.now(), chrono::Duration::days(7));
    let first_path = asked["downloadPath"].as_str().unwrap().to_owned();
    let (status, headers, _) = app.get(&first_path).await;
    assert_eq!(status, 202);
    assert!(headers.get("retry-after").is_some());

    // Asking again while it is open gives the same export a new link; the old one is dead.
    let again = app
        .graphql_as(ana.token(), EXPORT, json!({ "p": ana.password }))
        .await;
    ok(&again);
    let again = &again["data"]["exportMyData"];
    assert_eq!(
        again["export"]["requestedAt"],
        asked["export"]["requestedAt"]
    );
    let path = again["downloadPath"].as_str().unwrap().to_owned();
    assert_ne!(path, first_path);
    assert_eq!(app.get(&first_path).await.0, 404);

    let worker = TestWorker::spawn_at(&stores, Clock::from_source(clock.clone())).await;
    eventually("the export is built", Duration::from_secs(60), || async {
        (export_status(&app, &ana).await["status"] == "READY").then_some(())
    })
    .await;
    let (status, headers, body) = app.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert!(
        headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let archive: Value = serde_json::from_str(&body).unwrap();

    // Once only.
    assert_eq!(app.get(&path).await.0, 410);
    assert_eq!(export_status(&app, &ana).await["status"], "DOWNLOADED");
    let stored = entities::data_export::latest_of(&app.db, uuid_of(&ana.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.archive, None, "a downloaded archive is not kept");

    // Hers, all of it.
    assert_eq!(archive["format"], entities::data_rights::FORMAT);
    assert_eq!(archive["account"]["email"], ana.email);
    assert_eq!(archive["account"]["displayName"], ANA_NAME);
    assert!(!archive["sessions"].as_array().unwrap().is_empty());
    assert_eq!(archive["notificationSettings"]["dailyCap"], 3);
    assert_eq!(
        archive["notificationSettings"]["mutedPlanItems"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let assessments = archive["assessments"].as_array().unwrap();
    assert_eq!(assessments.len(), 1);
    assert_eq!(assessments[0]["instrument"], "signs_of_progress");
    assert!(
        assessments[0]["answers"]
            .to_string()
            .contains("look_forward"),
        "{}",
        assessments[0]
    );
    assert_eq!(archive["dataExports"].as_array().unwrap().len(), 1);
    let couples = archive["couples"].as_array().unwrap();
    assert_eq!(couples.len(), 1);
    let couple = &couples[0];
    assert_eq!(couple["id"], uuid_of(&couple_id).to_string());
    assert_eq!(couple["goals"], json!([GOAL]));
    let names: Vec<&str> = couple["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, [ANA_NAME, BEN_NAME]);
    let items = couple["plans"][0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let logged: usize = items
        .iter()
        .map(|i| i["completions"].as_array().unwrap().len())
        .sum();
    assert_eq!(logged, 4, "both members' logs of the shared plan");
    let text = body.as_str();
    for mine in [
        ANA_PRIVATE_NOTE,
        ANA_SHARED_NOTE,
        BEN_SHARED_NOTE,
        ANA_UNREVEALED,
        ANA_REVEALED,
        BEN_REVEALED,
    ] {
        assert!(text.contains(mine), "{mine} belongs in her archive");
    }
    assert_eq!(couple["checkIns"].as_array().unwrap().len(), 3);
    let shared = couple["sharedResults"].as_array().unwrap();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["instrument"], "signs_of_progress");
    assert_eq!(shared[0]["by"], uuid_of(&ben.id).to_string());
    assert!(shared[0].get("answers").is_none());

    // Nothing private of his.
    for his in [
        BEN_PRIVATE_NOTE,
        BEN_UNREVEALED,
        "time_to_let_go",
        "numbness",
        &ben.email,
    ] {
        assert!(!text.contains(his), "{his} is Ben's alone");
    }

    // Ben's own export is his view: her private note and unrevealed answer are absent.
    let his = app
        .graphql_as(ben.token(), EXPORT, json!({ "p": ben.password }))
        .await;
    ok(&his);
    let his_path = his["data"]["exportMyData"]["downloadPath"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = eventually("his export is built", Duration::from_secs(60), || async {
        let (status, _, body) = app.get(&his_path).await;
        (status == 200).then_some(body)
    })
    .await;
    for hers in [ANA_PRIVATE_NOTE, ANA_UNREVEALED, &ana.email] {
        assert!(!body.contains(hers), "{hers} is Ana's alone");
    }
    assert!(body.contains(BEN_PRIVATE_NOTE) && body.contains(BEN_UNREVEALED));
    assert!(body.contains("time_to_let_go"));

    // A ready export nobody downloads expires with its link, and its archive is dropped.
    let third = app
        .graphql_as(ana.token(), EXPORT, json!({ "p": ana.password }))
        .await;
    ok(&third);
    let third_path = third["data"]["exportMyData"]["downloadPath"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(
        "the third export is built",
        Duration::from_secs(60),
        || async { (export_status(&app, &ana).await["status"] == "READY").then_some(()) },
    )
    .await;
    clock.advance(chrono::Duration::days(7));
    let ana = app.login(&ana.email, &ana.password).await;
    assert_eq!(export_status(&app, &ana).await["status"], "EXPIRED");
    assert_eq!(app.get(&third_path).await.0, 410);
    apply_data_rights(&app, &worker, &clock).await;
    let expired = entities::data_export::latest_of(&app.db, uuid_of(&ana.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expired.archive, None, "an expired archive is dropped");
    assert_eq!(app.get("/exports/no-such-link").await.0, 404);
    worker.stop().await;
}

/// Runs the hourly data-rights job at the clock's time and waits for it to finish.
async fn apply_data_rights(app: &TestApp, worker: &TestWorker, clock: &ManualClock) {
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

async fn delete_uncoupled(app: &TestApp, worker: &TestWorker, clock: &ManualClock) {
    let before = worker.jobs_done("delete_uncoupled_data").await;
    app.queue
        .push(DeleteUncoupledData { at: clock.now() })
        .await
        .unwrap();
    eventually("the uncoupling run", Duration::from_secs(60), || async {
        (worker.jobs_done("delete_uncoupled_data").await > before).then_some(())
    })
    .await;
}

/// Where a deleted member's ID may still be: the anonymised account row, and the rows of the
/// couple's shared data that the partner keeps until the uncoupling deletes them.
const SHARED_FOR_A_WHILE: [(&str, &str); 5] = [
    ("completions", "user_id"),
    ("check_in_answers", "user_id"),
    ("plan_items", "assignee_user_id"),
    ("invites", "created_by"),
    ("invites", "used_by"),
];
const FOR_GOOD: [(&str, &str); 2] = [("users", "id"), ("couple_members", "user_id")];

fn places_of(
    cells: &[rekindle_tests::scan::Cell],
    id: uuid::Uuid,
) -> std::collections::BTreeSet<(String, String)> {
    cells
        .iter()
        .filter(|c| holds_uuid(c, id))
        .map(|c| (c.table.clone(), c.column.clone()))
        .collect()
}

#[actix_web::test]
async fn a_deleted_account_leaves_nothing_of_the_member_after_its_grace_period() {
    let (stores, app, clock) = driven().await;
    let worker = TestWorker::spawn_at(&stores, Clock::from_source(clock.clone())).await;
    let (ana, ben, couple_id) = couple_with_everything(&app, &clock).await;
    let ana_id = uuid_of(&ana.id);
    let ana_hash = entities::user::find_by_id(&app.db, ana_id)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    ok(&app
        .graphql_as(ana.token(), EXPORT, json!({ "p": ana.password }))
        .await);

    // The password is asked for.
    let wrong = app
        .graphql_as(ana.token(), DELETE, json!({ "p": "not-her-password" }))
        .await;
    assert_eq!(error_codes(&wrong), ["FORBIDDEN"], "{wrong}");
    let me = app
        .graphql_as(ana.token(), "{ me { deletionScheduledFor } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["deletionScheduledFor"], Value::Null);

    // Scheduled two weeks out; asking again keeps the date; cancelling calls it off.
    let asked = app
        .graphql_as(ana.token(), DELETE, json!({ "p": ana.password }))
        .await;
    ok(&asked);
    let first: chrono::DateTime<chrono::Utc> =
        asked["data"]["deleteMyAccount"]["deletionScheduledFor"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    assert_eq!(first - clock.now(), chrono::Duration::days(14));
    clock.advance(chrono::Duration::hours(1));
    let ana = app.login(&ana.email, &ana.password).await;
    let again = app
        .graphql_as(ana.token(), DELETE, json!({ "p": ana.password }))
        .await;
    ok(&again);
    assert_eq!(
        again["data"]["deleteMyAccount"]["deletionScheduledFor"],
        asked["data"]["deleteMyAccount"]["deletionScheduledFor"]
    );
    let cancelled = app.graphql_as(ana.token(), CANCEL, json!({})).await;
    ok(&cancelled);
    assert_eq!(
        cancelled["data"]["cancelAccountDeletion"]["user"]["deletionScheduledFor"],
        Value::Null
    );
    // Past the first date, nothing happens to a cancelled deletion.
    clock.advance(chrono::Duration::days(15));
    apply_data_rights(&app, &worker, &clock).await;
    let ana = app.login(&ana.email, &ana.password).await;
    let asked = app
        .graphql_as(ana.token(), DELETE, json!({ "p": ana.password }))
        .await;
    ok(&asked);
    let due: chrono::DateTime<chrono::Utc> =
        asked["data"]["deleteMyAccount"]["deletionScheduledFor"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();

    // A day before the end of the grace period, all is as it was.
    clock.set(due - chrono::Duration::days(1));
    apply_data_rights(&app, &worker, &clock).await;
    let ana = app.login(&ana.email, &ana.password).await;

    let second_session = app.login(&ana.email, &ana.password).await;

    // Then the worker deletes it.
    clock.set(due + chrono::Duration::minutes(1));
    apply_data_rights(&app, &worker, &clock).await;
    let refused = app
        .graphql_as(ana.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&refused), ["UNAUTHENTICATED"], "{refused}");
    let refused = app
        .graphql_as(second_session.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&refused), ["UNAUTHENTICATED"], "{refused}");
    let login = app
        .graphql(
            "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }",
            json!({ "e": ana.email, "p": ana.password }),
        )
        .await;
    assert_eq!(error_codes(&login), ["UNAUTHENTICATED"], "{login}");

    // Ben's couple is archived as if she had left: he keeps the shared data for 30 days,
    // where she is a deleted member.
    let ben = app.login(&ben.email, &ben.password).await;
    let seen = app
        .graphql_as(ben.token(), "{ me { couple { id } } }", json!({}))
        .await;
    ok(&seen);
    assert_eq!(
        seen["data"]["me"]["couple"],
        Value::Null,
        "no active couple"
    );
    let row = entities::couple::find(&app.db, uuid_of(&couple_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "archived");
    assert!(row.shared_data_delete_after.is_some());

    // Nothing of hers is in any table: no address, name, password hash, private note,
    // unrevealed answer, assessment or setting; her ID only where Ben keeps shared data.
    let all = cells(&app.db).await;
    for hers in [
        ana.email.as_str(),
        ANA_NAME,
        ana_hash.as_str(),
        ANA_PRIVATE_NOTE,
        ANA_UNREVEALED,
    ] {
        let found: Vec<_> = all.iter().filter(|c| c.text.contains(hers)).collect();
        assert!(found.is_empty(), "{hers} is still in {found:?}");
    }
    let allowed: std::collections::BTreeSet<(String, String)> = SHARED_FOR_A_WHILE
        .iter()
        .chain(FOR_GOOD.iter())
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    let places = places_of(&all, ana_id);
    assert!(
        places.is_subset(&allowed),
        "her ID is still in {:?}",
        places.difference(&allowed).collect::<Vec<_>>()
    );
    // What Ben shared stays his and the couple's until the uncoupling deletion.
    assert!(all.iter().any(|c| c.text.contains(BEN_SHARED_NOTE)));
    assert!(all.iter().any(|c| c.text.contains(ANA_SHARED_NOTE)));

    // Running it again changes nothing.
    let before = cells(&app.db).await.len();
    apply_data_rights(&app, &worker, &clock).await;
    assert_eq!(cells(&app.db).await.len(), before);

    // 30 days on, the couple's shared data goes, and her ID stays only on the anonymised
    // account and the couple's membership list.
    clock.advance(chrono::Duration::days(30) + chrono::Duration::hours(1));
    delete_uncoupled(&app, &worker, &clock).await;
    let all = cells(&app.db).await;
    let places = places_of(&all, ana_id);
    let for_good: std::collections::BTreeSet<(String, String)> = FOR_GOOD
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    assert!(places.is_subset(&for_good), "her ID is still in {places:?}");
    assert!(!all.iter().any(|c| c.text.contains(ANA_SHARED_NOTE)));
    // Her address is free again.
    let back = app.register(&ana.email, "Ana again").await;
    assert_ne!(back.id, ana.id);
    worker.stop().await;
}

#[actix_web::test]
async fn every_table_says_what_an_export_and_a_deletion_do_with_it() {
    let app = TestApp::spawn().await;
    let actual = tables(&app.db).await;
    let mut listed: Vec<String> = entities::data_rights::TABLES
        .iter()
        .map(|t| t.name.to_owned())
        .collect();
    listed.sort();
    assert_eq!(
        listed, actual,
        "entities::data_rights::TABLES must name every table, once"
    );
}
