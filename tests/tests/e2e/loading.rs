//! Batched loading: reading a couple's screens costs a fixed number of SQL statements, however
//! many plan items there are. Statements are counted by a hook on the app's database
//! connection (`TestApp::sql_statements`), not estimated. Here the read cache is off, as for a
//! couple other than the caller's current one; `read_cache.rs` counts with it on.

use rekindle_tests::builders::{add_item, couple, create_plan};
use rekindle_tests::{Account, Stores, TestApp, error_codes, wednesday_noon};
use serde_json::{Value, json};

/// The home screen: me, the couple and its members, the active plan, and every item with its
/// ritual, next occurrence and streak.
pub(crate) const HOME: &str = "{ me { id displayName couple { id members { displayName isMe }
    activePlan { id name items { id ritual { key title } schedule { cadence localTime }
      assignee nextOccurrences(first: 1) streak { current longest unit } } } } } }";

pub(crate) const PROGRESS: &str = "{ me { couple { progress(weeks: 12) {
    weeks { weekStart planned completed rate averageCloseness }
    streaks { couple { current } items { item { id } streak { current unit } } }
    balance { category share } } } } }";

/// Statements the home screen costs without the read cache: the session with its account and
/// the caller's couple (one statement), its members, its plans, their items, and the items'
/// completions and pauses. Catalog rituals
/// come from memory (a couple's own rituals would add one statement, whatever their number).
const HOME_STATEMENTS: u64 = 6;
/// Statements `progress(weeks: 12)` costs without the read cache: the session with the couple,
/// its plans, their items, the items' completions and pauses, and the couple's members.
const PROGRESS_STATEMENTS: u64 = 6;

const SCHEDULES: [fn(usize) -> Value; 5] = [
    |_| json!({ "cadence": "DAILY", "localTime": "21:00" }),
    |_| json!({ "cadence": "WEEKDAYS", "localTime": "07:30" }),
    |i| json!({ "cadence": "WEEKLY", "daysOfWeek": [(["MONDAY", "THURSDAY", "SATURDAY"][i % 3])], "localTime": "19:00" }),
    |i| json!({ "cadence": "EVERY_N_WEEKS", "intervalWeeks": 2 + i % 3, "daysOfWeek": ["SUNDAY"], "localTime": "10:00" }),
    |i| json!({ "cadence": "MONTHLY", "dayOfMonth": 1 + i % 28, "localTime": "20:00" }),
];

/// Statements one request costs, and its answer (which must hold no error).
pub(crate) async fn cost(app: &TestApp, who: &Account, query: &str) -> (u64, Value) {
    let before = app.sql_statements();
    let body = app.graphql_as(who.token(), query, json!({})).await;
    let spent = app.sql_statements() - before;
    assert!(error_codes(&body).is_empty(), "{body}");
    (spent, body)
}

