//! A plan item's schedule as stored (JSON) and as clients send it: plain names, checked on the
//! way in and turned into a `Schedule`.

use std::str::FromStr;

use chrono::{Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{MAX_START_OFFSET_DAYS, PlanError};
use crate::account::{Timezone, format_hhmm, parse_hhmm};
use crate::input::Reason;
use crate::schedule::{Cadence, MonthDay, Nth, Schedule};

/// A schedule as stored (JSON) and as clients send it: plain names, checked on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    /// daily | weekdays | weekly | every_n_weeks | monthly
    pub cadence: String,
    #[serde(default)]
    pub days_of_week: Vec<String>,
    #[serde(default)]
    pub interval_weeks: Option<u32>,
    #[serde(default)]
    pub day_of_month: Option<u32>,
    /// first | second | third | fourth | last, with `nth_weekday_day`.
    #[serde(default)]
    pub nth_week: Option<String>,
    #[serde(default)]
    pub nth_weekday_day: Option<String>,
    /// "HH:MM"
    pub local_time: String,
    pub timezone: String,
    pub starts_on: NaiveDate,
    /// Each member's local time where they are (absent: one instant in `timezone`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub floating: bool,
}

fn invalid(field: &'static str, reason: Reason, message: impl Into<String>) -> PlanError {
    PlanError::Invalid {
        field,
        reason,
        message: message.into(),
    }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

fn parse_weekday(name: &str) -> Result<Weekday, PlanError> {
    Weekday::from_str(name).map_err(|_| {
        invalid(
            "daysOfWeek",
            Reason::NotOneOf,
            format!("`{name}` is not a day of the week"),
        )
    })
}

pub fn nth_name(nth: Nth) -> &'static str {
    match nth {
        Nth::First => "first",
        Nth::Second => "second",
        Nth::Third => "third",
        Nth::Fourth => "fourth",
        Nth::Last => "last",
    }
}

fn parse_nth(name: &str) -> Result<Nth, PlanError> {
    match name {
        "first" => Ok(Nth::First),
        "second" => Ok(Nth::Second),
        "third" => Ok(Nth::Third),
        "fourth" => Ok(Nth::Fourth),
        "last" => Ok(Nth::Last),
        other => Err(invalid(
            "nthWeekday.nth",
            Reason::NotOneOf,
            format!("`{other}` is not first, second, third, fourth or last"),
        )),
    }
}

impl ScheduleSpec {
    /// Parses the spec into a schedule, checking every field against its cadence.
    pub fn to_schedule(&self) -> Result<Schedule, PlanError> {
        let days = || -> Result<Vec<Weekday>, PlanError> {
            self.days_of_week.iter().map(|d| parse_weekday(d)).collect()
        };
        let cadence = match self.cadence.as_str() {
            "daily" => Cadence::Daily,
            "weekdays" => Cadence::Weekdays,
            "weekly" => Cadence::Weekly(days()?),
            "every_n_weeks" => Cadence::EveryNWeeks {
                interval: self.interval_weeks.ok_or_else(|| {
                    invalid(
                        "intervalWeeks",
                        Reason::Required,
                        "every-n-weeks needs intervalWeeks",
                    )
                })?,
                days: days()?,
            },
            "monthly" => match (self.day_of_month, &self.nth_week, &self.nth_weekday_day) {
                (Some(day), None, None) => Cadence::Monthly(MonthDay::Day(day)),
                (None, Some(nth), Some(day)) => {
                    Cadence::Monthly(MonthDay::Nth(parse_nth(nth)?, parse_weekday(day)?))
                }
                _ => {
                    return Err(invalid(
                        "dayOfMonth",
                        Reason::Incompatible,
                        "a monthly schedule takes either dayOfMonth or nthWeekday, not both",
                    ));
                }
            },
            other => {
                return Err(invalid(
                    "cadence",
                    Reason::NotOneOf,
                    format!("`{other}` is not a cadence"),
                ));
            }
        };
        let local_time = parse_hhmm(&self.local_time)
            .map_err(|e| invalid("localTime", Reason::NotATime, e.to_string()))?;
        let tz = Timezone::parse(&self.timezone)
            .map_err(|e| invalid("timezone", Reason::NotATimeZone, e.to_string()))?;
        Ok(Schedule::new(cadence, local_time, tz.tz(), self.starts_on)?.floating(self.floating))
    }

