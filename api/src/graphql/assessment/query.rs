//! Reading instruments and your own assessment history.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Object, SimpleObject};
use domain::instrument::reliable_change;

use super::instruments::InstrumentNode;
use super::results::{Assessment, ScoreChange};
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of, page_in_memory};
use crate::state::AppState;

pub type InstrumentConnection = Connection<String, InstrumentNode, ConnectionTotals, EmptyFields>;
pub type AssessmentConnection = Connection<String, Assessment, HistoryTotals, EmptyFields>;

/// Fields of a history besides its page.
#[derive(SimpleObject)]
pub struct HistoryTotals {
    /// How many results there are, across all pages.
    pub total_count: u64,
    /// How the total moved from your first result to your latest, with whether that change is
    /// reliable; null with fewer than two results.
    pub trend: Option<ScoreChange>,
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// The instruments anyone may take, ordered by key, paged.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn instruments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many from the start (0 to 100; default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Only instruments after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only instruments before this cursor.")] before: Option<String>,
    ) -> Result<InstrumentConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request()?;
        let page = page_in_memory(
            state.instruments.all().to_vec(),
            |i| i.definition.key.clone(),
            &request,
        );
        Ok(connection_of(page, |i| {
            Some((i.definition.key.clone(), InstrumentNode(i)))
        }))
    }

    /// The current version of an instrument, by key: a built-in, or an organization's that
    /// your couple accepted (or that your organization wrote); null when there is none.
    async fn instrument(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instrument's key, such as `listening_attunement`.")] key: String,
    ) -> Result<Option<InstrumentNode>, ApiError> {
        let state = ctx.data::<AppState>()?;
        if let Some(built_in) = state.instruments.by_key(&key) {
            return Ok(Some(InstrumentNode(built_in)));
        }
        let caller = ctx.data::<crate::auth::Caller>()?;
        Ok(
            crate::graphql::organization_content::organization_instrument(state, caller, &key)
                .await?
                .map(InstrumentNode),
        )
    }

    /// Your submitted results of one instrument, oldest first, paged (`last: n` for the newest),
    /// each with how its total moved since the one before. Nobody else sees them.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn assessment_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instrument's key.")] instrument_key: String,
        #[graphql(desc = "At most this many from the start (0 to 100; default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Only results after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only results before this cursor.")] before: Option<String>,
    ) -> Result<AssessmentConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let owner = policy::own_history(caller)?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_uuid_request()?;
        let page =
            entities::assessment::page_history(&state.db, owner, &instrument_key, &request).await?;
        let total_count = page.total_count;
        let base = connection_of(page, |row| {
            let key = row.id.to_string();
            policy::own_row(caller, row).map(|access| (key, Assessment(access)))
        });
        let ends =
            entities::assessment::first_and_latest(&state.db, owner, &instrument_key).await?;
        let trend = match (ends, state.instruments.by_key(&instrument_key)) {
            (Some((first, latest)), Some(instrument)) if first.id != latest.id => first
                .total
                .zip(latest.total)
                .map(|(before, after)| reliable_change(&instrument.definition, before, after))
                .map(ScoreChange::from),
            _ => None,
        };
        let mut connection = Connection::with_additional_fields(
            base.has_previous_page,
            base.has_next_page,
            HistoryTotals { total_count, trend },
        );
        connection.edges = base.edges;
        Ok(connection)
    }
}
