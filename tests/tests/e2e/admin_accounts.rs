//! Operators acting on accounts (search, disable, enable, sessions, roles) and the audit log
//! of every operator action.

use rekindle_tests::builders::pair;
use rekindle_tests::{TestApp, email, error_codes, global_id};
use serde_json::json;
use uuid::Uuid;

use crate::admin::{admin_of, as_admin};

const USERS: &str = "query($s: String, $r: Role, $d: Boolean) { admin { users(search: $s, role: $r, disabled: $d) { totalCount edges { node { id email displayName role disabled liveSessions lastActiveAt } } } } }";
const DISABLE: &str = "mutation($id: ID!) { disableUser(input: { userId: $id }) { user { disabled liveSessions } endedSessions } }";
const ENABLE: &str =
    "mutation($id: ID!) { enableUser(input: { userId: $id }) { user { disabled } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { user { liveSessions } endedSessions } }";
const ROLE: &str = "mutation($id: ID!, $r: Role!) { changeUserRole(input: { userId: $id, role: $r }) { user { role } } }";

#[actix_web::test]
async fn operators_find_accounts_by_text_role_and_state() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let zoe = app.register(&email("zoe_search"), "Zoë Quill").await;
    app.register(&email("yan"), "Yan").await;
    app.login(&zoe.email, &zoe.password).await;

    let by_name = as_admin(&app, &admin, USERS, json!({ "s": "QUILL" })).await;
    let found = &by_name["data"]["admin"]["users"];
    assert_eq!(found["totalCount"], 1, "{by_name}");
    let node = &found["edges"][0]["node"];
    assert_eq!(node["id"], zoe.id.as_str());
    assert_eq!(node["liveSessions"], 2, "registered, then signed in again");
    assert!(node["lastActiveAt"].is_string());
    let by_email = as_admin(&app, &admin, USERS, json!({ "s": "zoe_search" })).await;
    assert_eq!(by_email["data"]["admin"]["users"]["totalCount"], 1);
    // `_` and `%` are matched as themselves, not as wildcards.
    let wild = as_admin(&app, &admin, USERS, json!({ "s": "%" })).await;
    assert_eq!(wild["data"]["admin"]["users"]["totalCount"], 0);
    let admins = as_admin(&app, &admin, USERS, json!({ "r": "ADMIN" })).await;
    assert_eq!(admins["data"]["admin"]["users"]["totalCount"], 1);
    let everyone = as_admin(&app, &admin, USERS, json!({})).await;
    assert_eq!(everyone["data"]["admin"]["users"]["totalCount"], 3);
    as_admin(&app, &admin, DISABLE, json!({ "id": zoe.id })).await;
    let disabled = as_admin(&app, &admin, USERS, json!({ "d": true })).await;
    assert_eq!(disabled["data"]["admin"]["users"]["totalCount"], 1);
    assert_eq!(
        disabled["data"]["admin"]["users"]["edges"][0]["node"]["id"],
        zoe.id.as_str()
    );
    app.stop().await;
}

