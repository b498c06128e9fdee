//! Suggestions an organization made to a couple, as members and coaches read them.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use domain::organization::SuggestionStatus as Status;
use entities::{organization, suggestion};
use uuid::Uuid;

use crate::auth::policy::{CoupleAccess, SuggestionAccess};
use crate::error::ApiError;
use crate::graphql::assessment::instruments::InstrumentNode;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;
use crate::graphql::ritual::types::Ritual;
use crate::state::AppState;

/// A connection of suggestions.
pub type SuggestionConnection = Connection<String, Suggestion, ConnectionTotals, EmptyFields>;

/// What kind of thing is suggested.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SuggestionKind {
    /// A ritual to put on the couple's plan.
    Ritual,
    /// An instrument for each member to take (privately, as every assessment).
    Assessment,
}

/// Where a suggestion stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SuggestionStatus {
    /// Not answered yet.
    Open,
    /// A member took it up.
    Accepted,
    /// A member set it aside.
    Ignored,
}

impl From<Status> for SuggestionStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Open => Self::Open,
            Status::Accepted => Self::Accepted,
            Status::Ignored => Self::Ignored,
        }
    }
}

impl From<SuggestionStatus> for Status {
    fn from(status: SuggestionStatus) -> Self {
        match status {
            SuggestionStatus::Open => Self::Open,
            SuggestionStatus::Accepted => Self::Accepted,
            SuggestionStatus::Ignored => Self::Ignored,
        }
    }
}

/// A ritual or an assessment a coach suggested to a couple.
pub struct Suggestion(pub(super) SuggestionAccess);

impl Suggestion {
    pub fn new(access: SuggestionAccess) -> Self {
        Self(access)
    }
}

/// A ritual or an assessment a coach suggested to a couple.
#[Object]
impl Suggestion {
    /// The suggestion's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Suggestion, self.0.row().id)
    }

    /// The global ID of the organization that made it.
    async fn organization_id(&self) -> ID {
        global_id(NodeKind::Organization, self.0.row().organization_id)
    }

    /// The name of the organization that made it.
    async fn organization_name(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        let state = ctx.data::<AppState>()?;
        let found = organization::find(&state.db, self.0.row().organization_id)
            .await?
            .ok_or_else(|| ApiError::internal(&"a suggestion's organization is not stored"))?;
        Ok(found.name)
    }

    /// A ritual or an assessment.
    async fn kind(&self) -> Result<SuggestionKind, ApiError> {
        Ok(match self.0.row().subject()? {
            suggestion::Subject::Ritual(_) => SuggestionKind::Ritual,
            suggestion::Subject::Instrument(_) => SuggestionKind::Assessment,
        })
    }

    /// The ritual suggested, for a RITUAL suggestion.
    async fn ritual(&self, ctx: &Context<'_>) -> Result<Option<Ritual>, ApiError> {
        match self.0.row().subject()? {
            suggestion::Subject::Ritual(id) => {
                Ok(Some(Ritual(Loaders::of(ctx)?.ritual(id).await?)))
            }
            suggestion::Subject::Instrument(_) => Ok(None),
        }
    }

    /// The instrument suggested (the version it was when suggested), for an ASSESSMENT
    /// suggestion.
    async fn instrument(&self, ctx: &Context<'_>) -> Result<Option<InstrumentNode>, ApiError> {
        let suggestion::Subject::Instrument(id) = self.0.row().subject()? else {
            return Ok(None);
        };
        let state = ctx.data::<AppState>()?;
        let found = state
            .instruments
            .stored(&state.db, id)
            .await?
            .ok_or_else(|| ApiError::internal(&"a suggested instrument is not stored"))?;
        Ok(Some(InstrumentNode(found)))
    }

    /// The coach's note, if they wrote one.
    async fn message(&self) -> Option<&str> {
        self.0.row().message.as_deref()
    }

    /// Whether it was answered, and how.
    async fn status(&self) -> Result<SuggestionStatus, ApiError> {
        Ok(self.0.row().status()?.into())
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row().created_at
    }

    /// When a member answered it.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().decided_at
    }
}

/// One page of the suggestions made to a couple, oldest first; `organization` keeps one
/// organization's.
pub async fn page(
    state: &AppState,
    couple: Uuid,
    organization: Option<Uuid>,
    status: Option<SuggestionStatus>,
    first: Option<i32>,
    after: Option<String>,
    decide: impl Fn(suggestion::Model) -> Option<SuggestionAccess>,
) -> Result<SuggestionConnection, ApiError> {
    let request = PageArgs::forward_by_uuid(first, after)?;
    let page = suggestion::page_of_couple(
        &state.db,
        couple,
        organization,
        status.map(Into::into),
        &request,
    )
    .await?;
    Ok(connection_of(page, |row| {
        let key = row.id.to_string();
        decide(row).map(|access| (key, Suggestion(access)))
    }))
}

/// The suggestions made to a member's couple.
pub async fn of_couple(
    state: &AppState,
    couple: &CoupleAccess,
    status: Option<SuggestionStatus>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<SuggestionConnection, ApiError> {
    page(state, couple.id(), None, status, first, after, |row| {
        couple.suggestion(row)
    })
    .await
}
