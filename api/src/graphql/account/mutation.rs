//! Registering, signing in and out, refreshing, and changing one's own account.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::account::{
    DisplayName, Email, MAX_EMAIL_BYTES, MAX_PASSWORD_CHARS, Password, QuietHours, Role, Timezone,
    format_hhmm,
};
use domain::messages::{DEFAULT_LOCALE, parse_locale};
use entities::{reminder, session, user};

use super::types::{QuietHoursInput, Session, User};
use crate::auth::session_events::SessionsEnded;
use crate::auth::sessions::{self, IssuedTokens};
use crate::auth::{Caller, ClientInfo, confirm_password, policy};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// Tokens a client keeps after signing in or refreshing.
#[derive(SimpleObject)]
pub struct SessionTokens {
    /// Sent as `Authorization: Bearer <accessToken>`; short-lived.
    pub access_token: String,
    /// When the access token stops working.
    pub access_token_expires_at: DateTime<Utc>,
    /// Trades for new tokens with `refreshSession`, once; keep it secret.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: User,
}

impl SessionTokens {
    fn new(tokens: IssuedTokens, user: user::Model) -> Self {
        Self {
            access_token: tokens.access_token,
            access_token_expires_at: tokens.access_token_expires_at,
            refresh_token: tokens.refresh_token,
            user: User::new(policy::signed_in_account(user)),
        }
    }
}

/// A new member account.
#[derive(InputObject)]
pub struct RegisterInput {
    /// The sign-in email; case does not matter.
    pub email: String,
    /// At least 10 characters, and not a commonly used password.
    pub password: String,
    /// The name the partner sees.
    pub display_name: String,
    /// An IANA time zone name such as "Europe/London".
    pub timezone: String,
    /// A BCP 47 language tag (en, es, pt-BR) to word notifications and emails in; en when
    /// omitted.
    pub locale: Option<String>,
}

/// A new account, signed in.
#[derive(SimpleObject)]
pub struct RegisterPayload {
    #[graphql(flatten)]
    pub tokens: SessionTokens,
}

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct LoginInput {
    /// The sign-in email; case does not matter.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// A new session.
#[derive(SimpleObject)]
pub struct LoginPayload {
    #[graphql(flatten)]
    pub tokens: SessionTokens,
}

/// A refresh token to trade.
#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// The refresh token last issued to this session.
    pub refresh_token: String,
}

/// New tokens for the same session; the refresh token presented no longer works.
#[derive(SimpleObject)]
pub struct RefreshSessionPayload {
    #[graphql(flatten)]
    pub tokens: SessionTokens,
}

/// The session to end.
#[derive(InputObject)]
pub struct LogoutInput {
    /// The refresh token of the session to end.
    pub refresh_token: String,
}

/// Whether a session ended.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Whether a live session was ended (false when the token was unknown or already ended).
    pub revoked: bool,
}

/// A new password, with the current one.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password the account has now.
    pub current_password: String,
    /// At least 10 characters, and not a commonly used password.
    pub new_password: String,
}

/// The account with its new password.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// The account.
    pub user: User,
    /// How many other sessions were signed out.
    pub revoked_sessions: u64,
}

/// Changes to the caller's profile.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// A new display name; omitted keeps the current one.
    pub display_name: Option<String>,
    /// A new IANA time zone; omitted keeps the current one.
    pub timezone: Option<String>,
    /// New quiet hours; null clears them, omitted keeps them.
    pub quiet_hours: MaybeUndefined<QuietHoursInput>,
    /// A new BCP 47 language tag for notifications and emails; omitted keeps the current one.
    pub locale: Option<String>,
}

/// The changed account.
#[derive(SimpleObject)]
pub struct UpdateProfilePayload {
    /// The account as it is now.
    pub user: User,
}

/// A session to end.
#[derive(InputObject)]
pub struct RevokeSessionInput {
    /// A session's ID, from `sessions`.
    pub session_id: ID,
}

/// The ended session.
#[derive(SimpleObject)]
pub struct RevokeSessionPayload {
    /// The session, with `revokedAt` set.
    pub session: Session,
}

