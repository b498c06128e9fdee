//! Plans: who does a plan item, when an occurrence may be logged as done, and the rules of
//! pausing, undoing and logging again. How a schedule is stored is in `spec.rs`.

mod spec;

pub use spec::{ScheduleSpec, check_starts_on, nth_name, weekday_name};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::input::{Reason, Refusal};
use crate::schedule::{Schedule, ScheduleError};

/// A missed occurrence may be logged this long after it was due.
pub const LATE_WINDOW_HOURS: i64 = 48;
/// A completion may be undone this long after it was logged.
pub const UNDO_WINDOW_HOURS: i64 = 24;
pub const MAX_NOTE_CHARS: usize = 2_000;
/// How far from today a schedule's first day may be, either way.
pub const MAX_START_OFFSET_DAYS: i64 = 366;
pub const MAX_PLAN_NAME_CHARS: usize = 80;
/// The longest one pause of a plan may last.
pub const MAX_PAUSE_DAYS: i64 = 366;

/// Who does a plan item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignee {
    /// Each member does it; an occurrence is complete once both have logged it.
    Both,
    /// Either member; one completion completes the occurrence.
    Either,
    /// One named member.
    One(Uuid),
}

impl Assignee {
    pub fn member(&self) -> Option<Uuid> {
        match self {
            Assignee::One(id) => Some(*id),
            _ => None,
        }
    }

    /// Whether `member` is expected to log this item.
    pub fn includes(&self, member: Uuid) -> bool {
        match self {
            Assignee::Both | Assignee::Either => true,
            Assignee::One(id) => *id == member,
        }
    }

    /// Whether an occurrence is complete given who logged it, for a couple of `members`.
    pub fn is_complete(&self, logged_by: &[Uuid], members: &[Uuid]) -> bool {
        match self {
            Assignee::Both => !members.is_empty() && members.iter().all(|m| logged_by.contains(m)),
            Assignee::Either => !logged_by.is_empty(),
            Assignee::One(id) => logged_by.contains(id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("{message}")]
    Invalid {
        field: &'static str,
        reason: Reason,
        message: String,
    },
    #[error("closeness is rated from 1 to 5")]
    Closeness,
    #[error("a note has at most {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
    #[error("startsOn {0} is more than {MAX_START_OFFSET_DAYS} days from today")]
    StartsOn(NaiveDate),
    #[error("the note {0}")]
    NoteText(crate::text::TextError),
    #[error("a plan's name has 1 to {MAX_PLAN_NAME_CHARS} characters")]
    PlanName(Reason),
    #[error("the ritual has no occurrence on {0}")]
    NotAnOccurrence(NaiveDate),
    #[error("the occurrence on {0} belongs to a later period and cannot be completed yet")]
    TooEarly(NaiveDate),
    #[error(
        "the occurrence on {0} is more than {LATE_WINDOW_HOURS} hours past and can no longer be logged"
    )]
    TooLate(NaiveDate),
    #[error("`until` must be in the future")]
    PauseOver,
    #[error("a pause lasts at most {MAX_PAUSE_DAYS} days")]
    PauseTooLong,
    #[error("a completion can be undone only within {UNDO_WINDOW_HOURS} hours of logging it")]
    UndoWindowOver,
    /// The same occurrence logged again with different fields: a conflict, not bad input.
    #[error("you already logged this occurrence differently; undo it first to change it")]
    LoggedDifferently,
}

/// A closeness rating from 1 (distant) to 5 (very close).
pub fn parse_closeness(value: i32) -> Result<u8, PlanError> {
    u8::try_from(value)
        .ok()
        .filter(|v| (1..=5).contains(v))
        .ok_or(PlanError::Closeness)
}

/// A note, trimmed; empty means none.
pub fn parse_note(raw: Option<&str>) -> Result<Option<String>, PlanError> {
    let note = raw.map(str::trim).filter(|n| !n.is_empty());
    match note {
        Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(PlanError::NoteTooLong),
        Some(n) => crate::text::check_multiline(n)
            .map(|()| Some(n.to_owned()))
            .map_err(PlanError::NoteText),
        None => Ok(None),
    }
}

