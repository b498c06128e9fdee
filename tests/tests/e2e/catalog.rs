use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

const KEYS_PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
  rituals(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { key } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

fn keys(body: &Value) -> Vec<String> {
    body["data"]["rituals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_catalog_lists_the_built_in_rituals_with_their_steps() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ rituals(first: 50) { totalCount edges { node { key title steps } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"], Value::Null, "{body}");
    let total = body["data"]["rituals"]["totalCount"].as_u64().unwrap();
    assert!(total >= 20, "only {total} rituals");
    let edges = body["data"]["rituals"]["edges"].as_array().unwrap();
    assert_eq!(edges.len() as u64, total);
    let find = |key: &str| {
        edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["key"] == key)
            .unwrap_or_else(|| panic!("{key} missing"))
            .clone()
    };
    assert_eq!(find("six_second_kiss")["title"], "Six-second kiss");
    let steps = find("honesty_hour")["steps"].as_array().unwrap().clone();
    assert_eq!(steps.len(), 9);
    assert!(steps[0].as_str().unwrap().starts_with("Set a time"));
    assert!(steps[2].as_str().unwrap().contains("ground rules"));
    assert!(steps[8].as_str().unwrap().starts_with("Plan a follow-up"));
    app.stop().await;
}

#[actix_web::test]
async fn one_ritual_is_found_by_key_and_a_missing_key_is_null() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ kiss: ritual(key: \"six_second_kiss\") { key category defaultCadence durationMinutes whyItHelps builtIn }
               none: ritual(key: \"no_such_ritual\") { key } }",
            json!({}),
        )
        .await;
    let kiss = &body["data"]["kiss"];
    assert_eq!(kiss["category"], "PHYSICAL");
    assert_eq!(kiss["defaultCadence"], "DAILY");
    assert_eq!(kiss["builtIn"], true);
    assert!(kiss["durationMinutes"].as_i64().unwrap() >= 1);
    assert!(!kiss["whyItHelps"].as_str().unwrap().is_empty());
    assert_eq!(body["data"]["none"], Value::Null);
    app.stop().await;
}

#[actix_web::test]
async fn pages_walk_forward_and_backward_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let all = keys(&app.graphql(KEYS_PAGE, json!({ "first": 100 })).await);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "ordered by key");

    let mut forward = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .graphql(KEYS_PAGE, json!({ "first": 7, "after": after }))
            .await;
        forward.extend(keys(&body));
        let info = &body["data"]["rituals"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], !after.is_null());
        if info["hasNextPage"] == false {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(forward, all);

    let mut backward = Vec::new();
    let mut before = Value::Null;
    loop {
        let body = app
            .graphql(KEYS_PAGE, json!({ "last": 5, "before": before }))
            .await;
        let mut page = keys(&body);
        page.extend(backward);
        backward = page;
        let info = &body["data"]["rituals"]["pageInfo"];
        if info["hasPreviousPage"] == false {
            break;
        }
        before = info["startCursor"].clone();
    }
    assert_eq!(backward, all);
    app.stop().await;
}

#[actix_web::test]
async fn filters_narrow_the_catalog_and_count_what_matches() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ physical: rituals(category: PHYSICAL, first: 100) { totalCount edges { node { category } } }
               monthly: rituals(cadence: MONTHLY, first: 100) { totalCount edges { node { defaultCadence } } }
               kiss: rituals(search: \"KiSs\") { totalCount edges { node { key } } }
               percent: rituals(search: \"%\") { totalCount } }",
            json!({}),
        )
        .await;
    let data = &body["data"];
    assert!(data["physical"]["totalCount"].as_u64().unwrap() >= 3);
    for edge in data["physical"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["category"], "PHYSICAL");
    }
    for edge in data["monthly"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["defaultCadence"], "MONTHLY");
    }
    assert_eq!(data["kiss"]["totalCount"], 1);
    assert_eq!(data["kiss"]["edges"][0]["node"]["key"], "six_second_kiss");
    assert_eq!(data["percent"]["totalCount"], 0, "% is matched literally");
    app.stop().await;
}

#[actix_web::test]
async fn bad_page_arguments_are_bad_user_input() {
    let app = TestApp::spawn().await;
    for variables in [
        json!({ "first": 1, "last": 1 }),
        json!({ "first": -1 }),
        json!({ "first": 101 }),
        json!({ "after": "not-a-cursor" }),
    ] {
        let body = app.graphql(KEYS_PAGE, variables.clone()).await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{variables}: {body}"
        );
    }
    app.stop().await;
}
