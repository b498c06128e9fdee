//! The groups of settings, each a plain value passed to the part of the service it configures.

use std::path::PathBuf;
use std::time::Duration;

use super::Secret;

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
    /// How long a request body may take to arrive, whole.
    pub body_timeout: Duration,
    /// Selections in a document after every fragment is expanded.
    pub max_selections: usize,
    /// How long one query or mutation may run before it is stopped.
    pub operation_timeout: Duration,
    /// Whether introspection (and /schema.graphql) is served.
    pub introspection: bool,
    /// About how many bytes of parsed documents one api process keeps (a quarter of it for
    /// anonymous callers' documents).
    pub document_cache_bytes: usize,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 2_000,
            max_aliases: 30,
            max_batch: 10,
            max_body_bytes: 64 * 1024,
            body_timeout: Duration::from_secs(10),
            max_selections: 2_000,
            operation_timeout: Duration::from_secs(10),
            introspection: true,
            document_cache_bytes: 32 * 1024 * 1024,
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
    /// How a link in a message is written: `{page}` (`reset-password`, `verify-email`,
    /// `accept-coach-invite`) and `{token}` filled in. By default
    /// `{public_url}/{page}?token={token}`; an app with deep links sets its own.
    pub link_template: String,
}

/// Where webhook endpoints may point, and how deliveries share the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Endpoints must use https (the default in production).
    pub require_https: bool,
    /// Endpoints may point at loopback, private and link-local addresses (never by default;
    /// tests and a receiver on the same private network need it).
    pub allow_internal: bool,
    /// Attempts one organization may have in flight at once in one worker process, so a
    /// stalling endpoint cannot hold every delivery slot.
    pub per_organization: usize,
    /// How long a rotated-out secret still signs deliveries beside the new one, unless the
    /// rotation asks for another overlap.
    pub secret_overlap: std::time::Duration,
}

/// Where pushes go. Each service is off until it is configured (Web Push is on in embedded
/// mode, with a key the server makes and keeps in its data directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSettings {
    pub apns: Option<ApnsSettings>,
    pub fcm: Option<FcmSettings>,
    /// The VAPID key (a P-256 private key, PEM): where it is, and whether the server may make
    /// it there when it is missing (embedded mode, or none configured anywhere else).
    pub vapid_key_file: Option<PathBuf>,
    pub vapid_key_generated: bool,
    /// Who push services may contact about our pushes (`mailto:` or `https:`).
    pub vapid_subject: String,
    /// Web Push endpoints may point at loopback, private and link-local addresses (tests).
    pub allow_internal: bool,
}

/// Apple's push service, with token-based authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsSettings {
    /// The `.p8` signing key Apple issued (PEM).
    pub key_file: PathBuf,
    pub key_id: String,
    pub team_id: String,
    /// The app's bundle ID, for devices that registered without an app ID.
    pub topic: Option<String>,
    /// `https://api.push.apple.com` (or the sandbox's, or a test server's).
    pub url: String,
    /// A CA certificate (PEM) to trust besides the system's, for a test server or a proxy.
    pub ca_file: Option<PathBuf>,
}

/// Firebase Cloud Messaging's HTTP v1 API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FcmSettings {
    /// The service account's JSON credentials (its `project_id`, `client_email`,
    /// `private_key` and `token_uri`).
    pub credentials_file: PathBuf,
    /// `https://fcm.googleapis.com` (or a test server's).
    pub url: String,
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
    /// An initialised socket that sends nothing (pings included) this long is closed.
    pub idle_timeout: Duration,
    /// Open sockets one account (or API key) may hold on one api instance.
    pub max_per_account: usize,
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

/// The api's per-instance cache of couples' rows (`REKINDLE_READ_CACHE*`). Entries are exact:
/// each request checks them against the couple's versions in its own first statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadCacheSettings {
    /// Off answers every read from the database (the same answers, more statements).
    pub enabled: bool,
    /// Couples kept at most; the least recently read goes first.
    pub max_couples: usize,
    /// Estimated bytes of rows kept at most.
    pub max_bytes: usize,
}

impl ReadCacheSettings {
    pub(super) fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let enabled = match var("READ_CACHE").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                anyhow::bail!("REKINDLE_READ_CACHE must be `on` or `off`, not `{other}`")
            }
        };
        Ok(Self {
            enabled,
            max_couples: super::parse::parse_num(var, "READ_CACHE_COUPLES", 50_000)?.max(1),
            max_bytes: super::parse::parse_num::<usize>(var, "READ_CACHE_MB", 256)?.max(1)
                * 1024
                * 1024,
        })
    }
}
