//! Notifications: what a partner is told (that something happened, never what was written or
//! answered), nothing during a break, and each member's own inbox, paged newest first and
//! marked read by its owner only.

use std::time::Duration;

use domain::notification::{Draft, Kind};
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::{Account, Options, Stores, TestApp, email, error_codes, eventually, uuid_of};
use serde_json::{Value, json};

mod across_instances;

const INBOX: &str = "query($first: Int, $after: String, $unread: Boolean) { notifications(first: $first, after: $after, unreadOnly: $unread) { totalCount unreadCount pageInfo { hasNextPage endCursor } edges { node { id kind title body data read readAt createdAt } } } }";
const MARK: &str = "mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { marked unreadCount } }";

async fn app_with_worker() -> TestApp {
    let stores = Stores::fresh().await;
    TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "true".into())],
            ..Options::default()
        },
    )
    .await
}

async fn inbox(app: &TestApp, who: &Account, vars: Value) -> Value {
    let body = app.graphql_as(who.token(), INBOX, vars).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["notifications"].clone()
}

fn nodes(page: &Value) -> Vec<Value> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Runs of a queue's job on the app's embedded worker.
fn runs(app: &TestApp, queue: &str) -> u64 {
    rekindle_tests::worker::jobs_done(&app.metrics.render(), queue)
}

