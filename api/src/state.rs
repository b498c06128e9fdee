//! The one application state every handler and resolver reaches.

use std::sync::Arc;

use domain::clock::Clock;
use runtime::{JobQueue, Metrics, Settings};
use sea_orm::DatabaseConnection;

use crate::auth::jwt::Keys;
use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::session_events::SessionEvents;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub queue: JobQueue,
    /// The one write path (see [`runtime::write`]).
    pub writer: runtime::Writer,
    /// The push services in use, and the VAPID key browsers subscribe with.
    pub push: runtime::push::PushKeys,
    pub metrics: Metrics,
    /// The built-in ritual catalog, read once at start.
    pub catalog: Arc<crate::catalog::Catalog>,
    /// The assessment instruments in use, stored and read once at start.
    pub instruments: Arc<crate::instruments::Instruments>,
    /// The guide's books, podcasts, apps and workshops.
    pub resources: Arc<domain::resources::Resources>,
    /// The coach: its safety gate, scripted engine and model client.
    pub coach: Arc<coach::Coach>,
    /// Pieces of coach replies as a model writes them, from whichever instance writes them.
    pub coach_replies: runtime::Fanout<coach::ReplyEvent>,
    /// Where a safety result sends its owner for help.
    pub safety_resources: Arc<domain::safety::SafetyResources>,
    /// The time: the system's, or one a test sets.
    pub clock: Clock,
    pub keys: Arc<Keys>,
    pub hasher: Hasher,
    pub limiter: RateLimiter,
    pub session_events: SessionEvents,
    /// "A notification was stored" events, from the worker wherever it runs.
    pub notifications: runtime::Fanout<domain::notification::Added>,
    /// Set when the process is stopping: readiness answers 503 so load balancers drain it.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// The multi-threaded runtime the database pool lives on. GraphQL operations run here, not
    /// on the HTTP worker that read the request: a statement's answer then wakes the task on
    /// the runtime whose reactor saw it, instead of crossing threads for every statement.
    pub runtime: tokio::runtime::Handle,
    /// GraphQL documents parsed before, by their text.
    pub documents: Arc<crate::graphql::parsed::ParsedDocuments>,
    /// Operations sent by hash: registered ones and those clients sent with their hash.
    pub persisted: Arc<crate::graphql::persisted::PersistedQueries>,
    /// Open WebSockets per account on this instance.
    pub sockets: crate::http::socket::OpenSockets,
    /// Couples' rows, kept exact by their versions (see [`crate::read_cache`]).
    pub read_cache: Arc<crate::read_cache::ReadCache>,
    /// Authenticated requests' first statement, shared by requests that arrive together.
    pub session_reads: crate::auth::session_reads::SessionReads,
}
