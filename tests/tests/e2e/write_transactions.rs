//! Every mutation that records changes-feed rows records them in its own write's transaction:
//! with inserts into `changes` made to fail, each of them fails and leaves every table as it
//! was (a write whose change was recorded in a later step would have kept its rows). Then it
//! runs for real, so the next one has what it needs.

use rekindle_tests::assessments::take;
use rekindle_tests::faults::{allow_inserts, differences, fingerprint, refuse_inserts};
use rekindle_tests::{Account, TestApp, email, error_codes, wednesday_noon};
use serde_json::{Value, json};

/// Runs `query` as `who` first with `changes` refusing inserts (it must fail and change
/// nothing), then for real (it must succeed); answers the real run's data.
async fn both_ways(app: &TestApp, who: &Account, query: &str, variables: Value) -> Value {
    refuse_inserts(app, "changes").await;
    let before = fingerprint(&app.db).await;
    let refused = app.graphql_as(who.token(), query, variables.clone()).await;
    let after = fingerprint(&app.db).await;
    allow_inserts(app, "changes").await;
    assert_eq!(
        error_codes(&refused),
        vec!["INTERNAL_SERVER_ERROR"],
        "{query}: {refused}"
    );
    assert_eq!(
        differences(&before, &after),
        Vec::<String>::new(),
        "{query} kept rows without its change"
    );
    let done = app.graphql_as(who.token(), query, variables).await;
    assert!(error_codes(&done).is_empty(), "{query}: {done}");
    done["data"].clone()
}

fn id(data: &Value, path: &[&str]) -> String {
    let mut at = data;
    for step in path {
        at = &at[*step];
    }
    at.as_str()
        .unwrap_or_else(|| panic!("{path:?} in {data}"))
        .to_owned()
}

