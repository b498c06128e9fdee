//! Decisions about couples and what belongs to them: plans, items and completions, each read
//! with the caller's membership so that a foreign object answers like a missing one.

use entities::{completion, couple, couple_member, plan, plan_item};
use uuid::Uuid;

use super::decisions::{CompletionAccess, CoupleAccess, ItemAccess, PlanAccess, Standing};
use super::require_user;
use crate::auth::{AuthUser, Caller};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The caller's current couple (membership and couple), read once per request.
async fn current_couple<'a>(
    state: &AppState,
    caller: &'a Caller,
) -> Result<&'a crate::auth::CurrentCouple, ApiError> {
    let user = require_user(caller)?;
    caller
        .current_couple
        .get_or_try_init(|| async {
            Ok::<_, ApiError>(couple_member::current_with_couple(&state.db, user.id).await?)
        })
        .await
}

/// The caller's current couple, if they are in an active one.
pub async fn callers_couple(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<CoupleAccess>, ApiError> {
    let user = require_user(caller)?;
    match current_couple(state, caller).await? {
        Some((_, couple)) if couple.is_active()? => Ok(Some(CoupleAccess {
            couple: couple.clone(),
            standing: Standing::Member,
            viewer: user.id,
        })),
        _ => Ok(None),
    }
}

/// Whose rituals the caller may see besides the catalog: their active couple's own and those
/// it accepted from an organization; a coach's (or an API key's) organization's.
pub async fn ritual_scope(
    state: &AppState,
    caller: &Caller,
) -> Result<entities::ritual::Viewer, ApiError> {
    let mut viewer = entities::ritual::Viewer::default();
    if caller.user.is_some() {
        viewer.couple = callers_couple(state, caller)
            .await?
            .map(|access| access.id());
    }
    if caller.signed_in() {
        viewer.organization = super::callers_organization(state, caller)
            .await?
            .map(|access| access.organization().id);
    }
    Ok(viewer)
}

/// The couple, if the caller may read it; NOT_FOUND otherwise, the same as for a missing one.
/// Administrators get no special access: a couple's data is private content.
pub async fn readable_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoupleAccess, ApiError> {
    if let Some(current) = callers_couple(state, caller).await?
        && current.id() == couple_id
    {
        return Ok(current);
    }
    reread_couple(state, caller, couple_id).await
}

/// [`readable_couple`] decided from the store, past what this request already read of the
/// caller's couple: for after the caller changed their own membership.
pub async fn reread_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoupleAccess, ApiError> {
    let user = require_user(caller)?;
    let (membership, couple) = couple_member::find_with_couple(&state.db, couple_id, user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("couple"))?;
    decide(state, user, membership, couple)?.ok_or_else(|| ApiError::not_found("couple"))
}

/// How a user stands to a couple they were in: a member while both are current, a former
/// member of an archived couple while its shared data is kept, nothing after.
fn decide(
    state: &AppState,
    user: &AuthUser,
    membership: couple_member::Model,
    couple: couple::Model,
) -> Result<Option<CoupleAccess>, ApiError> {
    let standing = if membership.is_current() && couple.is_active()? {
        Standing::Member
    } else if couple
        .shared_data_delete_after
        .is_some_and(|deadline| deadline > state.clock.now())
    {
        Standing::FormerMember
    } else {
        return Ok(None);
    };
    Ok(Some(CoupleAccess {
        couple,
        standing,
        viewer: user.id,
    }))
}

/// The decision, if it lets the caller change the couple; FORBIDDEN for a former member.
fn for_writing(access: CoupleAccess) -> Result<CoupleAccess, ApiError> {
    match access.standing {
        Standing::Member => Ok(access),
        Standing::FormerMember => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this couple is archived: its shared data is read-only until it is deleted",
        )),
        Standing::Coach => Err(ApiError::new(
            ErrorCode::Forbidden,
            "a coach reads what a couple granted and changes nothing of it",
        )),
    }
}

/// The couple, if the caller may change it: a current member of an active couple. A former
/// member, who can still read it, gets FORBIDDEN.
pub async fn writable_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoupleAccess, ApiError> {
    for_writing(readable_couple(state, caller, couple_id).await?)
}

/// The couple the caller just created or joined (inside the transaction that did it).
pub fn joined_couple(user: &AuthUser, couple: couple::Model) -> CoupleAccess {
    CoupleAccess {
        couple,
        standing: Standing::Member,
        viewer: user.id,
    }
}

/// A plan the caller may read, with their decision on its couple, in one statement.
pub async fn readable_plan(
    state: &AppState,
    caller: &Caller,
    plan_id: Uuid,
) -> Result<PlanAccess, ApiError> {
    let user = require_user(caller)?;
    let not_found = || ApiError::not_found("plan");
    let (found, couple, membership) = plan::find_for_member(&state.db, plan_id, user.id)
        .await?
        .ok_or_else(not_found)?;
    decide(state, user, membership, couple)?
        .and_then(|access| access.plan(found))
        .ok_or_else(not_found)
}

