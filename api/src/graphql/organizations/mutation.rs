//! Making organizations and their API keys, and revoking keys.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::input::Reason;
use domain::organization::{OrganizationName, PresentedKey, key_name};
use entities::{api_key, organization, user};

use crate::auth::policy;
use crate::auth::{Caller, secret_token};
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

use super::{AccessScope, ApiKey, Organization, scopes_in};

/// A new key, with its secret: shown this once and never again.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key as it will be listed.
    pub api_key: ApiKey,
    /// Send it as `Authorization: Bearer <secret>`. Store it now: it cannot be shown again.
    pub secret: String,
}

/// An organization to make.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// 1 to 100 characters.
    pub name: String,
    /// The email of an existing coach account (made with `rekindle-api user create --role
    /// coach`) that becomes its first admin; a coach belongs to one organization.
    pub owner_email: String,
}

/// An API key to make.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// 1 to 60 characters, to tell keys apart.
    pub name: String,
    /// What it may read; at least one.
    pub scopes: Vec<AccessScope>,
    /// When it stops working; must be in the future. Omit for a key that lasts until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The organization made.
#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    /// The new organization.
    pub organization: Organization,
}

/// The key to revoke.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key's ID.
    pub api_key_id: ID,
}

/// The key revoked.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The key, with when it was revoked.
    pub api_key: ApiKey,
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Administrators only: makes an organization with an existing coach as its first admin.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateOrganizationInput`.")]
        input: CreateOrganizationInput,
    ) -> Result<CreateOrganizationPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let operator = policy::operator(caller)?;
        let name = OrganizationName::parse(&input.name).ok_or_else(|| {
            ApiError::invalid(
                "input.name",
                name_reason(&input.name, 100),
                "name must be one line of 1 to 100 characters",
            )
        })?;
        let now = state.clock.now();
        let org = create(&state.db, &name, &input.owner_email, now, Some(&operator)).await?;
        let access = policy::readable_organization(state, caller, org.id).await?;
        Ok(CreateOrganizationPayload {
            organization: Organization(access),
        })
    }

    /// An organization's admins only: makes an API key. Its secret is in the answer only.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateApiKeyInput`.")]
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let (org, user) = policy::managed_organization(state, caller).await?;
        let name = key_name(&input.name).ok_or_else(|| {
            ApiError::invalid(
                "input.name",
                name_reason(&input.name, 60),
                "name must be one line of 1 to 60 characters",
            )
        })?;
        let scopes = scopes_in(&input.scopes);
        if scopes.is_empty() {
            return Err(ApiError::invalid(
                "input.scopes",
                Reason::TooFew,
                "a key needs at least one scope",
            ));
        }
        let now = state.clock.now();
        if input.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiError::invalid(
                "input.expiresAt",
                Reason::OutOfRange,
                "expiresAt must be in the future",
            ));
        }
        let id = uuid::Uuid::now_v7();
        let secret = secret_token::new_secret();
        let row = api_key::create(
            &state.db,
            api_key::NewKey {
                id,
                organization_id: org.organization().id,
                name: &name,
                secret_hash: secret_token::digest(&secret),
                scopes: &scopes,
                created_by: user.id,
                expires_at: input.expires_at,
            },
            now,
        )
        .await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(row),
            secret: PresentedKey::format(id, &secret),
        })
    }

    /// An organization's admins only: revokes one of its keys, from the next request on; its
    /// open WebSockets close (4401) on every api instance. Revoking a revoked key changes
    /// nothing.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RevokeApiKeyInput`.")]
        input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let key_id = decode_id_of(&input.api_key_id, NodeKind::ApiKey, "input.apiKeyId")?;
        let (org, _) = policy::managed_organization(state, caller).await?;
        let found = api_key::find(&state.db, key_id).await?;
        let key = policy::managed_key(&org, found)?;
        let revoked = api_key::revoke(&state.db, key.id, state.clock.now())
            .await?
            .ok_or_else(|| ApiError::not_found("API key"))?;
        state
            .session_events
            .publish(crate::auth::session_events::SessionsEnded::ApiKey(
                revoked.id,
            ))
            .await;
        Ok(RevokeApiKeyPayload {
            api_key: ApiKey(revoked),
        })
    }
}

/// Makes an organization with `owner_email`'s coach account as its admin, recorded in the
/// audit log with it as the operator's action, or the command line's when there is none.
pub async fn create(
    db: &entities::sea_orm::DatabaseConnection,
    name: &OrganizationName,
    owner_email: &str,
    now: DateTime<Utc>,
    operator: Option<&policy::OperatorAccess>,
) -> Result<organization::Model, ApiError> {
    let email = domain::account::Email::parse(owner_email).map_err(|_| {
        ApiError::invalid(
            "input.ownerEmail",
            Reason::NotAnEmail,
            "ownerEmail is not an email address",
        )
    })?;
    let txn = entities::begin_write(db).await?;
    let owner = user::find_by_email(&txn, email.as_str())
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "input.ownerEmail",
                Reason::NotOneOf,
                "no account has that email",
            )
        })?;
    if owner.role()? != domain::account::Role::Coach {
        return Err(ApiError::invalid(
            "input.ownerEmail",
            Reason::NotOneOf,
            "the owner must be a coach account (rekindle-api user create --role coach)",
        ));
    }
    if organization::member::of_user(&txn, owner.id)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "that coach already belongs to an organization",
        ));
    }
    let org = organization::create(&txn, name, owner.id, now).await?;
    let entry = entities::audit::Entry {
        actor: operator.map_or(entities::audit::COMMAND_LINE, policy::OperatorAccess::actor),
        action: "organization.create",
        target_kind: "organization",
        target_id: global_id(NodeKind::Organization, org.id).0,
        detail: serde_json::json!({ "owner": global_id(NodeKind::User, owner.id).0 }),
    };
    entities::audit::record(&txn, entry, now).await?;
    txn.commit().await?;
    tracing::info!(organization.id = %org.id, "organization created");
    Ok(org)
}

/// Why a one-line name of at most `max` characters was refused.
fn name_reason(raw: &str, max: usize) -> Reason {
    domain::input::length_reason(raw.trim().chars().count(), max).unwrap_or(Reason::BadCharacters)
}
