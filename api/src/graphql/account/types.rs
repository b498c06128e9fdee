//! GraphQL types for accounts and sessions.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::user;

use crate::auth::Caller;
use crate::auth::policy::{self, AccountAccess, SessionAccess};
use crate::error::ApiError;
use crate::graphql::couple::types::Couple;
use crate::graphql::ids::{NodeKind, global_id};
use crate::state::AppState;

/// What a user may do beyond their own couple's data.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::account::Role")]
pub enum Role {
    /// A member of a couple (everyone who registers).
    Member,
    /// A coach, who sees couples only with their consent.
    Coach,
    /// An operator: accounts and operations, never intimate content.
    Admin,
}

/// A daily window in which no reminder fires, in the user's local time.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuietHours {
    /// Start, as "HH:MM".
    pub start: String,
    /// End, as "HH:MM"; before the start when the window runs past midnight.
    pub end: String,
}

/// Quiet hours as a client sets them.
#[derive(InputObject, Clone, Debug)]
pub struct QuietHoursInput {
    /// Start, as "HH:MM" (24-hour clock).
    pub start: String,
    /// End, as "HH:MM" (24-hour clock); may be before the start (22:00 to 07:00).
    pub end: String,
}

/// An account. Visible to its owner and to administrators.
pub struct User(AccountAccess);

impl User {
    pub fn new(access: AccountAccess) -> Self {
        Self(access)
    }

    fn account(&self) -> &user::Model {
        self.0.account()
    }
}

/// An account. Visible to its owner and to administrators.
#[Object]
impl User {
    /// The user's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::User, self.account().id)
    }

    /// The sign-in email, lower-cased.
    async fn email(&self) -> &str {
        &self.account().email
    }

    /// When the owner proved the email is theirs (`verifyEmail`); null until then.
    async fn email_verified_at(&self) -> Option<DateTime<Utc>> {
        self.account().email_verified_at
    }

    /// The name the partner sees.
    async fn display_name(&self) -> &str {
        &self.account().display_name
    }

    /// The devices your notifications are pushed to, oldest first. Yours only: FORBIDDEN on
    /// anyone else's account, administrators' views included.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn push_devices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<
        async_graphql::connection::Connection<
            String,
            crate::graphql::push::PushDevice,
            crate::graphql::connection::ConnectionTotals,
            async_graphql::connection::EmptyFields,
        >,
        ApiError,
    > {
        if !self.0.is_own() {
            return Err(ApiError::new(
                crate::error::ErrorCode::Forbidden,
                "push devices are seen by their owner only",
            ));
        }
        crate::graphql::push::own_devices(ctx, first, after).await
    }

    /// IANA time zone in which the user's reminders and days are computed.
    async fn timezone(&self) -> &str {
        &self.account().timezone
    }

    /// The BCP 47 language tag (en, es, pt-BR) the user's notifications, push messages and
    /// emails are worded in; a locale Rekindle ships no messages for reads its language's, then
    /// English.
    async fn locale(&self) -> &str {
        &self.account().locale
    }

    /// When reminders must not fire; null when none are set.
    async fn quiet_hours(&self) -> Option<QuietHours> {
        match (
            &self.account().quiet_hours_start,
            &self.account().quiet_hours_end,
        ) {
            (Some(start), Some(end)) => Some(QuietHours {
                start: start.clone(),
                end: end.clone(),
            }),
            _ => None,
        }
    }

    /// The user's role.
    async fn role(&self) -> Result<Role, ApiError> {
        Ok(self.account().role()?.into())
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.account().created_at
    }

    /// The couple this user is currently in. Only the user themself sees it: null for anyone
    /// else, administrators included.
    async fn couple(&self, ctx: &Context<'_>) -> Result<Option<Couple>, ApiError> {
        if !self.0.is_own() {
            return Ok(None);
        }
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        Ok(policy::callers_couple(state, caller)
            .await?
            .map(Couple::new))
    }

    /// When the account will be deleted (`deleteMyAccount`), unless called off. Only the
    /// user themself sees it: null for anyone else.
    async fn deletion_scheduled_for(&self) -> Option<DateTime<Utc>> {
        self.0
            .is_own()
            .then_some(self.account().delete_after)
            .flatten()
    }

    /// The user's most recent export of their data (`exportMyData`), if they ever asked for
    /// one. Only the user themself sees it: null for anyone else.
    async fn data_export(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::data_rights::DataExport>, ApiError> {
        if !self.0.is_own() {
            return Ok(None);
        }
        let state = ctx.data::<AppState>()?;
        let now = state.clock.now();
        Ok(
            entities::data_export::latest_of(&state.db, self.account().id)
                .await?
                .map(|row| super::data_rights::DataExport::new(row, now)),
        )
    }
}

/// One sign-in: a device or app holding a refresh token.
pub struct Session(SessionAccess);

impl Session {
    pub fn new(access: SessionAccess) -> Self {
        Self(access)
    }
}

/// One sign-in: a device or app holding a refresh token.
#[Object]
impl Session {
    /// The session's opaque ID, for `revokeSession`.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Session, self.0.session().id)
    }

    /// When the user signed in.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.session().created_at
    }

    /// When a token of this session was last refreshed.
    async fn last_used_at(&self) -> DateTime<Utc> {
        self.0.session().last_used_at
    }

    /// When the session ends unless it is refreshed or revoked first.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.session().expires_at
    }

    /// The client's User-Agent at sign-in, if it sent one.
    async fn user_agent(&self) -> Option<&str> {
        self.0.session().user_agent.as_deref()
    }

    /// Whether this is the session making the request.
    async fn current(&self) -> bool {
        self.0.is_current()
    }

    /// When the session was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.session().revoked_at
    }
}