async fn couple_with_a_ritual(app: &TestApp) -> (Account, Account, String) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
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
    (ana, ben, item["id"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn a_partner_hears_a_ritual_was_logged_and_nothing_written_with_it() {
    let app = app_with_worker().await;
    let (ana, ben, item) = couple_with_a_ritual(&app).await;
    let log = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5, note: \"our secret words\" }) { completion { id } } }";
    for _ in 0..2 {
        // The second is a client's retry: the same completion, the same single notification.
        let body = app
            .graphql_as(ana.token(), log, json!({ "id": item }))
            .await;
        assert!(error_codes(&body).is_empty(), "{body}");
    }
    let told = eventually("Ben told", Duration::from_secs(60), || async {
        let page = inbox(&app, &ben, json!({})).await;
        (page["totalCount"] == 1).then_some(page)
    })
    .await;
    let note = &nodes(&told)[0];
    assert_eq!(note["kind"], "PARTNER_COMPLETED");
    assert_eq!(note["title"], "Ana did Six-second kiss");
    assert_eq!(note["data"]["planItemId"], json!(item));
    let text = note.to_string();
    assert!(!text.contains("secret"), "{text}");
    assert!(!text.contains("closeness"), "{text}");
    // The retry wrote nothing, so it queued nothing: the one announcement ran, once, and
    // left nothing in the outbox (removed after the run is counted).
    eventually("the outbox emptied", Duration::from_secs(60), || async {
        let depth = entities::outbox::depth(&app.db).await.unwrap();
        (depth.entries == 0).then_some(())
    })
    .await;
    assert_eq!(runs(&app, "announce_completion"), 1);
    assert_eq!(inbox(&app, &ben, json!({})).await["totalCount"], 1);
    assert_eq!(
        inbox(&app, &ana, json!({})).await["totalCount"],
        0,
        "nobody is told about themselves"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_partner_hears_the_check_in_was_answered_but_not_the_answer() {
    let app = app_with_worker().await;
    let (ana, ben, _) = couple_with_a_ritual(&app).await;
    let answer = "mutation { answerCheckIn(input: { answer: \"I felt unseen at dinner\" }) { checkIn { date } } }";
    let body = app.graphql_as(ana.token(), answer, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let told = eventually("Ben told", Duration::from_secs(60), || async {
        let page = inbox(&app, &ben, json!({})).await;
        (page["totalCount"] == 1).then_some(page)
    })
    .await;
    let note = &nodes(&told)[0];
    assert_eq!(note["kind"], "PARTNER_CHECKED_IN");
    assert_eq!(note["title"], "Ana answered today's check-in");
    assert_eq!(note["body"], "Answer yours to see each other's.");
    assert!(!note.to_string().contains("unseen"), "{note}");
    // Ben answers second: Ana, who answered, is told the answers are open, not to answer.
    let body = app.graphql_as(ben.token(), answer, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let told = eventually("Ana told", Duration::from_secs(60), || async {
        let page = inbox(&app, &ana, json!({})).await;
        (page["totalCount"] == 1).then_some(page)
    })
    .await;
    let note = &nodes(&told)[0];
    assert_eq!(note["title"], "Ben answered today's check-in");
    assert_eq!(
        note["body"],
        "You have both answered: see each other's answers."
    );
    app.stop().await;
}

#[actix_web::test]
async fn nobody_is_nudged_about_their_partner_during_a_break() {
    let app = app_with_worker().await;
    let (ana, ben, _) = couple_with_a_ritual(&app).await;
    let today = chrono::Utc::now().date_naive();
    let propose = "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"Space\", contactRules: \"Texts only\" }) { coupleBreak { id } } }";
    let proposed = app
        .graphql_as(
            ana.token(),
            propose,
            json!({ "u": today + chrono::Days::new(7), "c": today + chrono::Days::new(3) }),
        )
        .await;
    let id = proposed["data"]["proposeBreak"]["coupleBreak"]["id"].clone();
    let agreed = app
        .graphql_as(
            ben.token(),
            "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { coupleBreak { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        agreed["data"]["agreeToBreak"]["coupleBreak"]["status"], "ACTIVE",
        "{agreed}"
    );
    let answer =
        "mutation { answerCheckIn(input: { answer: \"Thinking of you\" }) { checkIn { date } } }";
    let body = app.graphql_as(ana.token(), answer, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    eventually("the announcement ran", Duration::from_secs(60), || async {
        (runs(&app, "announce_check_in") >= 1).then_some(())
    })
    .await;
    assert_eq!(inbox(&app, &ben, json!({})).await["totalCount"], 0);
    app.stop().await;
}

fn draft(user: uuid::Uuid, n: usize) -> Draft {
    Draft {
        user_id: user,
        kind: Kind::WeeklySummaryReady,
        title: format!("Summary {n}"),
        body: "Your week together.".into(),
        data: json!({}),
        dedupe_key: format!("test:{user}:{n}"),
    }
}

#[actix_web::test]
async fn each_member_pages_and_marks_read_only_their_own_notifications() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(&stores, Options::default()).await;
    let (ana, ben, _) = couple_with_a_ritual(&app).await;
    let now = chrono::Utc::now();
    for n in 0..5 {
        let at = now + chrono::Duration::seconds(n as i64);
        entities::notification::insert_once(&app.db, draft(uuid_of(&ana.id), n), at)
            .await
            .unwrap()
            .unwrap();
    }
    // The same dedupe key again stores nothing.
    assert!(
        entities::notification::insert_once(&app.db, draft(uuid_of(&ana.id), 4), now)
            .await
            .unwrap()
            .is_none()
    );
    let bens = entities::notification::insert_once(&app.db, draft(uuid_of(&ben.id), 0), now)
        .await
        .unwrap()
        .unwrap();

    let first = inbox(&app, &ana, json!({ "first": 2 })).await;
    assert_eq!(first["totalCount"], 5);
    assert_eq!(first["unreadCount"], 5);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let titles = |page: &Value| -> Vec<String> {
        nodes(page)
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&first), ["Summary 4", "Summary 3"], "newest first");
    let second = inbox(
        &app,
        &ana,
        json!({ "first": 2, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(titles(&second), ["Summary 2", "Summary 1"]);

    // Ana marks one of hers and Ben's: only hers changes.
    let newest = nodes(&first)[0]["id"].clone();
    let ben_id = rekindle_tests::global_id("Notification", bens.id);
    let marked = app
        .graphql_as(
            ana.token(),
            MARK,
            json!({ "input": { "ids": [newest, ben_id] } }),
        )
        .await;
    assert_eq!(
        marked["data"]["markNotificationsRead"]["marked"], 1,
        "{marked}"
    );
    assert_eq!(marked["data"]["markNotificationsRead"]["unreadCount"], 4);
    assert_eq!(inbox(&app, &ben, json!({})).await["unreadCount"], 1);
    let unread = inbox(&app, &ana, json!({ "unread": true })).await;
    assert_eq!(unread["totalCount"], 4);
    assert!(!titles(&unread).contains(&"Summary 4".to_owned()));

    // Nobody reads another's notification by ID either.
    let node = "query($id: ID!) { node(id: $id) { id ... on Notification { title } } }";
    let seen = app
        .graphql_as(ben.token(), node, json!({ "id": newest }))
        .await;
    assert_eq!(seen["data"]["node"], Value::Null, "{seen}");
    let own = app
        .graphql_as(ana.token(), node, json!({ "id": newest }))
        .await;
    assert_eq!(own["data"]["node"]["title"], "Summary 4");

    let all = app
        .graphql_as(ana.token(), MARK, json!({ "input": { "all": true } }))
        .await;
    assert_eq!(all["data"]["markNotificationsRead"]["marked"], 4, "{all}");
    assert_eq!(all["data"]["markNotificationsRead"]["unreadCount"], 0);
    assert_eq!(inbox(&app, &ben, json!({})).await["unreadCount"], 1);

    // Unclear requests are refused and change nothing.
    for input in [json!({}), json!({ "ids": [ben_id], "all": true })] {
        let refused = app
            .graphql_as(ben.token(), MARK, json!({ "input": input }))
            .await;
        assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    }
    assert_eq!(inbox(&app, &ben, json!({})).await["unreadCount"], 1);
    app.stop().await;
}

#[actix_web::test]
async fn preferences_refuse_what_makes_no_sense() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(&stores, Options::default()).await;
    let (ana, _ben, item) = couple_with_a_ritual(&app).await;
    let update = "mutation($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { preferences { dailyCap mutedPlanItems { id } quietHours { start } } } }";
    for input in [
        json!({ "dailyCap": 101 }),
        json!({ "dailyCap": -1 }),
        json!({ "mutePlanItemIds": [item], "unmutePlanItemIds": [item] }),
        json!({ "mutePlanItemIds": ["not-an-id"] }),
    ] {
        let refused = app
            .graphql_as(ana.token(), update, json!({ "input": input }))
            .await;
        assert_eq!(
            error_codes(&refused),
            ["BAD_USER_INPUT"],
            "{input}: {refused}"
        );
    }
    let set = app
        .graphql_as(ana.token(), update, json!({ "input": { "dailyCap": 3 } }))
        .await;
    assert_eq!(
        set["data"]["updateNotificationPreferences"]["preferences"],
        json!({ "dailyCap": 3, "mutedPlanItems": [], "quietHours": null })
    );
    let cleared = app
        .graphql_as(
            ana.token(),
            update,
            json!({ "input": { "dailyCap": null } }),
        )
        .await;
    assert_eq!(
        cleared["data"]["updateNotificationPreferences"]["preferences"]["dailyCap"],
        Value::Null
    );
    app.stop().await;
}

#[actix_web::test]
async fn marking_unknown_or_read_notifications_writes_no_change() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let changes = || async {
        entities::change::Entity::find()
            .count(&app.db)
            .await
            .unwrap()
    };
    let before = changes().await;
    let strangers: Vec<String> = (0..50)
        .map(|_| domain::ids::global_id("Notification", uuid::Uuid::new_v4()))
        .collect();
    let marked = app
        .graphql_as(ana.token(), MARK, json!({ "input": { "ids": strangers } }))
        .await;
    assert!(error_codes(&marked).is_empty(), "{marked}");
    assert_eq!(marked["data"]["markNotificationsRead"]["marked"], 0);
    let all = app
        .graphql_as(ana.token(), MARK, json!({ "input": { "all": true } }))
        .await;
    assert!(error_codes(&all).is_empty(), "{all}");
    assert_eq!(changes().await, before, "nothing changed, nothing recorded");
    app.stop().await;
}
