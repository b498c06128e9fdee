//! Taking assessments in tests: start one, answer it, submit it.

use serde_json::{Value, json};

use crate::{Account, TestApp, error_codes};

pub const START: &str = "mutation($k: String!) { startAssessment(input: { instrumentKey: $k }) { assessment { id status } } }";
pub const ANSWER: &str = "mutation($id: ID!, $a: [AssessmentAnswerInput!]!) { answerAssessment(input: { assessmentId: $id, answers: $a }) { assessment { id answers { itemKey choice yes } } } }";
pub const SUBMIT: &str = "mutation($id: ID!) { submitAssessment(input: { assessmentId: $id }) { assessment { id status submittedAt } result { total band { key } outcome { key } subscales { key score band { key } } recommendations { reason rituals { key } ritualCategories actions } change { delta reliable direction } safety { messages us: resources(country: \"us\") { name phone } general: resources { name } guidedSupport { help } } } } }";
pub const SHARE: &str = "mutation($id: ID!) { shareAssessmentResult(input: { assessmentId: $id }) { assessment { shared sharedAt } } }";
pub const UNSHARE: &str = "mutation($id: ID!) { unshareAssessmentResult(input: { assessmentId: $id }) { assessment { shared sharedAt } } }";

/// Starts (or resumes) `who`'s assessment of the instrument `key`; its ID.
pub async fn start(app: &TestApp, who: &Account, key: &str) -> String {
    let body = app
        .graphql_as(who.token(), START, json!({ "k": key }))
        .await;
    body["data"]["startAssessment"]["assessment"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// Saves `answers` (a list of `AssessmentAnswerInput`); the whole answer.
pub async fn answer(app: &TestApp, who: &Account, id: &str, answers: Value) -> Value {
    app.graphql_as(who.token(), ANSWER, json!({ "id": id, "a": answers }))
        .await
}

/// Takes the instrument `key` from start to submit, answering each item (by key and kind) with
/// `pick`; the assessment's ID and its result.
pub async fn take(
    app: &TestApp,
    who: &Account,
    key: &str,
    pick: impl Fn(&str, &str) -> Value,
) -> (String, Value) {
    let id = start(app, who, key).await;
    let items = app
        .graphql_as(
            who.token(),
            "query($k: String!) { instrument(key: $k) { items { key kind } } }",
            json!({ "k": key }),
        )
        .await;
    let answers: Vec<Value> = items["data"]["instrument"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{items}"))
        .iter()
        .map(|i| {
            let item = i["key"].as_str().unwrap_or_default();
            let mut given = pick(item, i["kind"].as_str().unwrap_or_default());
            given["itemKey"] = json!(item);
            given
        })
        .collect();
    let saved = answer(app, who, &id, json!(answers)).await;
    assert!(error_codes(&saved).is_empty(), "{saved}");
    let submitted = app
        .graphql_as(who.token(), SUBMIT, json!({ "id": id }))
        .await;
    assert!(error_codes(&submitted).is_empty(), "{submitted}");
    (id, submitted["data"]["submitAssessment"]["result"].clone())
}

/// Takes a yes-or-no instrument, answering yes to the items in `yes`.
pub async fn take_yes_no(app: &TestApp, who: &Account, key: &str, yes: &[&str]) -> (String, Value) {
    take(
        app,
        who,
        key,
        |item, _| json!({ "yes": yes.contains(&item) }),
    )
    .await
}
