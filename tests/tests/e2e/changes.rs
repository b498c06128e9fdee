//! The changes feed: each kind of change reaches both partners in commit order, private
//! objects reach only their owner (not even their ID reaches the partner), pages continue
//! from their cursor, and a cursor older than the retention asks for a full reload.

use std::time::Duration;

use rekindle_tests::builders::{ADD_ITEM, couple, create_plan};
use rekindle_tests::stores::Stores;
use rekindle_tests::{Account, TestApp, TestWorker, error_codes, eventually, uuid_of};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const FEED: &str = "query($after: String, $first: Int) { changes(after: $after, first: $first) { changes { id type action at } endCursor hasMore } }";

async fn cursor(app: &TestApp, who: &Account) -> String {
    let body = app
        .graphql_as(who.token(), "{ changesCursor }", json!({}))
        .await;
    body["data"]["changesCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// Every change `who` may see after `after`, as (type, id, action), following every page.
async fn changes_since(app: &TestApp, who: &Account, after: &str) -> Vec<(String, String, String)> {
    let mut after = after.to_owned();
    let mut seen = Vec::new();
    loop {
        let body = app
            .graphql_as(who.token(), FEED, json!({ "after": after, "first": 3 }))
            .await;
        let feed = &body["data"]["changes"];
        for change in feed["changes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
        {
            seen.push((
                change["type"].as_str().unwrap().to_owned(),
                change["id"].as_str().unwrap().to_owned(),
                change["action"].as_str().unwrap().to_owned(),
            ));
        }
        after = feed["endCursor"].as_str().unwrap().to_owned();
        if feed["hasMore"] != true {
            return seen;
        }
    }
}

/// Ten days from now, for a pause.
fn soon() -> String {
    (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339()
}

fn has(seen: &[(String, String, String)], kind: &str, id: &str, action: &str) -> bool {
    seen.iter()
        .any(|(k, i, a)| k == kind && i == id && a == action)
}

async fn ok(app: &TestApp, who: &Account, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(who.token(), query, variables).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"].clone()
}

#[actix_web::test]
async fn each_kind_of_change_reaches_both_partners_in_order() {
    let app = TestApp::spawn().await;
    let (ana, ben) = couple(&app).await;
    let (from_ana, from_ben) = (cursor(&app, &ana).await, cursor(&app, &ben).await);

    let plan = create_plan(&app, &ana).await;
    let input = json!({ "input": {
        "planId": plan, "ritualKey": "six_second_kiss", "assignee": "EITHER",
        "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
    }});
    let item = ok(&app, &ana, ADD_ITEM, input).await["addPlanItem"]["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app, &ben, "mutation($id: ID!) { updatePlanItem(input: { planItemId: $id, assignee: BOTH }) { item { id } } }", json!({ "id": item })).await;
    let done = ok(&app, &ana, "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4, note: \"just us\" }) { completion { id } } }", json!({ "id": item })).await;
    let completion = done["completeRitual"]["completion"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        &ana,
        "mutation($id: ID!) { undoCompletion(input: { completionId: $id }) { completionId } }",
        json!({ "id": completion }),
    )
    .await;
    ok(
        &app,
        &ben,
        "mutation { updateProfile(input: { displayName: \"Benjamin\" }) { user { id } } }",
        json!({}),
    )
    .await;
    ok(&app, &ana, "mutation($id: ID!, $until: DateTime!) { pausePlan(input: { planId: $id, until: $until }) { plan { id } } }", json!({ "id": plan, "until": soon() })).await;
    ok(
        &app,
        &ana,
        "mutation($id: ID!) { removePlanItem(input: { planItemId: $id }) { plan { id } } }",
        json!({ "id": item }),
    )
    .await;

    let expected = [
        ("Plan", plan.as_str(), "CREATED"),
        ("PlanItem", item.as_str(), "CREATED"),
        ("PlanItem", item.as_str(), "UPDATED"),
        ("Completion", completion.as_str(), "CREATED"),
        ("Completion", completion.as_str(), "DELETED"),
        ("User", ben.id.as_str(), "UPDATED"),
        ("Plan", plan.as_str(), "UPDATED"),
        ("PlanItem", item.as_str(), "DELETED"),
    ];
    for (who, from) in [(&ana, &from_ana), (&ben, &from_ben)] {
        let seen = changes_since(&app, who, from).await;
        let got: Vec<(&str, &str, &str)> = seen
            .iter()
            .map(|(k, i, a)| (k.as_str(), i.as_str(), a.as_str()))
            .collect();
        assert_eq!(got, expected, "{}'s feed, in commit order", who.email);
    }
    app.stop().await;
}

#[actix_web::test]
async fn private_objects_reach_only_their_owner_until_shared() {
    let app = TestApp::spawn().await;
    let (ana, ben) = couple(&app).await;
    let (from_ana, from_ben) = (cursor(&app, &ana).await, cursor(&app, &ben).await);

    let (assessment, _) =
        rekindle_tests::assessments::take_yes_no(&app, &ana, "signs_of_progress", &[]).await;
    let ana_sees = changes_since(&app, &ana, &from_ana).await;
    assert!(
        has(&ana_sees, "Assessment", &assessment, "CREATED"),
        "{ana_sees:?}"
    );
    assert!(
        has(&ana_sees, "Assessment", &assessment, "UPDATED"),
        "{ana_sees:?}"
    );
    // A notification is Ana's alone.
    let draft = domain::notification::Draft {
        user_id: uuid_of(&ana.id),
        kind: domain::notification::Kind::WeeklySummaryReady,
        title: "Your week".into(),
        body: "Ready.".into(),
        data: json!({}),
        dedupe_key: format!("feed:{}", uuid::Uuid::new_v4()),
    };
    let stored = entities::notification::insert_once(&app.db, draft, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    let notification = domain::ids::global_id("Notification", stored.id);
    let ana_sees = changes_since(&app, &ana, &from_ana).await;
    assert!(
        has(&ana_sees, "Notification", &notification, "CREATED"),
        "{ana_sees:?}"
    );

    ok(
        &app,
        &ana,
        "mutation { markNotificationsRead(input: { all: true }) { marked } }",
        json!({}),
    )
    .await;
    let ana_sees = changes_since(&app, &ana, &from_ana).await;
    assert!(
        has(&ana_sees, "Notification", &notification, "UPDATED"),
        "read: {ana_sees:?}"
    );
    let ben_sees = changes_since(&app, &ben, &from_ben).await;
    for (_, id, _) in &ben_sees {
        assert!(
            id != &assessment && id != &notification,
            "Ben saw {id}: {ben_sees:?}"
        );
    }

    // Shared or unshared, Ben is told his couple's shared results changed, never the ID.
    let me = ok(&app, &ben, "{ me { couple { id } } }", json!({})).await;
    let couple_id = me["me"]["couple"]["id"].as_str().unwrap().to_owned();
    for mutation in ["shareAssessmentResult", "unshareAssessmentResult"] {
        let from_ben = cursor(&app, &ben).await;
        let from_ana = cursor(&app, &ana).await;
        let query = format!(
            "mutation($id: ID!) {{ {mutation}(input: {{ assessmentId: $id }}) {{ assessment {{ id }} }} }}"
        );
        ok(&app, &ana, &query, json!({ "id": assessment })).await;
        let ben_sees = changes_since(&app, &ben, &from_ben).await;
        let couple_changed = ("Couple".to_owned(), couple_id.clone(), "UPDATED".to_owned());
        assert_eq!(ben_sees, [couple_changed], "{mutation}");
        let ana_sees = changes_since(&app, &ana, &from_ana).await;
        let changed = (
            "Assessment".to_owned(),
            assessment.clone(),
            "UPDATED".to_owned(),
        );
        assert_eq!(ana_sees, [changed], "{mutation}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn another_couple_sees_nothing_and_pages_continue_from_their_cursor() {
    let app = TestApp::spawn().await;
    let (ana, _) = couple(&app).await;
    let (cat, _) = couple(&app).await;
    let from_cat = cursor(&app, &cat).await;
    let plan = create_plan(&app, &ana).await;
    for _ in 0..2 {
        ok(&app, &ana, "mutation($id: ID!, $until: DateTime!) { pausePlan(input: { planId: $id, until: $until }) { plan { id } } }", json!({ "id": plan, "until": soon() })).await;
    }
    assert!(changes_since(&app, &cat, &from_cat).await.is_empty());

    // Without a cursor the feed starts at the oldest change kept; pages of one continue.
    let first = ok(&app, &ana, FEED, json!({ "first": 1 })).await;
    assert_eq!(first["changes"]["changes"].as_array().unwrap().len(), 1);
    assert_eq!(first["changes"]["hasMore"], true);
    let next = ok(
        &app,
        &ana,
        FEED,
        json!({ "after": first["changes"]["endCursor"], "first": 10 }),
    )
    .await;
    let rest = next["changes"]["changes"].as_array().unwrap();
    assert!(rest.len() >= 2, "{next}");
    assert_ne!(
        rest[0], first["changes"]["changes"][0],
        "a page starts after the last one"
    );
    assert_eq!(next["changes"]["hasMore"], false);

    let junk = app
        .graphql_as(ana.token(), FEED, json!({ "after": "junk" }))
        .await;
    assert_eq!(error_codes(&junk), ["BAD_USER_INPUT"], "{junk}");
    let too_many = app
        .graphql_as(ana.token(), FEED, json!({ "first": -1 }))
        .await;
    assert_eq!(error_codes(&too_many), ["BAD_USER_INPUT"], "{too_many}");
    app.stop().await;
}

#[actix_web::test]
async fn a_cursor_older_than_the_retention_asks_for_a_full_reload_and_old_changes_are_pruned() {
    let stores = Stores::fresh().await;
    let retention = [("REKINDLE_CHANGES_RETENTION_DAYS", "7")];
    let app = TestApp::spawn_driven(&stores, rekindle_tests::wednesday_noon(), &retention).await;
    let (ana, _) = couple(&app).await;
    let old = cursor(&app, &ana).await;
    create_plan(&app, &ana).await;
    app.advance(chrono::Duration::days(6));
    let ana = app.login(&ana.email, &ana.password).await;
    assert_eq!(
        changes_since(&app, &ana, &old).await.len(),
        1,
        "still live after 6 days"
    );

    app.advance(chrono::Duration::days(2));
    let ana = app.login(&ana.email, &ana.password).await;
    let expired = app
        .graphql_as(ana.token(), FEED, json!({ "after": old }))
        .await;
    assert_eq!(error_codes(&expired), ["BAD_USER_INPUT"], "{expired}");
    assert_eq!(
        expired["errors"][0]["extensions"]["reason"], "CHANGES_CURSOR_EXPIRED",
        "{expired}"
    );
    let fresh = cursor(&app, &ana).await;
    assert!(changes_since(&app, &ana, &fresh).await.is_empty());

    // Kept past the retention (and a day), then pruned by the worker.
    let stored = || async {
        entities::change::Entity::find()
            .count(&app.db)
            .await
            .unwrap()
    };
    assert!(stored().await > 0);
    let worker = TestWorker::spawn_on(&stores).await;
    app.queue
        .push(domain::jobs::PruneSyncData {
            // The worker keeps changes the default 30 days (and a day's margin).
            at: app.now() + chrono::Duration::days(30),
        })
        .await
        .unwrap();
    eventually("old changes pruned", Duration::from_secs(60), || async {
        (stored().await == 0).then_some(())
    })
    .await;
    worker.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn couple_changes_breaks_and_uncoupling_reach_both_then_stop() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let ben = app.register(&rekindle_tests::email("ben"), "Ben").await;
    let from_ana = cursor(&app, &ana).await;
    let couple_id = rekindle_tests::builders::pair(&app, &ana, &ben).await;
    let from_ben = cursor(&app, &ben).await;
    ok(&app, &ben, "mutation($id: ID!) { updateCouple(input: { coupleId: $id, goals: [\"ours\"] }) { couple { id } } }", json!({ "id": couple_id })).await;
    let today = chrono::Utc::now().date_naive();
    let proposed = ok(&app, &ana, "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"Space\", contactRules: \"Texts\" }) { coupleBreak { id } } }", json!({ "u": today + chrono::Days::new(7), "c": today + chrono::Days::new(3) })).await;
    let break_id = proposed["proposeBreak"]["coupleBreak"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        &ben,
        "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { coupleBreak { id } } }",
        json!({ "id": break_id }),
    )
    .await;

    let ana_sees = changes_since(&app, &ana, &from_ana).await;
    assert!(
        has(&ana_sees, "Couple", &couple_id, "CREATED"),
        "{ana_sees:?}"
    );
    assert!(
        has(&ana_sees, "User", &ben.id, "CREATED"),
        "Ben joined: {ana_sees:?}"
    );
    let ben_sees = changes_since(&app, &ben, &from_ben).await;
    let expected = [
        ("Couple".to_owned(), couple_id.clone(), "UPDATED".to_owned()),
        (
            "CoupleBreak".to_owned(),
            break_id.clone(),
            "CREATED".to_owned(),
        ),
        (
            "CoupleBreak".to_owned(),
            break_id.clone(),
            "UPDATED".to_owned(),
        ),
    ];
    assert_eq!(ben_sees, expected);

    // Uncoupling: each is told the couple changed, and then follows it no more.
    let (from_ana, from_ben) = (cursor(&app, &ana).await, cursor(&app, &ben).await);
    ok(
        &app,
        &ana,
        "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { status } } }",
        json!({ "id": couple_id }),
    )
    .await;
    let (new_couple, _) = rekindle_tests::builders::create_couple(&app, &ana).await;
    let ben_sees = changes_since(&app, &ben, &from_ben).await;
    assert_eq!(
        ben_sees,
        [("Couple".to_owned(), couple_id.clone(), "UPDATED".to_owned())]
    );
    let ana_sees = changes_since(&app, &ana, &from_ana).await;
    assert!(
        has(&ana_sees, "Couple", &couple_id, "UPDATED"),
        "{ana_sees:?}"
    );
    assert!(
        has(&ana_sees, "Couple", &new_couple, "CREATED"),
        "{ana_sees:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_coachs_suggestion_and_its_answer_reach_both_partners() {
    let app = TestApp::spawn().await;
    let admin = app
        .create_with_role(&rekindle_tests::email("admin"), "admin")
        .await;
    let (org, coach) = rekindle_tests::builders::organization(&app, &admin, "Harbor").await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let ben = app.register(&rekindle_tests::email("ben"), "Ben").await;
    let couple_id = rekindle_tests::builders::pair(&app, &ana, &ben).await;
    for member in [&ana, &ben] {
        rekindle_tests::builders::grant(&app, member, &org, &["PLANS"]).await;
    }
    let (from_ana, from_ben) = (cursor(&app, &ana).await, cursor(&app, &ben).await);
    let made = ok(&app, &coach, "mutation($c: ID!) { suggestToCouple(input: { coupleId: $c, ritualKey: \"morning_gratitude\" }) { suggestion { id } } }", json!({ "c": couple_id })).await;
    let suggestion = made["suggestToCouple"]["suggestion"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app, &ben, "mutation($id: ID!) { acceptSuggestion(input: { suggestionId: $id }) { suggestion { id } } }", json!({ "id": suggestion })).await;
    let expected = [
        (
            "Suggestion".to_owned(),
            suggestion.clone(),
            "CREATED".to_owned(),
        ),
        (
            "Suggestion".to_owned(),
            suggestion.clone(),
            "UPDATED".to_owned(),
        ),
    ];
    assert_eq!(changes_since(&app, &ana, &from_ana).await, expected);
    assert_eq!(changes_since(&app, &ben, &from_ben).await, expected);
    app.stop().await;
}

#[actix_web::test]
async fn a_partners_cursor_does_not_move_with_the_other_members_private_activity() {
    // A clock that stands still, so a cursor differs only by the change it points at.
    let app = TestApp::spawn_at(rekindle_tests::wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let (ana_before, ben_before) = (cursor(&app, &ana).await, cursor(&app, &ben).await);
    rekindle_tests::assessments::take_yes_no(&app, &ana, "signs_of_progress", &[]).await;
    assert_eq!(
        cursor(&app, &ben).await,
        ben_before,
        "Ben's cursor moved with Ana's private assessment"
    );
    assert_ne!(
        cursor(&app, &ana).await,
        ana_before,
        "Ana's own cursor moves"
    );
    // And a page of nothing is not a page.
    let empty = app
        .graphql_as(
            ben.token(),
            FEED,
            json!({ "after": ben_before, "first": 0 }),
        )
        .await;
    assert_eq!(error_codes(&empty), vec!["BAD_USER_INPUT"], "{empty}");
    app.stop().await;
}