fn wrong_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "the email or password is incorrect",
    )
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a member account and signs it in.
    async fn register(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RegisterInput`.")] input: RegisterInput,
    ) -> Result<RegisterPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let email = Email::parse(&input.email)?;
        state
            .limiter
            .attempt("register", email.as_str(), client.ip)
            .await?;
        let password = Password::parse(&input.password)?;
        let display_name = DisplayName::parse(&input.display_name)?;
        let timezone = Timezone::parse(&input.timezone)?;
        let locale = match &input.locale {
            Some(raw) => parse_locale(raw).map_err(|e| ApiError::refused("input", &e))?,
            None => DEFAULT_LOCALE.to_owned(),
        };
        let password_hash = state.hasher.hash(password.expose()).await?;
        let new = user::NewUser {
            email: email.as_str().to_owned(),
            password_hash,
            display_name: display_name.as_str().to_owned(),
            timezone: timezone.name().to_owned(),
            locale,
            role: Role::Member,
        };
        let created = user::create(&state.db, new, state.clock.now()).await?;
        tracing::info!(user.id = %created.id, "account registered");
        let tokens = sessions::start(state, &created, client).await?;
        Ok(RegisterPayload {
            tokens: SessionTokens::new(tokens, created),
        })
    }

    /// Signs in with email and password, starting a new session.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `LoginInput`.")] input: LoginInput,
    ) -> Result<LoginPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        // Sizes first: nothing oversized reaches a counter, the database or the hasher.
        if input.email.len() > MAX_EMAIL_BYTES
            || input.password.chars().count() > MAX_PASSWORD_CHARS
        {
            return Err(wrong_credentials());
        }
        let email = input.email.trim().to_lowercase();
        let check = state
            .limiter
            .password_check("login", &email, client.ip)
            .await?;
        // A deleted account is no account (its stripped hash is never checked).
        let found = user::find_by_email(&state.db, &email)
            .await?
            .filter(|u| u.deleted_at.is_none());
        let matched = state
            .hasher
            .verify(
                &input.password,
                found.as_ref().map(|u| u.password_hash.as_str()),
            )
            .await?;
        let user = found
            .filter(|u| matched && !u.disabled)
            .ok_or_else(wrong_credentials)?;
        check.succeeded().await?;
        let tokens = sessions::start(state, &user, client).await?;
        Ok(LoginPayload {
            tokens: SessionTokens::new(tokens, user),
        })
    }

    /// Trades a refresh token for new tokens. Each refresh token works once: presenting one
    /// again ends its whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RefreshSessionInput`.")]
        input: RefreshSessionInput,
    ) -> Result<RefreshSessionPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let tokens = sessions::rotate(state, &input.refresh_token).await?;
        let user = user::find_by_id(&state.db, tokens.session.user_id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in again"))?;
        Ok(RefreshSessionPayload {
            tokens: SessionTokens::new(tokens, user),
        })
    }

    /// Ends the session the refresh token belongs to; its access tokens stop working too.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `LogoutInput`.")] input: LogoutInput,
    ) -> Result<LogoutPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let revoked = sessions::end(state, &input.refresh_token).await?;
        Ok(LogoutPayload { revoked })
    }

    /// Changes the caller's password, signs out every other session and ends every reset link
    /// still outstanding.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ChangePasswordInput`.")]
        input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let password = Password::parse(&input.new_password)
            .map_err(|e| ApiError::from(e).at("input.newPassword"))?;
        confirm_password(
            state,
            client,
            caller,
            &input.current_password,
            "change_password",
        )
        .await?;
        let current = caller.account.clone();
        let hash = state.hasher.hash(password.expose()).await?;
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        let updated = user::set_password_hash(&*write, current, hash, now).await?;
        entities::email_token::spend_all(
            &*write,
            entities::email_token::PASSWORD_RESET,
            caller.id,
            now,
        )
        .await?;
        let revoked_sessions = session::revoke_all_for_user(
            &*write,
            caller.id,
            Some(caller.session_id),
            "password_changed",
            now,
        )
        .await?;
        write.commit().await?;
        state
            .session_events
            .publish(SessionsEnded::all_of(caller.id, Some(caller.session_id)))
            .await;
        Ok(ChangePasswordPayload {
            user: User::new(policy::signed_in_account(updated)),
            revoked_sessions,
        })
    }

    /// Changes the caller's display name, time zone, quiet hours or locale.
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UpdateProfileInput`.")]
        input: UpdateProfileInput,
    ) -> Result<UpdateProfilePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let mut change = user::ProfileChange::default();
        if let Some(name) = &input.display_name {
            change.display_name = Some(DisplayName::parse(name)?.as_str().to_owned());
        }
        if let Some(tz) = &input.timezone {
            change.timezone = Some(Timezone::parse(tz)?.name().to_owned());
        }
        if let Some(locale) = &input.locale {
            change.locale = Some(parse_locale(locale).map_err(|e| ApiError::refused("input", &e))?);
        }
        change.quiet_hours = match input.quiet_hours {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(q) => {
                let quiet = QuietHours::parse(&q.start, &q.end)
                    .map_err(|e| ApiError::refused("input.quietHours", &e))?;
                Some(Some((format_hhmm(quiet.start), format_hhmm(quiet.end))))
            }
        };
        let current = caller.account.clone();
        // A new zone or quiet hours move the member's coming reminders: the ones planned in
        // the old time are forgotten with the change, and planned again in the new.
        let moves_reminders = change.timezone.is_some() || change.quiet_hours.is_some();
        // Whoever sees the member (their partner too) learns their profile changed.
        let audience = policy::change_audience(state, ctx.data::<Caller>()?).await?;
        let seen_by = audience
            .couple()
            .map_or(Audience::Member(audience.user()), Audience::Couple);
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let updated = user::update_profile(&*write, current, change, now).await?;
        if moves_reminders {
            reminder::forget_scheduled_for_user(&*write, updated.id).await?;
        }
        let changed = recorded(NodeKind::User, updated.id, Action::Updated, seen_by);
        write.changes([changed]);
        write.commit().await?;
        Ok(UpdateProfilePayload {
            user: User::new(policy::signed_in_account(updated)),
        })
    }

    /// Ends one of the caller's sessions.
    async fn revoke_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RevokeSessionInput`.")]
        input: RevokeSessionInput,
    ) -> Result<RevokeSessionPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let id = decode_id_of(&input.session_id, NodeKind::Session, "input.sessionId")?;
        let found =
            policy::own_session(ctx.data::<Caller>()?, session::find(&state.db, id).await?)?;
        if session::revoke(&state.db, id, "revoked_by_user", state.clock.now()).await? {
            state
                .session_events
                .publish(SessionsEnded::one(caller.id, id))
                .await;
        }
        let revoked =
            policy::own_session(ctx.data::<Caller>()?, session::find(&state.db, id).await?)
                .unwrap_or(found);
        Ok(RevokeSessionPayload {
            session: Session::new(revoked),
        })
    }
}
