//! Creating, joining, updating and leaving a couple.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{NaiveDate, Utc};
use domain::account::Timezone;
use domain::couple::{
    INVITE_CODE_LEN, INVITE_TTL_HOURS, InviteCode, SHARED_DATA_RETENTION_DAYS, dedup_distractions,
    parse_goals,
};
use entities::{couple, couple_member, invite, user};
use sea_orm::{DbErr, SqlErr};

use super::types::{Couple, Distraction, Invite};
use crate::auth::policy::{self, CoupleAccess, Standing};
use crate::auth::secret_token::{digest, random_bytes};
use crate::auth::{Caller, ClientInfo};
use crate::error::ApiError;
use crate::graphql::node::{NodeKind, decode_id_of};
use crate::state::AppState;

#[derive(InputObject)]
pub struct CreateCoupleInput {
    /// When the relationship began.
    pub relationship_start: Option<NaiveDate>,
    /// Up to 10 shared goals, in your words.
    #[graphql(default)]
    pub goals: Vec<String>,
    /// The distractions that eat your time together.
    #[graphql(default)]
    pub distractions: Vec<Distraction>,
    /// IANA time zone for the couple's days and weeks; defaults to the creator's.
    pub timezone: Option<String>,
}

/// The new couple, with the invite to pass on to the partner.
#[derive(SimpleObject)]
pub struct CreateCouplePayload {
    pub couple: Couple,
    pub invite: Invite,
}

#[derive(InputObject)]
pub struct CreateInviteInput {
    /// The couple to invite a partner to.
    pub couple_id: ID,
}

/// A new invite; any earlier code of the couple stops working.
#[derive(SimpleObject)]
pub struct CreateInvitePayload {
    pub invite: Invite,
}

#[derive(InputObject)]
pub struct JoinCoupleInput {
    /// The invite code the partner passed on.
    pub code: String,
}

#[derive(SimpleObject)]
pub struct JoinCouplePayload {
    pub couple: Couple,
}

#[derive(InputObject)]
pub struct UpdateCoupleInput {
    pub couple_id: ID,
    /// Omitted keeps the current value.
    pub relationship_start: Option<NaiveDate>,
    /// Replaces the goals; omitted keeps them.
    pub goals: Option<Vec<String>>,
    /// Replaces the distractions; omitted keeps them.
    pub distractions: Option<Vec<Distraction>>,
    /// Omitted keeps the current time zone.
    pub timezone: Option<String>,
}

#[derive(SimpleObject)]
pub struct UpdateCouplePayload {
    pub couple: Couple,
}

#[derive(InputObject)]
pub struct LeaveCoupleInput {
    pub couple_id: ID,
}

/// The archived couple: its shared data stays readable to both former members for 30 days.
#[derive(SimpleObject)]
pub struct LeaveCouplePayload {
    pub couple: Couple,
}

/// Couples are for members: coaches and administrators take part in no couple of their own.
fn require_member(user: &crate::auth::AuthUser) -> Result<(), ApiError> {
    if user.role == domain::account::Role::Member {
        Ok(())
    } else {
        Err(ApiError::new(
            crate::error::ErrorCode::Forbidden,
            "coach and administrator accounts cannot be in a couple",
        ))
    }
}

fn already_in_couple() -> ApiError {
    ApiError::conflict("you are already in a couple; leave it first")
}

/// Maps the unique index on active memberships to CONFLICT.
fn membership_conflict(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => already_in_couple(),
        _ => ApiError::from(err),
    }
}

/// Makes a new code for the couple, revoking the previous one.
async fn new_invite<C: sea_orm::ConnectionTrait>(
    db: &C,
    couple_id: uuid::Uuid,
    created_by: uuid::Uuid,
) -> Result<Invite, ApiError> {
    let code = InviteCode::from_random(random_bytes::<INVITE_CODE_LEN>());
    let expires_at = Utc::now() + chrono::Duration::hours(INVITE_TTL_HOURS);
    invite::replace(db, couple_id, created_by, digest(code.as_str()), expires_at).await?;
    Ok(Invite {
        code: code.as_str().to_owned(),
        expires_at,
    })
}

fn goals(raw: &[String]) -> Result<Vec<String>, ApiError> {
    Ok(parse_goals(raw)?)
}

fn distraction_names(raw: &[Distraction]) -> Vec<String> {
    let domain: Vec<domain::couple::Distraction> = raw.iter().map(|d| (*d).into()).collect();
    dedup_distractions(&domain)
        .into_iter()
        .map(|d| d.as_str().to_owned())
        .collect()
}

#[derive(Default)]
pub struct CoupleMutation;

