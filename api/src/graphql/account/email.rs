//! What goes through a member's mailbox: a password reset, and proof that an email is theirs.
//! Tokens are random, sent only in the email, stored as a SHA-256, single-use and expiring.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use domain::account::{Email, Password};
use domain::input::Reason;
use domain::jobs::{AccountEmail, SendEmail};
use entities::{email_token, session, user};

use crate::auth::session_events::SessionsEnded;
use crate::auth::{Caller, ClientInfo, policy, secret_token};
use crate::error::ApiError;
use crate::state::AppState;

fn invalid_link() -> ApiError {
    ApiError::invalid(
        "input.token",
        Reason::InvalidToken,
        "the link is invalid, was used already or has expired; ask for a new one",
    )
}

/// The address to send a reset link to.
#[derive(InputObject)]
pub struct RequestPasswordResetInput {
    /// The account's email.
    pub email: String,
}

/// Always the same answer, whether or not an account has that email.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// True: if an account has that email, a link is on its way.
    pub accepted: bool,
}

/// A new password, with the token from the reset link.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The `token` of the link in the email.
    pub token: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// The password changed; every session of the account ended.
#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    /// How many sessions ended (sign in again with the new password).
    pub ended_sessions: u64,
}

/// Asks for nothing: the link goes to the caller's own email.
#[derive(SimpleObject)]
pub struct RequestEmailVerificationPayload {
    /// Whether a link is on its way (false when the email is verified already).
    pub sent: bool,
}

/// The token from the verification link.
#[derive(InputObject)]
pub struct VerifyEmailInput {
    /// The `token` of the link in the email.
    pub token: String,
}

/// The email is verified.
#[derive(SimpleObject)]
pub struct VerifyEmailPayload {
    /// True.
    pub verified: bool,
}

#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Sends a password-reset link to the email, if an account has it. Answers the same
    /// either way (no one learns which emails have accounts); rate limited.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RequestPasswordResetInput`.")]
        input: RequestPasswordResetInput,
    ) -> Result<RequestPasswordResetPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let email = Email::parse(&input.email)?;
        state
            .limiter
            .attempt("password_reset", email.as_str(), client.ip)
            .await?;
        // Queued whether or not an account has the email: the worker looks, so this answers
        // in the same time either way.
        state
            .queue
            .push(SendEmail {
                email: AccountEmail::PasswordReset {
                    email: email.as_str().to_owned(),
                },
            })
            .await
            .map_err(ApiError::queue)?;
        Ok(RequestPasswordResetPayload { accepted: true })
    }

    /// Sets a new password with a reset link's token (once, within the hour), ends every
    /// session of the account and every other reset link, and counts the email as verified.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ResetPasswordInput`.")]
        input: ResetPasswordInput,
    ) -> Result<ResetPasswordPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let password = Password::parse(&input.new_password)
            .map_err(|e| ApiError::from(e).at("input.newPassword"))?;
        let now = state.clock.now();
        let token = email_token::redeem(
            &state.db,
            email_token::PASSWORD_RESET,
            &secret_token::digest(input.token.trim()),
            now,
        )
        .await?
        .ok_or_else(invalid_link)?;
        let account = user::find_by_id(&state.db, token.user_id)
            .await?
            .filter(|a| !a.disabled && a.email == token.email)
            .ok_or_else(invalid_link)?;
        let hash = state.hasher.hash(password.expose()).await?;
        let write = state.writer.begin(now).await?;
        let account = user::set_password_hash(&*write, account, hash, now).await?;
        user::mark_email_verified(&*write, account.id, &token.email, now).await?;
        email_token::spend_all(&*write, email_token::PASSWORD_RESET, account.id, now).await?;
        let ended =
            session::revoke_all_for_user(&*write, account.id, None, "password_reset", now).await?;
        write.commit().await?;
        state
            .session_events
            .publish(SessionsEnded::all_of(account.id, None))
            .await;
        Ok(ResetPasswordPayload {
            ended_sessions: ended,
        })
    }

    /// Sends a link to the caller's own email proving it is theirs (the worker sends it, with
    /// retries); rate limited.
    async fn request_email_verification(
        &self,
        ctx: &Context<'_>,
    ) -> Result<RequestEmailVerificationPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let account = &caller.account;
        if account.email_verified_at.is_some() {
            return Ok(RequestEmailVerificationPayload { sent: false });
        }
        state
            .limiter
            .attempt("verify_email", &account.email, client.ip)
            .await?;
        state
            .queue
            .push(SendEmail {
                email: AccountEmail::EmailVerification {
                    user_id: account.id,
                },
            })
            .await
            .map_err(ApiError::queue)?;
        Ok(RequestEmailVerificationPayload { sent: true })
    }

    /// Verifies an email with the token of the link sent to it (once, within a day). Works
    /// without signing in: the link may be opened anywhere.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `VerifyEmailInput`.")]
        input: VerifyEmailInput,
    ) -> Result<VerifyEmailPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let now = state.clock.now();
        let token = email_token::redeem(
            &state.db,
            email_token::EMAIL_VERIFICATION,
            &secret_token::digest(input.token.trim()),
            now,
        )
        .await?
        .ok_or_else(invalid_link)?;
        // Verifies the address the link went to, and only while it is still the account's.
        let account = user::mark_email_verified(&state.db, token.user_id, &token.email, now)
            .await?
            .filter(|a| a.email == token.email && a.email_verified_at.is_some())
            .ok_or_else(invalid_link)?;
        tracing::info!(user.id = %account.id, "email verified");
        Ok(VerifyEmailPayload { verified: true })
    }
}
