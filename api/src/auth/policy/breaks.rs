//! Decisions about structured breaks: both members of the couple see a break and its terms;
//! each one's choice on the check-in date stays theirs until both chose (DESIGN.md rule 2).

use chrono::NaiveDate;
use domain::breaks::{BreakChoice, BreakStatus, status_on};
use domain::checkin::{local_today, revealed};
use entities::couple_break;
use uuid::Uuid;

use super::decisions::CoupleAccess;
use super::{callers_couple, check_in_couple};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// A decision that the caller may see a break of their couple.
#[derive(Debug, Clone)]
pub struct BreakAccess {
    couple: CoupleAccess,
    row: couple_break::Model,
    today: NaiveDate,
}

impl BreakAccess {
    pub fn row(&self) -> &couple_break::Model {
        &self.row
    }

    /// The couple's local date the decision was made on.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }

    /// Where the break stands today.
    pub fn status(&self) -> Result<BreakStatus, ApiError> {
        Ok(status_on(self.row.status()?, self.row.until, self.today))
    }

    pub fn proposed_by_me(&self) -> bool {
        self.row.proposed_by == self.couple.viewer
    }

    pub fn my_choice(&self) -> Result<Option<BreakChoice>, ApiError> {
        Ok(self.row.choice_of(self.couple.viewer)?)
    }

    /// Whether the partner chose (never what, before both did).
    pub fn partner_chose(&self) -> bool {
        let partner = if self.proposed_by_me() {
            &self.row.partner_choice
        } else {
            &self.row.proposer_choice
        };
        partner.is_some()
    }

    /// Whether both chose: then both choices show to both.
    pub fn revealed(&self) -> bool {
        revealed(2, self.row.choices_made())
    }

    /// The partner's choice, once both chose.
    pub fn partner_choice(&self) -> Result<Option<BreakChoice>, ApiError> {
        if !self.revealed() {
            return Ok(None);
        }
        let stored = if self.proposed_by_me() {
            &self.row.partner_choice
        } else {
            &self.row.proposer_choice
        };
        stored
            .as_deref()
            .map(|raw| raw.parse::<BreakChoice>())
            .transpose()
            .map_err(|e| ApiError::internal(&e))
    }

    /// Whether the caller is due to choose: the break was agreed, its check-in date came, and
    /// they have not chosen.
    pub fn check_in_due(&self) -> Result<bool, ApiError> {
        let agreed = matches!(self.status()?, BreakStatus::Active | BreakStatus::Over);
        Ok(agreed && self.today >= self.row.check_in_on && self.my_choice()?.is_none())
    }

    /// Only the partner who did not propose a break agrees to it or declines it.
    pub fn may_decide(&self) -> Result<(), ApiError> {
        if self.proposed_by_me() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "your partner agrees to or declines the break you proposed",
            ));
        }
        Ok(())
    }
}

async fn today_of(state: &AppState, couple: &CoupleAccess) -> Result<NaiveDate, ApiError> {
    Ok(local_today(couple.couple().timezone()?, state.clock.now()))
}

/// A break of the caller's couple, to change: coaches and administrators are FORBIDDEN, as for
/// every couple's write; anybody else's break is NOT_FOUND.
pub async fn couple_break(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<BreakAccess, ApiError> {
    check_in_couple(state, caller).await?;
    readable_break(state, caller, id).await
}

/// A break of the caller's active couple; NOT_FOUND for anybody else's (or with no couple), as
/// for a missing one.
pub async fn readable_break(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<BreakAccess, ApiError> {
    let not_found = || ApiError::not_found("break");
    let couple = callers_couple(state, caller).await?.ok_or_else(not_found)?;
    let row = couple_break::find_in_couple(&state.db, id, couple.id())
        .await?
        .ok_or_else(not_found)?;
    let today = today_of(state, &couple).await?;
    Ok(BreakAccess { couple, row, today })
}

/// The couple's break that is proposed or running, if any.
pub async fn open_break(
    state: &AppState,
    couple: &CoupleAccess,
) -> Result<Option<BreakAccess>, ApiError> {
    let today = today_of(state, couple).await?;
    for row in couple_break::for_couple(&state.db, couple.id()).await? {
        let status = status_on(row.status()?, row.until, today);
        if matches!(status, BreakStatus::Proposed | BreakStatus::Active) {
            return Ok(Some(BreakAccess {
                couple: couple.clone(),
                row,
                today,
            }));
        }
    }
    Ok(None)
}

/// The break after the caller changed it.
pub fn updated_break(access: BreakAccess, row: couple_break::Model) -> Option<BreakAccess> {
    (row.id == access.row.id).then_some(BreakAccess { row, ..access })
}
