//! `deleteMyAccount`: a cancellable grace period, then nothing of the member is left in any
//! table (the partner keeps what was shared only as uncoupling allows).

use std::time::Duration;

use domain::clock::{ManualClock, TimeSource};
use domain::jobs::DeleteUncoupledData;
use rekindle_tests::TestWorker;
use rekindle_tests::data_rights::marks::*;
use rekindle_tests::data_rights::{
    EXPORT, apply_data_rights, couple_with_everything, driven, ok, worker_for,
};
use rekindle_tests::scan::{cells, holds_uuid};
use rekindle_tests::{TestApp, error_codes, eventually, uuid_of};
use serde_json::{Value, json};

const DELETE: &str = "mutation($p: String!) { deleteMyAccount(input: { password: $p }) { deletionScheduledFor user { deletionScheduledFor } } }";
const CANCEL: &str = "mutation { cancelAccountDeletion { user { deletionScheduledFor } } }";

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
    let worker = worker_for(&stores, &clock).await;
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
