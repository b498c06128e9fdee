//! The one authorization policy (DESIGN.md's privacy rules 1 and 4).
//!
//! A decision is a value only this module can make: [`CoupleAccess`], [`PlanAccess`],
//! [`ItemAccess`], [`CompletionAccess`], [`MemberAccess`] and [`AccountAccess`] have private
//! fields and no public constructor. Every GraphQL object that shows couple, member or account
//! data is built from one, and a nested object is built from its parent's decision through the
//! methods here, which check that the child belongs to the parent. A foreign object answers
//! exactly like a missing one, so IDs never reveal that something exists.
//!
//! Building a couple's object without a decision does not compile:
//!
//! ```compile_fail
//! use rekindle_api::auth::policy::{CoupleAccess, Standing};
//! use rekindle_api::graphql::couple::types::Couple;
//!
//! fn forge(couple: entities::couple::Model) -> Couple {
//!     Couple::new(CoupleAccess { couple, standing: Standing::Member, viewer: uuid::Uuid::nil() })
//! }
//! ```

use domain::account::Role;
use entities::{completion, couple, couple_member, plan, plan_item, session, user};
use uuid::Uuid;

use super::{AuthUser, Caller};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

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

/// The signed-in user if they have `role`; FORBIDDEN with `refusal` otherwise.
fn require_role<'a>(
    caller: &'a Caller,
    role: Role,
    refusal: &str,
) -> Result<&'a AuthUser, ApiError> {
    let user = require_user(caller)?;
    if user.role == role {
        Ok(user)
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, refusal))
    }
}

/// An operator, or FORBIDDEN (UNAUTHENTICATED when nobody is signed in).
pub fn require_admin(caller: &Caller) -> Result<&AuthUser, ApiError> {
    require_role(caller, Role::Admin, "only an administrator may do this")
}

/// Couples are for members: coaches and administrators take part in no couple of their own.
pub fn may_be_in_couple(caller: &Caller) -> Result<&AuthUser, ApiError> {
    require_role(
        caller,
        Role::Member,
        "coach and administrator accounts cannot be in a couple",
    )
}

/// A decision that the caller may see an account: their own, or any for an administrator
/// (accounts are operations data; nothing intimate hangs off a user record).
#[derive(Debug, Clone)]
pub struct AccountAccess {
    account: user::Model,
    own: bool,
}

impl AccountAccess {
    pub fn account(&self) -> &user::Model {
        &self.account
    }

    /// Whether the caller is this account's owner.
    pub fn is_own(&self) -> bool {
        self.own
    }
}

/// The caller's own account, as read when the request was authenticated.
pub fn own_account(caller: &Caller) -> Result<AccountAccess, ApiError> {
    let user = require_user(caller)?;
    Ok(AccountAccess {
        account: user.account.clone(),
        own: true,
    })
}

/// The account a sign-in (or the caller's own change) just vouched for.
pub fn signed_in_account(account: user::Model) -> AccountAccess {
    AccountAccess { account, own: true }
}

/// An account the caller may see, if they may; `None` answers exactly like a missing one.
pub fn account(caller: &Caller, account: user::Model) -> Option<AccountAccess> {
    let user = caller.user.as_ref()?;
    let own = user.id == account.id;
    (own || user.role == Role::Admin).then_some(AccountAccess { account, own })
}

/// Whether the caller may look an account up by ID (before reading it).
pub fn may_view_account(caller: &Caller, user_id: Uuid) -> bool {
    caller
        .user
        .as_ref()
        .is_some_and(|u| u.id == user_id || u.role == Role::Admin)
}

/// One of the caller's own sessions; another user's is NOT_FOUND, the same as a missing one.
pub fn own_session(
    caller: &Caller,
    found: Option<session::Model>,
) -> Result<session::Model, ApiError> {
    let user = require_user(caller)?;
    found
        .filter(|s| s.user_id == user.id)
        .ok_or_else(|| ApiError::not_found("session"))
}

/// How the caller stands to a couple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A current member of the couple.
    Member,
    /// A former member of an archived couple, inside the 30 days its shared data is kept.
    FormerMember,
}

/// A decision that the caller may read a couple, and how they stand to it.
#[derive(Debug, Clone)]
pub struct CoupleAccess {
    couple: couple::Model,
    standing: Standing,
    viewer: Uuid,
}

impl CoupleAccess {
    pub fn couple(&self) -> &couple::Model {
        &self.couple
    }

    pub fn id(&self) -> Uuid {
        self.couple.id
    }

    pub fn standing(&self) -> Standing {
        self.standing
    }

    /// Who the decision was made for.
    pub fn viewer(&self) -> Uuid {
        self.viewer
    }

    /// A plan, if it is this couple's.
    pub fn plan(&self, plan: plan::Model) -> Option<PlanAccess> {
        (plan.couple_id == self.couple.id).then(|| PlanAccess {
            plan,
            couple: self.clone(),
        })
    }

    /// A member row with its account, if it is this couple's.
    pub fn member(
        &self,
        member: couple_member::Model,
        account: user::Model,
    ) -> Option<MemberAccess> {
        (member.couple_id == self.couple.id && member.user_id == account.id).then(|| MemberAccess {
            is_me: account.id == self.viewer,
            member,
            account,
        })
    }

    /// The couple after the caller changed it (the same decision, the newer row).
    pub fn updated(self, couple: couple::Model) -> Option<CoupleAccess> {
        (couple.id == self.couple.id).then_some(CoupleAccess { couple, ..self })
    }
}

/// A member of a couple the caller may read, as their partner sees them.
#[derive(Debug, Clone)]
pub struct MemberAccess {
    member: couple_member::Model,
    account: user::Model,
    is_me: bool,
}

