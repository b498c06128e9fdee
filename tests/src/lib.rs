//! The end-to-end test harness: the real server and worker, on a random port, against a fresh
//! database (a temporary SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is
//! set) and a fresh queue (the embedded SQLite queue, or a fresh Redis namespace when
//! TEST_REDIS_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod logs;
pub mod proxy;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use api::Application;
use runtime::{JobQueue, Metrics, Settings};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The signing secret test apps use, so tests can forge tokens to attack them.
pub const TEST_JWT_SECRET: &str = "test-signing-secret-0123456789abcdef0123";

/// What turns a test app into production mode (with the secret production requires).
pub const PRODUCTION_ENV: [(&str, &str); 2] = [
    ("REKINDLE_ENV", "production"),
    (
        "REKINDLE_JWT_SECRET",
        "a-test-secret-that-is-long-enough-0123",
    ),
];

/// PostgreSQL to create a fresh database in, when the suite runs against it.
pub fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Redis to use with a fresh namespace, when the suite runs against it.
pub fn test_redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Says plainly that a test is skipped, and why. Written straight to stderr, past the test
/// harness's output capture, so it shows even when the test passes.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Where a test app's stores are: made fresh for each app.
pub struct Stores {
    pub data_dir: PathBuf,
    /// The PostgreSQL URL of this test's own database, if on PostgreSQL.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub queue_prefix: String,
}

impl Stores {
    pub async fn fresh() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("rekindle-test-{id}"));
        let database_url = match test_database_url() {
            Some(admin_url) => {
                let name = format!("rekindle_test_{id}");
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                Some(replace_database_name(&admin_url, &name))
            }
            None => None,
        };
        Self {
            data_dir,
            database_url,
            redis_url: test_redis_url(),
            queue_prefix: format!("test-{id}"),
        }
    }

    /// The environment a process on these stores would get.
    pub fn env(&self) -> HashMap<String, String> {
        let mut env = HashMap::from([
            ("REKINDLE_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "REKINDLE_DATA_DIR".to_owned(),
                self.data_dir.display().to_string(),
            ),
            (
                "REKINDLE_QUEUE_PREFIX".to_owned(),
                self.queue_prefix.clone(),
            ),
            ("REKINDLE_MIGRATE_ON_START".to_owned(), "true".to_owned()),
            ("REKINDLE_SHUTDOWN_TIMEOUT_SECS".to_owned(), "5".to_owned()),
            // Cheap hashing: tests sign in often and the parameters are not what they check.
            ("REKINDLE_ARGON2_MEMORY_KIB".to_owned(), "1024".to_owned()),
            ("REKINDLE_ARGON2_ITERATIONS".to_owned(), "1".to_owned()),
            ("REKINDLE_JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
            // Generous limits: the rate-limit tests set their own.
            (
                "REKINDLE_RATE_LIMIT_PER_ACCOUNT".to_owned(),
                "1000".to_owned(),
            ),
            ("REKINDLE_RATE_LIMIT_PER_IP".to_owned(), "100000".to_owned()),
        ]);
        if let Some(url) = &self.database_url {
            env.insert("REKINDLE_DATABASE_URL".into(), url.clone());
        }
        if let Some(url) = &self.redis_url {
            env.insert("REKINDLE_REDIS_URL".into(), url.clone());
        }
        env
    }
}

/// The socket address a store URL (`postgres://…`, `redis://…`) points at.
pub fn url_target(url: &str, default_port: u16) -> std::net::SocketAddr {
    use std::net::ToSocketAddrs;
    let authority = authority(url);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let with_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    };
    with_port
        .to_socket_addrs()
        .expect("resolvable store address")
        .next()
        .expect("an address")
}

