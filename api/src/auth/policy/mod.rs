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

mod assessments;
mod breaks;
mod checkins;
mod content;
mod couples;
mod decisions;
mod notifications;
mod operations;
mod organizations;

use domain::account::Role;
use entities::{session, user};
use uuid::Uuid;

use super::{AuthUser, Caller};
use crate::error::{ApiError, ErrorCode};

/// The signed-in user, or UNAUTHENTICATED.
pub fn require_user(caller: &Caller) -> Result<&AuthUser, ApiError> {
    match &caller.user {
        Some(user) => Ok(user),
        None if caller.api_key.is_some() => Err(ApiError::new(
            ErrorCode::Forbidden,
            "an API key acts for its organization, not for a person; this needs a person signed in",
        )),
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
) -> Result<SessionAccess, ApiError> {
    let user = require_user(caller)?;
    found
        .filter(|s| s.user_id == user.id)
        .map(|session| SessionAccess {
            current: session.id == user.session_id,
            session,
        })
        .ok_or_else(|| ApiError::not_found("session"))
}

pub use assessments::*;
pub use breaks::*;
pub use checkins::*;
pub use content::*;
pub use couples::*;
pub use decisions::*;
pub use notifications::*;
pub use operations::*;
pub use organizations::*;
