//! Daily check-ins, answer-then-reveal: one prompt per couple per local day, rotating through
//! the guide's; each partner answers privately, and both answers show to both only once both
//! have answered. An answer is taken until the end of the next local day.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::input::{Reason, Refusal};
use crate::text::{TextError, check_multiline};

/// A check-in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt {
    pub key: &'static str,
    pub text: &'static str,
}

/// The guide's check-in questions, in the order the days rotate through them.
pub const PROMPTS: [Prompt; 4] = [
    Prompt {
        key: "toughest_part_of_day",
        text: "What was the toughest part of your day?",
    },
    Prompt {
        key: "morning_gratitude",
        text: "What is one thing you are grateful for about your partner this morning?",
    },
    Prompt {
        key: "one_appreciation",
        text: "What is one thing your partner did lately that you appreciated?",
    },
    Prompt {
        key: "how_are_we_doing",
        text: "How are we doing? What is one thing that would make this week better for us?",
    },
];

/// The longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2000;

/// The prompt of a local day: the same for both partners, the next one tomorrow.
pub fn prompt_for(date: NaiveDate) -> Prompt {
    let day = usize::try_from(date.num_days_from_ce()).unwrap_or_default();
    PROMPTS[day % PROMPTS.len()]
}

/// The local date in the couple's time zone.
pub fn local_today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckInError {
    #[error("{date} has not begun yet in the couple's time zone")]
    Future { date: NaiveDate },
    #[error("the check-in of {date} closed at the end of the next day; answer today's")]
    Closed { date: NaiveDate },
    #[error("the answer {0}")]
    Text(#[from] TextError),
    #[error("the answer is empty or longer than {MAX_ANSWER_CHARS} characters")]
    Length(Reason),
    #[error("both answers are revealed: the check-in of {date} can no longer change")]
    Revealed { date: NaiveDate },
}

/// Whether a day's check-in can be read: any day up to today.
pub fn check_readable(date: NaiveDate, today: NaiveDate) -> Result<(), CheckInError> {
    if date > today {
        return Err(CheckInError::Future { date });
    }
    Ok(())
}

/// Whether a day's check-in still takes answers: today's, and yesterday's until today ends.
pub fn check_answerable(date: NaiveDate, today: NaiveDate) -> Result<(), CheckInError> {
    check_readable(date, today)?;
    if today.signed_duration_since(date).num_days() > 1 {
        return Err(CheckInError::Closed { date });
    }
    Ok(())
}

/// A trimmed, non-empty answer of at most [`MAX_ANSWER_CHARS`].
pub fn parse_answer(raw: &str) -> Result<String, CheckInError> {
    let answer = raw.trim();
    let len = answer.chars().count();
    if let Some(reason) = crate::input::length_reason(len, MAX_ANSWER_CHARS) {
        return Err(CheckInError::Length(reason));
    }
    check_multiline(answer)?;
    Ok(answer.to_owned())
}

/// Answers show once every current member answered, and a couple of one never reveals.
pub fn revealed(members: u64, answered: u64) -> bool {
    members >= 2 && answered >= members
}

impl Refusal for CheckInError {
    fn field(&self) -> &'static str {
        match self {
            CheckInError::Future { .. }
            | CheckInError::Closed { .. }
            | CheckInError::Revealed { .. } => "date",
            CheckInError::Text(_) | CheckInError::Length(_) => "answer",
        }
    }

    fn reason(&self) -> Reason {
        match self {
            CheckInError::Future { .. }
            | CheckInError::Closed { .. }
            | CheckInError::Revealed { .. } => Reason::NotNow,
            CheckInError::Text(_) => Reason::BadCharacters,
            CheckInError::Length(reason) => *reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn the_prompts_rotate_a_day_at_a_time_and_come_back() {
        let keys: Vec<&str> = (1..=5).map(|d| prompt_for(day(d)).key).collect();
        assert_eq!(keys[0], keys[4]);
        let distinct: std::collections::HashSet<&str> = keys[..4].iter().copied().collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn answers_are_taken_today_and_until_the_end_of_the_next_day() {
        assert!(check_answerable(day(10), day(10)).is_ok());
        assert!(check_answerable(day(9), day(10)).is_ok());
        assert_eq!(
            check_answerable(day(8), day(10)),
            Err(CheckInError::Closed { date: day(8) })
        );
        assert_eq!(
            check_answerable(day(11), day(10)),
            Err(CheckInError::Future { date: day(11) })
        );
        assert!(check_readable(day(1), day(10)).is_ok());
    }

    #[test]
    fn the_local_day_is_the_couples() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T23:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(local_today(chrono_tz::Europe::Berlin, now), day(28));
        assert_eq!(local_today(chrono_tz::America::New_York, now), day(27));
    }

    #[test]
    fn both_must_answer_before_anything_shows() {
        assert!(!revealed(2, 1));
        assert!(revealed(2, 2));
        assert!(!revealed(1, 1), "a couple of one has nobody to reveal to");
    }
}
