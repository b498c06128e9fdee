//! GraphQL types for couples. A `Couple` is only ever built from a policy decision
//! ([`CoupleAccess`]), so holding one means the caller may read it.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entities::couple;

use crate::auth::Caller;
use crate::auth::policy::{CoupleAccess, Standing};
use crate::error::ApiError;
use crate::graphql::node::{NodeKind, global_id};
use crate::graphql::plan::progress::Progress;
use crate::graphql::plan::types::Plan;
use crate::state::AppState;

/// A distraction that eats couple time (the guide's five most reported).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::couple::Distraction")]
pub enum Distraction {
    /// Smartphones (76% of couples report their impact).
    Smartphones,
    /// Work stress (69%).
    WorkStress,
    /// Parenting demands (62%).
    ParentingDemands,
    /// Streaming and TV (53%).
    StreamingTv,
    /// Social media (47%).
    SocialMedia,
}

/// Whether a couple is together in Rekindle.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoupleStatus {
    /// In use.
    Active,
    /// A member left; shared data stays readable to both until `sharedDataDeleteAfter`.
    Archived,
}

/// One person in a couple, as their partner sees them.
#[derive(SimpleObject)]
pub struct CoupleMember {
    /// The member's user ID.
    pub id: ID,
    pub display_name: String,
    /// The member's IANA time zone.
    pub timezone: String,
    pub joined_at: DateTime<Utc>,
    /// When the member left (the couple was archived); null while they are in it.
    pub left_at: Option<DateTime<Utc>>,
    /// Whether this member is the caller.
    pub is_me: bool,
}

impl CoupleMember {
    pub fn new(
        member: &entities::couple_member::Model,
        user: &entities::user::Model,
        me: Option<uuid::Uuid>,
    ) -> Self {
        Self {
            id: global_id(NodeKind::User, user.id),
            display_name: user.display_name.clone(),
            timezone: user.timezone.clone(),
            joined_at: member.joined_at,
            left_at: member.left_at,
            is_me: Some(user.id) == me,
        }
    }
}

/// A single-use code that joins a second member to a couple.
#[derive(SimpleObject)]
pub struct Invite {
    /// The code to pass on to the partner (case, spaces and dashes do not matter).
    pub code: String,
    /// After this the code no longer works (72 hours after it was made).
    pub expires_at: DateTime<Utc>,
}

/// Two people reconnecting (or one, waiting for a partner to join).
pub struct Couple {
    model: couple::Model,
    standing: Standing,
}

impl From<CoupleAccess> for Couple {
    fn from(access: CoupleAccess) -> Self {
        Self {
            model: access.couple,
            standing: access.standing,
        }
    }
}

#[Object]
impl Couple {
    /// The couple's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Couple, self.model.id)
    }

    async fn status(&self) -> CoupleStatus {
        if self.model.is_active() {
            CoupleStatus::Active
        } else {
            CoupleStatus::Archived
        }
    }

    /// When the relationship began, if they said.
    async fn relationship_start(&self) -> Option<NaiveDate> {
        self.model.relationship_start
    }

    /// What the couple want from Rekindle, in their words.
    async fn goals(&self) -> Vec<String> {
        couple::Model::strings(&self.model.goals)
    }

    /// The distractions they named.
    async fn distractions(&self) -> Vec<Distraction> {
        couple::Model::strings(&self.model.distractions)
            .iter()
            .filter_map(|d| d.parse::<domain::couple::Distraction>().ok())
            .map(Into::into)
            .collect()
    }

    /// IANA time zone for couple-level days and weeks.
    async fn timezone(&self) -> &str {
        &self.model.timezone
    }

    /// Whether the caller can still change it (false for a former member of an archived couple).
    async fn can_edit(&self) -> bool {
        self.standing == Standing::Member
    }

    /// Its members, in joining order.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CoupleMember>> {
        let state = ctx.data::<AppState>()?;
        let me = ctx.data::<Caller>()?.user.as_ref().map(|u| u.id);
        let members = couple::members(&state.db, self.model.id)
            .await
            .map_err(ApiError::from)?;
        Ok(members
            .iter()
            .map(|(member, user)| CoupleMember::new(member, user, me))
            .collect())
    }

    /// The couple's active plan, if they have one.
    async fn active_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let state = ctx.data::<AppState>()?;
        Ok(entities::plan::active_for_couple(&state.db, self.model.id)
            .await
            .map_err(ApiError::from)?
            .map(Plan))
    }

    /// Progress over the last `weeks` ISO weeks (1 to 52) in the couple's time zone.
    async fn progress(
        &self,
        #[graphql(default = 12, validator(minimum = 1, maximum = 52))] weeks: i32,
    ) -> Progress {
        Progress::new(self.model.clone(), u32::try_from(weeks).unwrap_or(12))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// When the couple was archived, if it was.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.model.archived_at
    }

    /// For an archived couple: when its shared data will be deleted.
    async fn shared_data_delete_after(&self) -> Option<DateTime<Utc>> {
        self.model.shared_data_delete_after
    }
}