pub fn parse_plan_name(raw: &str) -> Result<String, PlanError> {
    let name = raw.trim();
    let len = name.chars().count();
    if let Some(reason) = crate::input::length_reason(len, MAX_PLAN_NAME_CHARS) {
        return Err(PlanError::PlanName(reason));
    }
    crate::text::check_line(name).map_err(|_| PlanError::PlanName(Reason::BadCharacters))?;
    Ok(name.to_owned())
}

/// The occurrence a completion with no date refers to: in the current period, the latest one
/// already reached today or before, else the period's first (doing a ritual early is fine).
pub fn default_occurrence(schedule: &Schedule, now: DateTime<Utc>) -> Option<NaiveDate> {
    let today = schedule.local_date(now);
    let period = schedule.period_of(today);
    let dates = schedule.dates_between(period.start, period.end);
    dates
        .iter()
        .rev()
        .find(|d| **d <= today)
        .or_else(|| dates.first())
        .copied()
}

/// Whether an occurrence may be logged now: it must be one of the schedule's, not in a later
/// period than today's, and, when its period is over, at most 48 hours past due.
pub fn check_completable(
    schedule: &Schedule,
    occurrence: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), PlanError> {
    if !schedule.occurs_on(occurrence) {
        return Err(PlanError::NotAnOccurrence(occurrence));
    }
    let current = schedule.period_of(schedule.local_date(now));
    let period = schedule.period_of(occurrence);
    if period.start > current.start {
        return Err(PlanError::TooEarly(occurrence));
    }
    if period.start < current.start
        && now > schedule.instant_on(occurrence) + Duration::hours(LATE_WINDOW_HOURS)
    {
        return Err(PlanError::TooLate(occurrence));
    }
    Ok(())
}

/// Whether a plan may be paused now until `until`: a pause ends in the future, at most
/// [`MAX_PAUSE_DAYS`] from now.
pub fn check_pause_until(until: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), PlanError> {
    if until <= now {
        Err(PlanError::PauseOver)
    } else if until > now + Duration::days(MAX_PAUSE_DAYS) {
        Err(PlanError::PauseTooLong)
    } else {
        Ok(())
    }
}

/// Whether a completion logged at `logged_at` may still be undone at `now`.
pub fn check_undo(logged_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), PlanError> {
    if now > logged_at + Duration::hours(UNDO_WINDOW_HOURS) {
        Err(PlanError::UndoWindowOver)
    } else {
        Ok(())
    }
}

/// What a member says about one occurrence when logging it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    pub closeness: u8,
    pub note: Option<String>,
    pub note_shared: bool,
}

/// Logging an occurrence is idempotent: the same log again is the same completion, while a
/// different one for an occurrence already logged is [`PlanError::LoggedDifferently`].
pub fn check_relog(stored: &Log, again: &Log) -> Result<(), PlanError> {
    if stored == again {
        Ok(())
    } else {
        Err(PlanError::LoggedDifferently)
    }
}