    /// The spec of a checked schedule (normalised: sorted, deduplicated days).
    pub fn from_schedule(schedule: &Schedule) -> Self {
        let mut spec = ScheduleSpec {
            cadence: String::new(),
            days_of_week: Vec::new(),
            interval_weeks: None,
            day_of_month: None,
            nth_week: None,
            nth_weekday_day: None,
            local_time: format_hhmm(schedule.local_time()),
            timezone: schedule.tz().name().to_owned(),
            starts_on: schedule.starts_on(),
            floating: schedule.is_floating(),
        };
        let names = |days: &[Weekday]| days.iter().map(|d| weekday_name(*d).to_owned()).collect();
        match schedule.cadence() {
            Cadence::Daily => spec.cadence = "daily".into(),
            Cadence::Weekdays => spec.cadence = "weekdays".into(),
            Cadence::Weekly(days) => {
                spec.cadence = "weekly".into();
                spec.days_of_week = names(days);
            }
            Cadence::EveryNWeeks { interval, days } => {
                spec.cadence = "every_n_weeks".into();
                spec.interval_weeks = Some(*interval);
                spec.days_of_week = names(days);
            }
            Cadence::Monthly(MonthDay::Day(day)) => {
                spec.cadence = "monthly".into();
                spec.day_of_month = Some(*day);
            }
            Cadence::Monthly(MonthDay::Nth(nth, day)) => {
                spec.cadence = "monthly".into();
                spec.nth_week = Some(nth_name(*nth).into());
                spec.nth_weekday_day = Some(weekday_name(*day).into());
            }
        }
        spec
    }
}

/// A schedule's first day lies within [`MAX_START_OFFSET_DAYS`] of `today`: further back there
/// is nothing that could be logged, further ahead is no plan.
pub fn check_starts_on(starts_on: NaiveDate, today: NaiveDate) -> Result<(), PlanError> {
    let reach = Duration::days(MAX_START_OFFSET_DAYS);
    if starts_on < today - reach || starts_on > today + reach {
        return Err(PlanError::StartsOn(starts_on));
    }
    Ok(())
}

/// A daily-at-21:00 London spec of `cadence` for tests to vary.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(super) fn sample(cadence: &str) -> ScheduleSpec {
    ScheduleSpec {
        cadence: cadence.into(),
        days_of_week: vec![],
        interval_weeks: None,
        day_of_month: None,
        nth_week: None,
        nth_weekday_day: None,
        local_time: "21:00".into(),
        timezone: "Europe/London".into(),
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        floating: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floating_schedule_reads_back_floating_and_a_fixed_one_stores_no_flag() {
        let floating = ScheduleSpec {
            floating: true,
            ..sample("daily")
        };
        let schedule = floating.to_schedule().unwrap();
        assert!(schedule.is_floating());
        assert_eq!(ScheduleSpec::from_schedule(&schedule), floating);
        let fixed = serde_json::to_value(sample("daily")).unwrap();
        assert!(fixed.get("floating").is_none(), "{fixed}");
        let read: ScheduleSpec = serde_json::from_value(fixed).unwrap();
        assert!(!read.to_schedule().unwrap().is_floating());
    }

    #[test]
    fn specs_round_trip_and_refuse_what_does_not_fit_their_cadence() {
        let weekly = ScheduleSpec {
            days_of_week: vec!["thursday".into(), "monday".into(), "monday".into()],
            ..sample("weekly")
        };
        let schedule = weekly.to_schedule().unwrap();
        let back = ScheduleSpec::from_schedule(&schedule);
        assert_eq!(back.days_of_week, vec!["monday", "thursday"]);
        assert_eq!(back.to_schedule().unwrap(), schedule);
        assert!(sample("weekly").to_schedule().is_err(), "no days");
        assert!(sample("hourly").to_schedule().is_err());
        assert!(
            ScheduleSpec {
                local_time: "9pm".into(),
                ..sample("daily")
            }
            .to_schedule()
            .is_err()
        );
        assert!(
            ScheduleSpec {
                timezone: "Moon/Base".into(),
                ..sample("daily")
            }
            .to_schedule()
            .is_err()
        );
        assert!(
            sample("monthly").to_schedule().is_err(),
            "monthly needs a day"
        );
        assert!(
            ScheduleSpec {
                interval_weeks: Some(1),
                days_of_week: vec!["monday".into()],
                ..sample("every_n_weeks")
            }
            .to_schedule()
            .is_err()
        );
    }
}
