//! Decisions about coaching organizations: who may see and manage one, and what a coach or an
//! organization's API key may read of a couple (DESIGN.md's privacy rule 3: only while both
//! members grant it access, and only the scopes both granted).

use domain::account::Role;
use domain::organization::{OrgRole, Scope, Scopes};
use entities::{access, couple, couple_member, organization};
use uuid::Uuid;

use super::decisions::{CoupleAccess, Standing};
use super::require_user;
use crate::auth::{AuthUser, Caller};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// How the caller stands to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgView {
    /// A coach in it, with their part.
    Coach(OrgRole),
    /// One of its API keys.
    Key,
    /// A site administrator.
    Operator,
    /// Anyone else signed in: its name, to know whom they grant access.
    Outsider,
}

/// A decision that the caller may see an organization, and how they stand to it.
#[derive(Debug, Clone)]
pub struct OrganizationAccess {
    organization: organization::Model,
    view: OrgView,
    /// The caller is one of its API keys with the WEBHOOKS scope.
    key_manages_webhooks: bool,
}

impl OrganizationAccess {
    pub fn organization(&self) -> &organization::Model {
        &self.organization
    }

    pub fn view(&self) -> OrgView {
        self.view
    }

    /// Its coaches and keys' owners see who coaches there; outsiders do not.
    pub fn sees_coaches(&self) -> Result<(), ApiError> {
        match self.view {
            OrgView::Coach(_) | OrgView::Key | OrgView::Operator => Ok(()),
            OrgView::Outsider => Err(forbidden("only an organization's coaches see its coaches")),
        }
    }

    /// Only its admins manage its keys.
    pub fn manages(&self) -> Result<(), ApiError> {
        match self.view {
            OrgView::Coach(OrgRole::Admin) => Ok(()),
            _ => Err(forbidden("only an organization's admins manage it")),
        }
    }

    /// Its admins, and its API keys with the WEBHOOKS scope, manage its webhook endpoints.
    pub fn manages_webhooks(&self) -> Result<(), ApiError> {
        match self.view {
            OrgView::Coach(OrgRole::Admin) => Ok(()),
            OrgView::Key if self.key_manages_webhooks => Ok(()),
            OrgView::Key => Err(forbidden(
                "this API key has no WEBHOOKS scope: make one with it to manage webhooks",
            )),
            _ => Err(forbidden(WEBHOOK_MANAGERS)),
        }
    }
}

/// Who may manage an organization's webhooks, as a refusal says.
const WEBHOOK_MANAGERS: &str =
    "only an organization's admins (or its keys with the WEBHOOKS scope) manage its webhooks";

fn forbidden(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

/// The caller's organization membership, read once per request.
async fn membership<'a>(
    state: &AppState,
    caller: &'a Caller,
    user: &AuthUser,
) -> Result<&'a Option<organization::member::Model>, ApiError> {
    caller
        .current_organization
        .get_or_try_init(|| async {
            if user.role != Role::Coach {
                return Ok(None);
            }
            Ok::<_, ApiError>(organization::member::of_user(&state.db, user.id).await?)
        })
        .await
}

/// How the caller stands to the organization `id`, whether or not it exists.
async fn view_of(state: &AppState, caller: &Caller, id: Uuid) -> Result<OrgView, ApiError> {
    if let Some(key) = &caller.api_key {
        return Ok(if key.organization_id == id {
            OrgView::Key
        } else {
            OrgView::Outsider
        });
    }
    let user = require_user(caller)?;
    if let Some(member) = membership(state, caller, user).await?
        && member.organization_id == id
    {
        return Ok(OrgView::Coach(member.role()?));
    }
    Ok(if user.role == Role::Admin {
        OrgView::Operator
    } else {
        OrgView::Outsider
    })
}

