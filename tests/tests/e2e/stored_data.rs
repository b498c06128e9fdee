//! What the store holds is read strictly: a value that does not parse is an internal error
//! logged with its table and row, never replaced by a default. And a completion is a Node,
//! refetched through the policy like every other object.

use rekindle_tests::builders::{couple, plan_with_item};
use rekindle_tests::{TestApp, email, error_codes, logs};
use serde_json::{Value, json};

/// Stores a value no release of Rekindle writes: as if by hand, or by a bug.
async fn corrupt_assignee(app: &TestApp, row: uuid::Uuid) {
    use entities::plan_item::{Column, Entity};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::update_many()
        .col_expr(Column::Assignee, Expr::value("everyone"))
        .filter(Column::Id.eq(row))
        .exec(&app.db)
        .await
        .unwrap();
}

fn uuid_of(global_id: &str) -> uuid::Uuid {
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .unwrap();
    let text = String::from_utf8(text).unwrap();
    uuid::Uuid::parse_str(text.split_once(':').unwrap().1).unwrap()
}

#[actix_web::test]
async fn a_bad_stored_value_is_an_internal_error_naming_its_row() {
    logs::start();
    let app = TestApp::spawn().await;
    let (ana, _) = couple(&app).await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;
    let row = uuid_of(&item);
    let query = "query($id: ID!) { node(id: $id) { ... on PlanItem { id assignee } } }";
    let body = app
        .graphql_as(ana.token(), query, json!({ "id": item }))
        .await;
    assert_eq!(body["data"]["node"]["assignee"], "EITHER", "{body}");

    corrupt_assignee(&app, row).await;
    let body = app
        .graphql_as(ana.token(), query, json!({ "id": item }))
        .await;
    assert_eq!(error_codes(&body), vec!["INTERNAL_SERVER_ERROR"], "{body}");
    assert!(
        !body.to_string().contains("everyone"),
        "the detail stays in the logs: {body}"
    );
    let logged = logs::captured();
    let line = logged
        .lines()
        .find(|l| l.contains("bad stored data") && l.contains(&row.to_string()))
        .unwrap_or_else(|| panic!("no log line names row {row}"));
    assert!(
        line.contains("plan_items") && line.contains("assignee"),
        "{line}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_completion_is_refetched_through_node_as_the_caller_may_see_it() {
    let app = TestApp::spawn().await;
    let (ana, ben) = couple(&app).await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;
    let body = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5, note: \"ours\" }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    let id = body["data"]["completeRitual"]["completion"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let node = "query($id: ID!) { node(id: $id) { __typename id ... on Completion { closeness note isMine member { displayName } } } }";
    let mine = app.graphql_as(ana.token(), node, json!({ "id": id })).await;
    assert_eq!(
        mine["data"]["node"],
        json!({ "__typename": "Completion", "id": id, "closeness": 5, "note": "ours", "isMine": true, "member": { "displayName": "Ana" } }),
        "{mine}"
    );
    let partners = app.graphql_as(ben.token(), node, json!({ "id": id })).await;
    assert_eq!(
        partners["data"]["node"]["note"],
        Value::Null,
        "an unshared note is private"
    );
    assert_eq!(partners["data"]["node"]["isMine"], false);
    let stranger = app.register(&email("cleo"), "Cleo").await;
    let theirs = app
        .graphql_as(stranger.token(), node, json!({ "id": id }))
        .await;
    assert_eq!(theirs["data"]["node"], Value::Null, "{theirs}");
    assert!(error_codes(&theirs).is_empty());
    let anonymous = app.graphql_as(None, node, json!({ "id": id })).await;
    assert_eq!(anonymous["data"]["node"], Value::Null);
    app.stop().await;
}
