//! GraphQL types for couples. A `Couple` and a `CoupleMember` are only ever built from a
//! policy decision, so holding one means the caller may read it.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entities::couple;

use async_graphql::connection::{Connection, EmptyFields};

use crate::auth::policy::{CoupleAccess, MemberAccess, Standing};
use crate::error::ApiError;
use crate::graphql::assessment::shared::{AssessmentComparison, SharedAssessmentResult};
use crate::graphql::breaks::CoupleBreak;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;
use crate::graphql::plan::plans::Plan;
use crate::graphql::plan::progress::Progress;
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
pub struct CoupleMember(MemberAccess);

impl CoupleMember {
    pub fn new(access: MemberAccess) -> Self {
        Self(access)
    }
}

/// One person in a couple, as their partner sees them.
#[Object]
impl CoupleMember {
    /// The member's user ID.
    async fn id(&self) -> ID {
        global_id(NodeKind::User, self.0.account().id)
    }

    /// The name the partner sees.
    async fn display_name(&self) -> &str {
        &self.0.account().display_name
    }

    /// The member's IANA time zone.
    async fn timezone(&self) -> &str {
        &self.0.account().timezone
    }

    /// When the member joined the couple.
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.member().joined_at
    }

    /// When the member left (the couple was archived); null while they are in it.
    async fn left_at(&self) -> Option<DateTime<Utc>> {
        self.0.member().left_at
    }

    /// Whether this member is the caller.
    async fn is_me(&self) -> bool {
        self.0.is_me()
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

pub type SharedAssessmentResultConnection =
    Connection<String, SharedAssessmentResult, ConnectionTotals, EmptyFields>;

/// Two people reconnecting (or one, waiting for a partner to join).
pub struct Couple(CoupleAccess);

impl Couple {
    pub fn new(access: CoupleAccess) -> Self {
        Self(access)
    }
}

/// Two people reconnecting (or one, waiting for a partner to join).
#[Object]
impl Couple {
    /// The couple's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Couple, self.0.id())
    }

    /// Whether the couple is active or archived.
    async fn status(&self) -> Result<CoupleStatus, ApiError> {
        Ok(match self.0.couple().status()? {
            couple::Status::Active => CoupleStatus::Active,
            couple::Status::Archived => CoupleStatus::Archived,
        })
    }

    /// When the relationship began, if they said.
    async fn relationship_start(&self) -> Option<NaiveDate> {
        self.0.couple().relationship_start
    }

    /// What the couple want from Rekindle, in their words.
    async fn goals(&self) -> Result<Vec<String>, ApiError> {
        Ok(self.0.couple().goals()?)
    }

    /// The distractions they named.
    async fn distractions(&self) -> Result<Vec<Distraction>, ApiError> {
        Ok(self
            .0
            .couple()
            .distractions()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// IANA time zone for couple-level days and weeks.
    async fn timezone(&self) -> &str {
        &self.0.couple().timezone
    }

    /// Whether the caller can still change it (false for a former member of an archived couple).
    async fn can_edit(&self) -> bool {
        self.0.standing() == Standing::Member
    }

    /// Its members, in joining order.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<CoupleMember>, ApiError> {
        let members = Loaders::of(ctx)?.members(self.0.id()).await?;
        Ok(members
            .iter()
            .filter_map(|(member, user)| self.0.member(member.clone(), user.clone()))
            .map(CoupleMember::new)
            .collect())
    }

    /// The couple's active plan, if they have one.
    async fn active_plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>, ApiError> {
        crate::graphql::plan::plans::active_plan(ctx, &self.0).await
    }

    /// Progress over the last `weeks` ISO weeks (1 to 52) in the couple's time zone.
    async fn progress(
        &self,
        #[graphql(
            default = 12,
            validator(minimum = 1, maximum = 52),
            desc = "How many weeks back, the current one included (1 to 52)."
        )]
        weeks: i32,
    ) -> Progress {
        Progress::new(self.0.clone(), u32::try_from(weeks).unwrap_or(12))
    }

    /// The organizations you dealt with: what each may read now (only what both of you
    /// granted), each member's grant, and every grant and revocation.
    async fn access(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::coaching::OrganizationAccessView>, ApiError> {
        let state = ctx.data::<AppState>()?;
        crate::graphql::coaching::couple_access(state, &self.0).await
    }

    /// What coaches of the organizations you granted access suggested to you, oldest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn suggestions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only suggestions that stand so; all when left out.")] status: Option<
            crate::graphql::organization_content::SuggestionStatus,
        >,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<crate::graphql::organization_content::SuggestionConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        crate::graphql::organization_content::of_couple(state, &self.0, status, first, after).await
    }

    /// When the couple was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.couple().created_at
    }

    /// When the couple was archived, if it was.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.couple().archived_at
    }

    /// For an archived couple: when its shared data will be deleted.
    async fn shared_data_delete_after(&self) -> Option<DateTime<Utc>> {
        self.0.couple().shared_data_delete_after
    }

    /// Assessment results either of you chose to share, oldest first, paged: scores and bands,
    /// never answers.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn shared_assessment_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many from the start (0 to 100; default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Only results after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many from the end (0 to 100).")] last: Option<i32>,
        #[graphql(desc = "Only results before this cursor.")] before: Option<String>,
    ) -> Result<SharedAssessmentResultConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_uuid_request()?;
        let page = entities::assessment::page_shared(&state.db, self.0.id(), &request).await?;
        Ok(connection_of(page, |row| {
            let key = row.id.to_string();
            self.0
                .shared_result(row)
                .map(|access| (key, SharedAssessmentResult(access)))
        }))
    }

    /// Your weekly summaries, newest week first: one per local ISO week once it is over.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn weekly_summaries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only weeks before this cursor's.")] after: Option<String>,
    ) -> Result<crate::graphql::summaries::WeeklySummaryConnection, ApiError> {
        crate::graphql::summaries::page(ctx.data::<AppState>()?, &self.0, first, after).await
    }

    /// Questions to talk about together, drawn only from what both of you already see:
    /// check-ins you both answered (the question, never an answer), results shared with the
    /// couple, rituals logged without a note, and your plan; each says what it draws from. The
    /// same all day from the bank, in your `locale`; reworded for you when a model is configured
    /// (told only what both of you see, and every line passed by the safety gate). For the
    /// couple's members only.
    async fn conversation_starters(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 10; default 3).")] first: Option<i32>,
    ) -> Result<Vec<crate::graphql::coach::starters::ConversationStarter>, ApiError> {
        crate::graphql::coach::starters::for_couple(ctx, &self.0, first).await
    }

    /// Both partners' latest shared results of one instrument, side by side; null unless both
    /// of you shared one.
    async fn assessment_comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The instrument's key.")] instrument_key: String,
    ) -> Result<Option<AssessmentComparison>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let latest =
            entities::assessment::latest_shared(&state.db, self.0.id(), &instrument_key).await?;
        let mut mine = None;
        let mut partner = None;
        for access in latest
            .into_iter()
            .filter_map(|row| self.0.shared_result(row))
        {
            if access.is_mine() {
                mine = Some(SharedAssessmentResult(access));
            } else {
                partner = Some(SharedAssessmentResult(access));
            }
        }
        Ok(match (mine, partner) {
            (Some(mine), Some(partner)) => Some(AssessmentComparison { mine, partner }),
            _ => None,
        })
    }

    /// The structured break proposed or running, if any.
    async fn current_break(&self, ctx: &Context<'_>) -> Result<Option<CoupleBreak>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(crate::auth::policy::open_break(state, &self.0)
            .await?
            .map(CoupleBreak))
    }
}
