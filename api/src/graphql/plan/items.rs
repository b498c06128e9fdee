//! The `PlanItem` object: a ritual on a schedule, with who does it, its log and its streak.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use domain::plan::Assignee as DomainAssignee;
use domain::progress::ItemHistory;
use entities::completion;
use entities::history::{ItemRows, counted_members};

use super::completions::Completion;
use super::schedules::{Assignee, ScheduleView, Streak, unit_of};
use crate::auth::Caller;
use crate::auth::policy::ItemAccess;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::{Loaders, Reading};
use crate::graphql::ritual::types::Ritual;
use crate::state::AppState;

/// A ritual on a schedule, with who does it.
#[derive(Clone)]
pub struct PlanItem(ItemAccess);

impl PlanItem {
    pub fn new(access: ItemAccess) -> Self {
        Self(access)
    }
}

pub type CompletionConnection = Connection<String, Completion, ConnectionTotals, EmptyFields>;

/// An item's whole history, from what this request's loaders hold (one batch for every item).
pub async fn history(loaders: Reading<'_>, access: &ItemAccess) -> Result<ItemHistory, ApiError> {
    let item = access.item();
    let plan = access.plan().plan();
    let (ritual, completions, pauses, members) = futures_util::try_join!(
        loaders.ritual(item.ritual_id),
        loaders.completions(item.id),
        loaders.pauses(plan.id),
        loaders.members(plan.couple_id),
    )?;
    Ok(ItemRows {
        item,
        plan,
        ritual: &ritual,
        completions: &completions,
        pauses: &pauses,
        members: &counted_members(members.iter().map(|(m, _)| m)),
    }
    .history()?)
}

/// A ritual on a schedule, with who does it.
#[Object]
impl PlanItem {
    /// The item's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::PlanItem, self.0.item().id)
    }

    /// The ritual done.
    async fn ritual(&self, ctx: &Context<'_>) -> Result<Ritual, ApiError> {
        let ritual = Loaders::of(ctx)?.ritual(self.0.item().ritual_id).await?;
        Ok(Ritual(ritual))
    }

    /// When it happens.
    async fn schedule(&self) -> Result<ScheduleView, ApiError> {
        Ok(ScheduleView(self.0.item().schedule()?))
    }

    /// Who does it.
    async fn assignee(&self) -> Result<Assignee, ApiError> {
        Ok(match self.0.item().assignee()? {
            DomainAssignee::Both => Assignee::Both,
            DomainAssignee::Either => Assignee::Either,
            DomainAssignee::One(_) => Assignee::One,
        })
    }

    /// For ONE: the member who does it.
    async fn assignee_member(&self, ctx: &Context<'_>) -> Result<Option<CoupleMember>, ApiError> {
        let DomainAssignee::One(user_id) = self.0.item().assignee()? else {
            return Ok(None);
        };
        let couple = self.0.plan().couple();
        let members = Loaders::of(ctx)?.members(couple.id()).await?;
        Ok(members
            .iter()
            .find(|(m, _)| m.user_id == user_id)
            .and_then(|(m, u)| couple.member(m.clone(), u.clone()))
            .map(CoupleMember::new))
    }

    /// When it was added to the plan.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.item().created_at
    }

    /// The next occurrences from now (RFC 3339 instants), skipping any while the plan is
    /// paused: one instant for everyone, or, for a floating schedule, the schedule's local time
    /// in the viewing member's own time zone.
    async fn next_occurrences(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 5,
            validator(minimum = 1, maximum = 50),
            desc = "How many occurrences (1 to 50)."
        )]
        first: i32,
    ) -> Result<Vec<DateTime<Utc>>, ApiError> {
        let now = ctx.data::<AppState>()?.clock.now();
        let mut schedule = self.0.item().schedule()?;
        if schedule.is_floating()
            && let Some(user) = &ctx.data::<Caller>()?.user
        {
            schedule = schedule.in_zone(user.account.timezone()?);
        }
        let paused_until = self.0.plan().plan().paused_until;
        let take = usize::try_from(first).unwrap_or(5);
        Ok(schedule
            .occurrences_after(now)
            .filter(|o| paused_until.is_none_or(|until| o.at >= until))
            .take(take)
            .map(|o| o.at)
            .collect())
    }

    /// Logged completions, oldest first, paged. A note shows only to its author unless shared.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity"
    )]
    async fn completions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many completions from the start (0 to 100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Only completions after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many completions from the end (0 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Only completions before this cursor.")] before: Option<String>,
    ) -> Result<CompletionConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_uuid_request()?;
        let found = completion::page_for_item(&state.db, self.0.item().id, &page).await?;
        Ok(connection_of(found, |c| {
            let key = c.id.to_string();
            self.0
                .completion(c)
                .map(|access| (key, Completion::new(access)))
        }))
    }

    /// This item's streak, counted in its cadence's periods.
    async fn streak(&self, ctx: &Context<'_>) -> Result<Streak, ApiError> {
        let state = ctx.data::<AppState>()?;
        let history = history(Loaders::of(ctx)?, &self.0).await?;
        let s = history.streak(state.clock.now(), &state.settings.streak_rules);
        Ok(Streak {
            current: s.current,
            longest: s.longest,
            unit: unit_of(&history.schedule),
        })
    }
}
