//! Sign-in sessions: starting one, rotating its refresh token, and catching a stolen token.

use chrono::{DateTime, Utc};
use entities::{refresh_token, session, user};

use super::ClientInfo;
use super::secret_token::{digest, new_secret};
use super::session_events::SessionsEnded;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// What a client keeps after signing in or refreshing.
pub struct IssuedTokens {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub session: session::Model,
}

const USER_AGENT_MAX: usize = 255;

fn invalid_refresh_token() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "the refresh token is invalid, expired or revoked; sign in again",
    )
}

/// Starts a new session for `user` and issues its first tokens.
pub async fn start(
    state: &AppState,
    user: &user::Model,
    client: &ClientInfo,
) -> Result<IssuedTokens, ApiError> {
    let now = state.clock.now();
    let expires_at = now
        + chrono::Duration::from_std(state.settings.auth.refresh_token_ttl)
            .unwrap_or_else(|_| chrono::Duration::days(30));
    let user_agent = client
        .user_agent
        .as_ref()
        .map(|ua| ua.chars().take(USER_AGENT_MAX).collect());
    let write = state.writer.begin(now).await?;
    let session = session::create(&*write, user.id, user_agent, expires_at, now).await?;
    let refresh_token = new_secret();
    refresh_token::insert(&*write, digest(&refresh_token), session.id, now).await?;
    write.commit().await?;
    issue(state, user, session, refresh_token)
}

fn issue(
    state: &AppState,
    user: &user::Model,
    session: session::Model,
    refresh_token: String,
) -> Result<IssuedTokens, ApiError> {
    let (access_token, access_token_expires_at) = state
        .keys
        .issue(user.id, &user.role, session.id, state.clock.now())
        .map_err(|e| ApiError::internal(&e))?;
    Ok(IssuedTokens {
        access_token,
        access_token_expires_at,
        refresh_token,
        session,
    })
}

/// Trades a refresh token for new tokens. A token is good once: presenting a used one means it
/// was copied, so the whole session (every token of that sign-in) is revoked.
pub async fn rotate(state: &AppState, presented: &str) -> Result<IssuedTokens, ApiError> {
    let now = state.clock.now();
    let hash = digest(presented.trim());
    let token = refresh_token::find(&state.db, &hash)
        .await?
        .ok_or_else(invalid_refresh_token)?;
    let session = session::find(&state.db, token.session_id)
        .await?
        .filter(|s| s.is_live(now))
        .ok_or_else(invalid_refresh_token)?;
    let write = state.writer.begin(now).await?;
    if !refresh_token::mark_used(&*write, &hash, now).await? {
        write.rollback().await?;
        session::revoke(&state.db, session.id, "refresh_token_reuse", now).await?;
        state
            .session_events
            .publish(SessionsEnded::one(session.user_id, session.id))
            .await;
        tracing::warn!(
            session.id = %session.id,
            user.id = %session.user_id,
            "a used refresh token was presented again: session revoked"
        );
        return Err(invalid_refresh_token());
    }
    let next = new_secret();
    refresh_token::insert(&*write, digest(&next), session.id, now).await?;
    session::touch(&*write, session.id, now).await?;
    write.commit().await?;
    let user = user::find_by_id(&state.db, session.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(invalid_refresh_token)?;
    issue(state, &user, session, next)
}

/// Ends the session a refresh token belongs to; answers whether one was ended.
pub async fn end(state: &AppState, presented: &str) -> Result<bool, ApiError> {
    let hash = digest(presented.trim());
    let Some(token) = refresh_token::find(&state.db, &hash).await? else {
        return Ok(false);
    };
    let Some(found) = session::find(&state.db, token.session_id).await? else {
        return Ok(false);
    };
    let ended = session::revoke(&state.db, found.id, "logout", state.clock.now()).await?;
    if ended {
        state
            .session_events
            .publish(SessionsEnded::one(found.user_id, found.id))
            .await;
    }
    Ok(ended)
}

/// Disables an account and ends every one of its sessions at once, on every api instance,
/// recording `audit` (an operator's action) in the same transaction. Answers how many sessions
/// ended, or `None` when there is no such account.
pub async fn disable_user(
    db: &sea_orm::DatabaseConnection,
    events: &super::session_events::SessionEvents,
    user_id: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
    audit: Option<entities::audit::Entry<'_>>,
) -> Result<Option<u64>, sea_orm::DbErr> {
    let txn = entities::begin_write(db).await?;
    let Some(_) = user::set_disabled(&txn, user_id, true).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    let ended = session::revoke_all_for_user(&txn, user_id, None, "account_disabled", now).await?;
    if let Some(entry) = audit {
        entities::audit::record(&txn, entry, now).await?;
    }
    txn.commit().await?;
    events.publish(SessionsEnded::all_of(user_id, None)).await;
    tracing::info!(user.id = %user_id, "account disabled; its sessions ended");
    Ok(Some(ended))
}
