//! Nobody but the member learns that a conversation exists: not the partner, another couple,
//! the couple's coach, the organization's API key or an administrator; not the partner's
//! changes feed or notifications. Conversations are in the member's export and go with the
//! account.

use rekindle_tests::coaching::setting;
use rekindle_tests::{TestApp, builders, error_codes};
use serde_json::{Value, json};

use super::{CONVERSATIONS, start};

#[actix_web::test]
async fn nobody_but_the_member_sees_a_conversation_or_learns_it_exists() {
    let app = TestApp::spawn().await;
    let s = setting(&app).await;
    builders::grant(
        &app,
        &s.ana,
        &s.org,
        &["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"],
    )
    .await;
    builders::grant(
        &app,
        &s.ben,
        &s.org,
        &["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"],
    )
    .await;
    let key = builders::api_key(
        &app,
        &s.org_admin,
        &["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"],
    )
    .await;
    let key_token = key["secret"].as_str().unwrap().to_owned();
    let changes_before = app
        .graphql_as(
            s.ben.token(),
            "{ changes(first: 100) { changes { id type } } }",
            json!({}),
        )
        .await;
    let notes_before = app
        .graphql_as(
            s.ben.token(),
            "{ notifications(first: 50) { totalCount } }",
            json!({}),
        )
        .await;

    let first = start(&app, &s.ana, "We feel like roommates lately").await;
    let conversation = first["conversation"]["id"].as_str().unwrap().to_owned();
    let reply = first["reply"]["id"].as_str().unwrap().to_owned();
    start(&app, &s.ana, "He checks my phone every night").await;

    let other = app.register(&rekindle_tests::email("cat"), "Cat").await;
    for (who, token) in [
        ("partner", s.ben.token()),
        ("another member", other.token()),
        ("the couple's coach", s.org_admin.token()),
        ("an administrator", s.admin.token()),
        ("the organization's API key", Some(key_token.as_str())),
    ] {
        for id in [&conversation, &reply] {
            let node = app
                .graphql_as(
                    token,
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(node["data"]["node"], Value::Null, "{who}: {node}");
        }
        let one = app
            .graphql_as(
                token,
                "query($id: ID!) { coachConversation(id: $id) { id } }",
                json!({ "id": conversation }),
            )
            .await;
        let codes = error_codes(&one);
        assert!(
            codes == ["NOT_FOUND"] || codes == ["FORBIDDEN"],
            "{who}: {one}"
        );
        let listed = app.graphql_as(token, CONVERSATIONS, json!({})).await;
        match error_codes(&listed).as_slice() {
            [] => assert_eq!(
                listed["data"]["coachConversations"]["totalCount"], 0,
                "{who}"
            ),
            [code] => assert_eq!(code, "FORBIDDEN", "{who}: {listed}"),
            _ => panic!("{who}: {listed}"),
        }
        let sent = app
            .graphql_as(
                token,
                "mutation($c: ID!) { sendCoachMessage(input: { conversationId: $c, text: \"hi\" }) { reply { id } } }",
                json!({ "c": conversation }),
            )
            .await;
        let codes = error_codes(&sent);
        assert!(
            codes == ["NOT_FOUND"] || codes == ["FORBIDDEN"],
            "{who}: {sent}"
        );
    }

    let changes_after = app
        .graphql_as(
            s.ben.token(),
            "{ changes(first: 100) { changes { id type } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        changes_after["data"]["changes"]["changes"], changes_before["data"]["changes"]["changes"],
        "the partner's feed tells nothing"
    );
    let notes_after = app
        .graphql_as(
            s.ben.token(),
            "{ notifications(first: 50) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(notes_after, notes_before, "the partner is told nothing");
    let own_feed = app
        .graphql_as(
            s.ana.token(),
            "{ changes(first: 100) { changes { type } } }",
            json!({}),
        )
        .await
        .to_string();
    assert!(!own_feed.contains("Coach"), "{own_feed}");
}

#[actix_web::test]
async fn conversations_are_exported_with_the_account_and_deleted_with_it() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    start(&app, &ana, "Any ideas for a weekend together?").await;
    let id = rekindle_tests::uuid_of(&ana.id);
    let now = chrono::Utc::now();
    let archive = entities::data_rights::export(&app.db, id, now)
        .await
        .unwrap()
        .unwrap();
    let conversations = archive["coachConversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1);
    let messages = conversations[0]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["text"], "Any ideas for a weekend together?");

    entities::data_rights::delete_account(&app.db, id, chrono::Duration::days(30), now)
        .await
        .unwrap();
    use entities::sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entities::coach_conversation::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        entities::coach_message::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
}
