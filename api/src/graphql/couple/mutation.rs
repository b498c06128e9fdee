//! Creating, joining, updating and leaving a couple.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::account::Timezone;
use domain::couple::{
    INVITE_CODE_LEN, INVITE_TTL_HOURS, InviteCode, SHARED_DATA_RETENTION_DAYS, check_room,
    dedup_distractions, parse_goals,
};
use entities::constraint::Unique;
use entities::{couple, couple_member, invite};

use super::types::{Couple, Distraction, Invite};
use crate::auth::policy;
use crate::auth::secret_token::{digest, random_bytes};
use crate::auth::{Caller, ClientInfo};
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// A new couple's profile.
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
    /// The new couple, with the caller as its first member.
    pub couple: Couple,
    /// The code to pass on to the partner.
    pub invite: Invite,
}

/// The couple to make an invite for.
#[derive(InputObject)]
pub struct CreateInviteInput {
    /// The couple to invite a partner to.
    pub couple_id: ID,
}

/// A new invite; any earlier code of the couple stops working.
#[derive(SimpleObject)]
pub struct CreateInvitePayload {
    /// The new code.
    pub invite: Invite,
}

/// An invite code to join a couple with.
#[derive(InputObject)]
pub struct JoinCoupleInput {
    /// The invite code the partner passed on.
    pub code: String,
}

/// The couple joined.
#[derive(SimpleObject)]
pub struct JoinCouplePayload {
    /// The couple, now with both members.
    pub couple: Couple,
}

/// Changes to a couple's profile.
#[derive(InputObject)]
pub struct UpdateCoupleInput {
    /// The couple to change.
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

/// The changed couple.
#[derive(SimpleObject)]
pub struct UpdateCouplePayload {
    /// The couple as it is now.
    pub couple: Couple,
}

/// The couple to leave.
#[derive(InputObject)]
pub struct LeaveCoupleInput {
    /// The couple's ID.
    pub couple_id: ID,
}

/// The archived couple: its shared data stays readable to both former members for 30 days.
#[derive(SimpleObject)]
pub struct LeaveCouplePayload {
    /// The archived couple.
    pub couple: Couple,
}

/// Makes a new code for the couple, revoking the previous one.
async fn new_invite<C: sea_orm::ConnectionTrait>(
    db: &C,
    couple_id: uuid::Uuid,
    created_by: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Invite, ApiError> {
    let code = InviteCode::from_random(random_bytes::<INVITE_CODE_LEN>());
    let expires_at = now + chrono::Duration::hours(INVITE_TTL_HOURS);
    invite::replace(
        db,
        couple_id,
        created_by,
        digest(code.as_str()),
        expires_at,
        now,
    )
    .await?;
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
        #[graphql(desc = "The arguments, each described on `CreateCoupleInput`.")]
        input: CreateCoupleInput,
    ) -> Result<CreateCouplePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::may_be_in_couple(ctx.data::<Caller>()?)?;
        let me = &caller.account;
        let now = state.clock.now();
        let timezone = match &input.timezone {
            Some(tz) => Timezone::parse(tz)?.name().to_owned(),
            None => me.timezone.clone(),
        };
        let profile = couple::Profile {
            relationship_start: input.relationship_start,
            goals: goals(&input.goals)?,
            distractions: distraction_names(&input.distractions),
            timezone,
        };
        if couple_member::active_for_user(&state.db, me.id)
            .await?
            .is_some()
        {
            return Err(ApiError::already(Unique::ActiveMembership));
        }
        let mut write = state.writer.begin(now).await?;
        let created = couple::create(&*write, me.id, profile, now).await?;
        let invite = new_invite(&*write, created.id, me.id, now).await?;
        let made = recorded(
            NodeKind::Couple,
            created.id,
            Action::Created,
            Audience::Couple(created.id),
        );
        write.changes([made]);
        write.commit().await?;
        tracing::info!(couple.id = %created.id, "couple created");
        Ok(CreateCouplePayload {
            couple: Couple::new(policy::joined_couple(caller, created)),
            invite,
        })
    }

