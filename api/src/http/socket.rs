//! GraphQL over WebSocket (the graphql-transport-ws protocol), with the session rules a socket
//! must keep: async-graphql speaks the protocol; this module owns the socket around it.
//!
//! - A socket that sends no `connection_init` within the configured time is closed (4408).
//! - `connection_init` carries the access token; a refused one closes the socket (4403).
//! - Every operation authenticates again (see `graphql::extensions`), so it runs as the session
//!   is now; the socket closes (4401) when its session ends (an event from any api instance, or
//!   an operation that finds it over), when its access token expires, or when a periodic
//!   re-read of the session finds it over. A socket opened with an API key closes (4401) when
//!   the key is revoked.
//! - At most the configured number of operations run at once on one socket; every message
//!   that starts one counts, and the legacy `start` of the older protocol is refused (4400).
//! - An initialised socket that sends nothing (pings included) for the idle time is closed
//!   (4408), and one account (or API key) holds at most the configured number of open
//!   sockets on an api instance (more are closed with 4429).
//! - A client's close is answered with a close frame, so the client sees its own code.

use std::collections::HashSet;
use std::pin::Pin;
use std::time::Duration;

use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use async_graphql::Data;
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::{Instant, Sleep};

use domain::input::Reason;

use crate::auth::session_events::SessionsEnded;
use crate::auth::{self, AuthUser, ClientInfo, SocketCredential};
use crate::error::ErrorCode;
use crate::error::input_error_body;
use crate::graphql::AppSchema;
use crate::state::AppState;

const PROTOCOL: &str = "graphql-transport-ws";

fn close(code: u16, description: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    }
}

/// GET /graphql with `Upgrade: websocket`.
pub async fn subscriptions(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let speaks_protocol = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| list.split(',').any(|p| p.trim() == PROTOCOL));
    if !speaks_protocol {
        return Ok(HttpResponse::BadRequest().json(input_error_body(
            "Sec-WebSocket-Protocol",
            Reason::Required,
            "ask for the graphql-transport-ws subprotocol (Sec-WebSocket-Protocol)",
        )));
    }
    let (mut response, session, messages) = actix_ws::handle(&req, body)?;
    response
        .headers_mut()
        .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    let client = super::client::client_info(&req, &state.settings.trusted_proxies);
    let messages = messages
        .max_frame_size(state.settings.graphql.max_body_bytes)
        .aggregate_continuations()
        .max_continuation_size(state.settings.graphql.max_body_bytes);
    let socket = Socket::new(AppState::clone(&state), client);
    actix_web::rt::spawn(socket.run(AppSchema::clone(&schema), session, messages));
    Ok(response)
}

/// How many sockets each account (or API key) holds open on this instance.
pub type OpenSockets = runtime::places::Places<String>;

/// What the socket knows of its caller once `connection_init` arrived.
struct Signed {
    user: AuthUser,
    authorization: Option<String>,
    ended: watch::Receiver<bool>,
    expires: Pin<Box<Sleep>>,
}

struct Socket {
    state: AppState,
    client: ClientInfo,
    initialised: bool,
    init: Option<oneshot::Sender<Data>>,
    signed: Option<Signed>,
    /// The API key the socket was opened with, and its credential for re-reading.
    api_key: Option<(uuid::Uuid, Option<String>)>,
    /// This socket's place among its owner's open sockets.
    place: Option<runtime::places::Place<String>>,
    active: HashSet<String>,
}

enum Step {
    Continue,
    Close(Option<CloseReason>),
}

impl Socket {
    fn new(state: AppState, client: ClientInfo) -> Self {
        Self {
            state,
            client,
            initialised: false,
            init: None,
            signed: None,
            api_key: None,
            place: None,
            active: HashSet::new(),
        }
    }

