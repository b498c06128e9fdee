//! GraphQL types for plans, plan items, schedules and completions.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use domain::plan::{Assignee as DomainAssignee, ScheduleSpec};
use domain::schedule::{Cadence as DomainCadence, MonthDay, Nth as DomainNth};
use entities::{completion, plan, plan_item, ritual};
use sea_orm::EntityTrait;

use super::history::{assignee_of, counted_members, item_history, pauses_of, schedule_of};
use crate::auth::{Caller, policy};
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, encode_cursor};
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::node::{NodeKind, global_id};
use crate::graphql::ritual::types::Ritual;
use crate::state::AppState;

/// How often a plan item happens.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// Every day.
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// On `daysOfWeek` every week.
    Weekly,
    /// On `daysOfWeek` every `intervalWeeks` weeks, counted from the week it starts.
    EveryNWeeks,
    /// On `dayOfMonth` (the month's last day when it is shorter) or on `nthWeekday`.
    Monthly,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<DayOfWeek> for Weekday {
    fn from(d: DayOfWeek) -> Self {
        match d {
            DayOfWeek::Monday => Weekday::Mon,
            DayOfWeek::Tuesday => Weekday::Tue,
            DayOfWeek::Wednesday => Weekday::Wed,
            DayOfWeek::Thursday => Weekday::Thu,
            DayOfWeek::Friday => Weekday::Fri,
            DayOfWeek::Saturday => Weekday::Sat,
            DayOfWeek::Sunday => Weekday::Sun,
        }
    }
}

impl From<Weekday> for DayOfWeek {
    fn from(d: Weekday) -> Self {
        match d {
            Weekday::Mon => DayOfWeek::Monday,
            Weekday::Tue => DayOfWeek::Tuesday,
            Weekday::Wed => DayOfWeek::Wednesday,
            Weekday::Thu => DayOfWeek::Thursday,
            Weekday::Fri => DayOfWeek::Friday,
            Weekday::Sat => DayOfWeek::Saturday,
            Weekday::Sun => DayOfWeek::Sunday,
        }
    }
}

/// Which week of the month.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::schedule::Nth")]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// "The second Tuesday", "the last Friday".
#[derive(SimpleObject, InputObject, Clone, Copy, Debug)]
#[graphql(input_name = "NthWeekdayInput")]
pub struct NthWeekday {
    pub nth: Nth,
    pub weekday: DayOfWeek,
}

/// Who does a plan item.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Assignee {
    /// Each member does it; an occurrence is complete once both have logged it.
    Both,
    /// Either member; one completion completes the occurrence.
    Either,
    /// One named member.
    One,
}

/// When a plan item happens, as a client sends it.
#[derive(InputObject, Clone, Debug)]
pub struct ScheduleInput {
    pub cadence: Cadence,
    /// For WEEKLY and EVERY_N_WEEKS.
    #[graphql(default)]
    pub days_of_week: Vec<DayOfWeek>,
    /// For EVERY_N_WEEKS: 2 to 12.
    pub interval_weeks: Option<i32>,
    /// For MONTHLY: 1 to 31.
    pub day_of_month: Option<i32>,
    /// For MONTHLY, instead of dayOfMonth.
    pub nth_weekday: Option<NthWeekday>,
    /// Local time of day, "HH:MM".
    pub local_time: String,
    /// IANA time zone; defaults to the couple's.
    pub timezone: Option<String>,
    /// The first day it may happen, at most 366 days before or after today; defaults to
    /// today in its time zone.
    pub starts_on: Option<NaiveDate>,
}

impl ScheduleInput {
    /// The stored spec, checked by `domain`.
    pub fn to_spec(&self, default_tz: &str, now: DateTime<Utc>) -> Result<ScheduleSpec, ApiError> {
        let timezone = self
            .timezone
            .clone()
            .unwrap_or_else(|| default_tz.to_owned());
        let tz = domain::account::Timezone::parse(&timezone)?;
        let cadence = match self.cadence {
            Cadence::Daily => "daily",
            Cadence::Weekdays => "weekdays",
            Cadence::Weekly => "weekly",
            Cadence::EveryNWeeks => "every_n_weeks",
            Cadence::Monthly => "monthly",
        };
        let positive = |v: Option<i32>, what: &str| -> Result<Option<u32>, ApiError> {
            v.map(|n| {
                u32::try_from(n)
                    .map_err(|_| ApiError::bad_input(format!("{what} must be positive")))
            })
            .transpose()
        };
        let today = now.with_timezone(&tz.tz()).date_naive();
        let starts_on = self.starts_on.unwrap_or(today);
        domain::plan::check_starts_on(starts_on, today)
            .map_err(|e| ApiError::bad_input(e.to_string()))?;
        let spec = ScheduleSpec {
            cadence: cadence.to_owned(),
            days_of_week: self
                .days_of_week
                .iter()
                .map(|d| domain::plan::weekday_name((*d).into()).to_owned())
                .collect(),
            interval_weeks: positive(self.interval_weeks, "intervalWeeks")?,
            day_of_month: positive(self.day_of_month, "dayOfMonth")?,
            nth_week: self
                .nth_weekday
                .map(|n| domain::plan::nth_name(n.nth.into()).to_owned()),
            nth_weekday_day: self
                .nth_weekday
                .map(|n| domain::plan::weekday_name(n.weekday.into()).to_owned()),
            local_time: self.local_time.clone(),
            timezone: tz.name().to_owned(),
            starts_on,
        };
        let schedule = spec
            .to_schedule()
            .map_err(|e| ApiError::bad_input(e.to_string()))?;
        Ok(ScheduleSpec::from_schedule(&schedule))
    }
}

