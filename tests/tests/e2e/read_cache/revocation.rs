//! Ending a session, disabling an account or leaving a couple on one api instance is seen by
//! the very next request on another, warm one: every request reads its session, account and
//! membership in its own first statement, and nothing of that is cached.

use rekindle_tests::builders::{couple, create_plan};
use rekindle_tests::{Account, Stores, TestApp, error_codes, wednesday_noon};
use serde_json::{Value, json};

use crate::admin::{admin_of, as_admin};
use crate::loading::HOME;

/// Two api instances on the same stores, both with the read cache on.
async fn two_instances() -> (Stores, TestApp, TestApp) {
    let stores = Stores::fresh().await;
    let a = TestApp::spawn_driven(&stores, wednesday_noon(), &[]).await;
    let b = TestApp::spawn_driven(&stores, wednesday_noon(), &[]).await;
    (stores, a, b)
}

/// Reads the home screen on `app` until it is served from the warm cache (a read that makes
/// one statement), answering that read.
async fn warm_home(app: &TestApp, who: &Account) -> Value {
    for _ in 0..3 {
        let before = app.sql_statements();
        let body = app.graphql_as(who.token(), HOME, json!({})).await;
        assert!(error_codes(&body).is_empty(), "{body}");
        if app.sql_statements() - before == 1 {
            return body;
        }
    }
    panic!("the home screen never became warm");
}

/// Ends `who`'s session with `logout`, on `app`.
pub(super) async fn log_out(app: &TestApp, who: &Account) {
    let body = app
        .graphql_as(
            who.token(),
            "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }",
            json!({ "t": who.refresh_token }),
        )
        .await;
    assert_eq!(body["data"]["logout"]["revoked"], true, "{body}");
}

#[actix_web::test]
async fn logout_revoke_session_and_disable_user_refuse_the_next_request_on_another_instance() {
    let (_stores, a, b) = two_instances().await;
    let (ana, ben) = couple(&a).await;
    create_plan(&a, &ana).await;
    warm_home(&b, &ana).await;
    warm_home(&b, &ben).await;

    // logout on a: ana's access token is refused on b at once.
    log_out(&a, &ana).await;
    let body = b.graphql_as(ana.token(), HOME, json!({})).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");

    // revokeSession on a: ben's other session ends, and b refuses it at once.
    let laptop = a.login(&ben.email, &ben.password).await;
    warm_home(&b, &laptop).await;
    let sessions = a
        .graphql_as(
            ben.token(),
            "{ sessions { edges { node { id current } } } }",
            json!({}),
        )
        .await;
    let other = sessions["data"]["sessions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["current"] == false)
        .map(|e| e["node"]["id"].clone())
        .unwrap();
    let body = a
        .graphql_as(
            ben.token(),
            "mutation($id: ID!) { revokeSession(input: { sessionId: $id }) { session { revokedAt } } }",
            json!({ "id": other }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let body = b.graphql_as(laptop.token(), HOME, json!({})).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    warm_home(&b, &ben).await;

    // disableUser on a: every session of ben's is refused on b at once.
    let admin = admin_of(&a).await;
    as_admin(
        &a,
        &admin,
        "mutation($id: ID!) { disableUser(input: { userId: $id }) { endedSessions } }",
        json!({ "id": ben.id }),
    )
    .await;
    let body = b.graphql_as(ben.token(), HOME, json!({})).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    a.stop().await;
    b.stop().await;
}

#[actix_web::test]
async fn a_member_leaving_on_one_instance_is_seen_by_the_next_read_on_another() {
    let (_stores, a, b) = two_instances().await;
    let (ana, ben) = couple(&a).await;
    create_plan(&a, &ana).await;
    let body = warm_home(&b, &ana).await;
    let couple_id = body["data"]["me"]["couple"]["id"].clone();
    assert!(couple_id.is_string(), "{body}");
    warm_home(&b, &ben).await;

    let body = a
        .graphql_as(
            ben.token(),
            "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { status } } }",
            json!({ "id": couple_id }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    // Ben has no current couple on b at once; ana sees the couple archived and ben gone.
    let body = b.graphql_as(ben.token(), HOME, json!({})).await;
    assert!(body["data"]["me"]["couple"].is_null(), "{body}");
    let body = b
        .graphql_as(
            ana.token(),
            "{ me { couple { id } } node(id: \"COUPLE\") { ... on Couple { status members { displayName leftAt } } } }"
                .replace("COUPLE", couple_id.as_str().unwrap())
                .as_str(),
            json!({}),
        )
        .await;
    assert!(body["data"]["me"]["couple"].is_null(), "{body}");
    let members = body["data"]["node"]["members"].as_array().unwrap();
    assert!(
        members
            .iter()
            .any(|m| m["displayName"] == "Ben" && m["leftAt"].is_string()),
        "{body}"
    );
    a.stop().await;
    b.stop().await;
}
