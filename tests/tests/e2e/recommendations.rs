//! Plan recommendations from results, shared results and distractions, and accepting them.

use rekindle_tests::assessments::{SHARE, UNSHARE, take, take_yes_no};
use rekindle_tests::builders::{create_plan, pair};
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::{Value, json};

const RECOMMEND: &str = "{ recommendPlan { professionalSupportFirst rituals { ritual { key } reasons { source instrumentKey text } } steps { action instrumentKey reason } } }";
const ACCEPT: &str = "mutation($plan: ID!, $r: [AcceptedRitualInput!]!) { acceptRecommendations(input: { planId: $plan, rituals: $r }) { items { id ritual { key } assignee } } }";

async fn recommendations(app: &TestApp, who: &Account) -> Value {
    let body = app.graphql_as(who.token(), RECOMMEND, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["recommendPlan"].clone()
}

fn keys(recommendation: &Value) -> Vec<String> {
    recommendation["rituals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ritual"]["key"].as_str().unwrap().to_owned())
        .collect()
}

/// Ana and Ben as a couple who named smartphones as a distraction.
async fn couple(app: &TestApp) -> (Account, Account, String) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple_id = pair(app, &ana, &ben).await;
    let body = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { updateCouple(input: { coupleId: $id, distractions: [SMARTPHONES] }) { couple { id } } }",
            json!({ "id": couple_id }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    (ana, ben, couple_id)
}

/// Burnout or boredom, answered `burnout` for the burnout items and `boredom` for the others.
async fn burnout_boredom(app: &TestApp, who: &Account, burnout: &str, boredom: &str) -> String {
    let burnout_items = [
        "drained",
        "stopped_caring",
        "pulling_away",
        "lasting_resentment",
    ];
    let (id, result) = take(app, who, "burnout_boredom", |item, _| {
        let level = if burnout_items.contains(&item) {
            burnout
        } else {
            boredom
        };
        json!({ "choice": level })
    })
    .await;
    assert!(!result["outcome"].is_null(), "{result}");
    id
}

#[actix_web::test]
async fn recommendations_follow_own_results_shared_results_and_distractions_with_reasons() {
    let app = TestApp::spawn().await;
    let (ana, ben, _) = couple(&app).await;
    let id = burnout_boredom(&app, &ana, "rarely", "often").await;

    let for_ana = recommendations(&app, &ana).await;
    let ana_keys = keys(&for_ana);
    for expected in [
        "weekly_adventure",
        "monthly_new_experience",
        "tech_free_meal",
    ] {
        assert!(
            ana_keys.contains(&expected.to_owned()),
            "{expected}: {for_ana}"
        );
    }
    let adventure = &for_ana["rituals"][0];
    assert_eq!(
        adventure["reasons"][0]["source"], "YOUR_RESULT",
        "{for_ana}"
    );
    assert_eq!(adventure["reasons"][0]["instrumentKey"], "burnout_boredom");
    let meal = for_ana["rituals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ritual"]["key"] == "tech_free_meal")
        .unwrap();
    assert_eq!(meal["reasons"][0]["source"], "DISTRACTIONS");
    assert_eq!(for_ana["professionalSupportFirst"], false);

    // Ben knows nothing of Ana's private result: only the couple's distractions speak.
    assert_eq!(keys(&recommendations(&app, &ben).await), ["tech_free_meal"]);
    app.graphql_as(ana.token(), SHARE, json!({ "id": id }))
        .await;
    let for_ben = recommendations(&app, &ben).await;
    assert!(
        keys(&for_ben).contains(&"weekly_adventure".to_owned()),
        "{for_ben}"
    );
    assert_eq!(
        for_ben["rituals"][0]["reasons"][0]["source"],
        "PARTNER_SHARED_RESULT"
    );
    assert_eq!(
        for_ben["steps"],
        json!([]),
        "a partner's result suggests no steps to Ben"
    );
    app.graphql_as(ana.token(), UNSHARE, json!({ "id": id }))
        .await;
    assert_eq!(keys(&recommendations(&app, &ben).await), ["tech_free_meal"]);
}

#[actix_web::test]
async fn burnout_puts_professional_support_first() {
    let app = TestApp::spawn().await;
    let (ana, _, _) = couple(&app).await;
    burnout_boredom(&app, &ana, "always", "rarely").await;
    let found = recommendations(&app, &ana).await;
    assert_eq!(found["professionalSupportFirst"], true, "{found}");
    assert_eq!(found["steps"][0]["action"], "TALK_TO_PROFESSIONAL");
    assert_eq!(found["steps"][0]["instrumentKey"], "burnout_boredom");
}

#[actix_web::test]
async fn a_safety_result_guides_its_owner_and_changes_nothing_for_the_partner() {
    let app = TestApp::spawn().await;
    let (ana, ben, _) = couple(&app).await;
    let before = recommendations(&app, &ben).await;
    take_yes_no(&app, &ana, "when_diy_is_not_enough", &["abuse"]).await;
    let for_ana = recommendations(&app, &ana).await;
    assert_eq!(
        for_ana["steps"][0]["action"], "SEEK_IMMEDIATE_HELP",
        "{for_ana}"
    );
    assert_eq!(recommendations(&app, &ben).await, before);
}

