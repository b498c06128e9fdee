//! Creating a couple, inviting and joining, updating, and uncoupling.

use chrono::Utc;
use rekindle_tests::builders::{CREATE_COUPLE as CREATE, JOIN_COUPLE as JOIN, create_couple, pair};
use rekindle_tests::{TestApp, email, error_codes};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const INVITE: &str =
    "mutation($id: ID!) { createInvite(input: { coupleId: $id }) { invite { code expiresAt } } }";
const MY_COUPLE: &str = "{ me { couple { id status members { displayName isMe } } } }";

#[actix_web::test]
async fn two_members_pair_with_an_invite_and_find_their_couple_through_me() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let body = app
        .graphql_as(
            ana.token(),
            CREATE,
            json!({ "input": {
                "relationshipStart": "2015-06-01",
                "goals": ["more time together", " more time together "],
                "distractions": ["SMARTPHONES", "WORK_STRESS", "SMARTPHONES"],
                "timezone": "Europe/Paris"
            }}),
        )
        .await;
    let payload = &body["data"]["createCouple"];
    assert_eq!(
        payload["couple"]["goals"],
        json!(["more time together"]),
        "{body}"
    );
    assert_eq!(
        payload["couple"]["distractions"],
        json!(["SMARTPHONES", "WORK_STRESS"])
    );
    assert_eq!(payload["couple"]["timezone"], "Europe/Paris");
    assert_eq!(payload["couple"]["relationshipStart"], "2015-06-01");
    let code = payload["invite"]["code"].as_str().unwrap();
    assert!(code.len() >= 8);
    let expires =
        chrono::DateTime::parse_from_rfc3339(payload["invite"]["expiresAt"].as_str().unwrap())
            .unwrap();
    let hours = (expires.with_timezone(&Utc) - Utc::now()).num_minutes() as f64 / 60.0;
    assert!((71.9..=72.0).contains(&hours), "72 h expiry, got {hours}");

    // Typed by a person: lower case, with a dash.
    let typed = format!("{}-{}", &code[..5].to_lowercase(), &code[5..]);
    let body = app
        .graphql_as(ben.token(), JOIN, json!({ "code": typed }))
        .await;
    assert_eq!(error_codes(&body), Vec::<String>::new(), "{body}");

    for (who, me) in [(&ana, "Ana"), (&ben, "Ben")] {
        let body = app.graphql_as(who.token(), MY_COUPLE, json!({})).await;
        let members = body["data"]["me"]["couple"]["members"]
            .as_array()
            .unwrap()
            .clone();
        let names: Vec<&str> = members
            .iter()
            .map(|m| m["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["Ana", "Ben"]);
        let mine: Vec<&str> = members
            .iter()
            .filter(|m| m["isMe"] == true)
            .map(|m| m["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(mine, vec![me]);
    }
    app.stop().await;
}

#[actix_web::test]
async fn an_invite_works_once() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let cat = app.register(&email("cat"), "Cat").await;
    let (_, code) = create_couple(&app, &ana).await;
    app.graphql_as(ben.token(), JOIN, json!({ "code": code }))
        .await;
    let body = app
        .graphql_as(cat.token(), JOIN, json!({ "code": code }))
        .await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
    app.stop().await;
}

#[actix_web::test]
async fn an_expired_invite_no_longer_works() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let (_, code) = create_couple(&app, &ana).await;
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => "UPDATE invites SET expires_at = $1",
                _ => "UPDATE invites SET expires_at = ?",
            },
            [(Utc::now() - chrono::Duration::minutes(1)).into()],
        ))
        .await
        .unwrap();
    let body = app
        .graphql_as(ben.token(), JOIN, json!({ "code": code }))
        .await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
    app.stop().await;
}

#[actix_web::test]
async fn a_replaced_code_stops_working_and_the_new_one_works() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let (couple, old) = create_couple(&app, &ana).await;
    let body = app
        .graphql_as(ana.token(), INVITE, json!({ "id": couple }))
        .await;
    let new = body["data"]["createInvite"]["invite"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    let body = app
        .graphql_as(ben.token(), JOIN, json!({ "code": old }))
        .await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
    let body = app
        .graphql_as(ben.token(), JOIN, json!({ "code": new }))
        .await;
    assert_eq!(
        body["data"]["joinCouple"]["couple"]["id"],
        couple.as_str(),
        "{body}"
    );
    // A full couple makes no more invites.
    let body = app
        .graphql_as(ana.token(), INVITE, json!({ "id": couple }))
        .await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"]);
    app.stop().await;
}