/// When a plan item happens.
pub struct ScheduleView(pub domain::schedule::Schedule);

#[Object(name = "Schedule")]
impl ScheduleView {
    async fn cadence(&self) -> Cadence {
        match self.0.cadence() {
            DomainCadence::Daily => Cadence::Daily,
            DomainCadence::Weekdays => Cadence::Weekdays,
            DomainCadence::Weekly(_) => Cadence::Weekly,
            DomainCadence::EveryNWeeks { .. } => Cadence::EveryNWeeks,
            DomainCadence::Monthly(_) => Cadence::Monthly,
        }
    }

    /// The days of the week, for WEEKLY and EVERY_N_WEEKS; empty otherwise.
    async fn days_of_week(&self) -> Vec<DayOfWeek> {
        match self.0.cadence() {
            DomainCadence::Weekly(days) | DomainCadence::EveryNWeeks { days, .. } => {
                days.iter().map(|d| (*d).into()).collect()
            }
            _ => Vec::new(),
        }
    }

    async fn interval_weeks(&self) -> Option<u32> {
        match self.0.cadence() {
            DomainCadence::EveryNWeeks { interval, .. } => Some(*interval),
            _ => None,
        }
    }

    async fn day_of_month(&self) -> Option<u32> {
        match self.0.cadence() {
            DomainCadence::Monthly(MonthDay::Day(day)) => Some(*day),
            _ => None,
        }
    }

    async fn nth_weekday(&self) -> Option<NthWeekday> {
        match self.0.cadence() {
            DomainCadence::Monthly(MonthDay::Nth(nth, day)) => Some(NthWeekday {
                nth: Nth::from(*nth as DomainNth),
                weekday: (*day).into(),
            }),
            _ => None,
        }
    }

    /// Local time of day, "HH:MM".
    async fn local_time(&self) -> String {
        domain::account::format_hhmm(self.0.local_time())
    }

    /// The IANA time zone it is evaluated in.
    async fn timezone(&self) -> &'static str {
        self.0.tz().name()
    }

    /// The first day it may happen.
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on()
    }
}

/// The unit a streak counts in: the item's cadence.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum StreakUnit {
    Day,
    Week,
    /// A block of `intervalWeeks` weeks.
    WeekBlock,
    Month,
}

/// Periods kept in a row, forgiving one miss per four weeks; paused periods do not count.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Streak {
    /// Periods kept in the streak running now.
    pub current: u32,
    /// The longest the streak has been.
    pub longest: u32,
    pub unit: StreakUnit,
}

pub fn unit_of(schedule: &domain::schedule::Schedule) -> StreakUnit {
    match schedule.cadence() {
        DomainCadence::Daily | DomainCadence::Weekdays => StreakUnit::Day,
        DomainCadence::Weekly(_) => StreakUnit::Week,
        DomainCadence::EveryNWeeks { .. } => StreakUnit::WeekBlock,
        DomainCadence::Monthly(_) => StreakUnit::Month,
    }
}

/// A couple's plan of rituals.
pub struct Plan(pub plan::Model);

#[Object]
impl Plan {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Plan, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Whether this is the couple's active plan (false once archived).
    async fn active(&self) -> bool {
        self.0.is_active()
    }

    /// While paused (a holiday, an illness), nothing is due and no streak breaks.
    async fn paused_until(&self) -> Option<DateTime<Utc>> {
        self.0.paused_until.filter(|until| *until > Utc::now())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The rituals on the plan, in the order they were added.
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlanItem>> {
        let state = ctx.data::<AppState>()?;
        let items = plan_item::active_for_plan(&state.db, self.0.id)
            .await
            .map_err(ApiError::from)?;
        Ok(items
            .into_iter()
            .map(|item| PlanItem {
                item,
                plan: self.0.clone(),
            })
            .collect())
    }
}

/// A ritual on a schedule, with who does it.
#[derive(Clone)]
pub struct PlanItem {
    pub item: plan_item::Model,
    pub plan: plan::Model,
}

pub type CompletionConnection = Connection<String, Completion, ConnectionTotals, EmptyFields>;

#[Object]
impl PlanItem {
    pub async fn id(&self) -> ID {
        global_id(NodeKind::PlanItem, self.item.id)
    }

