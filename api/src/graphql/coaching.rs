//! Consent and coaching: a member grants an organization access with scopes, either takes it
//! back, both see every grant and revocation (`Couple.access`), and the organization's coaches
//! and API keys read the couples both members granted (`coachCouples`), within the scopes both
//! granted.

mod mutation;

pub use mutation::CoachingMutation;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::organization::Scope;
use domain::webhook::EventType;
use entities::{access, couple, couple_member, organization};

use crate::auth::Caller;
use crate::auth::policy::{self, CoachedCoupleAccess, CoupleAccess};
use crate::error::ApiError;
use crate::graphql::assessment::shared::{CoachAssessmentResult, SharedAssessmentResult};
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::couple::types::CoupleMember;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;
use crate::graphql::organizations::{AccessScope, scopes_out};
use crate::graphql::plan::plans::Plan;
use crate::graphql::plan::progress::Progress;
use crate::state::AppState;

/// Whether access was given or taken back.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccessAction {
    /// A member granted access (or changed their grant's scopes).
    Granted,
    /// A member took their grant back.
    Revoked,
}

/// One grant or revocation, as both members see it.
#[derive(SimpleObject)]
pub struct AccessEvent {
    /// The event's global ID.
    #[graphql(owned)]
    pub id: ID,
    /// Given or taken back.
    pub action: AccessAction,
    /// The member who made it (their user ID); null if their account is gone.
    pub member_id: Option<ID>,
    /// What was granted (empty for a revocation).
    pub scopes: Vec<AccessScope>,
    /// When.
    pub at: DateTime<Utc>,
}

impl AccessEvent {
    /// The event a stored row tells of.
    pub fn of(row: &access::event::Model) -> Result<Self, ApiError> {
        Ok(AccessEvent {
            id: global_id(NodeKind::AccessEvent, row.id),
            action: if row.granted()? {
                AccessAction::Granted
            } else {
                AccessAction::Revoked
            },
            member_id: row.user_id.map(|id| global_id(NodeKind::User, id)),
            scopes: scopes_out(&row.scopes()?),
            at: row.at,
        })
    }
}

