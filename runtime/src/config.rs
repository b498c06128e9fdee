//! Typed configuration, read once from `REKINDLE_*` environment variables and passed down.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use rand::RngCore;

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Bounds on what one GraphQL request may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    /// Operations in one batched POST; 0 turns batching off.
    pub max_batch: usize,
    pub max_body_bytes: usize,
    /// Selections in a document after every fragment is expanded.
    pub max_selections: usize,
    /// How long one query or mutation may run before it is stopped.
    pub operation_timeout: Duration,
    /// Whether introspection (and /schema.graphql) is served.
    pub introspection: bool,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 2_000,
            max_aliases: 30,
            max_batch: 10,
            max_body_bytes: 64 * 1024,
            max_selections: 2_000,
            operation_timeout: Duration::from_secs(10),
            introspection: true,
        }
    }
}

/// Sign-in and token settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Signs new access tokens (HS256).
    pub jwt_secret: Secret,
    /// Still verifies tokens signed before a rotation; never signs.
    pub jwt_previous_secret: Option<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

/// Attempts allowed per window for login, register and joinCouple, and failed password checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Per account (email); for password checks, failures per account and client address.
    pub per_account: u32,
    /// Failed password checks per account over all client addresses.
    pub per_account_ceiling: u32,
    pub per_ip: u32,
    /// Requests per organization API key.
    pub per_api_key: u32,
    pub window: Duration,
}

/// How email goes out.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…` (lettre's URL form); without
    /// one, email is written to the log instead (development).
    pub smtp_url: Option<Secret>,
    /// The `From` of every message.
    pub from: String,
    /// The app's address, where the links in messages point (no trailing slash).
    pub public_url: String,
}

/// Where webhook endpoints may point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Endpoints must use https (the default in production).
    pub require_https: bool,
    /// Endpoints may point at loopback, private and link-local addresses (never by default;
    /// tests and a receiver on the same private network need it).
    pub allow_internal: bool,
}

/// Limits on GraphQL WebSocket connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketLimits {
    /// A socket that sends no `connection_init` in this time is closed (4408).
    pub init_timeout: Duration,
    /// Subscriptions one socket may hold at once.
    pub max_subscriptions: usize,
    /// How often a socket re-reads its session, besides the session-ended events.
    pub session_check: Duration,
}

/// Who may read /metrics.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    /// Serve /metrics on this address instead of the API's.
    pub bind: Option<String>,
    /// On the API's address, require `Authorization: Bearer <token>`.
    pub token: Option<Secret>,
}

/// Where the application's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// The embedded default: a SQLite file, created on start.
    SqliteFile(PathBuf),
    /// A server given by URL (`postgres://…`, or `sqlite://…` for a file of your choosing).
    Url(Secret),
}

