//! Decisions for operators (DESIGN.md rule 4): administrators see accounts, operations and
//! aggregates through [`OperatorAccess`], which only this module makes; nothing built from it
//! reads a couple's content.

use domain::operations::Standing;
use entities::sea_orm::ConnectionTrait;
use entities::{couple_member, organization, user};
use uuid::Uuid;

use super::require_admin;
use crate::auth::Caller;
use crate::error::ApiError;

/// A decision that the caller operates the service: an administrator, named for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct OperatorAccess {
    actor: Uuid,
}

impl OperatorAccess {
    /// The administrator acting, as the audit log records them.
    pub fn actor(&self) -> Uuid {
        self.actor
    }
}

/// The caller as an operator, or FORBIDDEN (UNAUTHENTICATED when nobody is signed in).
pub fn operator(caller: &Caller) -> Result<OperatorAccess, ApiError> {
    Ok(OperatorAccess {
        actor: require_admin(caller)?.id,
    })
}

/// An account an operator is about to change, with where it stands now (read in `db`, the
/// change's transaction); NOT_FOUND when there is none.
pub async fn managed_account<C: ConnectionTrait>(
    db: &C,
    operator: &OperatorAccess,
    id: Uuid,
) -> Result<(user::Model, Standing), ApiError> {
    let account = user::find_by_id(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let standing = Standing {
        role: account.role()?,
        in_couple: couple_member::active_for_user(db, id).await?.is_some(),
        in_organization: organization::member::of_user(db, id).await?.is_some(),
        own: id == operator.actor,
    };
    Ok((account, standing))
}