    /// Makes a new invite code for the caller's couple; the previous code stops working.
    async fn create_invite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateInviteInput`.")]
        input: CreateInviteInput,
    ) -> Result<CreateInvitePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "input.coupleId")?;
        let found = policy::writable_couple(state, caller, couple_id).await?;
        check_room(couple_member::count_current(&state.db, found.id()).await?)?;
        let invite = new_invite(&state.db, found.id(), found.viewer(), state.clock.now()).await?;
        Ok(CreateInvitePayload { invite })
    }

    /// Joins the couple an invite code belongs to. A code works once, for 72 hours, and only
    /// while it is the couple's newest.
    async fn join_couple(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `JoinCoupleInput`.")]
        input: JoinCoupleInput,
    ) -> Result<JoinCouplePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::may_be_in_couple(ctx.data::<Caller>()?)?;
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
        // A code of the wrong shape is bad input; one of the right shape names an invite or not.
        let code = InviteCode::parse(&input.code)?;
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let claimed = invite::claim(&*write, &digest(code.as_str()), caller.id, now)
            .await?
            .ok_or_else(no_invite)?;
        let target = couple::find(&*write, claimed.couple_id)
            .await?
            .ok_or_else(no_invite)?;
        if !target.is_active()? {
            return Err(no_invite());
        }
        if couple_member::active_for_user(&*write, caller.id)
            .await?
            .is_some()
        {
            return Err(ApiError::already(Unique::ActiveMembership));
        }
        check_room(couple_member::count_current(&*write, target.id).await?)?;
        couple_member::join(&*write, target.id, caller.id, now).await?;
        let changes = [
            recorded(
                NodeKind::Couple,
                target.id,
                Action::Updated,
                Audience::Couple(target.id),
            ),
            recorded(
                NodeKind::User,
                caller.id,
                Action::Created,
                Audience::Couple(target.id),
            ),
        ];
        write.changes(changes);
        write.commit().await?;
        tracing::info!(couple.id = %target.id, user.id = %caller.id, "partner joined");
        Ok(JoinCouplePayload {
            couple: Couple::new(policy::joined_couple(caller, target)),
        })
    }

    /// Changes the couple's profile.
    async fn update_couple(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UpdateCoupleInput`.")]
        input: UpdateCoupleInput,
    ) -> Result<UpdateCouplePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "input.coupleId")?;
        let access = policy::writable_couple(state, caller, couple_id).await?;
        let current = access.couple().clone();
        let profile = couple::Profile {
            relationship_start: input.relationship_start.or(current.relationship_start),
            goals: match &input.goals {
                Some(g) => goals(g)?,
                None => current.goals()?,
            },
            distractions: match &input.distractions {
                Some(d) => distraction_names(d),
                None => current
                    .distractions()?
                    .iter()
                    .map(|d| d.as_str().to_owned())
                    .collect(),
            },
            timezone: match &input.timezone {
                Some(tz) => Timezone::parse(tz)?.name().to_owned(),
                None => current.timezone.clone(),
            },
        };
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let updated = couple::update_profile(&*write, current, profile, now).await?;
        let changed = recorded(
            NodeKind::Couple,
            updated.id,
            Action::Updated,
            Audience::Couple(updated.id),
        );
        write.changes([changed]);
        write.commit().await?;
        let access = access
            .updated(updated)
            .ok_or_else(|| ApiError::internal(&"a couple changed its ID"))?;
        Ok(UpdateCouplePayload {
            couple: Couple::new(access),
        })
    }

    /// Uncouples: the couple is archived for both members. Each keeps their private data; the
    /// shared data stays readable to both for 30 days and is then deleted.
    async fn leave_couple(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `LeaveCoupleInput`.")]
        input: LeaveCoupleInput,
    ) -> Result<LeaveCouplePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "input.coupleId")?;
        let current = policy::writable_couple(state, caller, couple_id).await?;
        let now = state.clock.now();
        let delete_after = now + chrono::Duration::days(SHARED_DATA_RETENTION_DAYS);
        let mut write = state.writer.begin(now).await?;
        let members = couple::uncouple(&*write, current.id(), delete_after, now).await?;
        // Each member is told on their own: neither follows the couple's changes any more.
        let changes: Vec<_> = members
            .into_iter()
            .map(|member| {
                recorded(
                    NodeKind::Couple,
                    current.id(),
                    Action::Updated,
                    Audience::Member(member),
                )
            })
            .collect();
        write.changes(changes);
        write.commit().await?;
        tracing::info!(couple.id = %current.id(), "couple archived");
        // The caller's couple was read before they left it: decide again from the store.
        let access = policy::reread_couple(state, caller, couple_id).await?;
        Ok(LeaveCouplePayload {
            couple: Couple::new(access),
        })
    }
}
