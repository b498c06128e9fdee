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
const IDS_OF_OTHERS: [&str; 4] = [
    // The changed object's ID.
    "Change",
    // The couple's `Couple` ID, as a coach sees it.
    "CoachedCouple",
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
