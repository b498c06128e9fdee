//! What operators do: retry or discard a dead job, disable or enable an account, end its
//! sessions, change its role. Each action is recorded in the audit log with the change itself.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::operations;
use entities::{audit, dead_job, session, user};
use serde_json::json;
use uuid::Uuid;

use super::types::{FailedJob, ManagedAccount};
use crate::auth::Caller;
use crate::auth::policy::{self, OperatorAccess};
use crate::auth::session_events::SessionsEnded;
use crate::error::ApiError;
use crate::graphql::account::types::Role;
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;
use runtime::failures::Retry;

/// Which dead job to send back to its queue.
#[derive(InputObject)]
pub struct RetryFailedJobInput {
    /// The job (`FailedJob.id`).
    pub failed_job_id: ID,
}

/// The job as it now stands: sent back to its queue.
#[derive(SimpleObject)]
pub struct RetryFailedJobPayload {
    /// The job, with `retriedAt` set.
    pub failed_job: FailedJob,
}

/// Which dead job to give up on.
#[derive(InputObject)]
pub struct DiscardFailedJobInput {
    /// The job (`FailedJob.id`).
    pub failed_job_id: ID,
}

/// The job as it now stands: discarded.
#[derive(SimpleObject)]
pub struct DiscardFailedJobPayload {
    /// The job, with `discardedAt` set.
    pub failed_job: FailedJob,
}

/// Which account to disable, enable, or end the sessions of.
#[derive(InputObject)]
pub struct DisableUserInput {
    /// The account (a `User` ID).
    pub user_id: ID,
}

/// The account, disabled, and how many of its sessions ended.
#[derive(SimpleObject)]
pub struct DisableUserPayload {
    /// The account as it is now.
    pub user: ManagedAccount,
    /// How many live sessions ended.
    pub ended_sessions: u64,
}

/// Which account to enable again.
#[derive(InputObject)]
pub struct EnableUserInput {
    /// The account (a `User` ID).
    pub user_id: ID,
}

/// The account, enabled: it may sign in again (its old sessions stay ended).
#[derive(SimpleObject)]
pub struct EnableUserPayload {
    /// The account as it is now.
    pub user: ManagedAccount,
}

/// Which account's sessions to end.
#[derive(InputObject)]
pub struct RevokeUserSessionsInput {
    /// The account (a `User` ID).
    pub user_id: ID,
}

/// The account, signed out everywhere.
#[derive(SimpleObject)]
pub struct RevokeUserSessionsPayload {
    /// The account as it is now.
    pub user: ManagedAccount,
    /// How many live sessions ended.
    pub ended_sessions: u64,
}

/// Which account gets which role.
#[derive(InputObject)]
pub struct ChangeUserRoleInput {
    /// The account (a `User` ID).
    pub user_id: ID,
    /// Its new role.
    pub role: Role,
}

