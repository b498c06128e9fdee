//! Who is calling: access-token verification, password hashing, refresh tokens, rate limits,
//! and the one authorization policy every resolver goes through.

mod confirm;
pub mod jwt;
pub mod password;
pub mod policy;
pub mod rate_limit;
/// Opaque secrets handed to clients, stored only as digests (shared with the worker).
pub use runtime::secret_token;
pub mod session_events;
pub mod session_reads;
pub mod sessions;

pub use confirm::confirm_password;

use std::net::IpAddr;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::account::Role;
use entities::{couple, couple_member, user};
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::state::AppState;

/// A signed-in user, as their access token and live session vouch. The role is the one stored
/// now, never the token's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    pub session_id: Uuid,
    /// When the access token presented stops working.
    pub token_expires_at: DateTime<Utc>,
    /// The account as read when the request was authenticated.
    pub account: user::Model,
}

/// The caller's current couple membership with its couple, read at most once per request.
pub(crate) type CurrentCouple = Option<(couple_member::Model, couple::Model)>;

/// An organization's API key, as presented and found live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCaller {
    pub key_id: Uuid,
    pub organization_id: Uuid,
    /// What the key may read of what couples granted its organization.
    pub scopes: domain::organization::Scopes,
}

/// The caller's organization membership, read at most once per request.
pub(crate) type CurrentOrganization = Option<entities::organization::member::Model>;

/// The caller of one request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user: Option<AuthUser>,
    /// Set when the request came with an organization's API key instead of a person's token.
    pub api_key: Option<KeyCaller>,
    /// The key is over its rate limit: the request is answered with this error, unrun.
    pub throttled: Option<crate::error::ApiError>,
    /// A credential was presented and refused (bad, expired, or its session revoked).
    pub credential_rejected: bool,
    /// The account an unexpired, validly signed access token names when its session has ended
    /// or its account is disabled. It grants nothing; it only finds the idempotency keys of
    /// that account, so a retry of what ended the session (logout) gets its first answer.
    pub(crate) signed_for: Option<Uuid>,
    /// Filled by the policy on first use; shared by every field of the request.
    pub(crate) current_couple: Arc<OnceCell<CurrentCouple>>,
    /// Filled by the policy on first use.
    pub(crate) current_organization: Arc<OnceCell<CurrentOrganization>>,
}

impl Caller {
    fn rejected() -> Self {
        Self {
            credential_rejected: true,
            ..Self::default()
        }
    }

    fn rejected_for(account: Uuid) -> Self {
        Self {
            signed_for: Some(account),
            ..Self::rejected()
        }
    }

    /// The caller set on a request before it runs, if any.
    pub fn of(request: &async_graphql::Request) -> Option<&Self> {
        request
            .data
            .get(&std::any::TypeId::of::<Self>())
            .and_then(|data| data.downcast_ref::<Self>())
    }

    /// Whether a person or an API key stands behind the request.
    pub fn signed_in(&self) -> bool {
        self.user.is_some() || self.api_key.is_some()
    }

    /// Whose idempotency keys this caller's requests use: the account's, the API key's, or
    /// (for anonymous callers) a shared space where only the same key and request meet.
    pub fn idempotency_owner(&self) -> String {
        match (&self.user, &self.api_key, self.signed_for) {
            (Some(user), _, _) => format!("user:{}", user.id),
            (None, Some(key), _) => format!("key:{}", key.key_id),
            (None, None, Some(account)) => format!("user:{account}"),
            (None, None, None) => ANONYMOUS.to_owned(),
        }
    }
}

/// The idempotency owner of a request with no account or key behind it.
pub const ANONYMOUS: &str = "anonymous";

/// Where a request came from, for rate limits and the session list.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

/// A WebSocket's credential, kept so that each of its operations authenticates again. When an
/// operation finds the session over, the socket is told to close.
pub struct SocketCredential {
    pub authorization: Option<String>,
    ended: tokio::sync::watch::Sender<bool>,
}

impl SocketCredential {
    pub fn new(authorization: Option<String>) -> (Self, tokio::sync::watch::Receiver<bool>) {
        let (ended, watch) = tokio::sync::watch::channel(false);
        (
            Self {
                authorization,
                ended,
            },
            watch,
        )
    }