#[Object]
impl CoupleMutation {
    /// Creates a couple with the caller as its first member, and an invite for the partner.
    async fn create_couple(
        &self,
        ctx: &Context<'_>,
        input: CreateCoupleInput,
    ) -> async_graphql::Result<CreateCouplePayload> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        require_member(caller)?;
        let me = user::find_by_id(&state.db, caller.id)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::not_found("user"))?;
        let timezone = match &input.timezone {
            Some(tz) => Timezone::parse(tz)
                .map_err(ApiError::from)?
                .name()
                .to_owned(),
            None => me.timezone.clone(),
        };
        let profile = couple::Profile {
            relationship_start: input.relationship_start,
            goals: goals(&input.goals)?,
            distractions: distraction_names(&input.distractions),
            timezone,
        };
        if couple_member::active_for_user(&state.db, me.id)
            .await
            .map_err(ApiError::from)?
            .is_some()
        {
            return Err(already_in_couple().into());
        }
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        let created = couple::create(&txn, me.id, profile)
            .await
            .map_err(membership_conflict)?;
        let invite = new_invite(&txn, created.id, me.id).await?;
        txn.commit().await.map_err(ApiError::from)?;
        tracing::info!(couple.id = %created.id, "couple created");
        Ok(CreateCouplePayload {
            couple: Couple::from(CoupleAccess {
                couple: created,
                standing: Standing::Member,
            }),
            invite,
        })
    }

    /// Makes a new invite code for the caller's couple; the previous code stops working.
    async fn create_invite(
        &self,
        ctx: &Context<'_>,
        input: CreateInviteInput,
    ) -> async_graphql::Result<CreateInvitePayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "couple")?;
        let found = policy::writable_couple(&state.db, caller, couple_id).await?;
        if couple_member::count_current(&state.db, found.id)
            .await
            .map_err(ApiError::from)?
            >= 2
        {
            return Err(ApiError::conflict("this couple already has two members").into());
        }
        let user = policy::require_user(caller)?;
        let invite = new_invite(&state.db, found.id, user.id).await?;
        Ok(CreateInvitePayload { invite })
    }

    /// Joins the couple an invite code belongs to. A code works once, for 72 hours, and only
    /// while it is the couple's newest.
    async fn join_couple(
        &self,
        ctx: &Context<'_>,
        input: JoinCoupleInput,
    ) -> async_graphql::Result<JoinCouplePayload> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        require_member(caller)?;
        let account = caller.id.to_string();
        state
            .limiter
            .attempt("join_couple", &account, client.ip)
            .await?;
        let no_invite = || {
            ApiError::not_found(
                "invite (it may have expired, been used, or been replaced by a newer code)",
            )
        };
        let code = InviteCode::parse(&input.code).map_err(|_| no_invite())?;
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        let claimed = invite::claim(&txn, &digest(code.as_str()), caller.id, Utc::now())
            .await
            .map_err(ApiError::from)?
            .ok_or_else(no_invite)?;
        let target = couple::find(&txn, claimed.couple_id)
            .await
            .map_err(ApiError::from)?
            .filter(couple::Model::is_active)
            .ok_or_else(no_invite)?;
        if couple_member::active_for_user(&txn, caller.id)
            .await
            .map_err(ApiError::from)?
            .is_some()
        {
            return Err(already_in_couple().into());
        }
        if couple_member::count_current(&txn, target.id)
            .await
            .map_err(ApiError::from)?
            >= 2
        {
            return Err(ApiError::conflict("this couple already has two members").into());
        }
        couple_member::join(&txn, target.id, caller.id)
            .await
            .map_err(membership_conflict)?;
        txn.commit().await.map_err(ApiError::from)?;
        tracing::info!(couple.id = %target.id, user.id = %caller.id, "partner joined");
        Ok(JoinCouplePayload {
            couple: Couple::from(CoupleAccess {
                couple: target,
                standing: Standing::Member,
            }),
        })
    }

    /// Changes the couple's profile.
    async fn update_couple(
        &self,
        ctx: &Context<'_>,
        input: UpdateCoupleInput,
    ) -> async_graphql::Result<UpdateCouplePayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "couple")?;
        let current = policy::writable_couple(&state.db, caller, couple_id).await?;
        let profile = couple::Profile {
            relationship_start: input.relationship_start.or(current.relationship_start),
            goals: match &input.goals {
                Some(g) => goals(g)?,
                None => couple::Model::strings(&current.goals),
            },
            distractions: match &input.distractions {
                Some(d) => distraction_names(d),
                None => couple::Model::strings(&current.distractions),
            },
            timezone: match &input.timezone {
                Some(tz) => Timezone::parse(tz)
                    .map_err(ApiError::from)?
                    .name()
                    .to_owned(),
                None => current.timezone.clone(),
            },
        };
        let updated = couple::update_profile(&state.db, current, profile)
            .await
            .map_err(ApiError::from)?;
        Ok(UpdateCouplePayload {
            couple: Couple::from(CoupleAccess {
                couple: updated,
                standing: Standing::Member,
            }),
        })
    }

    /// Uncouples: the couple is archived for both members. Each keeps their private data; the
    /// shared data stays readable to both for 30 days and is then deleted.
    async fn leave_couple(
        &self,
        ctx: &Context<'_>,
        input: LeaveCoupleInput,
    ) -> async_graphql::Result<LeaveCouplePayload> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "couple")?;
        let current = policy::writable_couple(&state.db, caller, couple_id).await?;
        let delete_after = Utc::now() + chrono::Duration::days(SHARED_DATA_RETENTION_DAYS);
        let txn = entities::begin_write(&state.db)
            .await
            .map_err(ApiError::from)?;
        couple_member::leave_all(&txn, current.id)
            .await
            .map_err(ApiError::from)?;
        invite::revoke_open(&txn, current.id)
            .await
            .map_err(ApiError::from)?;
        couple::archive(&txn, current.id, delete_after)
            .await
            .map_err(ApiError::from)?;
        txn.commit().await.map_err(ApiError::from)?;
        tracing::info!(couple.id = %current.id, "couple archived");
        let access = policy::readable_couple(&state.db, caller, couple_id).await?;
        Ok(LeaveCouplePayload {
            couple: Couple::from(access),
        })
    }
}
