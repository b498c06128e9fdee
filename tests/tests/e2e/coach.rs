//! The coach: private conversations answered by the scripted engine (no model configured) or
//! by a fake OpenAI-compatible model started here, every message behind the safety gate.

mod language;
mod model;
mod privacy;
mod starters;
mod told;

use rekindle_tests::{Account, TestApp, error_codes};
use serde_json::{Value, json};

pub const START: &str = "mutation($text: String) { startCoachConversation(input: { text: $text, country: \"GB\" }) { conversation { id safetyMode } message { id author text safetyConcern } reply { id author text status engine fallbackReason disclosure } } }";
pub const SEND: &str = "mutation($c: ID!, $text: String!) { sendCoachMessage(input: { conversationId: $c, text: $text, country: \"GB\" }) { conversation { id safetyMode } message { id author text safetyConcern } reply { id author text status engine fallbackReason disclosure } } }";
pub const CONVERSATIONS: &str = "{ coachConversations(first: 3) { totalCount edges { node { id safetyMode messages(first: 10) { totalCount edges { node { id author text status engine fallbackReason disclosure safetyConcern } } } } } } }";

/// Starts a conversation with a first message; the payload's `startCoachConversation`.
pub async fn start(app: &TestApp, who: &Account, text: &str) -> Value {
    let body = app
        .graphql_as(who.token(), START, json!({ "text": text }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["startCoachConversation"].clone()
}

/// Sends a message; the payload's `sendCoachMessage`.
pub async fn send(app: &TestApp, who: &Account, conversation: &str, text: &str) -> Value {
    let body = app
        .graphql_as(
            who.token(),
            SEND,
            json!({ "c": conversation, "text": text }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["sendCoachMessage"].clone()
}

#[actix_web::test]
async fn a_scripted_coach_answers_from_the_guide_and_says_first_that_it_is_automated() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "We keep having the same argument about chores").await;
    let reply = &first["reply"];
    assert_eq!(reply["author"], "COACH");
    assert_eq!(reply["status"], "COMPLETE");
    assert_eq!(reply["engine"], "SCRIPTED");
    assert_eq!(
        reply["fallbackReason"],
        Value::Null,
        "no model is configured"
    );
    assert_eq!(reply["disclosure"], true);
    let text = reply["text"].as_str().unwrap();
    assert!(text.contains("automated coach"), "{text}");
    assert!(text.contains("not a person"), "{text}");
    let conversation = first["conversation"]["id"].as_str().unwrap();

    let second = send(
        &app,
        &ana,
        conversation,
        "We keep having the same argument about chores",
    )
    .await;
    assert_eq!(
        second["reply"]["disclosure"], false,
        "said once per three hours"
    );
    let again = second["reply"]["text"].as_str().unwrap();
    assert!(!again.contains("automated coach"), "{again}");
    assert!(
        text.ends_with(again),
        "the same message gives the same reply:\n{text}\n---\n{again}"
    );

    let listed = app.graphql_as(ana.token(), CONVERSATIONS, json!({})).await;
    assert!(listed["errors"].is_null(), "{listed}");
    let node = &listed["data"]["coachConversations"]["edges"][0]["node"];
    assert_eq!(listed["data"]["coachConversations"]["totalCount"], 1);
    assert_eq!(node["messages"]["totalCount"], 4);
    let authors: Vec<&str> = node["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["MEMBER", "COACH", "MEMBER", "COACH"]);
}

#[actix_web::test]
async fn a_message_about_self_harm_gets_the_safety_reply_and_the_conversation_stays_scripted() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "honestly i want to kil myself").await;
    assert_eq!(first["message"]["safetyConcern"], "SUICIDE");
    assert_eq!(first["conversation"]["safetyMode"], true);
    let text = first["reply"]["text"].as_str().unwrap();
    let resources = domain::safety::SafetyResources::builtin().unwrap();
    for resource in resources.for_country(Some("GB")) {
        assert!(
            text.contains(&resource.name),
            "{} missing from {text}",
            resource.name
        );
    }
    assert!(text.contains("private"), "{text}");
}

#[actix_web::test]
async fn bad_text_is_refused_and_a_member_past_the_days_messages_is_rate_limited() {
    let app = TestApp::spawn_with(&[("REKINDLE_COACH_MESSAGES_PER_DAY", "2")]).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "hello").await;
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let blank = app
        .graphql_as(
            ana.token(),
            SEND,
            json!({ "c": conversation, "text": "   " }),
        )
        .await;
    assert_eq!(error_codes(&blank), ["BAD_USER_INPUT"]);
    let long = app
        .graphql_as(
            ana.token(),
            SEND,
            json!({ "c": conversation, "text": "a".repeat(2001) }),
        )
        .await;
    assert_eq!(error_codes(&long), ["BAD_USER_INPUT"]);
    send(&app, &ana, conversation, "any ideas for the weekend?").await;
    let over = app
        .graphql_as(
            ana.token(),
            SEND,
            json!({ "c": conversation, "text": "one more" }),
        )
        .await;
    assert_eq!(error_codes(&over), ["RATE_LIMITED"], "{over}");
    let retry_after = over["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=86_400).contains(&retry_after), "{retry_after}");
}

#[actix_web::test]
async fn a_deleted_conversation_is_gone_with_its_messages() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "hello").await;
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let reply = first["reply"]["id"].as_str().unwrap();
    let deleted = app
        .graphql_as(
            ana.token(),
            "mutation($c: ID!) { deleteCoachConversation(input: { conversationId: $c }) { conversationId } }",
            json!({ "c": conversation }),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteCoachConversation"]["conversationId"],
        conversation
    );
    let node = app
        .graphql_as(
            ana.token(),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": reply }),
        )
        .await;
    assert_eq!(node["data"]["node"], Value::Null);
    let listed = app.graphql_as(ana.token(), CONVERSATIONS, json!({})).await;
    assert_eq!(listed["data"]["coachConversations"]["totalCount"], 0);
}

#[actix_web::test]
async fn the_coach_says_it_is_automated_again_after_three_hours_of_conversation() {
    let app = TestApp::spawn_at(rekindle_tests::wednesday_noon()).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "hello").await;
    assert_eq!(first["reply"]["disclosure"], true);
    let conversation = first["conversation"]["id"].as_str().unwrap();
    app.advance(chrono::Duration::minutes(179));
    let ana = app.login(&ana.email, &ana.password).await;
    let soon = send(&app, &ana, conversation, "any ideas?").await;
    assert_eq!(soon["reply"]["disclosure"], false);
    app.advance(chrono::Duration::minutes(1));
    let later = send(&app, &ana, conversation, "any ideas?").await;
    assert_eq!(later["reply"]["disclosure"], true);
    let text = later["reply"]["text"].as_str().unwrap();
    assert!(text.starts_with("A quick word first"), "{text}");
}