/// Where jobs are queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueTarget {
    /// The embedded default: an apalis SQLite queue in its own file, never the application's.
    SqliteFile(PathBuf),
    Redis(Secret),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub bind: String,
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub queue: QueueTarget,
    /// Prefix of every queue name and Redis key, so several deployments can share one Redis.
    pub queue_prefix: String,
    pub auth: AuthSettings,
    pub rate_limits: RateLimits,
    pub log_format: LogFormat,
    pub migrate_on_start: bool,
    /// Whether `rekindle-api` also runs the worker in its own process.
    pub embedded_worker: bool,
    pub shutdown_timeout: Duration,
    /// `rekindle-worker` only: where it serves its own /healthz and /metrics, if anywhere.
    pub worker_bind: Option<String>,
    /// Seconds between a worker's heartbeats (1 to 59; the tick falls on multiples of it
    /// within each minute).
    pub heartbeat_secs: u32,
    /// Jobs one worker runs at once, per queue.
    pub worker_concurrency: usize,
    pub db_max_connections: u32,
    /// How forgiving streaks are: misses forgiven per window of days.
    pub streak_rules: domain::streak::StreakRules,
    /// Where webhook endpoints may point.
    pub webhooks: WebhookSettings,
    /// How email goes out.
    pub mail: MailSettings,
    pub graphql: GraphqlLimits,
    pub websocket: WebSocketLimits,
    pub metrics: MetricsAccess,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// On SIGTERM, how long readiness answers 503 before the listener closes.
    pub shutdown_drain: Duration,
    /// Password hashes computed at once; the rest wait.
    pub password_hash_concurrency: usize,
    /// How long a request waits for a hashing slot before RATE_LIMITED.
    pub password_hash_wait: Duration,
    /// A file replacing the built-in list of safety resources, if one is given.
    pub safety_resources_file: Option<PathBuf>,
    /// Browser origins allowed to call the API, and which operations it runs.
    pub clients: crate::clients::ClientSettings,
    /// Whether the api serves the operators' page at /admin (off in production unless set).
    pub admin_page: bool,
    /// Where spans are exported over OTLP/HTTP (a collector's base URL); `None`: not at all.
    pub otlp_endpoint: Option<String>,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, which answers a variable's value by name.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| {
            lookup(&format!("REKINDLE_{name}"))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let env = match var("ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                bail!("REKINDLE_ENV must be `development` or `production`, not `{other}`")
            }
        };
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("REKINDLE_LOG_FORMAT must be `pretty` or `json`, not `{other}`"),
        };
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database = match var("DATABASE_URL") {
            Some(url) => DatabaseTarget::Url(Secret::new(url)),
            None => DatabaseTarget::SqliteFile(data_dir.join("rekindle.db")),
        };
        let queue = match var("REDIS_URL") {
            Some(url) => QueueTarget::Redis(Secret::new(url)),
            None => QueueTarget::SqliteFile(data_dir.join("queue.db")),
        };
        let jwt_secret = match (var("JWT_SECRET"), env) {
            (Some(secret), _) if secret.len() >= 32 => Secret::new(secret),
            (Some(_), _) => bail!("REKINDLE_JWT_SECRET must be at least 32 characters long"),
            (None, Environment::Production) => bail!(
                "REKINDLE_JWT_SECRET is required when REKINDLE_ENV=production: set it to a random string of at least 32 characters"
            ),
            (None, Environment::Development) => generated_secret(),
        };
        let embedded_default = matches!(queue, QueueTarget::SqliteFile(_));
        let graphql_default = GraphqlLimits::default();
        let production = env == Environment::Production;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Ok(Self {
            env,
            bind: var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            database,
            queue,
            queue_prefix: var("QUEUE_PREFIX").unwrap_or_else(|| "rekindle".into()),
            auth: AuthSettings {
                jwt_secret,
                jwt_previous_secret: match var("JWT_PREVIOUS_SECRET") {
                    Some(s) if s.len() >= 32 => Some(Secret::new(s)),
                    Some(_) => {
                        bail!("REKINDLE_JWT_PREVIOUS_SECRET must be at least 32 characters long")
                    }
                    None => None,
                },
                jwt_issuer: var("JWT_ISSUER").unwrap_or_else(|| "rekindle".into()),
                jwt_audience: var("JWT_AUDIENCE").unwrap_or_else(|| "rekindle-api".into()),
                access_token_ttl: Duration::from_secs(parse_num(
                    &var,
                    "ACCESS_TOKEN_TTL_SECS",
                    900,
                )?),
                refresh_token_ttl: Duration::from_secs(
                    parse_num::<u64>(&var, "REFRESH_TOKEN_TTL_DAYS", 30)? * 24 * 60 * 60,
                ),
                argon2_memory_kib: parse_num(&var, "ARGON2_MEMORY_KIB", 19_456)?,
                argon2_iterations: parse_num(&var, "ARGON2_ITERATIONS", 2)?,
                argon2_parallelism: parse_num(&var, "ARGON2_PARALLELISM", 1)?,
            },
            rate_limits: RateLimits {
                per_account: parse_num(&var, "RATE_LIMIT_PER_ACCOUNT", 10)?,
                per_account_ceiling: parse_num(&var, "RATE_LIMIT_PER_ACCOUNT_CEILING", 100)?,
                per_ip: parse_num(&var, "RATE_LIMIT_PER_IP", 30)?,
                per_api_key: parse_num(&var, "RATE_LIMIT_PER_API_KEY", 1200)?,
                window: Duration::from_secs(parse_num(&var, "RATE_LIMIT_WINDOW_SECS", 60)?),
            },
            log_format,
            migrate_on_start: parse_bool(
                &var,
                "MIGRATE_ON_START",
                env == Environment::Development,
            )?,
            embedded_worker: parse_bool(&var, "EMBEDDED_WORKER", embedded_default)?,
            shutdown_timeout: Duration::from_secs(parse_num(&var, "SHUTDOWN_TIMEOUT_SECS", 30)?),
            worker_bind: var("WORKER_BIND"),
            heartbeat_secs: match parse_num(&var, "WORKER_HEARTBEAT_SECS", 15)? {
                secs @ 1..=59 => secs,
                other => anyhow::bail!(
                    "REKINDLE_WORKER_HEARTBEAT_SECS must be between 1 and 59, not {other}"
                ),
            },
            worker_concurrency: match parse_num(&var, "WORKER_CONCURRENCY", 8)? {
                n @ 1..=1024 => n,
                other => anyhow::bail!(
                    "REKINDLE_WORKER_CONCURRENCY must be between 1 and 1024, not {other}"
                ),
            },
            db_max_connections: parse_num(&var, "DB_MAX_CONNECTIONS", 10)?,
            streak_rules: domain::streak::StreakRules {
                graces_per_window: parse_num(&var, "STREAK_GRACES", 1)?,
                grace_window_days: parse_num(&var, "STREAK_GRACE_WINDOW_DAYS", 28)?,
            },
            mail: MailSettings {
                smtp_url: var("SMTP_URL").map(Secret::new),
                from: var("MAIL_FROM")
                    .unwrap_or_else(|| "Rekindle <no-reply@rekindle.invalid>".into()),
                public_url: var("PUBLIC_URL")
                    .unwrap_or_else(|| "http://localhost:8080".into())
                    .trim_end_matches('/')
                    .to_owned(),
            },
            webhooks: WebhookSettings {
                require_https: parse_bool(&var, "WEBHOOK_REQUIRE_HTTPS", production)?,
                allow_internal: parse_bool(&var, "WEBHOOK_ALLOW_INTERNAL", false)?,
            },
            graphql: GraphqlLimits {
                max_depth: parse_num(&var, "GRAPHQL_MAX_DEPTH", graphql_default.max_depth)?,
                max_complexity: parse_num(
                    &var,
                    "GRAPHQL_MAX_COMPLEXITY",
                    graphql_default.max_complexity,
                )?,
                max_aliases: parse_num(&var, "GRAPHQL_MAX_ALIASES", graphql_default.max_aliases)?,
                max_batch: parse_num(
                    &var,
                    "GRAPHQL_MAX_BATCH",
                    if production {
                        0
                    } else {
                        graphql_default.max_batch
                    },
                )?,
                max_body_bytes: parse_num(
                    &var,
                    "GRAPHQL_MAX_BODY_BYTES",
                    graphql_default.max_body_bytes,
                )?,
                max_selections: parse_num(
                    &var,
                    "GRAPHQL_MAX_SELECTIONS",
                    graphql_default.max_selections,
                )?,
                operation_timeout: Duration::from_millis(parse_num(
                    &var,
                    "GRAPHQL_TIMEOUT_MS",
                    10_000,
                )?),
                introspection: parse_bool(&var, "GRAPHQL_INTROSPECTION", !production)?,
            },
            websocket: WebSocketLimits {
                init_timeout: Duration::from_millis(parse_num(&var, "WS_INIT_TIMEOUT_MS", 10_000)?),
                max_subscriptions: parse_num(&var, "WS_MAX_SUBSCRIPTIONS", 20)?,
                session_check: Duration::from_secs(parse_num(&var, "WS_SESSION_CHECK_SECS", 30)?),
            },
            metrics: MetricsAccess {
                bind: var("METRICS_BIND"),
                token: var("METRICS_TOKEN").map(Secret::new),
            },
            trusted_proxies: parse_networks(var("TRUSTED_PROXIES").as_deref())?,
            shutdown_drain: Duration::from_secs(parse_num(
                &var,
                "SHUTDOWN_DRAIN_SECS",
                if production { 5 } else { 0 },
            )?),
            safety_resources_file: var("SAFETY_RESOURCES_FILE").map(PathBuf::from),
            clients: crate::clients::ClientSettings::from_vars(&var)?,
            admin_page: parse_bool(&var, "ADMIN_PAGE", !production)?,
            otlp_endpoint: match var("OTLP_ENDPOINT") {
                None => None,
                Some(url) if url.starts_with("http://") => {
                    Some(url.trim_end_matches('/').to_owned())
                }
                Some(other) => bail!(
                    "REKINDLE_OTLP_ENDPOINT must be an http:// URL (a collector or agent nearby; \
                     TLS is not built in), not `{other}`"
                ),
            },
            password_hash_concurrency: parse_num(&var, "PASSWORD_HASH_CONCURRENCY", cores)?.max(1),
            password_hash_wait: Duration::from_secs(parse_num(
                &var,
                "PASSWORD_HASH_WAIT_SECS",
                10,
            )?),
        })
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    /// True when the JWT secret was generated because none was configured.
    pub fn jwt_secret_generated(&self) -> bool {
        self.auth.jwt_secret.expose().starts_with(GENERATED_PREFIX)
    }
}

