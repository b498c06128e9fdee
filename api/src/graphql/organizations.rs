//! Coaching organizations, their coaches and their API keys.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::organization::{OrganizationName, PresentedKey, Scopes, key_hint, key_name};
use entities::{api_key, organization, user};

use crate::auth::policy::{self, OrgView, OrganizationAccess};
use crate::auth::{Caller, secret_token};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::node::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

/// What an organization may read of a couple that granted it access.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::organization::Scope")]
pub enum AccessScope {
    /// Weekly rates, streaks and the balance of rituals.
    Progress,
    /// The plans, their items and what was logged (never a note).
    Plans,
    /// The bands of results their owner shared with the couple (never answers or safety flags).
    AssessmentResults,
}

pub fn scopes_out(scopes: &Scopes) -> Vec<AccessScope> {
    scopes.iter().map(|s| AccessScope::from(*s)).collect()
}

pub fn scopes_in(scopes: &[AccessScope]) -> Scopes {
    scopes
        .iter()
        .map(|s| domain::organization::Scope::from(*s))
        .collect()
}

/// A coach's part in their organization.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::organization::OrgRole")]
pub enum OrganizationRole {
    /// Manages the organization: its API keys (and, to come, its coaches and webhooks).
    Admin,
    /// Coaches the couples that granted the organization access.
    Coach,
}

/// A coach in an organization, as their colleagues see them.
#[derive(SimpleObject)]
pub struct OrganizationCoach {
    /// The coach's user ID.
    pub user_id: ID,
    /// The name the coach goes by.
    pub display_name: String,
    /// Their part in the organization.
    pub role: OrganizationRole,
    /// When they joined it.
    pub joined_at: DateTime<Utc>,
}

/// A coaching platform: its coaches, and the API keys its servers call with.
pub struct Organization(pub OrganizationAccess);

/// A coaching platform: its coaches, and the API keys its servers call with.
#[Object]
impl Organization {
    /// The organization's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.0.organization().id)
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.organization().name
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.organization().created_at
    }

    /// The caller's part in it; null unless they coach there.
    async fn my_role(&self) -> Option<OrganizationRole> {
        match self.0.view() {
            OrgView::Coach(role) => Some(role.into()),
            _ => None,
        }
    }

    /// Its coaches, in joining order: for its coaches, its API keys and administrators.
    async fn coaches(&self, ctx: &Context<'_>) -> Result<Vec<OrganizationCoach>, ApiError> {
        self.0.sees_coaches()?;
        let state = ctx.data::<AppState>()?;
        let members =
            organization::member::of_organization(&state.db, self.0.organization().id).await?;
        let ids: Vec<_> = members.iter().map(|m| m.user_id).collect();
        let users = user::by_ids(&state.db, &ids).await?;
        members
            .into_iter()
            .filter_map(|m| {
                let account = users.iter().find(|u| u.id == m.user_id)?;
                Some((m, account.display_name.clone()))
            })
            .map(|(m, display_name)| {
                Ok(OrganizationCoach {
                    user_id: global_id(NodeKind::User, m.user_id),
                    display_name,
                    role: m.role()?.into(),
                    joined_at: m.joined_at,
                })
            })
            .collect()
    }

    /// Its webhook endpoints, oldest first: for its admins only.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::webhooks::WebhookEndpoint>, ApiError> {
        self.0.manages()?;
        let state = ctx.data::<AppState>()?;
        Ok(
            entities::webhook::of_organization(&state.db, self.0.organization().id)
                .await?
                .into_iter()
                .map(crate::graphql::webhooks::WebhookEndpoint)
                .collect(),
        )
    }

    /// The rituals it wrote, oldest first: for its coaches and API keys.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn rituals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<
        Connection<String, crate::graphql::ritual::types::Ritual, ConnectionTotals, EmptyFields>,
        ApiError,
    > {
        let state = ctx.data::<AppState>()?;
        crate::graphql::organization_content::rituals_of(state, &self.0, first, after).await
    }

    /// Every version of the instruments it wrote, oldest first: for its coaches and API keys.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn instruments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<
        Connection<
            String,
            crate::graphql::assessment::instruments::InstrumentNode,
            ConnectionTotals,
            EmptyFields,
        >,
        ApiError,
    > {
        let state = ctx.data::<AppState>()?;
        crate::graphql::organization_content::instruments_of(state, &self.0, first, after).await
    }

    /// Its API keys, oldest first: for its admins only.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, ApiKey, ConnectionTotals, EmptyFields>, ApiError> {
        self.0.manages()?;
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page =
            api_key::page_for_organization(&state.db, self.0.organization().id, &request).await?;
        Ok(connection_of(page, |row| {
            Some((row.id.to_string(), ApiKey(row)))
        }))
    }
}

