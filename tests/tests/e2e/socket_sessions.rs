//! A WebSocket lives only as long as its session: every operation runs as the session is now,
//! and the server closes the socket (4401) when the session ends, on any api instance, or when
//! the access token expires. Sockets that never initialise are closed (4408), a socket holds a
//! bounded number of operations, and a client's close is answered.

use std::time::{Duration, Instant};

use awc::ws::{CloseCode, CloseReason, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use rekindle_tests::{Account, Options, Stores, TestApp, email, skip, test_redis_url};
use serde_json::{Value, json};

use crate::subscriptions::{Socket, connect_as, open, send, subscribe};

/// Reads until the server closes the socket or `deadline` passes; answers the JSON messages
/// seen and the close code.
pub(crate) async fn until_closed(
    socket: &mut Socket,
    deadline: Duration,
) -> (Vec<Value>, Option<u16>) {
    let start = Instant::now();
    let mut messages = Vec::new();
    while start.elapsed() < deadline {
        let left = deadline.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Frame::Text(bytes)))) => {
                messages.push(serde_json::from_slice(&bytes).unwrap());
            }
            Ok(Some(Ok(Frame::Close(reason)))) => {
                return (messages, reason.map(|r| u16::from(r.code)));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return (messages, None),
            Err(_) => break,
        }
    }
    panic!("the socket was not closed within {deadline:?}; saw {messages:?}");
}

const ME: &str = "{ me { id } }";

/// Ends the account's session through the API, on `app`.
async fn logout(app: &TestApp, account: &Account) {
    let body = app
        .graphql(
            "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }",
            json!({ "t": account.refresh_token }),
        )
        .await;
    assert_eq!(body["data"]["logout"]["revoked"], true, "{body}");
}

#[actix_web::test]
async fn a_socket_closes_4401_when_its_session_ends_by_logout_revocation_or_password_change() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;

    // Logout.
    let mut socket = connect_as(&app, ana.token()).await;
    subscribe(&mut socket, "1", ME).await;
    let seen = crate::subscriptions::next_json(&mut socket).await;
    assert_eq!(
        seen["payload"]["data"]["me"]["id"],
        ana.id.as_str(),
        "{seen}"
    );
    logout(&app, &ana).await;
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));

    // revokeSession, from another device.
    let phone = app.login(&ana.email, &ana.password).await;
    let laptop = app.login(&ana.email, &ana.password).await;
    let mut socket = connect_as(&app, phone.token()).await;
    let sessions = app
        .graphql_as(
            laptop.token(),
            "{ sessions { edges { node { id current } } } }",
            json!({}),
        )
        .await;
    let phone_session = sessions["data"]["sessions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["current"] == false)
        .map(|e| e["node"]["id"].clone())
        .collect::<Vec<_>>();
    assert_eq!(
        phone_session.len(),
        1,
        "the phone's (the first sign-in logged out): {sessions}"
    );
    for id in phone_session {
        app.graphql_as(
            laptop.token(),
            "mutation($id: ID!) { revokeSession(input: { sessionId: $id }) { session { id } } }",
            json!({ "id": id }),
        )
        .await;
    }
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));

    // changePassword signs out every other session, sockets included.
    let tablet = app.login(&ana.email, &ana.password).await;
    let mut socket = connect_as(&app, tablet.token()).await;
    let mut other = connect_as(&app, laptop.token()).await;
    let body = app
        .graphql_as(
            laptop.token(),
            "mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) { revokedSessions } }",
            json!({ "c": ana.password, "n": "a brand new passphrase" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401), "a socket of a signed-out session closes");
    // The session that changed the password keeps its socket.
    subscribe(&mut other, "1", ME).await;
    let message = crate::subscriptions::next_json(&mut other).await;
    assert_eq!(
        message["payload"]["data"]["me"]["id"],
        ana.id.as_str(),
        "{message}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_operation_on_a_socket_runs_as_the_session_is_now() {
    // A long re-check interval: only the operation itself can notice the session ended.
    let app = TestApp::spawn_with(&[("REKINDLE_WS_SESSION_CHECK_SECS", "3600")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let mut socket = connect_as(&app, ana.token()).await;
    // Revoked behind the api's back, as an operator's tool would: no event is published.
    entities::session::revoke_all_for_user(
        &app.db,
        uuid_of(&ana.id),
        None,
        "test",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    subscribe(&mut socket, "1", ME).await;
    let (messages, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));
    for message in messages.iter().filter(|m| m["type"] == "next") {
        assert_eq!(
            message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "an ended session never gets data: {message}"
        );
    }
    app.stop().await;
}

fn uuid_of(global_id: &str) -> uuid::Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(global_id))
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    text.rsplit(':').next().unwrap().parse().unwrap()
}

#[actix_web::test]
async fn a_socket_closes_4401_when_its_access_token_expires() {
    let app = TestApp::spawn_with(&[("REKINDLE_ACCESS_TOKEN_TTL_SECS", "4")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let mut socket = connect_as(&app, ana.token()).await;
    let (_, code) = until_closed(&mut socket, Duration::from_secs(10)).await;
    assert_eq!(code, Some(4401));
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(rekindle_no_redis, ignore = "needs TEST_REDIS_URL")]
async fn a_session_ended_on_one_instance_closes_its_socket_on_another() {
    if test_redis_url().is_none() {
        skip(
            "a_session_ended_on_one_instance_closes_its_socket_on_another",
            "needs TEST_REDIS_URL",
        );
        return;
    }
    let stores = Stores::fresh().await;
    // Re-reads are hourly: only the event can close the socket in time.
    let env = || Options {
        env: vec![("REKINDLE_WS_SESSION_CHECK_SECS".into(), "3600".into())],
        ..Options::default()
    };
    let first = TestApp::spawn_on(&stores, env()).await;
    let second = TestApp::spawn_on(&stores, env()).await;
    let ana = first.register(&email("ana"), "Ana").await;
    let mut socket = connect_as(&second, ana.token()).await;
    logout(&first, &ana).await;
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));
    second.stop().await;
    first.stop().await;
}

#[actix_web::test]
async fn a_socket_without_connection_init_is_closed_4408() {
    let app = TestApp::spawn_with(&[("REKINDLE_WS_INIT_TIMEOUT_MS", "300")]).await;
    let mut socket = open(&app).await;
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4408));
    app.stop().await;
}

