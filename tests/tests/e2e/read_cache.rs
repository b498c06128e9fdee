//! The read cache: on a warm instance a member's reads cost the one statement every
//! authenticated request makes (session, account, membership and the couple's versions), and
//! after the partner writes, the next read costs at most four. Statements are counted by the
//! app's own hook (`TestApp::sql_statements`).

use rekindle_tests::builders::{couple, create_plan};
use rekindle_tests::{TestApp, error_codes, wednesday_noon};
use serde_json::json;

use crate::loading::{HOME, PROGRESS, catalog_keys, cost, grow_plan};

const ME: &str = "{ me { id } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on PlanItem { assignee createdAt schedule { cadence localTime timezone } } } }";

#[actix_web::test]
async fn warm_reads_make_one_statement_for_one_item_and_thirty() {
    // A set clock, and no embedded worker: its heartbeats would share the counted connection.
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let keys = catalog_keys(&app).await;
    let plan = create_plan(&app, &ana).await;
    for count in [1, 30] {
        let from = if count == 1 { 0 } else { 1 };
        grow_plan(&app, &ana, &plan, &keys, from, count).await;
        // The first read after ana's writes fills ben's couple's entry.
        let (_, body) = cost(&app, &ben, HOME).await;
        let items = body["data"]["me"]["couple"]["activePlan"]["items"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(items.len(), count, "{body}");
        let item = items[0]["id"].as_str().unwrap().to_owned();

        let (me, _) = cost(&app, &ben, ME).await;
        let before = app.sql_statements();
        let node = app
            .graphql_as(ben.token(), NODE, json!({ "id": item }))
            .await;
        let node_cost = app.sql_statements() - before;
        assert_eq!(node["data"]["node"]["id"], item, "{node}");
        let (home, _) = cost(&app, &ben, HOME).await;
        let (progress, body) = cost(&app, &ben, PROGRESS).await;
        let streaks = &body["data"]["me"]["couple"]["progress"]["streaks"]["items"];
        assert_eq!(streaks.as_array().unwrap().len(), count, "{body}");
        assert_eq!(
            (me, node_cost, home, progress),
            (1, 1, 1, 1),
            "me, node, home and progress with {count} items on a warm instance"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn after_the_partner_writes_the_next_read_makes_at_most_four_statements() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let keys = catalog_keys(&app).await;
    let plan = create_plan(&app, &ana).await;
    grow_plan(&app, &ana, &plan, &keys, 0, 5).await;
    let (_, body) = cost(&app, &ben, HOME).await;
    // The second item is a weekday one, not logged today (a Wednesday).
    let item = body["data"]["me"]["couple"]["activePlan"]["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let writes: [(&str, &str, serde_json::Value); 4] = [
        (
            "a completion",
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5 }) { completion { id } } }",
            json!({ "id": item }),
        ),
        (
            "a new item",
            "mutation($p: ID!, $k: String!) { addPlanItem(input: { planId: $p, ritualKey: $k, assignee: \"EITHER\", schedule: { cadence: \"DAILY\", localTime: \"08:00\" } }) { item { id } } }",
            json!({ "p": plan, "k": keys[7] }),
        ),
        (
            "a new name",
            "mutation { updateProfile(input: { displayName: \"Ana Maria\" }) { user { id } } }",
            json!({}),
        ),
        (
            "a pause",
            "mutation($p: ID!) { pausePlan(input: { planId: $p, until: \"2026-03-28T12:00:00Z\" }) { plan { id } } }",
            json!({ "p": plan }),
        ),
    ];
    for (what, mutation, variables) in writes {
        let body = app.graphql_as(ana.token(), mutation, variables).await;
        assert!(error_codes(&body).is_empty(), "{what}: {body}");
        let (after, body) = cost(&app, &ben, HOME).await;
        assert!(
            after <= 4,
            "after {what} the home screen cost {after} statements"
        );
        let (warm, again) = cost(&app, &ben, HOME).await;
        assert_eq!(warm, 1, "read again after {what}");
        assert_eq!(
            body, again,
            "the reload and the warm read agree after {what}"
        );
    }
    // What ana wrote shows in ben's reads.
    let (_, body) = cost(&app, &ben, HOME).await;
    let couple = &body["data"]["me"]["couple"];
    assert_eq!(
        couple["activePlan"]["items"].as_array().unwrap().len(),
        6,
        "{body}"
    );
    assert!(
        couple["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["displayName"] == "Ana Maria"),
        "{body}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn concurrent_reads_of_a_stale_couple_reload_it_once_and_metrics_show_it() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let (ana, ben) = couple(&app).await;
    let keys = catalog_keys(&app).await;
    let plan = create_plan(&app, &ana).await;
    grow_plan(&app, &ana, &plan, &keys, 0, 3).await;
    let counters = app.metrics.read_cache();
    let reloads = counters.reloads();
    let hits = counters.hits();
    // Twenty reads of the home screen at once, by both members, all missing the same parts.
    let reads = (0..20).map(|i| {
        let who = if i % 2 == 0 { &ana } else { &ben };
        app.graphql_as(who.token(), HOME, json!({}))
    });
    let answers = futures_util::future::join_all(reads).await;
    for body in &answers {
        assert!(error_codes(body).is_empty(), "{body}");
    }
    assert_eq!(
        counters.reloads() - reloads,
        3,
        "members, plans and completions, each read once"
    );
    cost(&app, &ben, HOME).await;
    assert!(counters.hits() > hits);
    let (_, _, metrics) = app.get("/metrics").await;
    for name in [
        "rekindle_read_cache_hits_total",
        "rekindle_read_cache_misses_total",
        "rekindle_read_cache_reloads_total",
        "rekindle_read_cache_evictions_total",
        "rekindle_read_cache_entries 1",
        "rekindle_read_cache_bytes",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn requests_arriving_together_each_get_their_own_session_from_a_shared_statement() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let mut accounts = Vec::new();
    for n in 0..6 {
        let (ana, ben) = couple(&app).await;
        if n == 0 {
            // A session ended before the requests: refused, whatever shares its statement.
            revocation::log_out(&app, &ana).await;
        }
        accounts.extend([ana, ben]);
    }
    let query = "{ me { id couple { members { isMe } } } }";
    // Each account asks three times at once: the same session several times in one batch.
    let asks: Vec<&rekindle_tests::Account> = (0..3).flat_map(|_| accounts.iter()).collect();
    let before = app.sql_statements();
    let answers = futures_util::future::join_all(
        asks.iter()
            .map(|who| app.graphql_as(who.token(), query, json!({}))),
    )
    .await;
    let spent = app.sql_statements() - before;
    for (who, body) in asks.iter().zip(&answers) {
        if who.id == accounts[0].id {
            assert_eq!(error_codes(body), vec!["UNAUTHENTICATED"], "{body}");
        } else {
            assert!(error_codes(body).is_empty(), "{body}");
            assert_eq!(
                body["data"]["me"]["id"],
                who.id.as_str(),
                "each request its own account"
            );
        }
    }
    // At most one statement per request for the sessions, plus the couples' parts.
    assert!(
        spent <= asks.len() as u64 + 6,
        "{spent} statements for {} requests",
        asks.len()
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_cache_bounded_to_one_couple_drops_the_other_and_still_answers_right() {
    let stores = rekindle_tests::Stores::fresh().await;
    let app = TestApp::spawn_driven(
        &stores,
        wednesday_noon(),
        &[("REKINDLE_READ_CACHE_COUPLES", "1")],
    )
    .await;
    let (ana, _) = couple(&app).await;
    let (cal, _) = couple(&app).await;
    for who in [&ana, &cal, &ana] {
        let (_, body) = cost(&app, who, HOME).await;
        assert_eq!(body["data"]["me"]["id"], who.id.as_str(), "{body}");
    }
    let (_, _, metrics) = app.get("/metrics").await;
    for line in [
        "rekindle_read_cache_entries 1",
        "rekindle_read_cache_evictions_total 2",
    ] {
        assert!(
            metrics.contains(line),
            "{line} missing from /metrics:\n{metrics}"
        );
    }
    app.stop().await;
}

mod differential;
mod revocation;
