//! Many clients writing at once get answers, never internal errors: on SQLite every write
//! transaction begins as a writer and waits its turn; on PostgreSQL the same code runs.

use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

const ADD: &str =
    "mutation($input: AddPlanItemInput!) { addPlanItem(input: $input) { item { id } } }";
const UPDATE: &str =
    "mutation($input: UpdatePlanItemInput!) { updatePlanItem(input: $input) { item { id } } }";
const COMPLETE: &str = "mutation($input: CompleteRitualInput!) { completeRitual(input: $input) { completion { id } } }";
const PROFILE: &str =
    "mutation($n: String!) { updateProfile(input: { displayName: $n }) { user { id } } }";
const COUPLE: &str = "mutation($id: ID!, $g: [String!]) { updateCouple(input: { coupleId: $id, goals: $g }) { couple { id } } }";
const INVITE: &str =
    "mutation($id: ID!) { createInvite(input: { coupleId: $id }) { invite { code } } }";

#[actix_web::test]
async fn concurrent_writers_of_every_kind_get_no_internal_error() {
    let app = TestApp::spawn_at(rekindle_tests::wednesday_noon()).await;
    let (ana, ben) = rekindle_tests::builders::couple(&app).await;
    let (plan, first_item) = rekindle_tests::builders::plan_with_item(&app, &ana, "EITHER").await;
    let couple = app
        .graphql_as(ana.token(), "{ me { couple { id } } }", json!({}))
        .await["data"]["me"]["couple"]["id"]
        .clone();
    let clients = (0..8).map(|client| {
        let (app, plan, first_item, couple) = (&app, plan.clone(), first_item.clone(), couple.clone());
        let who = if client % 2 == 0 { ana.clone() } else { ben.clone() };
        async move {
            let mut answers: Vec<Value> = Vec::new();
            for round in 0..25 {
                let (query, variables) = match round % 6 {
                    0 | 1 => (ADD, json!({ "input": {
                        "planId": plan, "ritualKey": "tech_free_meal", "assignee": "EITHER",
                        "schedule": { "cadence": "WEEKLY", "daysOfWeek": ["MONDAY"], "localTime": format!("{:02}:{:02}", client + 8, round) }
                    }})),
                    2 => (UPDATE, json!({ "input": {
                        "planItemId": first_item,
                        "schedule": { "cadence": "DAILY", "localTime": format!("{:02}:00", 6 + client) }
                    }})),
                    3 => (COMPLETE, json!({ "input": { "planItemId": first_item, "closeness": 5 } })),
                    4 => (PROFILE, json!({ "n": format!("Name {client} {round}") })),
                    _ => if round % 12 == 5 {
                        (COUPLE, json!({ "id": couple, "g": [format!("goal {client} {round}")] }))
                    } else {
                        (INVITE, json!({ "id": couple }))
                    },
                };
                answers.push(app.graphql_as(who.token(), query, variables).await);
            }
            answers
        }
    });
    let answers: Vec<Value> = futures_util::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(answers.len(), 200);
    let internal: Vec<&Value> = answers
        .iter()
        .filter(|body| {
            error_codes(body)
                .iter()
                .any(|c| c == "INTERNAL_SERVER_ERROR")
        })
        .collect();
    assert!(
        internal.is_empty(),
        "{} internal errors, e.g. {:?}",
        internal.len(),
        internal.first()
    );
    let added = answers
        .iter()
        .filter(|body| !body["data"]["addPlanItem"]["item"]["id"].is_null())
        .count();
    assert!(added >= 60, "{added} plan items added");
    app.stop().await;
}
