//! Ritual schedules as pure functions of (schedule, time zone, now).
//!
//! A schedule names local dates (every day, weekdays, given weekdays, every n weeks, a day of
//! the month) and a local time of day, in an IANA time zone. As in iCalendar (RFC 5545), a
//! schedule with a time zone is one instant for both members; a *floating* one is each
//! member's own local time where they are (see [`Schedule::floating`] and [`Schedule::in_zone`]). DESIGN.md's rules for daylight
//! saving: a local time that does not exist (spring forward) fires at the next valid instant;
//! an ambiguous one (fall back) fires once, at the earlier instant.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// Which week of the month, for "the second Tuesday" or "the last Friday".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// The day a monthly ritual falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthDay {
    /// A day of the month, 1 to 31; in a shorter month it falls on the month's last day.
    Day(u32),
    /// The nth given weekday of the month.
    Nth(Nth, Weekday),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// On the given weekdays of every week.
    Weekly(Vec<Weekday>),
    /// On the given weekdays of every `interval`th week, counted from the week the schedule starts.
    EveryNWeeks {
        interval: u32,
        days: Vec<Weekday>,
    },
    Monthly(MonthDay),
}

/// A schedule, checked: see [`Schedule::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    cadence: Cadence,
    local_time: NaiveTime,
    tz: Tz,
    starts_on: NaiveDate,
    /// Each member's local time where they are, instead of one instant in `tz`.
    floating: bool,
}

/// One planned occurrence: the local date it belongs to and the instant it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// A stretch of local dates, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a weekly schedule needs at least one day of the week")]
    NoDays,
    #[error("every-n-weeks takes an interval from 2 to 12 weeks")]
    BadInterval,
    #[error("a day of the month is from 1 to 31")]
    BadDayOfMonth,
}

/// The Monday of the ISO week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn next_month_start(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(date)
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    next_month_start(date).pred_opt().map_or(28, |d| d.day())
}

fn sorted_days(days: Vec<Weekday>) -> Result<Vec<Weekday>, ScheduleError> {
    let mut days = days;
    days.sort_by_key(Weekday::num_days_from_monday);
    days.dedup();
    if days.is_empty() {
        Err(ScheduleError::NoDays)
    } else {
        Ok(days)
    }
}

impl Schedule {
    /// Checks and normalises a schedule. It has no occurrence before `starts_on`.
    pub fn new(
        cadence: Cadence,
        local_time: NaiveTime,
        tz: Tz,
        starts_on: NaiveDate,
    ) -> Result<Self, ScheduleError> {
        let cadence = match cadence {
            Cadence::Weekly(days) => Cadence::Weekly(sorted_days(days)?),
            Cadence::EveryNWeeks { interval, days } => {
                if !(2..=12).contains(&interval) {
                    return Err(ScheduleError::BadInterval);
                }
                Cadence::EveryNWeeks {
                    interval,
                    days: sorted_days(days)?,
                }
            }
            Cadence::Monthly(MonthDay::Day(day)) if !(1..=31).contains(&day) => {
                return Err(ScheduleError::BadDayOfMonth);
            }
            other => other,
        };
        Ok(Self {
            cadence,
            local_time,
            tz,
            starts_on,
            floating: false,
        })
    }

    /// The same schedule, floating or not. A floating schedule's dates and weeks are still
    /// counted in its own zone (the couple's); its occurrences for a member are at its local
    /// time in the member's zone ([`Schedule::in_zone`]).
    pub fn floating(mut self, floating: bool) -> Self {
        self.floating = floating;
        self
    }

    pub fn is_floating(&self) -> bool {
        self.floating
    }

    /// The schedule as a member in `tz` lives it: the same one when it has a time zone (one
    /// instant for everyone), its local times in `tz` when it floats.
    pub fn in_zone(&self, tz: Tz) -> Self {
        if self.floating {
            Self { tz, ..self.clone() }
        } else {
            self.clone()
        }
    }

    pub fn cadence(&self) -> &Cadence {
        &self.cadence
    }

    pub fn local_time(&self) -> NaiveTime {
        self.local_time
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn starts_on(&self) -> NaiveDate {
        self.starts_on
    }

    /// The local date of an instant in the schedule's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    fn week_index(&self, date: NaiveDate) -> i64 {
        (week_start(date) - week_start(self.starts_on)).num_weeks()
    }