/// The same URL pointed at 127.0.0.1:`port` instead.
pub fn url_via_port(url: &str, port: u16) -> String {
    let authority = authority(url);
    let replacement = match authority.rsplit_once('@') {
        Some((user, _)) => format!("{user}@127.0.0.1:{port}"),
        None => format!("127.0.0.1:{port}"),
    };
    url.replacen(authority, &replacement, 1)
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// Swaps the database name at the end of a PostgreSQL URL.
fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Builds settings from an environment map, as the binaries do from the process environment.
pub fn settings_from(env: &HashMap<String, String>) -> Settings {
    Settings::from_lookup(|name| env.get(name).cloned()).expect("valid test settings")
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub queue: JobQueue,
    pub client: awc::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Options for [`TestApp::spawn_with`].
#[derive(Default)]
pub struct Options {
    /// Environment entries added to (or replacing) the stores' environment.
    pub env: Vec<(String, String)>,
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
        Self::spawn_on(&stores, Options { env }).await
    }

    pub async fn spawn_on(stores: &Stores, options: Options) -> Self {
        let mut env = stores.env();
        env.extend(options.env);
        let settings = settings_from(&env);
        let app = Application::build(settings.clone())
            .await
            .expect("the application starts");
        let port = app.port();
        let db = app.state().db.clone();
        let queue = app.state().queue.clone();
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
            stop: Some(stop),
            task: Some(task),
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
        entities::user::create(
            &self.db,
            entities::user::NewUser {
                email: email.to_owned(),
                password_hash: hasher.hash(&password).await.unwrap(),
                display_name: role.to_owned(),
                timezone: "UTC".to_owned(),
                role: role.to_owned(),
            },
        )
        .await
        .map_err(|e| format!("{e:?}"))
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

/// A worker running on the given stores as `rekindle-worker` would: its own connections,
/// its own identity.
pub struct TestWorker {
    pub worker_id: uuid::Uuid,
    /// Where the worker serves /healthz and /metrics, as `rekindle-worker` does with
    /// REKINDLE_WORKER_BIND.
    pub metrics_address: String,
    server: actix_web::dev::ServerHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestWorker {
    pub async fn spawn_on(stores: &Stores) -> Self {
        let settings = settings_from(&stores.env());
        let db = runtime::store::connect_database(&settings).await.unwrap();
        runtime::store::migrate(&db).await.unwrap();
        let queue = JobQueue::connect(&settings).await.unwrap();
        let identity = worker::WorkerIdentity::new();
        let worker_id = identity.worker_id;
        let metrics = Metrics::new();
        let (server, port) = worker::http::serve("127.0.0.1:0", metrics.clone()).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        let state = worker::JobState {
            db,
            queue,
            metrics,
            identity,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            worker::run(&settings, state, async move {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            worker_id,
            metrics_address: format!("http://127.0.0.1:{port}"),
            server: handle,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("worker task")
                .expect("worker stopped cleanly");
        }
        self.server.stop(true).await;
    }

    /// The worker's /metrics text.
    pub async fn metrics(&self) -> String {
        let mut res = awc::Client::default()
            .get(format!("{}/metrics", self.metrics_address))
            .send()
            .await
            .expect("metrics answered");
        assert_eq!(res.status().as_u16(), 200);
        String::from_utf8_lossy(&res.body().await.expect("metrics body")).into_owned()
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

/// A unique email for a test's account.
pub fn email(name: &str) -> String {
    format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Polls `check` until it answers `Some`, or fails the test after `deadline`.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `extensions.code` of every error in a GraphQL response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("(none)")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            replace_database_name("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            replace_database_name("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            replace_database_name("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }

    #[test]
    fn store_urls_are_pointed_at_a_proxy() {
        assert_eq!(url_target("redis://127.0.0.1/", 6379).port(), 6379);
        assert_eq!(
            url_target("postgres://u:p@127.0.0.1:5433/db", 5432).port(),
            5433
        );
        assert_eq!(
            url_via_port("postgres://u:p@localhost:5432/db?x=1", 9),
            "postgres://u:p@127.0.0.1:9/db?x=1"
        );
        assert_eq!(
            url_via_port("redis://127.0.0.1:6379/", 9),
            "redis://127.0.0.1:9/"
        );
    }
}
