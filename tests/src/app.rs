//! The real server and worker, started in this process on a random port, and a client for them.

use std::sync::Arc;
use std::time::Duration;

use api::Application;
use chrono::{DateTime, Utc};
use domain::clock::{Clock, ManualClock, TimeSource};
use runtime::{JobQueue, Metrics, Settings};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::stores::{Stores, settings_from};

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub queue: JobQueue,
    pub client: awc::Client,
    /// The app's metrics, as its /metrics would show them.
    pub metrics: Metrics,
    /// The app's clock, when the test drives time (see [`TestApp::spawn_at`]).
    pub clock: Option<Arc<ManualClock>>,
    /// "A notification was stored" events as this app hears them.
    pub notifications: runtime::Fanout<domain::notification::Added>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    /// Keeps the stores until the app is gone (they are removed after the last holder).
    _stores: Stores,
}

/// Options for [`TestApp::spawn_with`].
#[derive(Default)]
pub struct Options {
    /// Environment entries added to (or replacing) the stores' environment.
    pub env: Vec<(String, String)>,
    /// A clock the test sets and advances instead of the system's.
    pub clock: Option<Arc<ManualClock>>,
}

impl TestApp {
    /// The app as `rekindle-api` runs it on fresh stores.
    pub async fn spawn() -> Self {
        let stores = Stores::fresh().await;
        Self::spawn_on(&stores, Options::default()).await
    }

