//! Subscriptions over WebSocket with the graphql-transport-ws protocol.

use std::time::Duration;

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use rekindle_tests::TestApp;
use serde_json::{Value, json};

pub type Socket = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

pub fn send(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// Opens a graphql-transport-ws socket and completes the connection handshake, anonymously.
async fn connect(app: &TestApp) -> Socket {
    connect_as(app, None).await
}

/// Opens a graphql-transport-ws socket and sends nothing.
pub async fn open(app: &TestApp) -> Socket {
    let (response, socket) = app
        .client
        .ws(format!("{}/graphql", app.address.replace("http", "ws")))
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .expect("the WebSocket upgrade succeeds");
    assert_eq!(response.status().as_u16(), 101);
    socket
}

/// Opens a socket whose `connection_init` carries the access token, if any.
pub async fn connect_as(app: &TestApp, token: Option<&str>) -> Socket {
    let mut socket = open(app).await;
    let init = match token {
        Some(token) => json!({
            "type": "connection_init",
            "payload": { "Authorization": format!("Bearer {token}") }
        }),
        None => json!({ "type": "connection_init" }),
    };
    socket.send(send(init)).await.unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
}

pub async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Frame::Text(bytes) = frame {
            return serde_json::from_slice(&bytes).unwrap();
        }
    }
}

pub async fn subscribe(socket: &mut Socket, id: &str, query: &str) {
    socket
        .send(send(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
        ))
        .await
        .unwrap();
}

#[actix_web::test]
async fn server_time_streams_over_graphql_transport_ws() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app).await;
    subscribe(
        &mut socket,
        "1",
        "subscription { serverTime(intervalSeconds: 1) }",
    )
    .await;
    let mut times = Vec::new();
    while times.len() < 2 {
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], "1");
        let time = message["payload"]["data"]["serverTime"]
            .as_str()
            .unwrap()
            .to_owned();
        times.push(chrono::DateTime::parse_from_rfc3339(&time).expect("an RFC 3339 instant"));
    }
    assert!(times[1] > times[0], "the clock moves forward");
    socket
        .send(send(json!({ "id": "1", "type": "complete" })))
        .await
        .unwrap();
    socket.close().await.unwrap();
    app.stop().await;
}

#[actix_web::test]
async fn a_bad_subscription_argument_is_refused_with_a_code() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app).await;
    subscribe(
        &mut socket,
        "9",
        "subscription { serverTime(intervalSeconds: 0) }",
    )
    .await;
    let message = next_json(&mut socket).await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["payload"]["data"], Value::Null, "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{message}"
    );
    socket.close().await.unwrap();
    app.stop().await;
}