    /// Notes what an operation found: a refused credential ends the socket.
    pub fn observe(&self, caller: &Caller) {
        if caller.credential_rejected {
            let _ = self.ended.send(true);
        }
    }
}

/// Resolves an `Authorization` header (or a WebSocket init payload's token) into a caller.
/// Never fails the request by itself: fields that need a user answer UNAUTHENTICATED.
pub async fn authenticate(state: &AppState, authorization: Option<&str>) -> Caller {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Caller::default();
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    else {
        tracing::debug!("authorization header is not a bearer token");
        return Caller::rejected();
    };
    let now = state.clock.now();
    let token = token.trim();
    if token.starts_with(domain::organization::API_KEY_PREFIX) {
        return authenticate_key(state, token, now).await;
    }
    let claims = match state.keys.verify(token, now) {
        Ok(claims) => claims,
        Err(reason) => {
            tracing::debug!(reason, "access token refused");
            return Caller::rejected();
        }
    };
    let Some(token_expires_at) = DateTime::from_timestamp(claims.exp, 0) else {
        return Caller::rejected();
    };
    match state.session_reads.find(claims.sid).await {
        Ok(Some(entities::request::Found {
            session: s,
            user,
            current,
        })) if s.user_id == claims.sub && s.is_live(now) => {
            if user.disabled {
                tracing::debug!(user.id = %user.id, "access token of a disabled account");
                return Caller::rejected_for(claims.sub);
            }
            let role = match user.role() {
                Ok(role) => role,
                Err(bad) => {
                    // Logged with the row; the caller is refused rather than given a role.
                    let _ = crate::error::ApiError::from(bad);
                    return Caller::rejected();
                }
            };
            Caller {
                user: Some(AuthUser {
                    id: claims.sub,
                    role,
                    session_id: claims.sid,
                    token_expires_at,
                    account: user,
                }),
                // Read in the same statement: the policy asks no more.
                current_couple: Arc::new(OnceCell::new_with(Some(current))),
                ..Caller::default()
            }
        }
        Ok(_) => {
            tracing::debug!(session.id = %claims.sid, "access token of a revoked or unknown session");
            Caller::rejected_for(claims.sub)
        }
        Err(err) => {
            tracing::error!(error = %err, "could not check the caller's session");
            Caller::rejected()
        }
    }
}

/// An organization's API key (`rk_…`): found by its ID, its secret compared by digest in
/// constant time, live (not revoked or expired), and within its rate limit.
async fn authenticate_key(state: &AppState, token: &str, now: DateTime<Utc>) -> Caller {
    let Some(presented) = domain::organization::PresentedKey::parse(token) else {
        tracing::debug!("malformed API key");
        return Caller::rejected();
    };
    let key = match entities::api_key::find(&state.db, presented.id).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            tracing::debug!(key.id = %presented.id, "unknown API key");
            return Caller::rejected();
        }
        Err(err) => {
            tracing::error!(error = %err, "could not check an API key");
            return Caller::rejected();
        }
    };
    // Digests are compared, not secrets: how long a comparison takes tells nothing about the
    // secret (as with refresh tokens, which are looked up by digest).
    let matches = secret_token::digest(presented.secret) == key.secret_hash;
    if !matches || !key.is_live(now) {
        tracing::debug!(key.id = %key.id, "API key refused: wrong secret, revoked or expired");
        return Caller::rejected();
    }
    let scopes = match key.scopes() {
        Ok(scopes) => scopes,
        Err(bad) => {
            let _ = crate::error::ApiError::from(bad);
            return Caller::rejected();
        }
    };
    let throttled = state.limiter.per_key(key.id).await.err();
    if let Err(err) = entities::api_key::touch(&state.db, &key, now).await {
        tracing::warn!(error = %err, key.id = %key.id, "could not note an API key's use");
    }
    Caller {
        api_key: Some(KeyCaller {
            key_id: key.id,
            organization_id: key.organization_id,
            scopes,
        }),
        throttled,
        ..Caller::default()
    }
}
