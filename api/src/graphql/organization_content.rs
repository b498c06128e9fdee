//! What organizations write and suggest: their own rituals and instruments (checked by the
//! same rules and the same engine as the built-ins), and suggestions of a ritual or an
//! assessment to a couple that granted them access, which a member accepts or ignores.

mod mutation;
mod suggestions;

pub use mutation::ContentMutation;
pub use suggestions::{
    Suggestion, SuggestionConnection, SuggestionKind, SuggestionStatus, of_couple, page,
};

use std::sync::Arc;

use async_graphql::connection::{Connection, EmptyFields};
use entities::{instrument, ritual};

use crate::auth::Caller;
use crate::auth::policy::{self, OrganizationAccess};
use crate::error::ApiError;
use crate::graphql::assessment::instruments::InstrumentNode;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ritual::types::Ritual;
use crate::instruments::StoredInstrument;
use crate::state::AppState;

/// A stored instrument version as the engine reads it.
fn stored(row: &instrument::Model) -> Result<Arc<StoredInstrument>, ApiError> {
    Ok(Arc::new(StoredInstrument::from_row(row)?))
}

/// An organization's instrument by key, if the caller may use it: its coaches, and the members
/// of a couple that accepted it. Built-ins are not looked up here.
pub async fn organization_instrument(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<Option<Arc<StoredInstrument>>, ApiError> {
    let Some(row) = instrument::latest_of_organization_key(&state.db, key).await? else {
        return Ok(None);
    };
    if policy::may_use_instrument(state, caller, &row).await? {
        stored(&row).map(Some)
    } else {
        Ok(None)
    }
}

/// An organization's rituals, for its coaches and API keys.
pub async fn rituals_of(
    state: &AppState,
    organization: &OrganizationAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, Ritual, ConnectionTotals, EmptyFields>, ApiError> {
    organization.sees_coaches()?;
    let request = PageArgs::forward_by_uuid(first, after)?;
    let page =
        ritual::page_of_organization(&state.db, organization.organization().id, &request).await?;
    Ok(connection_of(page, |row| {
        Some((row.id.to_string(), Ritual(Arc::new(row))))
    }))
}

/// An organization's instrument versions, for its coaches and API keys.
pub async fn instruments_of(
    state: &AppState,
    organization: &OrganizationAccess,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, InstrumentNode, ConnectionTotals, EmptyFields>, ApiError> {
    organization.sees_coaches()?;
    let request = PageArgs::forward_by_uuid(first, after)?;
    let page =
        instrument::page_of_organization(&state.db, organization.organization().id, &request)
            .await?;
    let mut nodes = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        nodes.push((row.id, stored(row)?));
    }
    Ok(connection_of(page, |row| {
        let position = nodes.iter().position(|(id, _)| *id == row.id)?;
        let (_, found) = nodes.swap_remove(position);
        Some((row.id.to_string(), InstrumentNode(found)))
    }))
}