/// The caller's own organization: a coach's, or an API key's. `None` for anyone else.
pub async fn callers_organization(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<OrganizationAccess>, ApiError> {
    let id = match &caller.api_key {
        Some(key) => key.organization_id,
        None => {
            let user = require_user(caller)?;
            match membership(state, caller, user).await? {
                Some(member) => member.organization_id,
                None => return Ok(None),
            }
        }
    };
    readable_organization(state, caller, id).await.map(Some)
}

/// An organization by ID, for any signed-in caller (its name is no secret: members must know
/// whom they grant access); NOT_FOUND when there is none.
pub async fn readable_organization(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<OrganizationAccess, ApiError> {
    let view = view_of(state, caller, id).await?;
    let organization = organization::find(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let key_manages_webhooks = caller
        .api_key
        .as_ref()
        .is_some_and(|key| key.organization_id == id && key.scopes.contains(&Scope::Webhooks));
    Ok(OrganizationAccess {
        organization,
        view,
        key_manages_webhooks,
    })
}

/// The organization the caller manages (as one of its admins), with the caller.
pub async fn managed_organization<'a>(
    state: &AppState,
    caller: &'a Caller,
) -> Result<(OrganizationAccess, &'a AuthUser), ApiError> {
    let user = require_user(caller)?;
    let access = callers_organization(state, caller)
        .await?
        .ok_or_else(|| forbidden("only an organization's admins manage it"))?;
    access.manages()?;
    Ok((access, user))
}

/// The organization whose webhooks the caller manages: as one of its admins, or as its API key
/// with the WEBHOOKS scope.
pub async fn webhook_organization(
    state: &AppState,
    caller: &Caller,
) -> Result<OrganizationAccess, ApiError> {
    let access = callers_organization(state, caller)
        .await?
        .ok_or_else(|| forbidden(WEBHOOK_MANAGERS))?;
    access.manages_webhooks()?;
    Ok(access)
}

/// An API key of the caller's managed organization; another's answers like a missing one.
pub fn managed_key(
    organization: &OrganizationAccess,
    key: Option<entities::api_key::Model>,
) -> Result<entities::api_key::Model, ApiError> {
    organization.manages()?;
    key.filter(|k| k.organization_id == organization.organization.id)
        .ok_or_else(|| ApiError::not_found("API key"))
}

/// Who is coaching: a coach of an organization, or one of its API keys.
#[derive(Debug, Clone)]
pub struct CoachView {
    organization_id: Uuid,
    viewer: Uuid,
    /// An API key reads no more than its own scopes allow.
    key_scopes: Option<Scopes>,
}

impl CoachView {
    pub fn organization_id(&self) -> Uuid {
        self.organization_id
    }

    /// A couple as this coach may read it: the scopes both current members granted (and the
    /// key allows). `None` when the couple has not been granted by both.
    pub fn couple(
        &self,
        couple: couple::Model,
        members: &[couple_member::Model],
        grants: &[access::grant::Model],
    ) -> Result<Option<CoachedCoupleAccess>, ApiError> {
        if !couple.is_active()? {
            return Ok(None);
        }
        let current: Vec<Uuid> = members
            .iter()
            .filter(|m| m.couple_id == couple.id && m.is_current())
            .map(|m| m.user_id)
            .collect();
        let ours: Vec<access::grant::Model> = grants
            .iter()
            .filter(|g| g.couple_id == couple.id && g.organization_id == self.organization_id)
            .cloned()
            .collect();
        let both_granted =
            current.len() == 2 && current.iter().all(|m| ours.iter().any(|g| g.user_id == *m));
        if !both_granted {
            return Ok(None);
        }
        let mut scopes = access::effective(&ours, &current)?;
        if let Some(allowed) = &self.key_scopes {
            scopes = scopes.intersection(allowed).copied().collect();
        }
        Ok(Some(CoachedCoupleAccess {
            couple: CoupleAccess {
                couple,
                standing: Standing::Coach,
                viewer: self.viewer,
            },
            scopes,
            organization_id: self.organization_id,
        }))
    }
}

/// The caller as a coach, or FORBIDDEN.
pub async fn coach_view(state: &AppState, caller: &Caller) -> Result<CoachView, ApiError> {
    if let Some(key) = &caller.api_key {
        return Ok(CoachView {
            organization_id: key.organization_id,
            viewer: key.key_id,
            key_scopes: Some(key.scopes.clone()),
        });
    }
    let user = require_user(caller)?;
    match membership(state, caller, user).await? {
        Some(member) => Ok(CoachView {
            organization_id: member.organization_id,
            viewer: user.id,
            key_scopes: None,
        }),
        None => Err(forbidden(
            "only coaches of an organization (or its API keys) see coached couples",
        )),
    }
}

/// A decision that a coach may read a couple, within the scopes it was granted.
#[derive(Debug, Clone)]
pub struct CoachedCoupleAccess {
    couple: CoupleAccess,
    scopes: Scopes,
    organization_id: Uuid,
}

impl CoachedCoupleAccess {
    pub fn id(&self) -> Uuid {
        self.couple.id()
    }

    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// The organization coaching.
    pub fn organization_id(&self) -> Uuid {
        self.organization_id
    }

    /// The couple's objects as a coach sees them, when `scope` was granted; FORBIDDEN else.
    pub fn within(&self, scope: Scope) -> Result<CoupleAccess, ApiError> {
        if self.scopes.contains(&scope) {
            Ok(self.couple.clone())
        } else {
            Err(forbidden(&format!(
                "this couple has not granted your organization the `{}` scope",
                scope.name()
            )))
        }
    }

    /// The couple's members (display names only reach the GraphQL type).
    pub fn couple(&self) -> &CoupleAccess {
        &self.couple
    }
}

/// A member who may grant or revoke access for their couple: a current member of an active
/// couple (grants are per member; neither can grant for the other).
pub async fn consenting_member(
    state: &AppState,
    caller: &Caller,
) -> Result<(CoupleAccess, Uuid), ApiError> {
    let user = super::may_be_in_couple(caller)?;
    let couple = super::callers_couple(state, caller)
        .await?
        .ok_or_else(|| forbidden("create or join a couple first"))?;
    Ok((couple, user.id))
}

/// The couple's dealings with organizations, for its members (current, or former while its
/// shared data is kept).
pub fn may_see_couple_access(couple: &CoupleAccess) -> Result<(), ApiError> {
    match couple.standing() {
        Standing::Member | Standing::FormerMember => Ok(()),
        Standing::Coach => Err(forbidden("a coach does not see a couple's other grants")),
    }
}

/// A webhook endpoint of the caller's managed organization; another's answers like a missing
/// one.
pub fn managed_endpoint(
    organization: &OrganizationAccess,
    endpoint: Option<entities::webhook::Model>,
) -> Result<entities::webhook::Model, ApiError> {
    organization.manages_webhooks()?;
    endpoint
        .filter(|e| e.organization_id == organization.organization.id)
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

/// An organization as an operator sees it (as `organization(id:)` shows it to them).
pub fn operated_organization(
    _operator: &super::OperatorAccess,
    organization: organization::Model,
) -> OrganizationAccess {
    OrganizationAccess {
        organization,
        view: OrgView::Operator,
        key_manages_webhooks: false,
    }
}
