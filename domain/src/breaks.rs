//! Structured breaks: time apart that both partners agree to, with terms, contact rules and a
//! timeline (the guide: agreed breaks with terms, boundaries and a timeline succeeded more often
//! than persistent pursuit, 58% against 39%). While one runs the plan is paused, so streaks do
//! not break; on its check-in date each partner privately chooses to resume, extend or seek a
//! professional, and the choices show only once both chose.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::text::{TextError, check_multiline};

/// The longest break, in days from today to its last day.
pub const MAX_BREAK_DAYS: i64 = 180;
/// The longest terms or contact rules, in characters.
pub const MAX_TERMS_CHARS: usize = 2000;

/// What each partner chooses on the check-in date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakChoice {
    Resume,
    Extend,
    SeekProfessional,
}

impl BreakChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakChoice::Resume => "resume",
            BreakChoice::Extend => "extend",
            BreakChoice::SeekProfessional => "seek_professional",
        }
    }
}

impl std::str::FromStr for BreakChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "resume" => Ok(BreakChoice::Resume),
            "extend" => Ok(BreakChoice::Extend),
            "seek_professional" => Ok(BreakChoice::SeekProfessional),
            other => Err(format!("`{other}` is not a break choice")),
        }
    }
}

/// Where a break stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakStatus {
    /// Waiting for the partner to agree or decline.
    Proposed,
    /// Agreed and running until its last day.
    Active,
    /// The partner declined it.
    Declined,
    /// Agreed, and its last day is past.
    Over,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakError {
    #[error("a break ends after today: give a later `until`")]
    EndsTooSoon,
    #[error("a break lasts at most {MAX_BREAK_DAYS} days")]
    TooLong,
    #[error("the check-in date falls between today and the break's last day")]
    CheckInOutside,
    #[error("the {0} must be 1 to {MAX_TERMS_CHARS} characters")]
    Length(&'static str),
    #[error("the {0} {1}")]
    Text(&'static str, TextError),
    #[error("this break is {0}: it can no longer be {1}")]
    Settled(&'static str, &'static str),
    #[error("the check-in of this break opens on {0}")]
    CheckInNotYet(NaiveDate),
}

/// Checks a proposal's timeline against today (the couple's local date).
pub fn check_timeline(
    today: NaiveDate,
    until: NaiveDate,
    check_in_on: NaiveDate,
) -> Result<(), BreakError> {
    if until <= today {
        return Err(BreakError::EndsTooSoon);
    }
    if until.signed_duration_since(today).num_days() > MAX_BREAK_DAYS {
        return Err(BreakError::TooLong);
    }
    if check_in_on < today || check_in_on > until {
        return Err(BreakError::CheckInOutside);
    }
    Ok(())
}

/// Trimmed terms or contact rules, checked.
pub fn parse_terms(what: &'static str, raw: &str) -> Result<String, BreakError> {
    let text = raw.trim();
    let len = text.chars().count();
    if crate::input::length_reason(len, MAX_TERMS_CHARS).is_some() {
        return Err(BreakError::Length(what));
    }
    check_multiline(text).map_err(|e| BreakError::Text(what, e))?;
    Ok(text.to_owned())
}

/// The stored status as it stands today: an agreed break past its last day is over.
pub fn status_on(stored: BreakStatus, until: NaiveDate, today: NaiveDate) -> BreakStatus {
    match stored {
        BreakStatus::Active if today > until => BreakStatus::Over,
        other => other,
    }
}

/// When the plan's pause ends: the start of the day after the break's last day, in the
/// couple's time zone (the earliest instant of that day when it is ambiguous).
pub fn pause_ends_at(until: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let next = until.checked_add_days(Days::new(1))?;
    let midnight = next.and_hms_opt(0, 0, 0)?;
    midnight
        .and_local_timezone(tz)
        .earliest()
        .or_else(|| {
            // Midnight skipped by a clock change: the day starts an hour later.
            next.and_hms_opt(1, 0, 0)?.and_local_timezone(tz).earliest()
        })
        .map(|at| at.with_timezone(&Utc))
}

impl crate::input::Refusal for BreakError {
    fn field(&self) -> &'static str {
        match self {
            BreakError::EndsTooSoon | BreakError::TooLong => "until",
            BreakError::CheckInOutside => "checkInOn",
            BreakError::Length(what) | BreakError::Text(what, _) => match *what {
                "contact rules" => "contactRules",
                _ => "terms",
            },
            BreakError::Settled(..) | BreakError::CheckInNotYet(_) => "breakId",
        }
    }

    fn reason(&self) -> crate::input::Reason {
        use crate::input::Reason;
        match self {
            BreakError::EndsTooSoon | BreakError::TooLong | BreakError::CheckInOutside => {
                Reason::OutOfRange
            }
            BreakError::Length(_) => Reason::TooLong,
            BreakError::Text(..) => Reason::BadCharacters,
            BreakError::Settled(..) | BreakError::CheckInNotYet(_) => Reason::NotNow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn a_timeline_ends_after_today_within_the_limit_with_its_check_in_inside() {
        let today = day(3, 25);
        assert!(check_timeline(today, day(4, 8), day(4, 1)).is_ok());
        assert!(check_timeline(today, day(4, 8), day(4, 8)).is_ok());
        assert_eq!(
            check_timeline(today, today, today),
            Err(BreakError::EndsTooSoon)
        );
        assert_eq!(
            check_timeline(today, day(11, 1), day(4, 1)),
            Err(BreakError::TooLong)
        );
        assert_eq!(
            check_timeline(today, day(4, 8), day(4, 9)),
            Err(BreakError::CheckInOutside)
        );
        assert_eq!(
            check_timeline(today, day(4, 8), day(3, 24)),
            Err(BreakError::CheckInOutside)
        );
    }

    #[test]
    fn an_agreed_break_is_over_after_its_last_day() {
        assert_eq!(
            status_on(BreakStatus::Active, day(4, 8), day(4, 8)),
            BreakStatus::Active
        );
        assert_eq!(
            status_on(BreakStatus::Active, day(4, 8), day(4, 9)),
            BreakStatus::Over
        );
        assert_eq!(
            status_on(BreakStatus::Proposed, day(4, 8), day(4, 9)),
            BreakStatus::Proposed
        );
    }

    #[test]
    fn the_pause_ends_when_the_day_after_begins_locally() {
        let ends = pause_ends_at(day(4, 8), chrono_tz::Europe::London).unwrap();
        assert_eq!(ends.to_rfc3339(), "2026-04-08T23:00:00+00:00");
    }

    #[test]
    fn terms_are_real_text() {
        assert_eq!(
            parse_terms("terms", "  One call a week  ").unwrap(),
            "One call a week"
        );
        assert_eq!(parse_terms("terms", " "), Err(BreakError::Length("terms")));
    }
}
