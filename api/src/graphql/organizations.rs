//! Coaching organizations, their coaches and their API keys.

mod mutation;

pub use mutation::{OrganizationMutation, create};

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::organization::{Scopes, key_hint};
use entities::{api_key, organization, user};

use crate::auth::Caller;
use crate::auth::policy::{self, OrgView, OrganizationAccess};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
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
    /// For an API key only (a couple cannot grant it): manage the organization's webhook
    /// endpoints (create, disable, rotate, redeliver, list deliveries) and ping them.
    Webhooks,
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

    /// Its webhook endpoints, oldest first: for its admins and its API keys with the WEBHOOKS
    /// scope.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::webhooks::WebhookEndpoint>, ApiError> {
        self.0.manages_webhooks()?;
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
                let id = decode_id_of(&id, NodeKind::Organization, "id")?;
                match policy::readable_organization(state, caller, id).await {
                    Ok(access) => Ok(Some(Organization(access))),
                    Err(err) if err.code == ErrorCode::NotFound => Ok(None),
                    Err(err) => Err(err),
                }
            }
        }
    }
}
