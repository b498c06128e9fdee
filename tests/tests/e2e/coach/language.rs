//! The coach speaks the member's language: its disclosure, scripted replies, safety replies
//! and conversation starters come from the coach's message file for their `locale`, their
//! triggers read in that language; a locale Rekindle does not ship reads English.

use rekindle_tests::{Account, TestApp, builders};
use serde_json::{Value, json};

use super::start;

async fn set_locale(app: &TestApp, who: &Account, locale: &str) {
    let changed = app
        .graphql_as(
            who.token(),
            "mutation($l: String!) { updateProfile(input: { locale: $l }) { user { locale } } }",
            json!({ "l": locale }),
        )
        .await;
    assert!(changed["errors"].is_null(), "{changed}");
}

async fn starters(app: &TestApp, who: &Account) -> Vec<Value> {
    let body = app
        .graphql_as(
            who.token(),
            "{ me { couple { conversationStarters(first: 3) { text source about } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["me"]["couple"]["conversationStarters"]
        .as_array()
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn a_member_who_chose_spanish_is_coached_in_spanish() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    set_locale(&app, &ana, "es-MX").await;
    let first = start(&app, &ana, "Otra vez la misma discusión, peleamos por todo").await;
    let text = first["reply"]["text"].as_str().unwrap();
    assert_eq!(first["reply"]["disclosure"], true);
    assert!(text.contains("coach automático"), "{text}");
    assert!(text.contains("no una persona"), "{text}");
    // A reply of the conflict topic, found by Spanish words, in Spanish.
    assert!(
        text.contains("discusión") || text.contains("conflicto"),
        "{text}"
    );
    assert!(!text.contains("automated coach"), "{text}");

    let ben = app.register(&rekindle_tests::email("ben"), "Ben").await;
    set_locale(&app, &ben, "fr").await;
    let english = start(&app, &ben, "We keep having the same argument").await;
    let english = english["reply"]["text"].as_str().unwrap();
    assert!(english.contains("automated coach"), "{english}");
}

#[actix_web::test]
async fn a_safety_reply_is_in_the_members_language_with_the_same_resources() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    set_locale(&app, &ana, "es").await;
    // The gate reads Spanish: accents or not.
    let first = start(
        &app,
        &ana,
        "la verdad ya no quiero vivir, estoy cansada de todo",
    )
    .await;
    assert_eq!(first["message"]["safetyConcern"], "SUICIDE");
    assert_eq!(first["conversation"]["safetyMode"], true);
    let text = first["reply"]["text"].as_str().unwrap();
    assert!(text.contains("Gracias por contármelo"), "{text}");
    assert!(text.contains("privada"), "{text}");
    let resources = domain::safety::SafetyResources::builtin().unwrap();
    for resource in resources.for_country(Some("GB")) {
        assert!(text.contains(&resource.name), "{text}");
    }
}

#[actix_web::test]
async fn each_partner_reads_the_couples_starters_in_their_own_language() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let ben = app.register(&rekindle_tests::email("ben"), "Ben").await;
    builders::pair(&app, &ana, &ben).await;
    set_locale(&app, &ana, "es-AR").await;
    let for_ana = starters(&app, &ana).await;
    let for_ben = starters(&app, &ben).await;
    assert_eq!(for_ana.len(), 3);
    assert_eq!(for_ben.len(), 3);
    for (spanish, english) in for_ana.iter().zip(&for_ben) {
        assert_eq!(spanish["source"], english["source"]);
        assert_eq!(spanish["about"], english["about"]);
        let (spanish, english) = (
            spanish["text"].as_str().unwrap(),
            english["text"].as_str().unwrap(),
        );
        assert!(spanish.starts_with('¿'), "{spanish}");
        assert!(english.starts_with("What"), "{english}");
    }
}
