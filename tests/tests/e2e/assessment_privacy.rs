//! Assessment privacy end to end (DESIGN.md's privacy rules 2 and 5): results private until
//! shared and again after unsharing, the comparison rule, and the safety path leaving no trace.

use rekindle_tests::assessments::{SHARE, SUBMIT, UNSHARE, answer, take_yes_no};
use rekindle_tests::builders::pair;
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::json;

const COMPARE: &str = "query($k: String!) { me { couple { assessmentComparison(instrumentKey: $k) { mine { total member { displayName } } partner { total member { displayName } } } } } }";
const SHARED: &str = "{ me { couple { sharedAssessmentResults(first: 10) { totalCount edges { node { isMine total band { key } outcome { key } member { displayName } instrument { key } } } } } } }";
/// Ana and Ben as a couple, Cat in another couple with Dan.
async fn couples(app: &TestApp) -> (Account, Account, Account) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let cat = app.register(&email("cat"), "Cat").await;
    let dan = app.register(&email("dan"), "Dan").await;
    pair(app, &ana, &ben).await;
    pair(app, &cat, &dan).await;
    (ana, ben, cat)
}

#[actix_web::test]
async fn answers_and_results_are_private_until_shared_and_again_after_unsharing() {
    let app = TestApp::spawn().await;
    let (ana, ben, cat) = couples(&app).await;
    let (id, result) = take_yes_no(
        &app,
        &ana,
        "resentment_red_flags",
        &["scorekeeping", "silent_treatment"],
    )
    .await;
    assert_eq!(result["band"]["key"], "some");

    // Nobody but Ana reaches the assessment, its answers or its result.
    for other in [&ben, &cat] {
        let node = app
            .graphql_as(
                other.token(),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert!(node["data"]["node"].is_null(), "{node}");
        for mutation in [SUBMIT, SHARE, UNSHARE] {
            let body = app
                .graphql_as(other.token(), mutation, json!({ "id": id }))
                .await;
            assert_eq!(error_codes(&body), vec!["NOT_FOUND"], "{body}");
        }
        let body = answer(
            &app,
            other,
            &id,
            json!([{ "itemKey": "sharp_jokes", "yes": true }]),
        )
        .await;
        assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
        let history = app
            .graphql_as(
                other.token(),
                "{ assessmentHistory(instrumentKey: \"resentment_red_flags\") { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(history["data"]["assessmentHistory"]["totalCount"], 0);
    }
    let before = app.graphql_as(ben.token(), SHARED, json!({})).await;
    assert_eq!(
        before["data"]["me"]["couple"]["sharedAssessmentResults"]["totalCount"], 0,
        "{before}"
    );

    let shared = app
        .graphql_as(ana.token(), SHARE, json!({ "id": id }))
        .await;
    assert_eq!(
        shared["data"]["shareAssessmentResult"]["assessment"]["shared"], true,
        "{shared}"
    );
    let seen = app.graphql_as(ben.token(), SHARED, json!({})).await;
    let list = &seen["data"]["me"]["couple"]["sharedAssessmentResults"];
    assert_eq!(list["totalCount"], 1, "{seen}");
    assert_eq!(
        list["edges"][0]["node"],
        json!({ "isMine": false, "total": 2.0, "band": { "key": "some" }, "outcome": null,
                "member": { "displayName": "Ana" }, "instrument": { "key": "resentment_red_flags" } })
    );
    let own = app.graphql_as(ana.token(), SHARED, json!({})).await;
    assert_eq!(
        own["data"]["me"]["couple"]["sharedAssessmentResults"]["edges"][0]["node"]["isMine"],
        true
    );
    let others = app.graphql_as(cat.token(), SHARED, json!({})).await;
    assert_eq!(
        others["data"]["me"]["couple"]["sharedAssessmentResults"]["totalCount"],
        0
    );
    // A shared result still hides the answers: the partner's view has no field for them.
    let answers = app
        .graphql_as(ben.token(), "{ me { couple { sharedAssessmentResults { edges { node { answers { itemKey } } } } } } }", json!({}))
        .await;
    assert_eq!(error_codes(&answers), vec!["GRAPHQL_VALIDATION_FAILED"]);

    let unshared = app
        .graphql_as(ana.token(), UNSHARE, json!({ "id": id }))
        .await;
    assert_eq!(
        unshared["data"]["unshareAssessmentResult"]["assessment"],
        json!({ "shared": false, "sharedAt": null })
    );
    let after = app.graphql_as(ben.token(), SHARED, json!({})).await;
    assert_eq!(
        after["data"]["me"]["couple"]["sharedAssessmentResults"]["totalCount"], 0,
        "{after}"
    );
}

#[actix_web::test]
async fn a_comparison_exists_only_once_both_shared_the_same_instrument() {
    let app = TestApp::spawn().await;
    let (ana, ben, _) = couples(&app).await;
    let compare = |who: &Account| {
        let token = who.token().map(str::to_owned);
        let app = &app;
        async move {
            let body = app
                .graphql_as(token.as_deref(), COMPARE, json!({ "k": "time_to_let_go" }))
                .await;
            assert!(error_codes(&body).is_empty(), "{body}");
            body["data"]["me"]["couple"]["assessmentComparison"].clone()
        }
    };
    let (ana_result, _) = take_yes_no(&app, &ana, "time_to_let_go", &["avoidance"]).await;
    app.graphql_as(ana.token(), SHARE, json!({ "id": ana_result }))
        .await;
    assert!(compare(&ana).await.is_null());
    assert!(compare(&ben).await.is_null());

    let (ben_other, _) = take_yes_no(&app, &ben, "signs_of_progress", &[]).await;
    app.graphql_as(ben.token(), SHARE, json!({ "id": ben_other }))
        .await;
    assert!(
        compare(&ana).await.is_null(),
        "another instrument does not pair"
    );

    let (ben_private, _) =
        take_yes_no(&app, &ben, "time_to_let_go", &["numbness", "contempt"]).await;
    assert!(
        compare(&ana).await.is_null(),
        "an unshared result does not pair"
    );
    app.graphql_as(ben.token(), SHARE, json!({ "id": ben_private }))
        .await;
    assert_eq!(
        compare(&ana).await,
        json!({ "mine": { "total": 1.0, "member": { "displayName": "Ana" } },
                "partner": { "total": 2.0, "member": { "displayName": "Ben" } } })
    );
    assert_eq!(compare(&ben).await["mine"]["member"]["displayName"], "Ben");
}

/// Everything Ben can read about his couple, in one answer.
const PARTNER_VIEW: &str = "{ me { couple { id members { displayName } sharedAssessmentResults { totalCount edges { node { total } } } progress(weeks: 2) { weeks { planned completed } } le: assessmentComparison(instrumentKey: \"when_diy_is_not_enough\") { mine { total } } } } }";

#[actix_web::test]
async fn a_safety_answer_gets_its_owner_help_and_leaves_no_trace_for_the_partner() {
    let app = TestApp::spawn().await;
    let (ana, ben, _) = couples(&app).await;
    let ben_before = app.graphql_as(ben.token(), PARTNER_VIEW, json!({})).await;
    assert!(error_codes(&ben_before).is_empty(), "{ben_before}");

    let (id, result) = take_yes_no(&app, &ana, "when_diy_is_not_enough", &["abuse"]).await;
    let safety = &result["safety"];
    assert!(
        !safety["messages"].as_array().unwrap().is_empty(),
        "{result}"
    );
    assert!(
        safety["us"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["phone"] == "1-800-799-7233"),
        "{safety}"
    );
    assert!(!safety["general"].as_array().unwrap().is_empty());
    let guided = safety["guidedSupport"].as_array().unwrap();
    assert!(
        !guided.is_empty() && guided.iter().all(|r| r["help"] == "GUIDED_SUPPORT"),
        "{safety}"
    );
    assert!(
        result["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["actions"]
                .as_array()
                .unwrap()
                .contains(&json!("SEEK_IMMEDIATE_HELP")))
    );
    let shared = app
        .graphql_as(ana.token(), SHARE, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&shared), vec!["FORBIDDEN"], "{shared}");

    // Ben's whole view of the couple is what it was before Ana's assessment.
    let ben_after = app.graphql_as(ben.token(), PARTNER_VIEW, json!({})).await;
    assert_eq!(ben_after, ben_before);
    let node = app
        .graphql_as(
            ben.token(),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(node["data"]["node"].is_null());

    // Without the abuse answer, the same instrument is an ordinary, shareable result.
    let (plain, result) = take_yes_no(&app, &ana, "when_diy_is_not_enough", &["checked_out"]).await;
    assert!(result["safety"].is_null(), "{result}");
    let shared = app
        .graphql_as(ana.token(), SHARE, json!({ "id": plain }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
}
