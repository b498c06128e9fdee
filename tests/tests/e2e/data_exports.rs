//! `exportMyData`: the worker builds an archive of everything of the member and of what their
//! couple shared with them, downloaded once through an expiring link, with nothing private of
//! the partner in it; and every table says what an export and a deletion do with it.

use std::time::Duration;

use domain::clock::TimeSource;
use rekindle_tests::data_rights::marks::*;
use rekindle_tests::data_rights::{
    EXPORT, apply_data_rights, couple_with_everything, driven, ok, worker_for,
};
use rekindle_tests::scan::tables;
use rekindle_tests::{Account, TestApp, error_codes, eventually, uuid_of};
use serde_json::{Value, json};

const EXPORT_STATUS: &str = "{ me { dataExport { status readyAt downloadedAt } } }";

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

    let worker = worker_for(&stores, &clock).await;
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
