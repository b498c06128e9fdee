//! Asking a signed-in caller for their password again, for what must not follow from a
//! borrowed access token alone (changing the password, taking a copy of their data, deleting
//! the account).

use domain::account::MAX_PASSWORD_CHARS;

use super::{AuthUser, ClientInfo};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Checks that `password` is the signed-in caller's current one (FORBIDDEN if not), counted
/// against the same limits as signing in under `action`: for what must not follow from a
/// borrowed token alone.
pub async fn confirm_password(
    state: &AppState,
    client: &ClientInfo,
    caller: &AuthUser,
    password: &str,
    action: &str,
) -> Result<(), ApiError> {
    let wrong = || ApiError::new(ErrorCode::Forbidden, "the current password is incorrect");
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(wrong());
    }
    let account = &caller.account;
    let check = state
        .limiter
        .password_check(action, &account.email, client.ip)
        .await?;
    if !state
        .hasher
        .verify(password, Some(&account.password_hash))
        .await?
    {
        return Err(wrong());
    }
    check.succeeded().await?;
    Ok(())
}
