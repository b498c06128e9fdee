//! Reading the ritual catalog.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Object};
use domain::input::Reason;
use entities::ritual;

use super::types::{Ritual, RitualCadence, RitualCategory};
use crate::auth::{Caller, policy};
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::state::AppState;

/// Longest search text accepted.
const MAX_SEARCH_CHARS: usize = 100;

pub type RitualConnection = Connection<String, Ritual, ConnectionTotals, EmptyFields>;

#[derive(Default)]
pub struct RitualQuery;

#[Object]
impl RitualQuery {
    /// The ritual catalog (and the caller's couple's own custom rituals), ordered by key,
    /// optionally filtered.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn rituals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many rituals from the start (0 to 100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Only rituals after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rituals from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only rituals before this cursor.")] before: Option<String>,
        #[graphql(desc = "Only rituals of this category.")] category: Option<RitualCategory>,
        #[graphql(desc = "Only rituals with this default cadence.")] cadence: Option<RitualCadence>,
        #[graphql(
            desc = "Only rituals whose key, title or summary contain this text, ignoring case."
        )]
        search: Option<String>,
    ) -> Result<RitualConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let couple = policy::ritual_scope(state, ctx.data::<Caller>()?).await?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request()?;
        let search = search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if search
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(ApiError::invalid(
                "search",
                Reason::TooLong,
                format!("`search` is limited to {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let filter = ritual::Filter {
            category: category.map(Into::into),
            cadence: cadence.map(Into::into),
            search,
            viewer: couple,
        };
        let found = ritual::list(&state.db, &filter, &page).await?;
        Ok(connection_of(found, |row| {
            Some((row.key.clone(), Ritual(row.into())))
        }))
    }

    /// One ritual by its key; null when there is none (another couple's custom ritual is none).
    async fn ritual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ritual's stable key, such as `six_second_kiss`.")] key: String,
    ) -> Result<Option<Ritual>, ApiError> {
        let state = ctx.data::<AppState>()?;
        // Catalog rituals are everyone's: answered from memory.
        if let Some(found) = state.catalog.by_key(&key) {
            return Ok(Some(Ritual(found)));
        }
        let couple = policy::ritual_scope(state, ctx.data::<Caller>()?).await?;
        let found = ritual::find_by_key(&state.db, &key, couple).await?;
        Ok(found.map(|row| Ritual(row.into())))
    }
}