#[actix_web::test]
async fn accepting_adds_chosen_rituals_to_the_plan_all_or_nothing() {
    let app = TestApp::spawn().await;
    let (ana, ben, _) = couple(&app).await;
    burnout_boredom(&app, &ana, "never", "always").await;
    let plan = create_plan(&app, &ana).await;
    let weekly = json!({ "cadence": "WEEKLY", "daysOfWeek": ["SATURDAY"], "localTime": "10:00" });

    // One chosen ritual not recommended spoils the whole request.
    let refused = app
        .graphql_as(
            ana.token(),
            ACCEPT,
            json!({ "plan": plan, "r": [
                { "ritualKey": "weekly_adventure", "schedule": weekly, "assignee": "BOTH" },
                { "ritualKey": "six_second_kiss", "schedule": weekly, "assignee": "BOTH" }
            ] }),
        )
        .await;
    assert_eq!(error_codes(&refused), vec!["BAD_USER_INPUT"], "{refused}");
    let twice = app
        .graphql_as(
            ana.token(),
            ACCEPT,
            json!({ "plan": plan, "r": [
                { "ritualKey": "weekly_adventure", "schedule": weekly, "assignee": "BOTH" },
                { "ritualKey": "weekly_adventure", "schedule": weekly, "assignee": "BOTH" }
            ] }),
        )
        .await;
    assert_eq!(error_codes(&twice), vec!["BAD_USER_INPUT"], "{twice}");
    let items = app
        .graphql_as(
            ana.token(),
            "{ me { couple { activePlan { items { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        items["data"]["me"]["couple"]["activePlan"]["items"],
        json!([]),
        "{items}"
    );

    let accepted = app
        .graphql_as(
            ana.token(),
            ACCEPT,
            json!({ "plan": plan, "r": [
                { "ritualKey": "weekly_adventure", "schedule": weekly, "assignee": "BOTH" },
                { "ritualKey": "tech_free_meal", "schedule": { "cadence": "DAILY", "localTime": "19:00" }, "assignee": "EITHER" }
            ] }),
        )
        .await;
    let added = &accepted["data"]["acceptRecommendations"]["items"];
    assert_eq!(added[0]["ritual"]["key"], "weekly_adventure", "{accepted}");
    assert_eq!(added[1]["assignee"], "EITHER");
    let after = keys(&recommendations(&app, &ana).await);
    assert!(!after.contains(&"weekly_adventure".to_owned()), "{after:?}");
    assert!(!after.contains(&"tech_free_meal".to_owned()));
    // Ben sees the items on the couple's plan, not why Ana's results suggested them.
    let shared_plan = app
        .graphql_as(
            ben.token(),
            "{ me { couple { activePlan { items { ritual { key } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        shared_plan["data"]["me"]["couple"]["activePlan"]["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn the_guides_resources_are_listed_and_steps_point_to_guided_support() {
    let app = TestApp::spawn().await;
    let all = app
        .graphql(
            "{ supportResources(first: 20) { totalCount edges { node { kind title by help } } } kindsOfHelp { kind title offers bestFor } }",
            json!({}),
        )
        .await;
    assert!(error_codes(&all).is_empty(), "{all}");
    let edges = all["data"]["supportResources"]["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["node"] == json!({ "kind": "BOOK", "title": "Hold Me Tight", "by": "Dr. Sue Johnson", "help": "SELF_HELP" })), "{all}");
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["title"] == "Where Should We Begin?")
    );
    assert_eq!(all["data"]["kindsOfHelp"].as_array().unwrap().len(), 2);
    let guided = app
        .graphql(
            "{ supportResources(help: GUIDED_SUPPORT, first: 2) { totalCount pageInfo { hasNextPage } edges { node { help } } } }",
            json!({}),
        )
        .await;
    let list = &guided["data"]["supportResources"];
    assert!(list["totalCount"].as_u64().unwrap() >= 3, "{guided}");
    assert_eq!(list["pageInfo"]["hasNextPage"], true);
    assert!(
        list["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["help"] == "GUIDED_SUPPORT")
    );

    let (ana, _, _) = couple(&app).await;
    burnout_boredom(&app, &ana, "always", "never").await;
    let steps = app
        .graphql_as(
            ana.token(),
            "{ recommendPlan { steps { action resources { help } } } }",
            json!({}),
        )
        .await;
    let step = &steps["data"]["recommendPlan"]["steps"][0];
    assert_eq!(step["action"], "TALK_TO_PROFESSIONAL", "{steps}");
    assert!(!step["resources"].as_array().unwrap().is_empty());
    assert!(
        step["resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["help"] == "GUIDED_SUPPORT")
    );
}