    async fn run(
        mut self,
        schema: AppSchema,
        mut session: Session,
        mut incoming: AggregatedMessageStream,
    ) {
        let limits = self.state.settings.websocket.clone();
        let (to_engine, from_socket) = mpsc::unbounded_channel::<Vec<u8>>();
        let (init_tx, init_rx) = oneshot::channel::<Data>();
        self.init = Some(init_tx);
        let from_socket = futures_util::stream::unfold(from_socket, |mut rx| async move {
            rx.recv().await.map(|bytes| (bytes, rx))
        });
        let mut engine = Box::pin(
            WebSocket::new(schema, Box::pin(from_socket), WebSocketProtocols::GraphQLWS)
                .on_connection_init(move |_payload| async move {
                    init_rx
                        .await
                        .map_err(|_| async_graphql::Error::new("the connection closed"))
                }),
        );
        let init_deadline = tokio::time::sleep(limits.init_timeout);
        tokio::pin!(init_deadline);
        let idle = tokio::time::sleep(limits.idle_timeout);
        tokio::pin!(idle);
        let mut events = self.state.session_events.subscribe();
        let mut recheck = tokio::time::interval_at(
            Instant::now() + limits.session_check,
            limits.session_check.max(Duration::from_millis(100)),
        );
        let reason = loop {
            let step = tokio::select! {
                message = incoming.next() => {
                    idle.as_mut().reset(Instant::now() + limits.idle_timeout);
                    match message {
                    None => Step::Close(None),
                    Some(Err(_)) => Step::Close(Some(close(1002, "protocol error"))),
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        let _ = session.pong(&bytes).await;
                        Step::Continue
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => Step::Continue,
                    // Answer a close with the client's own code.
                    Some(Ok(AggregatedMessage::Close(reason))) => Step::Close(Some(
                        reason.unwrap_or_else(|| CloseCode::Normal.into()),
                    )),
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        self.client_message(text.as_bytes(), &to_engine, &mut session).await
                    }
                    Some(Ok(AggregatedMessage::Binary(bytes))) => {
                        self.client_message(&bytes, &to_engine, &mut session).await
                    }
                }},
                out = engine.next() => match out {
                    None => Step::Close(Some(CloseCode::Normal.into())),
                    Some(WsMessage::Text(text)) => {
                        self.track_outgoing(&text);
                        match session.text(text).await {
                            Ok(()) => Step::Continue,
                            Err(_) => Step::Close(None),
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => Step::Close(Some(close(code, &reason))),
                },
                () = &mut init_deadline, if !self.initialised => {
                    Step::Close(Some(close(4408, "Connection initialisation timeout")))
                }
                () = &mut idle, if self.initialised => Step::Close(Some(close(
                    4408,
                    &format!("Idle for {} s", limits.idle_timeout.as_secs()),
                ))),
                why = signed_out(&mut self.signed) => Step::Close(Some(close(4401, why))),
                event = events.recv(), if self.credentialed() => match event {
                    Ok(event) if self.ended_by(&event) => {
                        Step::Close(Some(close(4401, "Unauthorized: the session ended")))
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => self.recheck().await,
                    _ => Step::Continue,
                },
                _ = recheck.tick(), if self.credentialed() => self.recheck().await,
            };
            if let Step::Close(reason) = step {
                break reason;
            }
        };
        // Dropping the engine ends its subscriptions.
        drop(engine);
        if let Some(reason) = reason {
            let _ = session.close(Some(reason)).await;
        }
    }

    /// Whether the socket was opened with a session or an API key (whose end closes it).
    fn credentialed(&self) -> bool {
        self.signed.is_some() || self.api_key.is_some()
    }

    /// Whether `event` ends this socket's session or API key.
    fn ended_by(&self, event: &SessionsEnded) -> bool {
        self.signed
            .as_ref()
            .is_some_and(|s| event.covers(s.user.id, s.user.session_id))
            || self
                .api_key
                .as_ref()
                .is_some_and(|(key, _)| event.covers_key(*key))
    }

    /// Reads the session (or the API key) again; closes the socket when it is over.
    async fn recheck(&mut self) -> Step {
        let authorization = match (&self.signed, &self.api_key) {
            (Some(signed), _) => signed.authorization.as_deref(),
            (None, Some((_, authorization))) => authorization.as_deref(),
            (None, None) => return Step::Continue,
        };
        let caller = auth::authenticate(&self.state, authorization).await;
        if caller.signed_in() {
            Step::Continue
        } else {
            Step::Close(Some(close(4401, "Unauthorized: the session ended")))
        }
    }

    async fn client_message(
        &mut self,
        bytes: &[u8],
        to_engine: &mpsc::UnboundedSender<Vec<u8>>,
        session: &mut Session,
    ) -> Step {
        let message: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
        let kind = message["type"].as_str().unwrap_or_default();
        let id = message["id"].as_str().map(str::to_owned);
        match kind {
            "connection_init" if !self.initialised => {
                self.initialised = true;
                if let Some(step) = self.connection_init(&message["payload"]).await {
                    return step;
                }
            }
            // The older protocol's `start` would run outside the count: refused.
            "start" => {
                return Step::Close(Some(close(
                    4400,
                    "Invalid message type `start`: this server speaks graphql-transport-ws (`subscribe`)",
                )));
            }
            "subscribe" => {
                if !self.init_done() {
                    return Step::Close(Some(close(4401, "Unauthorized")));
                }
                let Some(id) = id else {
                    return Step::Close(Some(close(4400, "a subscribe message needs an id")));
                };
                if self.active.contains(&id) {
                    return Step::Close(Some(close(
                        4409,
                        &format!("Subscriber for {id} already exists"),
                    )));
                }
                let max = self.state.settings.websocket.max_subscriptions;
                if self.active.len() >= max {
                    let refusal = json!({
                        "id": id,
                        "type": "error",
                        "payload": [{
                            "message": format!("a connection holds at most {max} operations at once; complete one first"),
                            "extensions": { "code": ErrorCode::RateLimited.as_str() },
                        }],
                    });
                    return match session.text(refusal.to_string()).await {
                        Ok(()) => Step::Continue,
                        Err(_) => Step::Close(None),
                    };
                }
                self.active.insert(id);
            }
            "complete" => {
                if let Some(id) = &id {
                    self.active.remove(id);
                }
            }
            _ => {}
        }
        match to_engine.send(bytes.to_vec()) {
            Ok(()) => Step::Continue,
            Err(_) => Step::Close(Some(CloseCode::Normal.into())),
        }
    }

    fn init_done(&self) -> bool {
        self.initialised && self.init.is_none()
    }

    /// Authenticates the `connection_init` payload and hands the connection's data to the
    /// protocol engine. Answers a step only when the socket must close.
    async fn connection_init(&mut self, payload: &Value) -> Option<Step> {
        let authorization = payload
            .get("Authorization")
            .or_else(|| payload.get("authorization"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                payload
                    .get("accessToken")
                    .and_then(Value::as_str)
                    .map(|t| format!("Bearer {t}"))
            });
        let caller = auth::authenticate(&self.state, authorization.as_deref()).await;
        if caller.credential_rejected {
            return Some(Step::Close(Some(close(
                4403,
                "Forbidden: the access token was refused",
            ))));
        }
        if caller.signed_in() {
            let limits = &self.state.settings.websocket;
            let owner = caller.idempotency_owner();
            match self.state.sockets.take(owner, limits.max_per_account) {
                Some(place) => self.place = Some(place),
                None => {
                    return Some(Step::Close(Some(close(
                        4429,
                        &format!(
                            "Too many connections: an account holds at most {} open sockets",
                            limits.max_per_account
                        ),
                    ))));
                }
            }
        }
        if let Some(key) = &caller.api_key {
            self.api_key = Some((key.key_id, authorization.clone()));
        }
        let (credential, ended) = SocketCredential::new(authorization.clone());
        if let Some(user) = caller.user.clone() {
            let left = (user.token_expires_at - self.state.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO);
            self.signed = Some(Signed {
                user,
                authorization,
                ended,
                expires: Box::pin(tokio::time::sleep(left)),
            });
        }
        let mut data = Data::default();
        data.insert(credential);
        data.insert(caller);
        data.insert(self.client.clone());
        if let Some(init) = self.init.take() {
            let _ = init.send(data);
        }
        None
    }

    /// Notes operations the engine finished, so they no longer count against the limit.
    fn track_outgoing(&mut self, text: &str) {
        if !(text.contains("\"complete\"") || text.contains("\"error\"")) {
            return;
        }
        if let Ok(message) = serde_json::from_str::<Value>(text)
            && matches!(message["type"].as_str(), Some("complete" | "error"))
            && let Some(id) = message["id"].as_str()
        {
            self.active.remove(id);
        }
    }
}

/// Resolves, with why, when the signed-in socket's token expires or an operation found its
/// session over; never for an anonymous socket.
async fn signed_out(signed: &mut Option<Signed>) -> &'static str {
    let Some(signed) = signed else {
        return std::future::pending().await;
    };
    let ended = &mut signed.ended;
    tokio::select! {
        () = &mut signed.expires => "Unauthorized: the access token expired",
        found = ended.wait_for(|ended| *ended) => match found {
            Ok(_) => "Unauthorized: the session ended",
            // The credential's sender lives in the connection data; gone means closing anyway.
            Err(_) => std::future::pending().await,
        },
    }
}
