//! The `Completion` object: a member's log of doing a ritual.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::policy::CompletionAccess;
use crate::error::ApiError;
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;

/// A member's log of doing a ritual.
pub struct Completion(CompletionAccess);

impl Completion {
    pub fn new(access: CompletionAccess) -> Self {
        Self(access)
    }
}

/// A member's log of doing a ritual.
#[Object]
impl Completion {
    /// The completion's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Completion, self.0.completion().id)
    }

    /// The local date of the occurrence it completes, in the item's time zone.
    async fn occurrence(&self) -> NaiveDate {
        self.0.completion().occurrence_date
    }

    /// Who logged it.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<CoupleMember>, ApiError> {
        let couple = self.0.item().plan().couple();
        let members = Loaders::of(ctx)?.members(couple.id()).await?;
        let author = self.0.completion().user_id;
        Ok(members
            .iter()
            .find(|(m, _)| m.user_id == author)
            .and_then(|(m, u)| couple.member(m.clone(), u.clone()))
            .map(CoupleMember::new))
    }

    /// Whether the caller logged it.
    async fn is_mine(&self) -> bool {
        self.0.is_mine()
    }

    /// How close it felt, 1 to 5.
    async fn closeness(&self) -> Result<i32, ApiError> {
        Ok(i32::from(self.0.completion().closeness()?))
    }

    /// The note: its author always sees it, the partner only when it is shared.
    async fn note(&self) -> Option<&str> {
        self.0.note()
    }

    /// Whether the note is shared with the partner.
    async fn note_shared(&self) -> bool {
        self.0.completion().note_shared
    }

    /// When it was logged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.completion().created_at
    }
}