impl Refusal for PlanError {
    fn field(&self) -> &'static str {
        match self {
            PlanError::Schedule(err) => err.field(),
            PlanError::Invalid { field, .. } => field,
            PlanError::Closeness => "closeness",
            PlanError::NoteTooLong | PlanError::NoteText(_) => "note",
            PlanError::StartsOn(_) => "startsOn",
            PlanError::PlanName(_) => "name",
            PlanError::NotAnOccurrence(_) | PlanError::TooEarly(_) | PlanError::TooLate(_) => {
                "occurrence"
            }
            PlanError::PauseOver | PlanError::PauseTooLong => "until",
            PlanError::UndoWindowOver | PlanError::LoggedDifferently => "completionId",
        }
    }

    fn reason(&self) -> Reason {
        match self {
            PlanError::Schedule(err) => err.reason(),
            PlanError::Invalid { reason, .. } | PlanError::PlanName(reason) => *reason,
            PlanError::Closeness
            | PlanError::StartsOn(_)
            | PlanError::PauseOver
            | PlanError::PauseTooLong => Reason::OutOfRange,
            PlanError::NoteTooLong => Reason::TooLong,
            PlanError::NoteText(_) => Reason::BadCharacters,
            PlanError::NotAnOccurrence(_) => Reason::NotOneOf,
            PlanError::TooEarly(_)
            | PlanError::TooLate(_)
            | PlanError::UndoWindowOver
            | PlanError::LoggedDifferently => Reason::NotNow,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn completion_windows() {
        let daily = spec::sample("daily").to_schedule().unwrap();
        // Friday 27 November 2026, 10:00 UTC (= London).
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(default_occurrence(&daily, now), Some(day(27)));
        assert_eq!(
            check_completable(&daily, day(27), now),
            Ok(()),
            "earlier than planned is fine"
        );
        assert_eq!(
            check_completable(&daily, day(28), now),
            Err(PlanError::TooEarly(day(28)))
        );
        assert_eq!(check_completable(&daily, day(26), now), Ok(()));
        assert_eq!(
            check_completable(&daily, day(25), now),
            Ok(()),
            "due 25th 21:00, 37 h ago"
        );
        assert_eq!(
            check_completable(&daily, day(24), now),
            Err(PlanError::TooLate(day(24)))
        );
        let weekly = ScheduleSpec {
            days_of_week: vec!["sunday".into()],
            ..spec::sample("weekly")
        }
        .to_schedule()
        .unwrap();
        assert_eq!(
            default_occurrence(&weekly, now),
            Some(day(29)),
            "this week's, though later today"
        );
        assert_eq!(check_completable(&weekly, day(29), now), Ok(()));
        assert_eq!(
            check_completable(&weekly, day(28), now),
            Err(PlanError::NotAnOccurrence(day(28)))
        );
    }

    #[test]
    fn who_completes_an_occurrence() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let members = [a, b];
        assert!(!Assignee::Both.is_complete(&[a], &members));
        assert!(Assignee::Both.is_complete(&[a, b], &members));
        assert!(Assignee::Either.is_complete(&[b], &members));
        assert!(!Assignee::One(a).is_complete(&[b], &members));
        assert!(Assignee::One(a).is_complete(&[a], &members));
        assert_eq!(parse_closeness(0), Err(PlanError::Closeness));
        assert_eq!(parse_closeness(5), Ok(5));
        assert_eq!(parse_note(Some("   ")), Ok(None));
    }

    #[test]
    fn a_pause_ends_in_the_future_and_within_a_year() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(check_pause_until(now, now), Err(PlanError::PauseOver));
        assert_eq!(
            check_pause_until(now - Duration::seconds(1), now),
            Err(PlanError::PauseOver)
        );
        assert_eq!(check_pause_until(now + Duration::seconds(1), now), Ok(()));
        let longest = now + Duration::days(MAX_PAUSE_DAYS);
        assert_eq!(check_pause_until(longest, now), Ok(()));
        assert_eq!(
            check_pause_until(longest + Duration::seconds(1), now),
            Err(PlanError::PauseTooLong)
        );
    }

    #[test]
    fn a_completion_can_be_undone_for_a_day() {
        let logged = Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap();
        let window = Duration::hours(UNDO_WINDOW_HOURS);
        assert_eq!(check_undo(logged, logged), Ok(()));
        assert_eq!(check_undo(logged, logged + window), Ok(()));
        assert_eq!(
            check_undo(logged, logged + window + Duration::seconds(1)),
            Err(PlanError::UndoWindowOver)
        );
        assert!(PlanError::UndoWindowOver.to_string().contains("24 hours"));
    }

    #[test]
    fn logging_again_is_the_same_or_a_conflict() {
        let log = Log {
            closeness: 4,
            note: Some("lovely".into()),
            note_shared: false,
        };
        assert_eq!(check_relog(&log, &log.clone()), Ok(()));
        for changed in [
            Log {
                closeness: 5,
                ..log.clone()
            },
            Log {
                note: None,
                ..log.clone()
            },
            Log {
                note_shared: true,
                ..log.clone()
            },
        ] {
            assert_eq!(
                check_relog(&log, &changed),
                Err(PlanError::LoggedDifferently)
            );
        }
    }
}
