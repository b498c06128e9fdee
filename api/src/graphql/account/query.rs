//! Reading the caller's account and sessions.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Object};
use chrono::Utc;
use entities::{session, user};

use super::types::{Session, User};
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, encode_cursor};
use crate::state::AppState;

pub type SessionConnection = Connection<String, Session, ConnectionTotals, EmptyFields>;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let user = user::find_by_id(&state.db, caller.id)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::not_found("user"))?;
        Ok(User(user))
    }

    /// The caller's live sessions (signed in, not revoked, not expired), oldest first.
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many sessions from the start (0 to 100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Only sessions after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many sessions from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only sessions before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<SessionConnection> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request()?;
        let sessions = session::live_for_user(&state.db, caller.id, Utc::now())
            .await
            .map_err(ApiError::from)?;
        let found = page.slice(sessions, |s| s.id.to_string());
        let mut connection = Connection::with_additional_fields(
            found.has_previous,
            found.has_next,
            ConnectionTotals {
                total_count: found.total_count,
            },
        );
        connection.edges = found
            .rows
            .into_iter()
            .map(|model| {
                let current = model.id == caller.session_id;
                Edge::new(
                    encode_cursor(&model.id.to_string()),
                    Session { model, current },
                )
            })
            .collect();
        Ok(connection)
    }
}