    /// Whether the schedule has an occurrence on this local date.
    pub fn occurs_on(&self, date: NaiveDate) -> bool {
        if date < self.starts_on {
            return false;
        }
        let weekday = date.weekday();
        match &self.cadence {
            Cadence::Daily => true,
            Cadence::Weekdays => weekday.num_days_from_monday() < 5,
            Cadence::Weekly(days) => days.contains(&weekday),
            Cadence::EveryNWeeks { interval, days } => {
                self.week_index(date).rem_euclid(i64::from(*interval)) == 0
                    && days.contains(&weekday)
            }
            Cadence::Monthly(MonthDay::Day(day)) => {
                date.day() == (*day).min(last_day_of_month(date))
            }
            Cadence::Monthly(MonthDay::Nth(nth, wanted)) => {
                if weekday != *wanted {
                    return false;
                }
                let index = (date.day() - 1) / 7;
                match nth {
                    Nth::First => index == 0,
                    Nth::Second => index == 1,
                    Nth::Third => index == 2,
                    Nth::Fourth => index == 3,
                    Nth::Last => date.day() + 7 > last_day_of_month(date),
                }
            }
        }
    }

    /// The instant the occurrence of a local date fires, with DESIGN.md's DST rules.
    pub fn instant_on(&self, date: NaiveDate) -> DateTime<Utc> {
        resolve_local(self.tz, date.and_time(self.local_time))
    }

    /// The period (the unit streaks count in) that holds a local date: the day for daily and
    /// weekday rituals, the ISO week for weekly ones, the block of n weeks for every-n-weeks,
    /// the calendar month for monthly ones.
    pub fn period_of(&self, date: NaiveDate) -> Period {
        match &self.cadence {
            Cadence::Daily | Cadence::Weekdays => Period {
                start: date,
                end: date + Duration::days(1),
            },
            Cadence::Weekly(_) => {
                let start = week_start(date);
                Period {
                    start,
                    end: start + Duration::weeks(1),
                }
            }
            Cadence::EveryNWeeks { interval, .. } => {
                let interval = i64::from(*interval);
                let block = self.week_index(date).div_euclid(interval);
                let start = week_start(self.starts_on) + Duration::weeks(block * interval);
                Period {
                    start,
                    end: start + Duration::weeks(interval),
                }
            }
            Cadence::Monthly(_) => Period {
                start: month_start(date),
                end: next_month_start(date),
            },
        }
    }

    /// Local dates with an occurrence in `[from, to)`.
    pub fn dates_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|d| *d < to)
            .filter(|d| self.occurs_on(*d))
            .collect()
    }

    /// Occurrences firing strictly after `after`, in order.
    pub fn occurrences_after(&self, after: DateTime<Utc>) -> impl Iterator<Item = Occurrence> + '_ {
        // Start a day early: an occurrence shifted by a DST gap may fire on the next local day.
        let first = (self.local_date(after) - Duration::days(1)).max(self.starts_on);
        first
            .iter_days()
            // Ten years is beyond any schedule's next occurrence; it bounds the search.
            .take(3_700)
            .filter(|d| self.occurs_on(*d))
            .map(|date| Occurrence {
                date,
                at: self.instant_on(date),
            })
            .filter(move |o| o.at > after)
    }
}

/// A local date and time as an instant: the earlier one when it is ambiguous, the first valid
/// instant after it when it does not exist.
pub fn resolve_local(tz: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Inside a gap: the first local minute that exists is where the clock jumped to.
            for minutes in 1..=(48 * 60) {
                let later = local + Duration::minutes(minutes);
                match tz.from_local_datetime(&later) {
                    LocalResult::Single(t) => return t.with_timezone(&Utc),
                    LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
                    LocalResult::None => {}
                }
            }
            // No zone has a gap of two days; treat the wall clock as UTC rather than fail.
            Utc.from_utc_datetime(&local)
        }
    }
}

impl crate::input::Refusal for ScheduleError {
    fn field(&self) -> &'static str {
        match self {
            ScheduleError::NoDays => "daysOfWeek",
            ScheduleError::BadInterval => "intervalWeeks",
            ScheduleError::BadDayOfMonth => "dayOfMonth",
        }
    }

    fn reason(&self) -> crate::input::Reason {
        match self {
            ScheduleError::NoDays => crate::input::Reason::TooFew,
            ScheduleError::BadInterval | ScheduleError::BadDayOfMonth => {
                crate::input::Reason::OutOfRange
            }
        }
    }
}

#[cfg(test)]
mod tests;
