//! Decisions about check-ins (DESIGN.md's privacy rule 2): a member reads their couple's
//! check-in of a day with their own answer, and their partner's only once both answered.
//! Nothing in the decision tells the partner's answer, its length or its time before that.

use chrono::NaiveDate;
use domain::checkin::{check_readable, local_today, revealed};
use domain::input::Reason;
use entities::{check_in, couple_member};

use super::decisions::CoupleAccess;
use super::{callers_couple, may_be_in_couple};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// A decision that the caller may read their couple's check-in of a day.
#[derive(Debug, Clone)]
pub struct CheckInAccess {
    couple: CoupleAccess,
    date: NaiveDate,
    answers: Vec<check_in::Model>,
    members: u64,
    today: NaiveDate,
}

impl CheckInAccess {
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Today in the couple's time zone, as the decision was made.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }

    /// The caller's own answer.
    pub fn mine(&self) -> Option<&check_in::Model> {
        self.answers
            .iter()
            .find(|a| a.user_id == self.couple.viewer)
    }

    /// Whether every current member answered, which shows all answers to all.
    pub fn revealed(&self) -> bool {
        revealed(self.members, self.answers.len() as u64)
    }

    /// Whether the partner answered (never what, how much or when).
    pub fn partner_answered(&self) -> bool {
        self.answers.iter().any(|a| a.user_id != self.couple.viewer)
    }

    /// The partner's answer, once revealed.
    pub fn partner_answer(&self) -> Option<&check_in::Model> {
        if !self.revealed() {
            return None;
        }
        self.answers
            .iter()
            .find(|a| a.user_id != self.couple.viewer)
    }
}

/// The caller's active couple, or BAD_USER_INPUT: check-ins and breaks belong to a couple.
pub async fn check_in_couple(state: &AppState, caller: &Caller) -> Result<CoupleAccess, ApiError> {
    may_be_in_couple(caller)?;
    callers_couple(state, caller).await?.ok_or_else(|| {
        ApiError::invalid(
            "input",
            Reason::NotNow,
            "check-ins and breaks belong to a couple: join or create one first",
        )
    })
}

/// The caller's couple's check-in of `date` (today in the couple's time zone by default).
pub async fn readable_check_in(
    state: &AppState,
    caller: &Caller,
    date: Option<NaiveDate>,
) -> Result<CheckInAccess, ApiError> {
    let couple = check_in_couple(state, caller).await?;
    let today = local_today(couple.couple().timezone()?, state.clock.now());
    let date = date.unwrap_or(today);
    check_readable(date, today)?;
    let answers = check_in::for_day(&state.db, couple.id(), date).await?;
    let members = couple_member::count_current(&state.db, couple.id()).await?;
    Ok(CheckInAccess {
        couple,
        date,
        answers,
        members,
        today,
    })
}