/// An API key, as its organization's admins see it (never its secret).
pub struct ApiKey(api_key::Model);

impl ApiKey {
    /// The key, when the caller manages its organization; NOT_FOUND (or FORBIDDEN) otherwise.
    pub fn managed(
        organization: &OrganizationAccess,
        key: Option<api_key::Model>,
    ) -> Result<Self, ApiError> {
        policy::managed_key(organization, key).map(Self)
    }
}

/// An API key, as its organization's admins see it (never its secret).
#[Object]
impl ApiKey {
    /// The key's global ID (for `revokeApiKey`).
    pub async fn id(&self) -> ID {
        global_id(NodeKind::ApiKey, self.0.id)
    }

    /// The name it was given.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The start and end of the key, to tell keys apart.
    async fn hint(&self) -> String {
        key_hint(self.0.id)
    }

    /// What it may read of what couples granted the organization.
    async fn scopes(&self) -> Result<Vec<AccessScope>, ApiError> {
        Ok(scopes_out(&self.0.scopes()?))
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it stops working by itself; null for never.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// When it was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// When a call was last made with it (to the minute); null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
}

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
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// An organization: by ID (any signed-in caller sees its name, to know whom they grant
    /// access), or without one the caller's own (a coach's, or an API key's; null for others).
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's ID; omit for your own.")] id: Option<ID>,
    ) -> Result<Option<Organization>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        match id {
            None => Ok(policy::callers_organization(state, caller)
                .await?
                .map(Organization)),
            Some(id) => {
                let id = decode_id_of(&id, NodeKind::Organization, "organization")?;
                match policy::readable_organization(state, caller, id).await {
                    Ok(access) => Ok(Some(Organization(access))),
                    Err(err) if err.code == ErrorCode::NotFound => Ok(None),
                    Err(err) => Err(err),
                }
            }
        }
    }
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
        let name = OrganizationName::parse(&input.name)
            .ok_or_else(|| ApiError::bad_input("name must be one line of 1 to 100 characters"))?;
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
        let name = key_name(&input.name)
            .ok_or_else(|| ApiError::bad_input("name must be one line of 1 to 60 characters"))?;
        let scopes = scopes_in(&input.scopes);
        if scopes.is_empty() {
            return Err(ApiError::bad_input("a key needs at least one scope"));
        }
        let now = state.clock.now();
        if input.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiError::bad_input("expiresAt must be in the future"));
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

    /// An organization's admins only: revokes one of its keys, from the next request on.
    /// Revoking a revoked key changes nothing.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RevokeApiKeyInput`.")]
        input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let key_id = decode_id_of(&input.api_key_id, NodeKind::ApiKey, "API key")?;
        let (org, _) = policy::managed_organization(state, caller).await?;
        let found = api_key::find(&state.db, key_id).await?;
        let key = policy::managed_key(&org, found)?;
        let revoked = api_key::revoke(&state.db, key.id, state.clock.now())
            .await?
            .ok_or_else(|| ApiError::not_found("API key"))?;
        Ok(RevokeApiKeyPayload {
            api_key: ApiKey(revoked),
        })
    }
}

/// Makes an organization with `owner_email`'s coach account as its admin; an operator's
/// action is recorded in the audit log with it (the command line has no operator).
pub async fn create(
    db: &entities::sea_orm::DatabaseConnection,
    name: &OrganizationName,
    owner_email: &str,
    now: DateTime<Utc>,
    operator: Option<&policy::OperatorAccess>,
) -> Result<organization::Model, ApiError> {
    let email = domain::account::Email::parse(owner_email)
        .map_err(|_| ApiError::bad_input("ownerEmail is not an email address"))?;
    let txn = entities::begin_write(db).await?;
    let owner = user::find_by_email(&txn, email.as_str())
        .await?
        .ok_or_else(|| ApiError::bad_input("no account has that email"))?;
    if owner.role()? != domain::account::Role::Coach {
        return Err(ApiError::bad_input(
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
    if let Some(operator) = operator {
        let entry = entities::audit::Entry {
            actor: operator.actor(),
            action: "organization.create",
            target_kind: "organization",
            target_id: global_id(NodeKind::Organization, org.id).0,
            detail: serde_json::json!({ "owner": global_id(NodeKind::User, owner.id).0 }),
        };
        entities::audit::record(&txn, entry, now).await?;
    }
    txn.commit().await?;
    tracing::info!(organization.id = %org.id, "organization created");
    Ok(org)
}
