//! Members granting and revoking an organization's access to their couple.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::input::Reason;
use domain::webhook::EventType;
use entities::{access, organization};

use crate::auth::Caller;
use crate::auth::policy::{self, CoupleAccess};
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::graphql::organizations::{AccessScope, scopes_in};
use crate::state::AppState;

use super::{OrganizationAccessView, access_to, tell};

/// A grant to make.
#[derive(InputObject)]
pub struct GrantOrganizationAccessInput {
    /// The organization's ID (its coach gives it to you).
    pub organization_id: ID,
    /// What you let it read; at least one. Replaces what you granted it before.
    pub scopes: Vec<AccessScope>,
}

/// The organization's access after the grant.
#[derive(SimpleObject)]
pub struct GrantOrganizationAccessPayload {
    /// What it may read now, each member's grant and the history.
    pub access: OrganizationAccessView,
}

/// The organization whose access you take back.
#[derive(InputObject)]
pub struct RevokeOrganizationAccessInput {
    /// The organization's ID.
    pub organization_id: ID,
}

/// The organization's access after the revocation.
#[derive(SimpleObject)]
pub struct RevokeOrganizationAccessPayload {
    /// What it may read now (nothing), each member's grant and the history.
    pub access: OrganizationAccessView,
}

/// The caller as a member who may grant or revoke, with the organization's row ID.
async fn consenting(
    ctx: &Context<'_>,
    organization_id: &ID,
) -> Result<(CoupleAccess, uuid::Uuid, uuid::Uuid), ApiError> {
    let state = ctx.data::<AppState>()?;
    let caller = ctx.data::<Caller>()?;
    let org_id = decode_id_of(
        organization_id,
        NodeKind::Organization,
        "input.organizationId",
    )?;
    let (couple, user) = policy::consenting_member(state, caller).await?;
    Ok((couple, user, org_id))
}

/// NOT_FOUND unless the organization exists (read in the writing transaction).
async fn existing_organization<C: entities::sea_orm::ConnectionTrait>(
    db: &C,
    organization_id: uuid::Uuid,
) -> Result<(), ApiError> {
    organization::find(db, organization_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(())
}

#[derive(Default)]
pub struct CoachingMutation;

#[Object]
impl CoachingMutation {
    /// Grants an organization access to your couple's data with these scopes. It sees only
    /// what both of you granted; until your partner grants too it sees nothing.
    async fn grant_organization_access(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `GrantOrganizationAccessInput`.")]
        input: GrantOrganizationAccessInput,
    ) -> Result<GrantOrganizationAccessPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let (couple, user, org_id) = consenting(ctx, &input.organization_id).await?;
        if let Some(i) = input
            .scopes
            .iter()
            .position(|s| !domain::organization::Scope::from(*s).grantable())
        {
            return Err(ApiError::invalid(
                format!("input.scopes.{i}"),
                Reason::NotOneOf,
                "WEBHOOKS is for an organization's API keys: a couple grants what it may read",
            ));
        }
        let scopes = scopes_in(&input.scopes);
        if scopes.is_empty() {
            return Err(ApiError::invalid(
                "input.scopes",
                Reason::TooFew,
                "grant at least one scope, or revoke the organization's access",
            ));
        }
        let mut write = state.writer.begin(state.clock.now()).await?;
        existing_organization(&*write, org_id).await?;
        access::grant(&*write, couple.id(), org_id, user, &scopes, write.now()).await?;
        // The organization hears of the couple only once both granted it something.
        tell(
            &mut write,
            couple.id(),
            org_id,
            EventType::ConsentGranted,
            2,
        )
        .await?;
        write.commit().await?;
        let view = access_to(state, &couple, org_id).await?;
        Ok(GrantOrganizationAccessPayload { access: view })
    }

    /// Takes back your grant to an organization, effective on its next request. Taking back
    /// what was not granted changes nothing.
    async fn revoke_organization_access(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RevokeOrganizationAccessInput`.")]
        input: RevokeOrganizationAccessInput,
    ) -> Result<RevokeOrganizationAccessPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let (couple, user, org_id) = consenting(ctx, &input.organization_id).await?;
        let mut write = state.writer.begin(state.clock.now()).await?;
        existing_organization(&*write, org_id).await?;
        let revoked = access::revoke(&*write, couple.id(), org_id, user, write.now()).await?;
        // It knew of the couple only if the partner's grant stood beside the one taken back.
        if revoked {
            tell(
                &mut write,
                couple.id(),
                org_id,
                EventType::ConsentRevoked,
                1,
            )
            .await?;
        }
        write.commit().await?;
        let view = access_to(state, &couple, org_id).await?;
        Ok(RevokeOrganizationAccessPayload { access: view })
    }
}