/// A plan item the caller may read, with their decision on its couple, in one statement.
pub async fn readable_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<ItemAccess, ApiError> {
    let user = require_user(caller)?;
    let not_found = || ApiError::not_found("plan item");
    let (item, (found, couple, membership)) =
        plan_item::find_for_member(&state.db, item_id, user.id)
            .await?
            .ok_or_else(not_found)?;
    decide(state, user, membership, couple)?
        .and_then(|access| access.plan(found))
        .and_then(|plan| plan.item(item))
        .ok_or_else(not_found)
}

/// A plan item of the caller's current, active couple, as the read cache found it (with its
/// plan); `None` when there is none or it is not that couple's, for the caller to decide from
/// the store instead.
pub async fn current_couples_item(
    state: &AppState,
    caller: &Caller,
    found: Option<(plan::Model, plan_item::Model)>,
) -> Result<Option<ItemAccess>, ApiError> {
    let Some((plan, item)) = found else {
        return Ok(None);
    };
    Ok(callers_couple(state, caller)
        .await?
        .and_then(|couple| couple.plan(plan))
        .and_then(|plan| plan.item(item)))
}

/// The plan, if the caller may change it: an active plan of their active couple.
fn plan_for_writing(access: PlanAccess) -> Result<PlanAccess, ApiError> {
    let PlanAccess { plan, couple } = access;
    let couple = for_writing(couple)?;
    if !plan.is_active()? {
        return Err(ApiError::new(ErrorCode::Forbidden, "this plan is archived"));
    }
    Ok(PlanAccess { plan, couple })
}

/// A plan the caller may change: an active plan of their active couple.
pub async fn writable_plan(
    state: &AppState,
    caller: &Caller,
    plan_id: Uuid,
) -> Result<PlanAccess, ApiError> {
    plan_for_writing(readable_plan(state, caller, plan_id).await?)
}

/// A plan item the caller may change or log: on an active plan of their active couple.
pub async fn writable_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<ItemAccess, ApiError> {
    let ItemAccess { item, plan } = readable_item(state, caller, item_id).await?;
    if !item.is_active()? {
        return Err(ApiError::not_found("plan item"));
    }
    Ok(ItemAccess {
        item,
        plan: plan_for_writing(plan)?,
    })
}

/// Whether the caller may log this item: ONE items are their assignee's to log.
pub fn may_log(item: &ItemAccess) -> Result<(), ApiError> {
    if item.item.assignee()?.includes(item.plan.couple.viewer) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "this ritual is your partner's to log",
        ))
    }
}

/// A completion with the decision on its item: for reading, or (`writing`) on an item the
/// caller may still change.
async fn completion_decision(
    state: &AppState,
    caller: &Caller,
    completion_id: Uuid,
    writing: bool,
) -> Result<CompletionAccess, ApiError> {
    let not_found = || ApiError::not_found("completion");
    let found = completion::find(&state.db, completion_id)
        .await?
        .ok_or_else(not_found)?;
    let item = if writing {
        writable_item(state, caller, found.plan_item_id).await
    } else {
        readable_item(state, caller, found.plan_item_id).await
    };
    item.map_err(|e| rename_not_found(e, "completion"))?
        .completion(found)
        .ok_or_else(not_found)
}

/// A completion the caller may read.
pub async fn readable_completion(
    state: &AppState,
    caller: &Caller,
    completion_id: Uuid,
) -> Result<CompletionAccess, ApiError> {
    completion_decision(state, caller, completion_id, false).await
}

/// A completion the caller may undo: one they logged, on an item they may still change.
pub async fn undoable_completion(
    state: &AppState,
    caller: &Caller,
    completion_id: Uuid,
) -> Result<CompletionAccess, ApiError> {
    let access = completion_decision(state, caller, completion_id, true).await?;
    if !access.mine {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the member who logged it can undo it",
        ));
    }
    Ok(access)
}

fn rename_not_found(err: ApiError, what: &str) -> ApiError {
    if err.code == ErrorCode::NotFound {
        ApiError::not_found(what)
    } else {
        err
    }
}

/// A decision about whose changes the caller may read in the changes feed: their own, and
/// those of the couple they are a member of now (pending or active). A couple they left is no
/// longer theirs to follow.
#[derive(Debug, Clone, Copy)]
pub struct ChangeAudience {
    user: Uuid,
    couple: Option<Uuid>,
}

impl ChangeAudience {
    pub fn user(&self) -> Uuid {
        self.user
    }

    pub fn couple(&self) -> Option<Uuid> {
        self.couple
    }
}

/// The caller's [`ChangeAudience`]; signed-in members only.
pub async fn change_audience(
    state: &AppState,
    caller: &Caller,
) -> Result<ChangeAudience, ApiError> {
    let user = require_user(caller)?.id;
    let couple = current_couple(state, caller)
        .await?
        .as_ref()
        .map(|(_, couple)| couple.id);
    Ok(ChangeAudience { user, couple })
}
