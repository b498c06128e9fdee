//! How plan items are scheduled, as clients send and read it, and the unit streaks count in.

use async_graphql::{Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use domain::input::{Reason, Refusal};
use domain::plan::ScheduleSpec;
use domain::schedule::{Cadence as DomainCadence, MonthDay, Nth as DomainNth};

use crate::error::ApiError;

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

/// A day of the week.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DayOfWeek {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
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
    /// The first in the month.
    First,
    /// The second in the month.
    Second,
    /// The third in the month.
    Third,
    /// The fourth in the month.
    Fourth,
    /// The last in the month (the fourth or the fifth).
    Last,
}

/// "The second Tuesday", "the last Friday".
#[derive(SimpleObject, InputObject, Clone, Copy, Debug)]
#[graphql(input_name = "NthWeekdayInput")]
pub struct NthWeekday {
    /// Which one in the month.
    pub nth: Nth,
    /// Which day of the week.
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
    /// How often it happens.
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
    /// IANA time zone; defaults to the couple's. A schedule with a time zone is one instant
    /// for both members (as iCalendar's are): both see it and are reminded then.
    pub timezone: Option<String>,
    /// The first day it may happen, at most 366 days before or after today; defaults to
    /// today in its time zone.
    pub starts_on: Option<NaiveDate>,
    /// True: a floating schedule, each member's own `localTime` where they are (following
    /// travel), not one instant; its dates and weeks still count in `timezone`. Default false.
    #[graphql(default)]
    pub floating: bool,
}

impl ScheduleInput {
    /// The stored spec, checked by `domain`; `object` is this input's path (`input.schedule`).
    pub fn to_spec(
        &self,
        default_tz: &str,
        now: DateTime<Utc>,
        object: &str,
    ) -> Result<ScheduleSpec, ApiError> {
        let within = |err: &dyn Refusal| ApiError::refused(object, err);
        let timezone = self
            .timezone
            .clone()
            .unwrap_or_else(|| default_tz.to_owned());
        let tz = domain::account::Timezone::parse(&timezone).map_err(|e| within(&e))?;
        let cadence = match self.cadence {
            Cadence::Daily => "daily",
            Cadence::Weekdays => "weekdays",
            Cadence::Weekly => "weekly",
            Cadence::EveryNWeeks => "every_n_weeks",
            Cadence::Monthly => "monthly",
        };
        let positive = |v: Option<i32>, what: &str| -> Result<Option<u32>, ApiError> {
            v.map(|n| {
                u32::try_from(n).map_err(|_| {
                    ApiError::invalid(
                        format!("{object}.{what}"),
                        Reason::OutOfRange,
                        format!("{what} must be positive"),
                    )
                })
            })
            .transpose()
        };
        let today = now.with_timezone(&tz.tz()).date_naive();
        let starts_on = self.starts_on.unwrap_or(today);
        domain::plan::check_starts_on(starts_on, today).map_err(|e| within(&e))?;
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
            floating: self.floating,
        };
        let schedule = spec.to_schedule().map_err(|e| within(&e))?;
        Ok(ScheduleSpec::from_schedule(&schedule))
    }
}

/// When a plan item happens.
pub struct ScheduleView(pub domain::schedule::Schedule);

/// When a plan item happens.
#[Object(name = "Schedule")]
impl ScheduleView {
    /// How often it happens.
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

    /// For EVERY_N_WEEKS: how many weeks apart.
    async fn interval_weeks(&self) -> Option<u32> {
        match self.0.cadence() {
            DomainCadence::EveryNWeeks { interval, .. } => Some(*interval),
            _ => None,
        }
    }

    /// For MONTHLY on a date: the day of the month (the last day in shorter months).
    async fn day_of_month(&self) -> Option<u32> {
        match self.0.cadence() {
            DomainCadence::Monthly(MonthDay::Day(day)) => Some(*day),
            _ => None,
        }
    }

    /// For MONTHLY on a weekday: which one, such as the second Tuesday.
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

    /// The IANA time zone it is evaluated in: its occurrences are instants in it, unless it
    /// floats (then only its dates and weeks are counted in it).
    async fn timezone(&self) -> &'static str {
        self.0.tz().name()
    }

    /// Whether it floats: each member's own local time where they are, not one instant.
    async fn floating(&self) -> bool {
        self.0.is_floating()
    }

    /// The first day it may happen.
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on()
    }
}

/// The unit a streak counts in: the item's cadence.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum StreakUnit {
    /// A day (DAILY and WEEKDAYS items).
    Day,
    /// An ISO week (WEEKLY items, and the couple's streak).
    Week,
    /// A block of `intervalWeeks` weeks.
    WeekBlock,
    /// A calendar month (MONTHLY items).
    Month,
}

/// Periods kept in a row, forgiving one miss per four weeks; paused periods do not count.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Streak {
    /// Periods kept in the streak running now.
    pub current: u32,
    /// The longest the streak has been.
    pub longest: u32,
    /// What one period is.
    pub unit: StreakUnit,
}

/// The period a schedule's streak counts in.
pub fn unit_of(schedule: &domain::schedule::Schedule) -> StreakUnit {
    match schedule.cadence() {
        DomainCadence::Daily | DomainCadence::Weekdays => StreakUnit::Day,
        DomainCadence::Weekly(_) => StreakUnit::Week,
        DomainCadence::EveryNWeeks { .. } => StreakUnit::WeekBlock,
        DomainCadence::Monthly(_) => StreakUnit::Month,
    }
}
