//! Reading the caller's account and sessions.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Object};
use entities::session;

use super::types::{Session, User};
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::state::AppState;

pub type SessionConnection = Connection<String, Session, ConnectionTotals, EmptyFields>;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<User, ApiError> {
        Ok(User::new(policy::own_account(ctx.data::<Caller>()?)?))
    }

    /// The caller's live sessions (signed in, not revoked, not expired), oldest first.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many sessions from the start (0 to 100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Only sessions after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many sessions from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only sessions before this cursor.")] before: Option<String>,
    ) -> Result<SessionConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let signed_in = ctx.data::<Caller>()?;
        let caller = policy::require_user(signed_in)?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_uuid_request()?;
        let found =
            session::page_live_for_user(&state.db, caller.id, state.clock.now(), &page).await?;
        Ok(connection_of(found, |model| {
            let key = model.id.to_string();
            policy::own_session(signed_in, Some(model))
                .ok()
                .map(|access| (key, Session::new(access)))
        }))
    }
}