/// The account with its new role, in force from its next request.
#[derive(SimpleObject)]
pub struct ChangeUserRolePayload {
    /// The account as it is now.
    pub user: ManagedAccount,
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Administrators only: sends a dead job back to its queue to run again from its first
    /// attempt. CONFLICT when it was already sent back or discarded.
    async fn retry_failed_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RetryFailedJobInput`.")]
        input: RetryFailedJobInput,
    ) -> Result<RetryFailedJobPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let operator = policy::operator(ctx.data::<Caller>()?)?;
        let id = decode_id_of(
            &input.failed_job_id,
            NodeKind::FailedJob,
            "input.failedJobId",
        )?;
        let now = state.clock.now();
        let job = match runtime::failures::retry(&state.db, &state.queue, id, now)
            .await
            .map_err(ApiError::queue)?
        {
            Retry::Sent(job) => job,
            Retry::Missing => return Err(ApiError::not_found("failed job")),
            Retry::Settled => return Err(already_settled()),
        };
        audit::record(&state.db, job_entry(&operator, "failed_job.retry", id), now).await?;
        Ok(RetryFailedJobPayload {
            failed_job: FailedJob(job),
        })
    }

    /// Administrators only: gives up on a dead job; it stays listed nowhere and never runs.
    /// CONFLICT when it was already sent back or discarded.
    async fn discard_failed_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DiscardFailedJobInput`.")]
        input: DiscardFailedJobInput,
    ) -> Result<DiscardFailedJobPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let operator = policy::operator(ctx.data::<Caller>()?)?;
        let id = decode_id_of(
            &input.failed_job_id,
            NodeKind::FailedJob,
            "input.failedJobId",
        )?;
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        let job = dead_job::find(&*write, id)
            .await?
            .ok_or_else(|| ApiError::not_found("failed job"))?;
        if job.retried_at.is_some() || !dead_job::discard(&*write, id, now).await? {
            return Err(already_settled());
        }
        audit::record(&*write, job_entry(&operator, "failed_job.discard", id), now).await?;
        write.commit().await?;
        Ok(DiscardFailedJobPayload {
            failed_job: FailedJob(dead_job::Model {
                discarded_at: Some(now),
                ..job
            }),
        })
    }

    /// Administrators only: disables an account. Every one of its sessions ends at once (open
    /// WebSockets close) and it cannot sign in until enabled. Not one's own account.
    async fn disable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DisableUserInput`.")]
        input: DisableUserInput,
    ) -> Result<DisableUserPayload, ApiError> {
        let (state, operator, id) = acting_on(ctx, &input.user_id)?;
        let (_, standing) = policy::managed_account(&state.db, &operator, id).await?;
        operations::disable(standing).map_err(refused)?;
        let entry = user_entry(&operator, "user.disable", id, json!({}));
        let ended = crate::auth::sessions::disable_user(
            &state.db,
            &state.session_events,
            id,
            state.clock.now(),
            Some(entry),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
        Ok(DisableUserPayload {
            user: managed(state, id).await?,
            ended_sessions: ended,
        })
    }

    /// Administrators only: lets a disabled account sign in again.
    async fn enable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `EnableUserInput`.")]
        input: EnableUserInput,
    ) -> Result<EnableUserPayload, ApiError> {
        let (state, operator, id) = acting_on(ctx, &input.user_id)?;
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        policy::managed_account(&*write, &operator, id).await?;
        user::set_disabled(&*write, id, false).await?;
        audit::record(
            &*write,
            user_entry(&operator, "user.enable", id, json!({})),
            now,
        )
        .await?;
        write.commit().await?;
        Ok(EnableUserPayload {
            user: managed(state, id).await?,
        })
    }

    /// Administrators only: ends every session of an account at once (open WebSockets close);
    /// it may sign in again.
    async fn revoke_user_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RevokeUserSessionsInput`.")]
        input: RevokeUserSessionsInput,
    ) -> Result<RevokeUserSessionsPayload, ApiError> {
        let (state, operator, id) = acting_on(ctx, &input.user_id)?;
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        policy::managed_account(&*write, &operator, id).await?;
        let ended =
            session::revoke_all_for_user(&*write, id, None, "revoked_by_operator", now).await?;
        let entry = user_entry(
            &operator,
            "user.revoke_sessions",
            id,
            json!({ "endedSessions": ended }),
        );
        audit::record(&*write, entry, now).await?;
        write.commit().await?;
        state
            .session_events
            .publish(SessionsEnded::all_of(id, None))
            .await;
        Ok(RevokeUserSessionsPayload {
            user: managed(state, id).await?,
            ended_sessions: ended,
        })
    }

    /// Administrators only: gives an account another role, in force from its next request.
    /// CONFLICT for one's own account, a member in a couple becoming coach or administrator,
    /// and a coach who belongs to an organization.
    async fn change_user_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ChangeUserRoleInput`.")]
        input: ChangeUserRoleInput,
    ) -> Result<ChangeUserRolePayload, ApiError> {
        let (state, operator, id) = acting_on(ctx, &input.user_id)?;
        let role: domain::account::Role = input.role.into();
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        let (account, standing) = policy::managed_account(&*write, &operator, id).await?;
        if operations::change_role(standing, role).map_err(refused)? {
            user::set_role(&*write, id, role, now).await?;
            let detail = json!({ "from": account.role, "to": role.as_str() });
            audit::record(
                &*write,
                user_entry(&operator, "user.change_role", id, detail),
                now,
            )
            .await?;
        }
        write.commit().await?;
        Ok(ChangeUserRolePayload {
            user: managed(state, id).await?,
        })
    }
}

/// The state, the operator acting, and the account `user_id` names.
fn acting_on<'c>(
    ctx: &Context<'c>,
    user_id: &ID,
) -> Result<(&'c AppState, OperatorAccess, Uuid), ApiError> {
    let state = ctx.data::<AppState>()?;
    let operator = policy::operator(ctx.data::<Caller>()?)?;
    Ok((
        state,
        operator,
        decode_id_of(user_id, NodeKind::User, "input.userId")?,
    ))
}

fn already_settled() -> ApiError {
    ApiError::conflict("that job was already retried or discarded")
}

fn refused(refusal: operations::Refusal) -> ApiError {
    ApiError::conflict(refusal.message())
}

fn job_entry(operator: &OperatorAccess, action: &'static str, id: Uuid) -> audit::Entry<'static> {
    audit::Entry {
        actor: operator.actor(),
        action,
        target_kind: "failed_job",
        target_id: global_id(NodeKind::FailedJob, id).0,
        detail: json!({}),
    }
}

fn user_entry(
    operator: &OperatorAccess,
    action: &'static str,
    id: Uuid,
    detail: serde_json::Value,
) -> audit::Entry<'static> {
    audit::Entry {
        actor: operator.actor(),
        action,
        target_kind: "user",
        target_id: global_id(NodeKind::User, id).0,
        detail,
    }
}

/// An account as operators see it, read now.
async fn managed(state: &AppState, id: Uuid) -> Result<ManagedAccount, ApiError> {
    let account = user::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let live = session::live_by_user(&state.db, &[id], state.clock.now()).await?;
    let (live_sessions, last_active_at) = live.get(&id).copied().unwrap_or((0, None));
    Ok(ManagedAccount {
        account,
        live_sessions,
        last_active_at,
    })
}