#[actix_web::test]
async fn disabling_ends_every_session_at_once_and_enabling_lets_the_member_back() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let again = app.login(&ana.email, &ana.password).await;

    let body = as_admin(&app, &admin, DISABLE, json!({ "id": ana.id })).await;
    let payload = &body["data"]["disableUser"];
    assert_eq!(payload["endedSessions"], 2);
    assert_eq!(payload["user"]["disabled"], true);
    assert_eq!(payload["user"]["liveSessions"], 0);
    for token in [ana.token(), again.token()] {
        let me = app.graphql_as(token, "{ me { id } }", json!({})).await;
        assert_eq!(error_codes(&me), vec!["UNAUTHENTICATED"], "{me}");
    }
    let login = app
        .graphql(
            "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { user { id } } }",
            json!({ "e": ana.email, "p": ana.password }),
        )
        .await;
    assert!(
        !error_codes(&login).is_empty(),
        "a disabled account cannot sign in: {login}"
    );

    let body = as_admin(&app, &admin, ENABLE, json!({ "id": ana.id })).await;
    assert_eq!(body["data"]["enableUser"]["user"]["disabled"], false);
    let back = app.login(&ana.email, &ana.password).await;
    let me = app
        .graphql_as(back.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["id"], ana.id.as_str());

    let own = app
        .graphql_as(admin.token(), DISABLE, json!({ "id": admin.id }))
        .await;
    assert_eq!(error_codes(&own), vec!["CONFLICT"], "{own}");
    let missing = app
        .graphql_as(
            admin.token(),
            DISABLE,
            json!({ "id": global_id("User", Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(error_codes(&missing), vec!["NOT_FOUND"], "{missing}");
    app.stop().await;
}

#[actix_web::test]
async fn revoking_sessions_signs_the_member_out_everywhere() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let again = app.login(&ana.email, &ana.password).await;
    let body = as_admin(&app, &admin, REVOKE, json!({ "id": ana.id })).await;
    assert_eq!(body["data"]["revokeUserSessions"]["endedSessions"], 2);
    assert_eq!(
        body["data"]["revokeUserSessions"]["user"]["liveSessions"],
        0
    );
    for token in [ana.token(), again.token()] {
        let me = app.graphql_as(token, "{ me { id } }", json!({})).await;
        assert_eq!(error_codes(&me), vec!["UNAUTHENTICATED"], "{me}");
    }
    let back = app.login(&ana.email, &ana.password).await;
    let me = app
        .graphql_as(back.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(
        me["data"]["me"]["id"],
        ana.id.as_str(),
        "the account still works"
    );
    app.stop().await;
}

#[actix_web::test]
async fn roles_change_only_where_the_account_allows_it() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let (ana, ben) = (
        app.register(&email("ana"), "Ana").await,
        app.register(&email("ben"), "Ben").await,
    );
    pair(&app, &ana, &ben).await;
    let free = app.register(&email("fay"), "Fay").await;

    let body = as_admin(&app, &admin, ROLE, json!({ "id": free.id, "r": "COACH" })).await;
    assert_eq!(body["data"]["changeUserRole"]["user"]["role"], "COACH");
    let me = app
        .graphql_as(free.token(), "{ me { role } }", json!({}))
        .await;
    assert_eq!(
        me["data"]["me"]["role"], "COACH",
        "in force from the next request"
    );
    let coupled = app
        .graphql_as(admin.token(), ROLE, json!({ "id": ana.id, "r": "ADMIN" }))
        .await;
    assert_eq!(error_codes(&coupled), vec!["CONFLICT"], "{coupled}");
    let own = app
        .graphql_as(
            admin.token(),
            ROLE,
            json!({ "id": admin.id, "r": "MEMBER" }),
        )
        .await;
    assert_eq!(error_codes(&own), vec!["CONFLICT"], "{own}");
    // The same role again changes nothing and records nothing.
    as_admin(&app, &admin, ROLE, json!({ "id": free.id, "r": "COACH" })).await;

    let log = as_admin(
        &app,
        &admin,
        "query($a: ID!) { admin { auditLog(actorId: $a) { totalCount edges { node { action targetId detail at } } } } }",
        json!({ "a": admin.id }),
    )
    .await;
    let log = &log["data"]["admin"]["auditLog"];
    assert_eq!(log["totalCount"], 1, "{log}");
    let entry = &log["edges"][0]["node"];
    assert_eq!(entry["action"], "user.change_role");
    assert_eq!(entry["targetId"], free.id.as_str());
    assert_eq!(entry["detail"], json!({ "from": "member", "to": "coach" }));
    app.stop().await;
}

#[actix_web::test]
async fn the_audit_log_lists_every_action_newest_first_and_pages() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let other_admin = admin_of(&app).await;
    let ana = app.register(&email("ana"), "Ana").await;
    as_admin(&app, &admin, DISABLE, json!({ "id": ana.id })).await;
    as_admin(&app, &admin, ENABLE, json!({ "id": ana.id })).await;
    as_admin(&app, &other_admin, REVOKE, json!({ "id": ana.id })).await;
    let coach = app.create_with_role(&email("coach"), "coach").await;
    as_admin(
        &app,
        &admin,
        rekindle_tests::builders::CREATE_ORGANIZATION,
        json!({ "name": "Harbor", "owner": coach.email }),
    )
    .await;

    let page = "query($after: String) { admin { auditLog(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { action actorId targetKind } } } } }";
    let first = as_admin(&app, &admin, page, json!({})).await;
    let log = &first["data"]["admin"]["auditLog"];
    assert_eq!(log["totalCount"], 4);
    assert_eq!(log["pageInfo"]["hasNextPage"], true);
    let actions: Vec<&str> = log["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["organization.create", "user.revoke_sessions"]);
    assert_eq!(log["edges"][1]["node"]["actorId"], other_admin.id.as_str());
    let rest = as_admin(
        &app,
        &admin,
        page,
        json!({ "after": log["pageInfo"]["endCursor"] }),
    )
    .await;
    let rest = &rest["data"]["admin"]["auditLog"];
    let actions: Vec<&str> = rest["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["user.enable", "user.disable"]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    app.stop().await;
}
