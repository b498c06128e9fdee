//! `couple.conversationStarters`: for both partners, drawn only from what both already see,
//! each saying what it draws from.

use rekindle_tests::data_rights::{couple_with_everything, marks};
use rekindle_tests::{Stores, TestApp, error_codes, wednesday_noon};
use serde_json::json;

const STARTERS: &str =
    "{ me { couple { conversationStarters(first: 10) { text source about } } } }";

#[actix_web::test]
async fn starters_draw_on_what_both_see_and_nothing_private() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_driven(&stores, wednesday_noon(), &[]).await;
    let clock = app.clock.clone().unwrap();
    let (ana, ben, _) = couple_with_everything(&app, &clock).await;

    let for_ana = app.graphql_as(ana.token(), STARTERS, json!({})).await;
    assert!(for_ana["errors"].is_null(), "{for_ana}");
    let starters = for_ana["data"]["me"]["couple"]["conversationStarters"]
        .as_array()
        .unwrap()
        .clone();
    let sources: Vec<&str> = starters
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    for source in ["CHECK_IN", "SHARED_RESULT", "PLAN"] {
        assert!(sources.contains(&source), "{source} in {sources:?}");
    }
    assert!(
        !sources.contains(&"COMPLETION"),
        "every logged ritual has a note: none may be drawn on"
    );
    let shared = starters
        .iter()
        .find(|s| s["source"] == "SHARED_RESULT")
        .unwrap();
    assert_eq!(shared["about"], "Signs of progress", "{shared}");
    let text = serde_json::to_string(&starters).unwrap();
    for marker in marks::ALL.into_iter().chain(["Is it time to let go"]) {
        assert!(!text.contains(marker), "{marker} in {text}");
    }
    let for_ben = app.graphql_as(ben.token(), STARTERS, json!({})).await;
    assert_eq!(
        for_ben["data"]["me"]["couple"]["conversationStarters"],
        for_ana["data"]["me"]["couple"]["conversationStarters"],
        "the same for both partners, all day"
    );
    let too_many = app
        .graphql_as(
            ana.token(),
            "{ me { couple { conversationStarters(first: 11) { text } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&too_many), ["BAD_USER_INPUT"]);
}
