//! Decisions about assessments (DESIGN.md's privacy rules 2 and 5). An assessment, its answers
//! and its result are its owner's alone: every read goes through the owner's ID, so anybody
//! else's answers like a missing one. A partner sees a result only as shared with their couple,
//! and a result that raised a safety concern is never shared.

use domain::input::Reason;
use entities::assessment;
use uuid::Uuid;

use super::decisions::CoupleAccess;
use super::{may_be_in_couple, require_user};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// A decision that the caller owns an assessment.
#[derive(Debug, Clone)]
pub struct AssessmentAccess {
    row: assessment::Model,
}

impl AssessmentAccess {
    pub fn row(&self) -> &assessment::Model {
        &self.row
    }

    /// The same assessment after its owner changed it.
    pub fn updated(self, row: assessment::Model) -> Option<AssessmentAccess> {
        (row.id == self.row.id && row.user_id == self.row.user_id).then_some(Self { row })
    }
}

/// A result shared with a couple the caller may read.
#[derive(Debug, Clone)]
pub struct SharedResultAccess {
    row: assessment::Model,
    couple: CoupleAccess,
}

impl SharedResultAccess {
    pub fn row(&self) -> &assessment::Model {
        &self.row
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }

    /// Whether the caller is the one who shared it.
    pub fn is_mine(&self) -> bool {
        self.row.user_id == self.couple.viewer
    }
}

impl CoupleAccess {
    /// A result, if it is shared with this couple, submitted, and raised no safety concern.
    pub fn shared_result(&self, row: assessment::Model) -> Option<SharedResultAccess> {
        let visible = row.shared_with_couple == Some(self.couple.id)
            && row.status == assessment::SUBMITTED
            && !row.safety;
        visible.then(|| SharedResultAccess {
            row,
            couple: self.clone(),
        })
    }
}

/// Assessments are taken by members; coaches and administrators have none.
pub fn may_take_assessment(caller: &Caller) -> Result<Uuid, ApiError> {
    Ok(may_be_in_couple(caller)?.id)
}

/// The owner's decision on an assessment row read for them (one they just started, or one of
/// their history): `None` for anybody else's.
pub fn own_row(caller: &Caller, row: assessment::Model) -> Option<AssessmentAccess> {
    let user = caller.user.as_ref()?;
    (row.user_id == user.id).then_some(AssessmentAccess { row })
}

/// The caller's own assessment; NOT_FOUND for anybody else's, exactly as for a missing one.
pub async fn own_assessment(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<AssessmentAccess, ApiError> {
    let user = require_user(caller)?;
    assessment::find_owned(&state.db, id, user.id)
        .await?
        .map(|row| AssessmentAccess { row })
        .ok_or_else(|| ApiError::not_found("assessment"))
}

/// The caller's own submitted assessment, which they may share with their current couple.
/// A safety result stays private whatever its owner asks.
pub async fn shareable_assessment(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<AssessmentAccess, ApiError> {
    let access = own_assessment(state, caller, id).await?;
    if !access.row.is_submitted()? {
        return Err(ApiError::invalid(
            "input.assessmentId",
            Reason::NotNow,
            "submit the assessment first: only a result can be shared",
        ));
    }
    if access.row.safety {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "this result raised a safety concern and stays private to you",
        ));
    }
    Ok(access)
}

/// The caller's own assessment results of an instrument, for their history.
pub fn own_history(caller: &Caller) -> Result<Uuid, ApiError> {
    Ok(require_user(caller)?.id)
}
