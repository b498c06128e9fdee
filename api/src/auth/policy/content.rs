//! Decisions about what organizations write and suggest: who writes an organization's rituals
//! and instruments, who suggests them to which couple, and who sees and answers a suggestion.

use domain::organization::{Scope, SuggestionStatus};
use entities::{access, couple, couple_member, suggestion};
use uuid::Uuid;

use super::decisions::{CoupleAccess, Standing};
use super::organizations::{CoachedCoupleAccess, OrgView, OrganizationAccess};
use super::require_user;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

fn forbidden(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

/// The caller's organization, when they are one of its coaches (an admin or not): they write
/// its rituals and instruments and suggest them. API keys do not.
pub async fn content_author(
    state: &AppState,
    caller: &Caller,
) -> Result<(OrganizationAccess, Uuid), ApiError> {
    let not_coach = || forbidden("only an organization's coaches write and suggest its content");
    if caller.api_key.is_some() {
        return Err(not_coach());
    }
    let user = require_user(caller)?;
    let organization = super::callers_organization(state, caller)
        .await?
        .ok_or_else(not_coach)?;
    match organization.view() {
        OrgView::Coach(_) => Ok((organization, user.id)),
        _ => Err(not_coach()),
    }
}

/// A couple the author's organization coaches, for a suggestion that needs `scope`: both
/// members granted the organization access, with that scope. A couple that did not answers
/// NOT_FOUND (whether it exists is not the coach's to know); one without the scope FORBIDDEN.
pub async fn suggestion_target(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
    scope: Scope,
) -> Result<CoachedCoupleAccess, ApiError> {
    let coached = coached_couple(state, caller, couple_id).await?;
    coached.within(scope)?;
    Ok(coached)
}

/// A couple the caller's organization coaches (both members granted it access, whatever the
/// scopes); NOT_FOUND otherwise, FORBIDDEN for who coaches nowhere.
pub async fn coached_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoachedCoupleAccess, ApiError> {
    let view = super::coach_view(state, caller).await?;
    let not_found = || ApiError::not_found("couple");
    let couple = couple::find(&state.db, couple_id)
        .await?
        .ok_or_else(not_found)?;
    let members: Vec<couple_member::Model> = couple_member::with_users(&state.db, &[couple_id])
        .await?
        .into_iter()
        .map(|(member, _)| member)
        .collect();
    let grants = access::grants_of_couple(&state.db, couple_id).await?;
    let ours = grants
        .get(&view.organization_id())
        .map_or(&[][..], Vec::as_slice);
    view.couple(couple, &members, ours)?.ok_or_else(not_found)
}

/// A suggestion the caller may see, as `node(id:)` finds it: one made to a couple they are (or
/// were) in, or one their organization made to a couple it coaches. Anyone else's is NOT_FOUND,
/// the same as a missing one.
pub async fn readable_suggestion(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<SuggestionAccess, ApiError> {
    let not_found = || ApiError::not_found("suggestion");
    let row = suggestion::find(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    if caller.user.is_some() {
        match super::readable_couple(state, caller, row.couple_id).await {
            Ok(couple) => {
                if let Some(access) = couple.suggestion(row.clone()) {
                    return Ok(access);
                }
            }
            Err(err) if refused(&err) => {}
            Err(err) => return Err(err),
        }
    }
    match coached_couple(state, caller, row.couple_id).await {
        Ok(coached) => coached.suggestion(row).ok_or_else(not_found),
        Err(err) if refused(&err) => Err(not_found()),
        Err(err) => Err(err),
    }
}

/// Whether a policy answer is a refusal (rather than a failure to decide).
fn refused(err: &ApiError) -> bool {
    matches!(
        err.code,
        ErrorCode::NotFound | ErrorCode::Forbidden | ErrorCode::Unauthenticated
    )
}

/// A decision that the caller may see a suggestion: a member of the couple it was made to, or
/// a coach of the organization that made it while the couple grants it access.
#[derive(Debug, Clone)]
pub struct SuggestionAccess {
    row: suggestion::Model,
    couple: CoupleAccess,
}

impl SuggestionAccess {
    pub fn row(&self) -> &suggestion::Model {
        &self.row
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }
}

impl CoupleAccess {
    /// A suggestion made to this couple, for its members.
    pub fn suggestion(&self, row: suggestion::Model) -> Option<SuggestionAccess> {
        let member = matches!(self.standing, Standing::Member | Standing::FormerMember);
        (member && row.couple_id == self.couple.id).then(|| SuggestionAccess {
            row,
            couple: self.clone(),
        })
    }
}

impl CoachedCoupleAccess {
    /// A suggestion the coach's organization made to this couple.
    pub fn suggestion(&self, row: suggestion::Model) -> Option<SuggestionAccess> {
        (row.couple_id == self.id() && row.organization_id == self.organization_id()).then(|| {
            SuggestionAccess {
                row,
                couple: self.couple().clone(),
            }
        })
    }
}

/// A suggestion the caller may answer: one made to their current, active couple. Anyone
/// else's answers like a missing one.
pub async fn answerable_suggestion(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(SuggestionAccess, Uuid), ApiError> {
    let user = super::may_be_in_couple(caller)?;
    let not_found = || ApiError::not_found("suggestion");
    let couple = super::callers_couple(state, caller)
        .await?
        .ok_or_else(not_found)?;
    let row = suggestion::find(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    let access = couple.suggestion(row).ok_or_else(not_found)?;
    Ok((access, user.id))
}

/// Whether the caller may see and take an organization's instrument version: its coaches (and
/// API keys), and the members of a couple that accepted a suggestion of it (any version).
pub async fn may_use_instrument(
    state: &AppState,
    caller: &Caller,
    row: &entities::instrument::Model,
) -> Result<bool, ApiError> {
    let Some(owner) = row.organization_id else {
        return Ok(true);
    };
    if caller.user.is_none() && caller.api_key.is_none() {
        return Ok(false);
    }
    if let Some(organization) = super::callers_organization(state, caller).await?
        && organization.organization().id == owner
    {
        return Ok(true);
    }
    if caller.user.is_none() {
        return Ok(false);
    }
    match super::callers_couple(state, caller).await? {
        Some(couple) => {
            Ok(suggestion::accepted_instrument(&state.db, couple.id(), &row.key).await?)
        }
        None => Ok(false),
    }
}

/// What answering `access` with `answer` does (see [`SuggestionStatus::answer`]): CONFLICT
/// when it was answered the other way.
pub fn may_answer(access: &SuggestionAccess, answer: SuggestionStatus) -> Result<bool, ApiError> {
    access.row.status()?.answer(answer).map_err(|given| {
        ApiError::new(
            ErrorCode::Conflict,
            format!("this suggestion was {} already", given.as_str()),
        )
    })
}