#[actix_web::test]
async fn two_members_redeeming_one_code_at_once_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let cat = app.register(&email("cat"), "Cat").await;
    let (couple, code) = create_couple(&app, &ana).await;
    let (a, b) = futures_util::join!(
        app.graphql_as(ben.token(), JOIN, json!({ "code": code })),
        app.graphql_as(cat.token(), JOIN, json!({ "code": code })),
    );
    let outcomes: Vec<Vec<String>> = vec![error_codes(&a), error_codes(&b)];
    let winners = outcomes.iter().filter(|codes| codes.is_empty()).count();
    assert_eq!(winners, 1, "exactly one joins: {a} {b}");
    assert!(
        outcomes
            .iter()
            .any(|codes| codes == &vec!["NOT_FOUND".to_owned()]),
        "{a} {b}"
    );
    let body = app.graphql_as(ana.token(), MY_COUPLE, json!({})).await;
    assert_eq!(body["data"]["me"]["couple"]["id"], couple.as_str());
    assert_eq!(
        body["data"]["me"]["couple"]["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_member_is_in_at_most_one_active_couple() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let (_, code) = create_couple(&app, &ana).await;
    let body = app
        .graphql_as(ana.token(), CREATE, json!({ "input": {} }))
        .await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"], "a second couple");
    let (_, other_code) = create_couple(&app, &ben).await;
    let body = app
        .graphql_as(ben.token(), JOIN, json!({ "code": code }))
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["CONFLICT"],
        "joining while in a couple"
    );
    let body = app
        .graphql_as(ana.token(), JOIN, json!({ "code": other_code }))
        .await;
    assert_eq!(error_codes(&body), vec!["CONFLICT"]);
    let body = app
        .graphql_as(ana.token(), JOIN, json!({ "code": code }))
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["CONFLICT"],
        "joining one's own couple"
    );
    app.stop().await;
}

#[actix_web::test]
async fn leaving_archives_the_couple_and_keeps_it_readable_for_30_days() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple = pair(&app, &ana, &ben).await;
    let leave = "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { status canEdit archivedAt sharedDataDeleteAfter members { leftAt } } } }";
    let body = app
        .graphql_as(ben.token(), leave, json!({ "id": couple }))
        .await;
    let archived = &body["data"]["leaveCouple"]["couple"];
    assert_eq!(archived["status"], "ARCHIVED", "{body}");
    assert_eq!(archived["canEdit"], false);
    let deadline =
        chrono::DateTime::parse_from_rfc3339(archived["sharedDataDeleteAfter"].as_str().unwrap())
            .unwrap();
    let days = (deadline.with_timezone(&Utc) - Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "30 days, got {days}");
    assert!(
        archived["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["leftAt"].is_string())
    );

    for who in [&ana, &ben] {
        let body = app.graphql_as(who.token(), MY_COUPLE, json!({})).await;
        assert_eq!(
            body["data"]["me"]["couple"],
            Value::Null,
            "no active couple any more"
        );
        let node = app
            .graphql_as(
                who.token(),
                "query($id: ID!) { node(id: $id) { ... on Couple { status } } }",
                json!({ "id": couple }),
            )
            .await;
        assert_eq!(
            node["data"]["node"]["status"], "ARCHIVED",
            "still readable: {node}"
        );
    }
    let update = "mutation($id: ID!) { updateCouple(input: { coupleId: $id, goals: [\"x\"] }) { couple { id } } }";
    let body = app
        .graphql_as(ana.token(), update, json!({ "id": couple }))
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["FORBIDDEN"],
        "read-only once archived"
    );
    // Both are free to start again.
    create_couple(&app, &ana).await;
    app.stop().await;
}

#[actix_web::test]
async fn coaches_and_admins_cannot_be_in_a_couple() {
    let app = TestApp::spawn().await;
    let coach = app.create_with_role(&email("coach"), "coach").await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    for who in [&coach, &admin] {
        let body = app
            .graphql_as(who.token(), CREATE, json!({ "input": {} }))
            .await;
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
    }
    app.stop().await;
}