#[actix_web::test]
async fn each_mutation_records_its_changes_in_its_own_transaction() {
    let app = TestApp::spawn_at(wednesday_noon()).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;

    both_ways(
        &app,
        &ana,
        "mutation { updateProfile(input: { displayName: \"Ana B\" }) { __typename } }",
        json!({}),
    )
    .await;
    let made = both_ways(
        &app,
        &ana,
        "mutation { createCouple(input: { goals: [\"talk more\"] }) { couple { id } invite { code } } }",
        json!({}),
    )
    .await;
    let couple = id(&made, &["createCouple", "couple", "id"]);
    let code = id(&made, &["createCouple", "invite", "code"]);
    both_ways(
        &app,
        &ben,
        "mutation($code: String!) { joinCouple(input: { code: $code }) { __typename } }",
        json!({ "code": code }),
    )
    .await;
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { updateCouple(input: { coupleId: $id, goals: [\"laugh\"] }) { __typename } }",
        json!({ "id": couple }),
    )
    .await;

    let made = both_ways(
        &app,
        &ana,
        "mutation { createPlan(input: { name: \"Ours\" }) { plan { id } } }",
        json!({}),
    )
    .await;
    let plan = id(&made, &["createPlan", "plan", "id"]);
    let schedule = json!({ "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" });
    let made = both_ways(
        &app,
        &ana,
        "mutation($input: AddPlanItemInput!) { addPlanItem(input: $input) { item { id } } }",
        json!({ "input": { "planId": plan, "ritualKey": "six_second_kiss", "assignee": "BOTH", "schedule": schedule } }),
    )
    .await;
    let item = id(&made, &["addPlanItem", "item", "id"]);
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { updatePlanItem(input: { planItemId: $id, assignee: EITHER }) { __typename } }",
        json!({ "id": item }),
    )
    .await;
    let made = both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }",
        json!({ "id": item }),
    )
    .await;
    let completion = id(&made, &["completeRitual", "completion", "id"]);
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { undoCompletion(input: { completionId: $id }) { __typename } }",
        json!({ "id": completion }),
    )
    .await;
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { removePlanItem(input: { planItemId: $id }) { __typename } }",
        json!({ "id": item }),
    )
    .await;
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { pausePlan(input: { planId: $id, until: \"2026-12-31T00:00:00Z\" }) { __typename } }",
        json!({ "id": plan }),
    )
    .await;
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { resumePlan(input: { planId: $id }) { __typename } }",
        json!({ "id": plan }),
    )
    .await;

    let made = both_ways(
        &app,
        &ana,
        "mutation { startAssessment(input: { instrumentKey: \"signs_of_progress\" }) { assessment { id } } }",
        json!({}),
    )
    .await;
    let assessment = id(&made, &["startAssessment", "assessment", "id"]);
    let items = app
        .graphql_as(
            ana.token(),
            "{ instrument(key: \"signs_of_progress\") { items { key } } }",
            json!({}),
        )
        .await;
    let answers: Vec<Value> = items["data"]["instrument"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{items}"))
        .iter()
        .map(|i| json!({ "itemKey": i["key"], "yes": true }))
        .collect();
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!, $a: [AssessmentAnswerInput!]!) { answerAssessment(input: { assessmentId: $id, answers: $a }) { __typename } }",
        json!({ "id": assessment, "a": answers }),
    )
    .await;
    for op in [
        "submitAssessment",
        "shareAssessmentResult",
        "unshareAssessmentResult",
    ] {
        both_ways(
            &app,
            &ana,
            &format!(
                "mutation($id: ID!) {{ {op}(input: {{ assessmentId: $id }}) {{ __typename }} }}"
            ),
            json!({ "id": assessment }),
        )
        .await;
    }

    // Ben's results recommend a weekly adventure; accepting it adds it to the plan.
    take(&app, &ben, "burnout_boredom", |item, _| {
        let burnout = [
            "drained",
            "stopped_caring",
            "pulling_away",
            "lasting_resentment",
        ];
        json!({ "choice": if burnout.contains(&item) { "rarely" } else { "often" } })
    })
    .await;
    let weekly = json!({ "cadence": "WEEKLY", "daysOfWeek": ["SATURDAY"], "localTime": "10:00" });
    both_ways(
        &app,
        &ben,
        "mutation($plan: ID!, $r: [AcceptedRitualInput!]!) { acceptRecommendations(input: { planId: $plan, rituals: $r }) { __typename } }",
        json!({ "plan": plan, "r": [{ "ritualKey": "weekly_adventure", "assignee": "BOTH", "schedule": weekly }] }),
    )
    .await;

    let made = both_ways(
        &app,
        &ana,
        "mutation { proposeBreak(input: { until: \"2026-04-01\", checkInOn: \"2026-03-31\", terms: \"Time to think\", contactRules: \"A call on Sundays\" }) { coupleBreak { id } } }",
        json!({}),
    )
    .await;
    let proposed = id(&made, &["proposeBreak", "coupleBreak", "id"]);
    both_ways(
        &app,
        &ben,
        "mutation($id: ID!) { declineBreak(input: { breakId: $id }) { __typename } }",
        json!({ "id": proposed }),
    )
    .await;
    let made = both_ways(
        &app,
        &ben,
        "mutation { proposeBreak(input: { until: \"2026-04-01\", checkInOn: \"2026-03-31\", terms: \"Time to think\", contactRules: \"A call on Sundays\" }) { coupleBreak { id } } }",
        json!({}),
    )
    .await;
    let proposed = id(&made, &["proposeBreak", "coupleBreak", "id"]);
    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { __typename } }",
        json!({ "id": proposed }),
    )
    .await;

    both_ways(
        &app,
        &ana,
        "mutation($id: ID!) { archivePlan(input: { planId: $id }) { __typename } }",
        json!({ "id": plan }),
    )
    .await;
    both_ways(
        &app,
        &ben,
        "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { __typename } }",
        json!({ "id": couple }),
    )
    .await;
    app.stop().await;
}
