//! Typed configuration, read once from `REKINDLE_*` environment variables and passed down.

mod coach;
mod parse;
mod push;
mod secret;
mod sections;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

pub use coach::{CoachModelSettings, CoachSettings};
pub(crate) use parse::{parse_bool, parse_num};
pub use secret::Secret;
pub use sections::*;

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
    /// Whether the api writes one log line per request (`REKINDLE_ACCESS_LOG`).
    pub access_log: bool,
    /// Where spans are exported over OTLP/HTTP (a collector's base URL); `None`: not at all.
    pub otlp_endpoint: Option<String>,
    /// A fault the write path injects on purpose, for tests of what a crash leaves (never in
    /// production).
    pub fault: Option<crate::write::Fault>,
    /// Where notifications are pushed.
    pub push: PushSettings,
    /// The coach's language model and budgets.
    pub coach: CoachSettings,
    /// The api's cache of couples' rows.
    pub read_cache: ReadCacheSettings,
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
        let bind = var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        // Development's defaults (a generated secret, GraphiQL, introspection, the admin page)
        // are for this machine: a server reachable from elsewhere must say what it is.
        if var("ENV").is_none() && !parse::is_loopback_bind(&bind) {
            bail!(
                "REKINDLE_BIND is {bind}, reachable from other machines, but REKINDLE_ENV is not \
                 set: set REKINDLE_ENV=production, or REKINDLE_ENV=development to serve a \
                 development server to the network on purpose"
            );
        }
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
            (None, Environment::Development) => secret::generated_secret(),
        };
        let embedded_default = matches!(queue, QueueTarget::SqliteFile(_));
        let graphql_default = GraphqlLimits::default();
        let production = env == Environment::Production;
        let push = push::push_settings(&var, &data_dir, embedded_default)?;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Ok(Self {
            env,
            bind,
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
            mail: {
                let public_url = var("PUBLIC_URL")
                    .unwrap_or_else(|| "http://localhost:8080".into())
                    .trim_end_matches('/')
                    .to_owned();
                let link_template = var("EMAIL_LINK_TEMPLATE")
                    .unwrap_or_else(|| format!("{public_url}/{{page}}?token={{token}}"));
                if !link_template.contains("{token}") {
                    bail!(
                        "REKINDLE_EMAIL_LINK_TEMPLATE must hold {{token}} (and may hold {{page}}), such as rekindle://{{page}}?token={{token}}"
                    );
                }
                MailSettings {
                    smtp_url: var("SMTP_URL").map(Secret::new),
                    from: var("MAIL_FROM")
                        .unwrap_or_else(|| "Rekindle <no-reply@rekindle.invalid>".into()),
                    public_url,
                    link_template,
                }
            },
            webhooks: WebhookSettings {
                require_https: parse_bool(&var, "WEBHOOK_REQUIRE_HTTPS", production)?,
                allow_internal: parse_bool(&var, "WEBHOOK_ALLOW_INTERNAL", false)?,
                per_organization: match parse_num(&var, "WEBHOOK_PER_ORGANIZATION", 2)? {
                    0 => bail!("REKINDLE_WEBHOOK_PER_ORGANIZATION must be at least 1"),
                    n => n,
                },
                secret_overlap: Duration::from_secs(parse_num(
                    &var,
                    "WEBHOOK_SECRET_OVERLAP_SECS",
                    86_400,
                )?),
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
                body_timeout: Duration::from_secs(parse_num(
                    &var,
                    "BODY_TIMEOUT_SECS",
                    graphql_default.body_timeout.as_secs(),
                )?),
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
                document_cache_bytes: parse_num(
                    &var,
                    "GRAPHQL_DOCUMENT_CACHE_BYTES",
                    graphql_default.document_cache_bytes,
                )?,
            },
            websocket: WebSocketLimits {
                init_timeout: Duration::from_millis(parse_num(&var, "WS_INIT_TIMEOUT_MS", 10_000)?),
                max_subscriptions: parse_num(&var, "WS_MAX_SUBSCRIPTIONS", 20)?,
                session_check: Duration::from_secs(parse_num(&var, "WS_SESSION_CHECK_SECS", 30)?),
                idle_timeout: Duration::from_secs(parse_num(&var, "WS_IDLE_TIMEOUT_SECS", 300)?),
                max_per_account: parse_num(&var, "WS_MAX_PER_ACCOUNT", 10)?,
            },
            metrics: MetricsAccess {
                bind: var("METRICS_BIND"),
                token: var("METRICS_TOKEN").map(Secret::new),
            },
            trusted_proxies: parse::parse_networks(var("TRUSTED_PROXIES").as_deref())?,
            shutdown_drain: Duration::from_secs(parse_num(
                &var,
                "SHUTDOWN_DRAIN_SECS",
                if production { 5 } else { 0 },
            )?),
            safety_resources_file: var("SAFETY_RESOURCES_FILE").map(PathBuf::from),
            clients: crate::clients::ClientSettings::from_vars(&var)?,
            admin_page: parse_bool(&var, "ADMIN_PAGE", !production)?,
            access_log: parse_bool(&var, "ACCESS_LOG", false)?,
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
            push,
            coach: coach::coach_settings(&var)?,
            read_cache: ReadCacheSettings::from_vars(&var)?,
            fault: match (var("FAULT").as_deref(), production) {
                (None, _) => None,
                (Some(_), true) => bail!("REKINDLE_FAULT is for tests and refused in production"),
                (Some(name), false) => Some(crate::write::Fault::parse(name)?),
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
        secret::is_generated(&self.auth.jwt_secret)
    }
}