    /// The app on fresh stores with these environment entries added.
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        let stores = Stores::fresh().await;
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::spawn_on(
            &stores,
            Options {
                env,
                ..Options::default()
            },
        )
        .await
    }

    /// The app on fresh stores, with a clock standing at `start` until the test moves it, and
    /// no embedded worker (its cron ticks run on real time).
    pub async fn spawn_at(start: DateTime<Utc>) -> Self {
        let stores = Stores::fresh().await;
        Self::spawn_on(
            &stores,
            Options {
                env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
                clock: Some(Arc::new(ManualClock::new(start))),
            },
        )
        .await
    }

    /// The app on `stores` (so a [`crate::TestWorker`] can share them), with a clock standing
    /// at `start` until the test moves it, no embedded worker, and these environment entries.
    pub async fn spawn_driven(stores: &Stores, start: DateTime<Utc>, env: &[(&str, &str)]) -> Self {
        let mut entries = vec![("REKINDLE_EMBEDDED_WORKER".to_owned(), "false".to_owned())];
        entries.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Self::spawn_on(
            stores,
            Options {
                env: entries,
                clock: Some(Arc::new(ManualClock::new(start))),
            },
        )
        .await
    }

    /// Moves the app's clock on; the app must have been started with one.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock
            .as_ref()
            .expect("the app runs on a clock the test drives")
            .advance(by);
    }

    /// The time the app reads now.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.clock {
            Some(clock) => clock.now(),
            None => Utc::now(),
        }
    }

    /// SQL statements the app has sent so far, counted by a hook on its database connection.
    pub fn sql_statements(&self) -> u64 {
        self.metrics.sql_statements()
    }

    pub async fn spawn_on(stores: &Stores, options: Options) -> Self {
        let mut env = stores.env();
        env.extend(options.env.clone());
        let settings = settings_from(&env);
        let clock = match &options.clock {
            Some(manual) => Clock::from_source(manual.clone()),
            None => Clock::system(),
        };
        let app = Application::build_with_clock(settings.clone(), clock)
            .await
            .expect("the application starts");
        let port = app.port();
        let db = app.state().db.clone();
        let queue = app.state().queue.clone();
        let metrics = app.state().metrics.clone();
        let notifications = app.state().notifications.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db,
            settings,
            queue,
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
            metrics,
            clock: options.clock,
            notifications,
            stop: Some(stop),
            task: Some(task),
            _stores: stores.clone(),
        }
    }

    /// POSTs a GraphQL request and answers the HTTP status and the JSON body.
    pub async fn graphql_status(&self, query: &str, variables: Value) -> (u16, Value) {
        self.post_json(
            "/graphql",
            &json!({ "query": query, "variables": variables }),
        )
        .await
    }

    /// POSTs a GraphQL request that must succeed at the HTTP level.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.graphql_status(query, variables).await;
        assert_eq!(status, 200, "unexpected status; body: {body}");
        body
    }

    /// POSTs a GraphQL request with `Authorization: Bearer <token>` when a token is given.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .insert_header(("content-type", "application/json"));
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        let mut res = req
            .send_body(json!({ "query": query, "variables": variables }).to_string())
            .await
            .expect("request sent");
        assert_eq!(res.status().as_u16(), 200);
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body read");
        serde_json::from_slice(&bytes).expect("a JSON body")
    }

    /// POSTs a GraphQL request with `Idempotency-Key: <key>` (and the token, when given).
    pub async fn graphql_keyed(
        &self,
        token: Option<&str>,
        key: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut headers = vec![
            ("content-type", "application/json".to_owned()),
            ("idempotency-key", key.to_owned()),
        ];
        if let Some(token) = token {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, _, body) = self.post_with("/graphql", &headers, &body).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("a JSON body")
    }

    /// Registers a member through the API.
    pub async fn register(&self, email: &str, display_name: &str) -> Account {
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        let body = self
            .graphql(
                REGISTER,
                json!({ "input": {
                    "email": email, "password": password,
                    "displayName": display_name, "timezone": "Europe/London"
                }}),
            )
            .await;
        Account::from_tokens(&body["data"]["register"], email, &password)
            .unwrap_or_else(|| panic!("register failed: {body}"))
    }

    /// Signs an existing account in through the API.
    pub async fn login(&self, email: &str, password: &str) -> Account {
        let body = self
            .graphql(
                LOGIN,
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        Account::from_tokens(&body["data"]["login"], email, password)
            .unwrap_or_else(|| panic!("login failed: {body}"))
    }

    /// Creates an account with any role the way `rekindle-api user create` does, then signs in.
    pub async fn create_with_role(&self, email: &str, role: &str) -> Account {
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        let hasher = api::auth::password::Hasher::new(
            &self.settings.auth,
            api::auth::password::HashSlots::unlimited(),
        )
        .unwrap();
        let new = entities::user::NewUser {
            email: email.to_owned(),
            password_hash: hasher.hash(&password).await.unwrap(),
            display_name: role.to_owned(),
            timezone: "UTC".to_owned(),
            locale: domain::messages::DEFAULT_LOCALE.to_owned(),
            role: role.parse().expect("a known role"),
        };
        entities::user::create(&self.db, new, self.now())
            .await
            .unwrap();
        self.login(email, &password).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(path, &body.to_string()).await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let mut res = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("content-type", "application/json"))
            .send_body(body.to_owned())
            .await
            .expect("request sent");
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body read");
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("body is not JSON: {}", String::from_utf8_lossy(&bytes)));
        (res.status().as_u16(), json)
    }

    /// GETs a path; answers status, headers and body text.
    pub async fn get(&self, path: &str) -> (u16, awc::http::header::HeaderMap, String) {
        self.get_with(path, &[]).await
    }

    /// GETs a path with extra headers; answers status, headers and body text.
    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, awc::http::header::HeaderMap, String) {
        let mut req = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut res = req.send().await.expect("request sent");
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body read");
        (
            res.status().as_u16(),
            res.headers().clone(),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// POSTs a body with the given headers (no content type unless given); answers status,
    /// headers and the body as text.
    pub async fn post_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, awc::http::header::HeaderMap, String) {
        let mut req = self.client.post(format!("{}{path}", self.address));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut res = req.send_body(body.to_owned()).await.expect("request sent");
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body read");
        (
            res.status().as_u16(),
            res.headers().clone(),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Sends the stop signal (as SIGTERM would) without waiting; see [`TestApp::stop`].
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the app as SIGTERM would, and waits until it has stopped.
    pub async fn stop(mut self) {
        self.begin_stop();
        if let Some(task) = self.task.take() {
            task.await.expect("app task").expect("app stopped cleanly");
        }
    }
}

const REGISTER: &str = "mutation($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email } }
}";
const LOGIN: &str = "mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email } }
}";

/// A signed-in account, as a client holds it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Account {
    /// Reads a register/login/refreshSession payload.
    pub fn from_tokens(payload: &Value, email: &str, password: &str) -> Option<Self> {
        Some(Self {
            id: payload["user"]["id"].as_str()?.to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
            access_token: payload["accessToken"].as_str()?.to_owned(),
            refresh_token: payload["refreshToken"].as_str()?.to_owned(),
        })
    }

    pub fn token(&self) -> Option<&str> {
        Some(&self.access_token)
    }
}
