//! What one socket and one account may hold: every message that starts an operation counts
//! (the older protocol's `start` is refused), an initialised socket that sends nothing is
//! closed, an account holds a bounded number of open sockets, and revoking an API key closes
//! the sockets opened with it.

use std::time::Duration;

use awc::ws::Message;
use futures_util::{SinkExt, StreamExt};
use rekindle_tests::builders::{api_key, organization};
use rekindle_tests::{TestApp, email, error_codes};
use serde_json::json;

use crate::socket_sessions::until_closed;
use crate::subscriptions::{connect_as, next_json, send, subscribe};

#[actix_web::test]
async fn the_older_protocols_start_is_refused() {
    let app = TestApp::spawn().await;
    let mut socket = connect_as(&app, None).await;
    socket
        .send(send(json!({
            "id": "1", "type": "start",
            "payload": { "query": "subscription { serverTime(intervalSeconds: 1) }" }
        })))
        .await
        .unwrap();
    let (messages, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4400), "{messages:?}");
    assert!(messages.is_empty(), "nothing ran: {messages:?}");
    app.stop().await;
}

#[actix_web::test]
async fn a_socket_that_sends_nothing_is_closed_and_pings_keep_it_open() {
    let app = TestApp::spawn_with(&[("REKINDLE_WS_IDLE_TIMEOUT_SECS", "1")]).await;
    // Pinging (a WebSocket ping, then the protocol's own) keeps a socket past the idle time.
    let mut pinging = connect_as(&app, None).await;
    for round in 0..6 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        if round % 2 == 0 {
            pinging.send(Message::Ping("hi".into())).await.unwrap();
        } else {
            pinging.send(send(json!({ "type": "ping" }))).await.unwrap();
            assert_eq!(next_json(&mut pinging).await["type"], "pong");
        }
    }
    subscribe(&mut pinging, "1", "{ __typename }").await;
    assert_eq!(next_json(&mut pinging).await["type"], "next");
    // A silent one is closed, subscriptions or not.
    let mut silent = connect_as(&app, None).await;
    subscribe(
        &mut silent,
        "1",
        "subscription { serverTime(intervalSeconds: 60) }",
    )
    .await;
    let (_, code) = until_closed(&mut silent, Duration::from_secs(10)).await;
    assert_eq!(code, Some(4408));
    app.stop().await;
}

#[actix_web::test]
async fn an_account_holds_a_bounded_number_of_open_sockets() {
    let app = TestApp::spawn_with(&[("REKINDLE_WS_MAX_PER_ACCOUNT", "2")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let first = connect_as(&app, ana.token()).await;
    let _second = connect_as(&app, ana.token()).await;
    let mut third = crate::subscriptions::open(&app).await;
    let init = json!({
        "type": "connection_init",
        "payload": { "Authorization": format!("Bearer {}", ana.access_token) }
    });
    third.send(send(init.clone())).await.unwrap();
    let (_, code) = until_closed(&mut third, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4429));
    // Another account is counted apart; a closed socket frees its place.
    let _bens = connect_as(&app, ben.token()).await;
    drop(first);
    rekindle_tests::eventually("a place freed", Duration::from_secs(10), || async {
        let mut again = crate::subscriptions::open(&app).await;
        again.send(send(init.clone())).await.ok()?;
        let frame = tokio::time::timeout(Duration::from_secs(5), again.next())
            .await
            .ok()??
            .ok()?;
        let awc::ws::Frame::Text(bytes) = frame else {
            return None;
        };
        let message: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        (message["type"] == "connection_ack").then_some(())
    })
    .await;
    app.stop().await;
}

#[actix_web::test]
async fn revoking_an_api_key_closes_its_sockets() {
    let app = TestApp::spawn().await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    let key = api_key(&app, &org_admin, &["PROGRESS"]).await;
    let secret = key["secret"].as_str().unwrap();
    let mut socket = connect_as(&app, Some(secret)).await;
    subscribe(&mut socket, "1", "{ __typename }").await;
    assert_eq!(next_json(&mut socket).await["type"], "next");
    let revoked = app
        .graphql_as(
            org_admin.token(),
            "mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { revokedAt } } }",
            json!({ "id": key["apiKey"]["id"] }),
        )
        .await;
    assert!(error_codes(&revoked).is_empty(), "{revoked}");
    let (_, code) = until_closed(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(code, Some(4401));
    app.stop().await;
}