/// An access event of a couple the caller may read the access of; `None` like a missing one.
pub async fn access_event_node(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<Option<AccessEvent>, ApiError> {
    let Some(row) = access::event_by_id(&state.db, id).await? else {
        return Ok(None);
    };
    let couple = match policy::readable_couple(state, caller, row.couple_id).await {
        Ok(couple) => couple,
        Err(err) if err.code == crate::error::ErrorCode::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    if policy::may_see_couple_access(&couple).is_err() {
        return Ok(None);
    }
    AccessEvent::of(&row).map(Some)
}

/// One member's current grant.
#[derive(SimpleObject)]
pub struct MemberGrant {
    /// The member's user ID.
    pub member_id: ID,
    /// What they grant.
    pub scopes: Vec<AccessScope>,
    /// When they granted it.
    pub granted_at: DateTime<Utc>,
}

/// What one organization may see of the couple, and how it came to.
pub struct OrganizationAccessView {
    couple: CoupleAccess,
    organization: organization::Model,
    grants: Vec<access::grant::Model>,
}

/// What one organization may see of the couple, and how it came to.
#[Object]
impl OrganizationAccessView {
    /// The organization's ID.
    async fn organization_id(&self) -> ID {
        global_id(NodeKind::Organization, self.organization.id)
    }

    /// The organization's name.
    async fn organization_name(&self) -> &str {
        &self.organization.name
    }

    /// What it may read now: only the scopes both of you granted (empty unless both did).
    async fn scopes(&self, ctx: &Context<'_>) -> Result<Vec<AccessScope>, ApiError> {
        let members = Loaders::of(ctx)?.members(self.couple.id()).await?;
        let current: Vec<_> = members
            .iter()
            .filter(|(m, _)| m.is_current())
            .map(|(m, _)| m.user_id)
            .collect();
        let active = self.couple.couple().is_active()?;
        let scopes = if active {
            access::effective(&self.grants, &current)?
        } else {
            domain::organization::Scopes::new()
        };
        Ok(scopes_out(&scopes))
    }

    /// Each member's current grant.
    async fn grants(&self) -> Result<Vec<MemberGrant>, ApiError> {
        self.grants
            .iter()
            .map(|g| {
                Ok(MemberGrant {
                    member_id: global_id(NodeKind::User, g.user_id),
                    scopes: scopes_out(&g.scopes()?),
                    granted_at: g.granted_at,
                })
            })
            .collect()
    }

    /// Every grant and revocation, oldest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, AccessEvent, ConnectionTotals, EmptyFields>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = access::events_page(&state.db, self.couple.id(), self.organization.id, &request)
            .await?;
        let mut failed = None;
        let connection = connection_of(page, |row| match AccessEvent::of(&row) {
            Ok(event) => Some((row.id.to_string(), event)),
            Err(err) => {
                failed = Some(err);
                None
            }
        });
        match failed {
            Some(err) => Err(err),
            None => Ok(connection),
        }
    }
}

/// The organizations a couple deals with, for `Couple.access`.
pub async fn couple_access(
    state: &AppState,
    couple: &CoupleAccess,
) -> Result<Vec<OrganizationAccessView>, ApiError> {
    policy::may_see_couple_access(couple)?;
    let org_ids = access::organizations_of_couple(&state.db, couple.id()).await?;
    let mut grants = access::grants_of_couple(&state.db, couple.id()).await?;
    let mut views = Vec::with_capacity(org_ids.len());
    for id in org_ids {
        if let Some(organization) = organization::find(&state.db, id).await? {
            views.push(OrganizationAccessView {
                couple: couple.clone(),
                organization,
                grants: grants.remove(&id).unwrap_or_default(),
            });
        }
    }
    Ok(views)
}

/// Tells the organization, in the write that changed its access to the couple, what it may
/// read now: only when the couple's grants to it number `when` after the change.
async fn tell(
    write: &mut runtime::Write,
    couple_id: uuid::Uuid,
    organization_id: uuid::Uuid,
    event: EventType,
    when: usize,
) -> Result<(), ApiError> {
    let grants = access::grants_of_couple(&**write, couple_id)
        .await?
        .remove(&organization_id)
        .unwrap_or_default();
    if grants.len() != when {
        return Ok(());
    }
    let members: Vec<uuid::Uuid> = couple_member::with_users(&**write, &[couple_id])
        .await?
        .into_iter()
        .filter(|(m, _)| m.is_current())
        .map(|(m, _)| m.user_id)
        .collect();
    let scopes = access::effective(&grants, &members)?;
    let names: Vec<&str> = scopes.iter().map(|s| s.name()).collect();
    write
        .announce_to(
            &[organization_id],
            event,
            serde_json::json!({
                "coupleId": global_id(NodeKind::Couple, couple_id).as_str(),
                "scopes": names,
            }),
        )
        .await?;
    Ok(())
}

/// The couple's dealings with one organization (after a grant or revocation, there are some).
async fn access_to(
    state: &AppState,
    couple: &CoupleAccess,
    organization_id: uuid::Uuid,
) -> Result<OrganizationAccessView, ApiError> {
    if let Some(view) = couple_access(state, couple)
        .await?
        .into_iter()
        .find(|view| view.organization.id == organization_id)
    {
        return Ok(view);
    }
    // Never granted: nothing to show but the organization.
    let organization = organization::find(&state.db, organization_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(OrganizationAccessView {
        couple: couple.clone(),
        organization,
        grants: Vec::new(),
    })
}

/// A couple as a coach sees it: what both members granted their organization.
pub struct CoachedCouple(pub(crate) CoachedCoupleAccess);

/// A couple as a coach sees it: what both members granted their organization.
#[Object]
impl CoachedCouple {
    /// The couple's global ID: `node(id:)` refetches it, for a coach or key, as this.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Couple, self.0.id())
    }

    /// What the caller may read of it: the scopes both members granted (and, for an API key,
    /// the key's own scopes allow).
    async fn scopes(&self) -> Vec<AccessScope> {
        scopes_out(self.0.scopes())
    }

    /// Its members (display names and time zones; never an email).
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<CoupleMember>, ApiError> {
        let members = Loaders::of(ctx)?.members(self.0.id()).await?;
        Ok(members
            .iter()
            .filter(|(member, _)| member.is_current())
            .filter_map(|(member, user)| self.0.couple().member(member.clone(), user.clone()))
            .map(CoupleMember::new)
            .collect())
    }

    /// Progress over the last weeks; needs the `PROGRESS` scope.
    async fn progress(
        &self,
        #[graphql(
            default = 12,
            validator(minimum = 1, maximum = 52),
            desc = "How many weeks back, the current one included (1 to 52)."
        )]
        weeks: i32,
    ) -> Result<Progress, ApiError> {
        let couple = self.0.within(Scope::Progress)?;
        Ok(Progress::new(couple, u32::try_from(weeks).unwrap_or(12)))
    }

    /// The active plan, if any; needs the `PLANS` scope. Notes never reach a coach.
    async fn active_plan(&self, ctx: &Context<'_>) -> Result<Option<Plan>, ApiError> {
        let couple = self.0.within(Scope::Plans)?;
        crate::graphql::plan::plans::active_plan(ctx, &couple).await
    }

    /// What your organization suggested to the couple, oldest first, with the couple's
    /// answers.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn suggestions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only suggestions that stand so; all when left out.")] status: Option<
            crate::graphql::organization_content::SuggestionStatus,
        >,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<crate::graphql::organization_content::SuggestionConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        crate::graphql::organization_content::page(
            state,
            self.0.id(),
            Some(self.0.organization_id()),
            status,
            first,
            after,
            |row| self.0.suggestion(row),
        )
        .await
    }

    /// Results a member shared with the couple, oldest first: the band only. Needs the
    /// `ASSESSMENT_RESULTS` scope.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn shared_assessment_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, CoachAssessmentResult, ConnectionTotals, EmptyFields>, ApiError>
    {
        let couple = self.0.within(Scope::AssessmentResults)?;
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = entities::assessment::page_shared(&state.db, couple.id(), &request).await?;
        Ok(connection_of(page, |row| {
            let key = row.id.to_string();
            couple
                .shared_result(row)
                .map(|access| (key, CoachAssessmentResult(SharedAssessmentResult(access))))
        }))
    }
}

#[derive(Default)]
pub struct CoachingQuery;

#[Object]
impl CoachingQuery {
    /// For an organization's coaches and API keys: the couples of which both members granted
    /// it access, by couple ID.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn coach_couples(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, CoachedCouple, ConnectionTotals, EmptyFields>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let view = policy::coach_view(state, caller).await?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let (page, grants) =
            access::page_of_organization(&state.db, view.organization_id(), &request).await?;
        let couples = couple::by_ids(&state.db, &page.rows).await?;
        let members: Vec<_> = couple_member::with_users(&state.db, &page.rows)
            .await?
            .into_iter()
            .map(|(member, _)| member)
            .collect();
        let mut decided = Vec::with_capacity(page.rows.len());
        for row in couples {
            let ours = grants.get(&row.id).map_or(&[][..], Vec::as_slice);
            if let Some(access) = view.couple(row, &members, ours)? {
                decided.push(access);
            }
        }
        Ok(connection_of(page, |id| {
            let position = decided.iter().position(|a| a.id() == id)?;
            Some((id.to_string(), CoachedCouple(decided.swap_remove(position))))
        }))
    }
}