impl MemberAccess {
    pub fn member(&self) -> &couple_member::Model {
        &self.member
    }

    pub fn account(&self) -> &user::Model {
        &self.account
    }

    pub fn is_me(&self) -> bool {
        self.is_me
    }
}

/// A decision that the caller may read a plan.
#[derive(Debug, Clone)]
pub struct PlanAccess {
    plan: plan::Model,
    couple: CoupleAccess,
}

impl PlanAccess {
    pub fn plan(&self) -> &plan::Model {
        &self.plan
    }

    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }

    /// An item, if it is on this plan.
    pub fn item(&self, item: plan_item::Model) -> Option<ItemAccess> {
        (item.plan_id == self.plan.id).then(|| ItemAccess {
            item,
            plan: self.clone(),
        })
    }

    /// The plan after the caller changed it.
    pub fn updated(self, plan: plan::Model) -> Option<PlanAccess> {
        (plan.id == self.plan.id).then_some(PlanAccess { plan, ..self })
    }
}

/// A decision that the caller may read a plan item.
#[derive(Debug, Clone)]
pub struct ItemAccess {
    item: plan_item::Model,
    plan: PlanAccess,
}

impl ItemAccess {
    pub fn item(&self) -> &plan_item::Model {
        &self.item
    }

    pub fn plan(&self) -> &PlanAccess {
        &self.plan
    }

    /// A completion of this item, with its note as the caller may read it: its author always,
    /// the partner only if shared.
    pub fn completion(&self, completion: completion::Model) -> Option<CompletionAccess> {
        if completion.plan_item_id != self.item.id {
            return None;
        }
        let viewer = self.plan.couple.viewer;
        let mine = completion.user_id == viewer;
        let note = (mine || completion.note_shared)
            .then(|| completion.note.clone())
            .flatten();
        Some(CompletionAccess {
            completion,
            note,
            mine,
            item: self.clone(),
        })
    }

    /// The item after the caller changed it.
    pub fn updated(self, item: plan_item::Model) -> Option<ItemAccess> {
        (item.id == self.item.id).then_some(ItemAccess { item, ..self })
    }
}

/// A decision that the caller may read a completion, with the note as they may see it.
#[derive(Debug, Clone)]
pub struct CompletionAccess {
    completion: completion::Model,
    note: Option<String>,
    mine: bool,
    item: ItemAccess,
}

impl CompletionAccess {
    pub fn completion(&self) -> &completion::Model {
        &self.completion
    }

    /// The note, if the caller may read it.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Whether the caller logged it.
    pub fn is_mine(&self) -> bool {
        self.mine
    }

    pub fn item(&self) -> &ItemAccess {
        &self.item
    }
}

/// The caller's current couple (membership and couple), read once per request.
async fn current_couple<'a>(
    state: &AppState,
    caller: &'a Caller,
) -> Result<&'a super::CurrentCouple, ApiError> {
    let user = require_user(caller)?;
    caller
        .current_couple
        .get_or_try_init(|| async {
            couple_member::current_with_couple(&state.db, user.id)
                .await
                .map_err(ApiError::from)
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

/// Whose custom rituals the caller may see besides the catalog: their active couple's.
pub async fn ritual_scope(state: &AppState, caller: &Caller) -> Result<Option<Uuid>, ApiError> {
    if caller.user.is_none() {
        return Ok(None);
    }
    Ok(callers_couple(state, caller)
        .await?
        .map(|access| access.id()))
}

/// The couple, if the caller may read it; NOT_FOUND otherwise, the same as for a missing one.
/// Administrators get no special access: a couple's data is private content.
pub async fn readable_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<CoupleAccess, ApiError> {
    let user = require_user(caller)?;
    if let Some(current) = callers_couple(state, caller).await?
        && current.id() == couple_id
    {
        return Ok(current);
    }
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

/// A plan and the caller's decision on its couple, in one statement.
async fn plan_decision(
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

/// A plan item and the caller's decision on its couple, in one statement.
async fn item_decision(
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

/// A plan the caller may read.
pub async fn readable_plan(
    state: &AppState,
    caller: &Caller,
    plan_id: Uuid,
) -> Result<PlanAccess, ApiError> {
    plan_decision(state, caller, plan_id).await
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
    plan_for_writing(plan_decision(state, caller, plan_id).await?)
}

/// A plan item the caller may read.
pub async fn readable_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<ItemAccess, ApiError> {
    item_decision(state, caller, item_id).await
}

/// A plan item the caller may change or log: on an active plan of their active couple.
pub async fn writable_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<ItemAccess, ApiError> {
    let ItemAccess { item, plan } = item_decision(state, caller, item_id).await?;
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

/// A completion the caller may read.
pub async fn readable_completion(
    state: &AppState,
    caller: &Caller,
    completion_id: Uuid,
) -> Result<CompletionAccess, ApiError> {
    let not_found = || ApiError::not_found("completion");
    let found = completion::find(&state.db, completion_id)
        .await?
        .ok_or_else(not_found)?;
    readable_item(state, caller, found.plan_item_id)
        .await
        .map_err(|e| rename_not_found(e, "completion"))?
        .completion(found)
        .ok_or_else(not_found)
}

/// A completion the caller may undo: one they logged, on an item they may still change.
pub async fn undoable_completion(
    state: &AppState,
    caller: &Caller,
    completion_id: Uuid,
) -> Result<CompletionAccess, ApiError> {
    let not_found = || ApiError::not_found("completion");
    let found = completion::find(&state.db, completion_id)
        .await?
        .ok_or_else(not_found)?;
    let access = writable_item(state, caller, found.plan_item_id)
        .await
        .map_err(|e| rename_not_found(e, "completion"))?
        .completion(found)
        .ok_or_else(not_found)?;
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