    async fn ritual(&self, ctx: &Context<'_>) -> async_graphql::Result<Ritual> {
        let state = ctx.data::<AppState>()?;
        let found = ritual::Entity::find_by_id(self.item.ritual_id)
            .one(&state.db)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| {
                ApiError::internal(&format!("plan item {} lost its ritual", self.item.id))
            })?;
        Ok(Ritual(found))
    }

    async fn schedule(&self) -> Result<ScheduleView, ApiError> {
        Ok(ScheduleView(schedule_of(&self.item)?))
    }

    async fn assignee(&self) -> Result<Assignee, ApiError> {
        Ok(match assignee_of(&self.item)? {
            DomainAssignee::Both => Assignee::Both,
            DomainAssignee::Either => Assignee::Either,
            DomainAssignee::One(_) => Assignee::One,
        })
    }

    /// For ONE: the member who does it.
    async fn assignee_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CoupleMember>> {
        let Some(user_id) = self.item.assignee_user_id else {
            return Ok(None);
        };
        let state = ctx.data::<AppState>()?;
        let me = ctx.data::<Caller>()?.user.as_ref().map(|u| u.id);
        let members = entities::couple::members(&state.db, self.plan.couple_id)
            .await
            .map_err(ApiError::from)?;
        Ok(members
            .into_iter()
            .find(|(m, _)| m.user_id == user_id)
            .map(|(member, user)| CoupleMember::new(&member, &user, me)))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.item.created_at
    }

    /// The next occurrences from now (RFC 3339 instants), skipping any while the plan is paused.
    async fn next_occurrences(
        &self,
        #[graphql(default = 5, validator(minimum = 1, maximum = 50))] first: i32,
    ) -> Result<Vec<DateTime<Utc>>, ApiError> {
        let schedule = schedule_of(&self.item)?;
        let paused_until = self.plan.paused_until;
        let take = usize::try_from(first).unwrap_or(5);
        Ok(schedule
            .occurrences_after(Utc::now())
            .filter(|o| paused_until.is_none_or(|until| o.at >= until))
            .take(take)
            .map(|o| o.at)
            .collect())
    }

    /// Logged completions, oldest first. A note shows only to its author unless shared.
    async fn completions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<CompletionConnection> {
        let state = ctx.data::<AppState>()?;
        let viewer = ctx.data::<Caller>()?.user.as_ref().map(|u| u.id);
        let page = PageArgs {
            first,
            after,
            last,
            before,
        }
        .into_request()?;
        let mut rows = completion::for_item(&state.db, self.item.id)
            .await
            .map_err(ApiError::from)?;
        rows.sort_by_key(|c| c.id);
        let members = entities::couple::members(&state.db, self.plan.couple_id)
            .await
            .map_err(ApiError::from)?;
        let found = page.slice(rows, |c| c.id.to_string());
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
            .map(|c| {
                let member = members
                    .iter()
                    .find(|(m, _)| m.user_id == c.user_id)
                    .map(|(m, u)| CoupleMember::new(m, u, viewer));
                Edge::new(
                    encode_cursor(&c.id.to_string()),
                    Completion::new(c, member, viewer),
                )
            })
            .collect();
        Ok(connection)
    }

    /// This item's streak, counted in its cadence's periods.
    async fn streak(&self, ctx: &Context<'_>) -> async_graphql::Result<Streak> {
        let state = ctx.data::<AppState>()?;
        let members = counted_members(&state.db, self.plan.couple_id).await?;
        let pauses = pauses_of(&state.db, self.plan.id).await?;
        let history = item_history(&state.db, &self.item, &self.plan, &members, &pauses).await?;
        let s = history.streak(Utc::now(), &state.settings.streak_rules);
        Ok(Streak {
            current: s.current,
            longest: s.longest,
            unit: unit_of(&history.schedule),
        })
    }
}

/// A member's log of doing a ritual.
pub struct Completion {
    model: completion::Model,
    member: Option<CoupleMember>,
    note: Option<String>,
    mine: bool,
}

impl Completion {
    pub fn new(
        model: completion::Model,
        member: Option<CoupleMember>,
        viewer: Option<uuid::Uuid>,
    ) -> Self {
        let note = policy::visible_note(&model, viewer);
        Self {
            mine: viewer == Some(model.user_id),
            model,
            member,
            note,
        }
    }
}

#[Object]
impl Completion {
    async fn id(&self) -> ID {
        global_id(NodeKind::Completion, self.model.id)
    }

    /// The local date of the occurrence it completes, in the item's time zone.
    async fn occurrence(&self) -> NaiveDate {
        self.model.occurrence_date
    }

    /// Who logged it.
    async fn member(&self) -> Option<&CoupleMember> {
        self.member.as_ref()
    }

    /// Whether the caller logged it.
    async fn is_mine(&self) -> bool {
        self.mine
    }

    /// How close it felt, 1 to 5.
    async fn closeness(&self) -> i16 {
        self.model.closeness
    }

    /// The note: its author always sees it, the partner only when it is shared.
    async fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    async fn note_shared(&self) -> bool {
        self.model.note_shared
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}