#[actix_web::test]
async fn a_refused_token_in_connection_init_closes_the_socket() {
    let app = TestApp::spawn().await;
    let mut socket = open(&app).await;
    socket
        .send(send(json!({
            "type": "connection_init",
            "payload": { "Authorization": "Bearer not-a-token" }
        })))
        .await
        .unwrap();
    let (messages, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4403), "{messages:?}");
    app.stop().await;
}

#[actix_web::test]
async fn a_socket_holds_a_bounded_number_of_subscriptions() {
    let app = TestApp::spawn_with(&[("REKINDLE_WS_MAX_SUBSCRIPTIONS", "2")]).await;
    let mut socket = connect_as(&app, None).await;
    let ticking = "subscription { serverTime(intervalSeconds: 1) }";
    subscribe(&mut socket, "a", ticking).await;
    subscribe(&mut socket, "b", ticking).await;
    subscribe(&mut socket, "c", ticking).await;
    let refusal = loop {
        let message = crate::subscriptions::next_json(&mut socket).await;
        if message["id"] == "c" {
            break message;
        }
    };
    assert_eq!(refusal["type"], "error", "{refusal}");
    assert_eq!(refusal["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    // Completing one frees its place.
    socket
        .send(send(json!({ "id": "a", "type": "complete" })))
        .await
        .unwrap();
    subscribe(&mut socket, "d", ticking).await;
    let next = loop {
        let message = crate::subscriptions::next_json(&mut socket).await;
        if message["id"] == "d" {
            break message;
        }
    };
    assert_eq!(next["type"], "next", "{next}");
    app.stop().await;
}

#[actix_web::test]
async fn a_clients_close_is_answered_with_its_code() {
    let app = TestApp::spawn().await;
    let mut socket = connect_as(&app, None).await;
    socket
        .send(Message::Close(Some(CloseReason {
            code: CloseCode::Normal,
            description: None,
        })))
        .await
        .unwrap();
    let started = Instant::now();
    let (_, code) = until_closed(&mut socket, Duration::from_secs(2)).await;
    assert_eq!(code, Some(1000));
    assert!(started.elapsed() < Duration::from_secs(1));
    app.stop().await;
}
