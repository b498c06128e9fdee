use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

#[actix_web::test]
async fn a_ritual_is_refetched_through_node_by_its_global_id() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ ritual(key: \"honesty_hour\") { id } }", json!({}))
        .await;
    let id = body["data"]["ritual"]["id"].as_str().unwrap().to_owned();
    assert!(!id.contains("honesty"), "IDs are opaque: {id}");
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { __typename id ... on Ritual { key steps } } }",
            json!({ "id": id }),
        )
        .await;
    let node = &body["data"]["node"];
    assert_eq!(node["__typename"], "Ritual");
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["key"], "honesty_hour");
    assert_eq!(node["steps"].as_array().unwrap().len(), 9);
    app.stop().await;
}

#[actix_web::test]
async fn an_unknown_global_id_is_null_and_a_malformed_one_is_bad_input() {
    let app = TestApp::spawn().await;
    // A well-formed ID of a ritual that does not exist.
    let missing = "Uml0dWFsOjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw";
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(body["errors"], Value::Null, "{body}");
    assert_eq!(body["data"]["node"], Value::Null);
    let body = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "garbage" }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    app.stop().await;
}

/// Objects whose `id` is another object's global ID (the one `node` refetches), not their own.
const IDS_OF_OTHERS: [&str; 3] = [
    // The changed object's ID.
    "Change",
    // The member's `User` ID.
    "CoupleMember",
    // The account's `User` ID, as an operator sees it.
    "ManagedAccount",
];

#[test]
fn every_object_with_a_global_id_is_a_node() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(api::graphql::sdl()).expect("SDL parses");
    let mut missing = Vec::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else {
            continue;
        };
        let TypeKind::Object(object) = &ty.node.kind else {
            continue;
        };
        let name = ty.node.name.node.as_str();
        let has_id = object
            .fields
            .iter()
            .any(|f| f.node.name.node == "id" && f.node.ty.node.to_string() == "ID!");
        let is_node = object.implements.iter().any(|i| i.node == "Node");
        if has_id && !is_node && !IDS_OF_OTHERS.contains(&name) {
            missing.push(name.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "these have a global ID that node(id:) cannot refetch: {missing:?}"
    );
}

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// The `__typename` `node(id:)` answers `who`, or null.
async fn refetched(app: &TestApp, who: &rekindle_tests::Account, id: &Value) -> Value {
    let body = app.graphql_as(who.token(), NODE, json!({ "id": id })).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    if !body["data"]["node"].is_null() {
        assert_eq!(body["data"]["node"]["id"], *id, "{body}");
    }
    body["data"]["node"]["__typename"].clone()
}

#[actix_web::test]
async fn summaries_shared_results_and_access_events_are_refetched_by_those_who_see_them() {
    use rekindle_tests::assessments::{SHARE, UNSHARE, take};
    use rekindle_tests::builders::{grant, organization, pair, plan_with_item};
    use rekindle_tests::{email, wednesday_noon};

    let app = TestApp::spawn_at(wednesday_noon()).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple = pair(&app, &ana, &ben).await;
    plan_with_item(&app, &ana, "EITHER").await;
    let (assessment, _) = take(
        &app,
        &ana,
        "listening_attunement",
        |_, _| json!({ "choice": "often" }),
    )
    .await;
    let shared = app
        .graphql_as(ana.token(), SHARE, json!({ "id": assessment }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    let admin = app.create_with_role(&email("ops"), "admin").await;
    let (org, coach) = organization(&app, &admin, "Northside").await;
    grant(&app, &ana, &org, &["PROGRESS"]).await;

    // A week on, an operator builds the pairing week's summary.
    app.advance(chrono::Duration::days(7));
    let ana = app.login(&ana.email, &ana.password).await;
    let ben = app.login(&ben.email, &ben.password).await;
    let admin = app.login(&admin.email, &admin.password).await;
    let coach = app.login(&coach.email, &coach.password).await;
    let monday = (wednesday_noon() - chrono::Duration::days(2)).date_naive();
    let rebuilt = app
        .graphql_as(
            admin.token(),
            "mutation($c: ID!, $w: NaiveDate!) { rebuildWeeklySummary(input: { coupleId: $c, weekStart: $w }) { weekStart } }",
            json!({ "c": couple, "w": monday }),
        )
        .await;
    assert!(error_codes(&rebuilt).is_empty(), "{rebuilt}");
    let outsider = app.register(&email("cleo"), "Cleo").await;
    let outsider_partner = app.register(&email("dan"), "Dan").await;
    pair(&app, &outsider, &outsider_partner).await;

    let body = app
        .graphql_as(
            ben.token(),
            "{ me { couple {
                weeklySummaries(first: 1) { edges { node { id } } }
                sharedAssessmentResults { edges { node { id isMine } } }
                access { events(first: 5) { edges { node { id action } } } }
            } } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let couple_view = &body["data"]["me"]["couple"];
    let summary = couple_view["weeklySummaries"]["edges"][0]["node"]["id"].clone();
    let result = couple_view["sharedAssessmentResults"]["edges"][0]["node"]["id"].clone();
    let event = couple_view["access"][0]["events"]["edges"][0]["node"]["id"].clone();
    for id in [&summary, &result, &event] {
        assert!(id.is_string(), "{body}");
    }
    assert_ne!(
        result.as_str(),
        Some(assessment.as_str()),
        "a shared result is not its owner's Assessment ID"
    );

    for who in [&ana, &ben] {
        assert_eq!(refetched(&app, who, &summary).await, "WeeklySummary");
        assert_eq!(
            refetched(&app, who, &result).await,
            "SharedAssessmentResult"
        );
        assert_eq!(refetched(&app, who, &event).await, "AccessEvent");
    }
    // Another couple, an operator and the organization's coach: as if none of them existed.
    for who in [&outsider, &admin, &coach] {
        for id in [&summary, &result, &event] {
            assert_eq!(refetched(&app, who, id).await, Value::Null, "{id}");
        }
    }
    // Taken back, a shared result is gone for the partner.
    let unshared = app
        .graphql_as(ana.token(), UNSHARE, json!({ "id": assessment }))
        .await;
    assert!(error_codes(&unshared).is_empty(), "{unshared}");
    assert_eq!(refetched(&app, &ben, &result).await, Value::Null);
    app.stop().await;
}