const GENERATED_PREFIX: &str = "generated-";

fn generated_secret() -> Secret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(format!(
        "{GENERATED_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// A comma-separated list of addresses or CIDR networks (`10.0.0.0/8, 192.168.1.7`).
fn parse_networks(raw: Option<&str>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!(
                        "REKINDLE_TRUSTED_PROXIES: `{part}` is not an address or a CIDR network"
                    )
                })
        })
        .collect()
}

pub(crate) fn parse_bool(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: bool,
) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => bail!("REKINDLE_{name} must be true or false, not `{other}`"),
    }
}

pub(crate) fn parse_num<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .with_context(|| format!("REKINDLE_{name} must be a whole number, not `{raw}`")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_heartbeat_interval_fits_in_a_minute() {
        assert_eq!(settings(&[]).unwrap().heartbeat_secs, 15);
        let one = settings(&[("REKINDLE_WORKER_HEARTBEAT_SECS", "1")]).unwrap();
        assert_eq!(one.heartbeat_secs, 1);
        assert_eq!(settings(&[]).unwrap().worker_concurrency, 8);
        let many = settings(&[("REKINDLE_WORKER_CONCURRENCY", "64")]).unwrap();
        assert_eq!(many.worker_concurrency, 64);
        for bad in ["0", "5000", "many"] {
            assert!(
                settings(&[("REKINDLE_WORKER_CONCURRENCY", bad)]).is_err(),
                "{bad}"
            );
        }
        for bad in ["0", "60", "x"] {
            assert!(
                settings(&[("REKINDLE_WORKER_HEARTBEAT_SECS", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn nothing_set_means_embedded_development() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.env, Environment::Development);
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(
            s.database,
            DatabaseTarget::SqliteFile("./data/rekindle.db".into())
        );
        assert_eq!(s.queue, QueueTarget::SqliteFile("./data/queue.db".into()));
        assert!(s.embedded_worker);
        assert!(s.migrate_on_start);
        assert!(s.jwt_secret_generated());
    }

    #[test]
    fn production_without_a_secret_refuses_to_start() {
        let err = settings(&[("REKINDLE_ENV", "production")]).unwrap_err();
        assert!(
            err.to_string().contains("REKINDLE_JWT_SECRET is required"),
            "{err}"
        );
    }

    #[test]
    fn redis_url_moves_the_worker_out_of_the_api_process() {
        let s = settings(&[
            ("REKINDLE_ENV", "production"),
            ("REKINDLE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("REKINDLE_DATABASE_URL", "postgres://localhost/rekindle"),
            ("REKINDLE_REDIS_URL", "redis://127.0.0.1/"),
        ])
        .unwrap();
        assert!(!s.embedded_worker);
        assert!(!s.migrate_on_start);
        assert!(!s.jwt_secret_generated());
        assert!(matches!(s.queue, QueueTarget::Redis(_)));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = settings(&[("REKINDLE_GRAPHQL_MAX_DEPTH", "deep")]).unwrap_err();
        assert!(
            err.to_string().contains("REKINDLE_GRAPHQL_MAX_DEPTH"),
            "{err}"
        );
        let err = settings(&[("REKINDLE_LOG_FORMAT", "xml")]).unwrap_err();
        assert!(err.to_string().contains("REKINDLE_LOG_FORMAT"), "{err}");
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks() {
        let s = settings(&[("REKINDLE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 3);
        assert!(s.trusted_proxies[0].contains(&"10.2.3.4".parse::<std::net::IpAddr>().unwrap()));
        let err = settings(&[("REKINDLE_TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
        assert!(
            err.to_string().contains("REKINDLE_TRUSTED_PROXIES"),
            "{err}"
        );
    }

    #[test]
    fn traces_are_exported_only_to_a_configured_http_collector() {
        assert_eq!(settings(&[]).unwrap().otlp_endpoint, None);
        let on = settings(&[("REKINDLE_OTLP_ENDPOINT", "http://collector:4318/")]).unwrap();
        assert_eq!(on.otlp_endpoint.as_deref(), Some("http://collector:4318"));
        assert!(settings(&[("REKINDLE_OTLP_ENDPOINT", "https://collector:4318")]).is_err());
    }

    #[test]
    fn the_admin_page_is_off_in_production_unless_configured() {
        assert!(settings(&[]).unwrap().admin_page);
        let production = [
            ("REKINDLE_ENV", "production"),
            (
                "REKINDLE_JWT_SECRET",
                "a-secret-that-is-long-enough-for-production-use",
            ),
        ];
        assert!(!settings(&production).unwrap().admin_page);
        let mut on = production.to_vec();
        on.push(("REKINDLE_ADMIN_PAGE", "true"));
        assert!(settings(&on).unwrap().admin_page);
        assert!(settings(&[("REKINDLE_ADMIN_PAGE", "maybe")]).is_err());
    }

    #[test]
    fn production_turns_batches_and_introspection_off_unless_configured() {
        let base = [
            ("REKINDLE_ENV", "production"),
            ("REKINDLE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ];
        let s = settings(&base).unwrap();
        assert_eq!(s.graphql.max_batch, 0);
        assert!(!s.graphql.introspection);
        let mut on = base.to_vec();
        on.extend([
            ("REKINDLE_GRAPHQL_MAX_BATCH", "5"),
            ("REKINDLE_GRAPHQL_INTROSPECTION", "true"),
        ]);
        let s = settings(&on).unwrap();
        assert_eq!(s.graphql.max_batch, 5);
        assert!(s.graphql.introspection);
        let dev = settings(&[]).unwrap();
        assert_eq!(dev.graphql.max_batch, 10);
        assert!(dev.graphql.introspection);
    }

    #[test]
    fn secrets_never_print() {
        let s = settings(&[("REKINDLE_DATABASE_URL", "postgres://u:hunter2@db/x")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
