//! The one authorization policy (DESIGN.md's privacy rules 1 and 4). Every resolver that reads
//! or writes couple or account data asks here; a foreign object answers exactly like a missing
//! one, so IDs never reveal that something exists.

use chrono::Utc;
use domain::account::Role;
use entities::{completion, couple, couple_member, plan, plan_item};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{AuthUser, Caller};
use crate::error::{ApiError, ErrorCode};

/// The signed-in user, or UNAUTHENTICATED.
pub fn require_user(caller: &Caller) -> Result<&AuthUser, ApiError> {
    match &caller.user {
        Some(user) => Ok(user),
        None if caller.credential_rejected => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "the access token is invalid, expired or revoked; refresh the session or sign in again",
        )),
        None => Err(ApiError::new(ErrorCode::Unauthenticated, "sign in first")),
    }
}

/// An operator, or FORBIDDEN (UNAUTHENTICATED when nobody is signed in).
pub fn require_admin(caller: &Caller) -> Result<&AuthUser, ApiError> {
    let user = require_user(caller)?;
    if user.role == Role::Admin {
        Ok(user)
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only an administrator may do this",
        ))
    }
}

/// Whether the caller may see a user's account: themself, or an administrator (accounts are
/// operations data; nothing intimate hangs off a user record).
pub fn can_view_account(caller: &Caller, user_id: Uuid) -> bool {
    caller
        .user
        .as_ref()
        .is_some_and(|u| u.id == user_id || u.role == Role::Admin)
}

/// How the caller stands to a couple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A current member of the couple.
    Member,
    /// A former member of an archived couple, inside the 30 days its shared data is kept.
    FormerMember,
}

/// A couple the caller may read, with how they stand to it.
#[derive(Debug, Clone)]
pub struct CoupleAccess {
    pub couple: couple::Model,
    pub standing: Standing,
}

/// The couple, if the caller may read it; NOT_FOUND otherwise, the same as for a missing one.
/// Administrators get no special access: a couple's data is private content.
pub async fn readable_couple<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoupleAccess, ApiError> {
    let user = require_user(caller)?;
    let not_found = || ApiError::not_found("couple");
    let membership = couple_member::find(db, couple_id, user.id)
        .await?
        .ok_or_else(not_found)?;
    let couple = couple::find(db, couple_id).await?.ok_or_else(not_found)?;
    if membership.is_current() && couple.is_active() {
        return Ok(CoupleAccess {
            couple,
            standing: Standing::Member,
        });
    }
    let within_retention = couple
        .shared_data_delete_after
        .is_some_and(|deadline| deadline > Utc::now());
    if within_retention {
        Ok(CoupleAccess {
            couple,
            standing: Standing::FormerMember,
        })
    } else {
        Err(not_found())
    }
}

/// The couple, if the caller may change it: a current member of an active couple. A former
/// member, who can still read it, gets FORBIDDEN.
pub async fn writable_couple<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<couple::Model, ApiError> {
    let access = readable_couple(db, caller, couple_id).await?;
    match access.standing {
        Standing::Member => Ok(access.couple),
        Standing::FormerMember => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this couple is archived: its shared data is read-only until it is deleted",
        )),
    }
}

/// The couple whose custom rituals the caller may see: their active couple, if any.
pub async fn callers_couple<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
) -> Result<Option<Uuid>, ApiError> {
    match &caller.user {
        Some(user) => Ok(couple_member::active_for_user(db, user.id)
            .await?
            .map(|m| m.couple_id)),
        None => Ok(None),
    }
}

/// A plan the caller may read, with the couple it belongs to.
pub async fn readable_plan<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    plan_id: Uuid,
) -> Result<(plan::Model, CoupleAccess), ApiError> {
    let found = plan::find(db, plan_id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let access = readable_couple(db, caller, found.couple_id)
        .await
        .map_err(|e| rename_not_found(e, "plan"))?;
    Ok((found, access))
}

/// A plan the caller may change: an active plan of their active couple.
pub async fn writable_plan<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    plan_id: Uuid,
) -> Result<(plan::Model, couple::Model), ApiError> {
    let found = plan::find(db, plan_id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let couple = writable_couple(db, caller, found.couple_id)
        .await
        .map_err(|e| rename_not_found(e, "plan"))?;
    if !found.is_active() {
        return Err(ApiError::new(ErrorCode::Forbidden, "this plan is archived"));
    }
    Ok((found, couple))
}

/// A plan item the caller may read, with its plan and couple.
pub async fn readable_item<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    item_id: Uuid,
) -> Result<(plan_item::Model, plan::Model, CoupleAccess), ApiError> {
    let item = plan_item::find(db, item_id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan item"))?;
    let (plan, access) = readable_plan(db, caller, item.plan_id)
        .await
        .map_err(|e| rename_not_found(e, "plan item"))?;
    Ok((item, plan, access))
}

/// A plan item the caller may change or log: on an active plan of their active couple.
pub async fn writable_item<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    item_id: Uuid,
) -> Result<(plan_item::Model, plan::Model, couple::Model), ApiError> {
    let item = plan_item::find(db, item_id)
        .await?
        .filter(|i| i.status == plan_item::ACTIVE)
        .ok_or_else(|| ApiError::not_found("plan item"))?;
    let (plan, couple) = writable_plan(db, caller, item.plan_id)
        .await
        .map_err(|e| rename_not_found(e, "plan item"))?;
    Ok((item, plan, couple))
}

/// A completion's note as `viewer` may read it: its author always, the partner only if shared.
pub fn visible_note(completion: &completion::Model, viewer: Option<Uuid>) -> Option<String> {
    let mine = viewer == Some(completion.user_id);
    (mine || completion.note_shared)
        .then(|| completion.note.clone())
        .flatten()
}

fn rename_not_found(err: ApiError, what: &str) -> ApiError {
    if err.code == ErrorCode::NotFound {
        ApiError::not_found(what)
    } else {
        err
    }
}