/// Keys of the catalog's first 30 rituals.
pub(crate) async fn catalog_keys(app: &TestApp) -> Vec<String> {
    let catalog = app
        .graphql(
            "{ rituals(first: 30) { edges { node { key } } } }",
            json!({}),
        )
        .await;
    let keys: Vec<String> = catalog["data"]["rituals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(keys.len() >= 10, "{catalog}");
    keys
}

/// Adds items (mixed cadences and rituals) until the plan has `count`, logging some of them.
pub(crate) async fn grow_plan(
    app: &TestApp,
    who: &Account,
    plan: &str,
    keys: &[String],
    from: usize,
    count: usize,
) {
    for i in from..count {
        let item = add_item(
            app,
            who,
            plan,
            json!({ "ritualKey": keys[i % keys.len()], "assignee": "EITHER", "schedule": SCHEDULES[i % SCHEDULES.len()](i) }),
        )
        .await;
        // Daily items have an occurrence today whatever the day: log those.
        if i % SCHEDULES.len() == 0 {
            let body = app
                .graphql_as(
                    who.token(),
                    "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }",
                    json!({ "id": item["id"] }),
                )
                .await;
            assert!(error_codes(&body).is_empty(), "{body}");
        }
    }
}

#[actix_web::test]
async fn without_the_read_cache_the_home_screen_and_progress_cost_the_same_for_one_item_and_thirty()
{
    // A set clock, and no embedded worker: its heartbeats would share the counted connection.
    let stores = Stores::fresh().await;
    let app =
        TestApp::spawn_driven(&stores, wednesday_noon(), &[("REKINDLE_READ_CACHE", "off")]).await;
    let (ana, ben) = couple(&app).await;
    let keys = catalog_keys(&app).await;
    let plan = create_plan(&app, &ana).await;
    grow_plan(&app, &ana, &plan, &keys, 0, 1).await;

    let (home_one, body) = cost(&app, &ben, HOME).await;
    let items = &body["data"]["me"]["couple"]["activePlan"]["items"];
    assert_eq!(items.as_array().unwrap().len(), 1, "{body}");
    let (progress_one, _) = cost(&app, &ben, PROGRESS).await;

    grow_plan(&app, &ana, &plan, &keys, 1, 30).await;
    let (home_thirty, body) = cost(&app, &ben, HOME).await;
    let items = body["data"]["me"]["couple"]["activePlan"]["items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 30, "{body}");
    assert!(
        items
            .iter()
            .all(|i| i["streak"]["unit"].is_string() && i["ritual"]["key"].is_string()),
        "{body}"
    );
    let (progress_thirty, body) = cost(&app, &ben, PROGRESS).await;
    let progress = &body["data"]["me"]["couple"]["progress"];
    assert_eq!(progress["streaks"]["items"].as_array().unwrap().len(), 30);
    assert!(
        progress["weeks"][11]["completed"].as_u64().unwrap() >= 1,
        "{body}"
    );

    assert_eq!(
        home_one, home_thirty,
        "the home screen must not cost per item"
    );
    assert_eq!(
        progress_one, progress_thirty,
        "progress must not cost per item"
    );
    assert_eq!(home_thirty, HOME_STATEMENTS);
    assert_eq!(progress_thirty, PROGRESS_STATEMENTS);
    app.stop().await;
}

#[actix_web::test]
async fn a_plan_items_completions_are_paged_in_sql_and_priced_by_page_size() {
    let app = TestApp::spawn_with(&[
        ("REKINDLE_EMBEDDED_WORKER", "false"),
        ("REKINDLE_GRAPHQL_MAX_COMPLEXITY", "200"),
    ])
    .await;
    let (ana, _) = couple(&app).await;
    let plan = create_plan(&app, &ana).await;
    let item = add_item(
        &app,
        &ana,
        &plan,
        json!({ "ritualKey": "six_second_kiss", "assignee": "EITHER", "schedule": { "cadence": "DAILY", "localTime": "21:00", "startsOn": "2026-01-01" } }),
    )
    .await;
    let id = item["id"].as_str().unwrap();
    let log = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 3 }) { completion { id } } }";
    let body = app.graphql_as(ana.token(), log, json!({ "id": id })).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let page = "query($id: ID!, $n: Int) { node(id: $id) { ... on PlanItem { completions(first: $n) { totalCount pageInfo { hasNextPage } edges { node { id closeness } } } } } }";
    let body = app
        .graphql_as(ana.token(), page, json!({ "id": id, "n": 1 }))
        .await;
    let completions = &body["data"]["node"]["completions"];
    assert_eq!(completions["totalCount"], 1, "{body}");
    assert_eq!(completions["pageInfo"]["hasNextPage"], false);
    // A page's size is part of the query's price: the same selection asking for a hundred
    // completions costs a hundred times as much and is refused before anything runs.
    let costly = "query($id: ID!) { node(id: $id) { ... on PlanItem { completions(first: 100) { edges { node { id closeness note } } } } } }";
    let body = app
        .graphql_as(ana.token(), costly, json!({ "id": id }))
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{body}"
    );
    let cheap = costly.replace("first: 100", "first: 10");
    let body = app
        .graphql_as(ana.token(), &cheap, json!({ "id": id }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn catalog_rituals_are_served_from_memory() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let before = app.sql_statements();
    let body = app
        .graphql(
            "{ ritual(key: \"six_second_kiss\") { id key title steps category } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["ritual"]["key"], "six_second_kiss", "{body}");
    let id = body["data"]["ritual"]["id"].clone();
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Ritual { key } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["key"], "six_second_kiss", "{body}");
    assert_eq!(
        app.sql_statements(),
        before,
        "no statement for catalog lookups"
    );
    // A key that is not in the catalog is still looked up (and answers null).
    let body = app
        .graphql("{ ritual(key: \"custom_nobody\") { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["ritual"], Value::Null);
    assert!(app.sql_statements() > before);
    app.stop().await;
}
