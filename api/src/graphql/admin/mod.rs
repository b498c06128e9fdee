//! Operations, for administrators only: `admin { ... }` reads the service's state, and the
//! mutations in [`mutation`] act on accounts and failed jobs, each recorded in the audit log.

pub mod mutation;
pub mod types;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::Duration;
use entities::{audit, dead_job, session, user, worker_heartbeat};

use crate::auth::Caller;
use crate::auth::policy::{self, OperatorAccess};
use crate::error::ApiError;
use crate::graphql::account::types::Role;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, decode_global_id, decode_id_of};
use crate::graphql::organizations::Organization;
use crate::state::AppState;
use types::{
    AuditEntry, CoachUsage, DayCount, FailedJob, ManagedAccount, OutboxState, QueueState,
    ServiceStats, WorkerStatus,
};

type Page<T> = Connection<String, T, ConnectionTotals, EmptyFields>;

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Operations, for administrators only (FORBIDDEN for anyone else): accounts, queues,
    /// workers and aggregates, never a couple's content.
    async fn admin(&self, ctx: &Context<'_>) -> Result<Admin, ApiError> {
        Ok(Admin(policy::operator(ctx.data::<Caller>()?)?))
    }
}

/// The operator's view of the service.
pub struct Admin(OperatorAccess);

/// The operator's view of the service.
#[Object]
impl Admin {
    /// Counts over the whole service, and completions per day for the last `days` days (UTC
    /// dates, today included).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 30,
            validator(minimum = 1, maximum = 366),
            desc = "How many days of completions to count, today included (1 to 366)."
        )]
        days: i32,
    ) -> Result<ServiceStats, ApiError> {
        let state = ctx.data::<AppState>()?;
        let totals = entities::stats::totals(&state.db).await?;
        let last = state.clock.now().date_naive();
        let first = last - Duration::days(i64::from(days - 1));
        let counted = entities::stats::completions_per_day(&state.db, first, last).await?;
        let completions_per_day = first
            .iter_days()
            .take_while(|day| *day <= last)
            .map(|date| DayCount {
                date,
                count: counted
                    .iter()
                    .find(|(day, _)| *day == date)
                    .map_or(0, |(_, n)| *n),
            })
            .collect();
        let since = first.and_time(chrono::NaiveTime::MIN).and_utc();
        let coach = entities::coach_message::totals_since(&state.db, since).await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(ServiceStats {
            coach: CoachUsage {
                member_messages: count(coach.member_messages),
                model_replies: count(coach.model_replies),
                fallbacks: count(coach.fallbacks),
                safety_stops: count(coach.safety_stops),
                tokens: count(coach.tokens),
            },
            users: totals.users,
            disabled_users: totals.disabled_users,
            active_couples: totals.active_couples,
            active_plans: totals.active_plans,
            completions_per_day,
        })
    }

    /// Every job queue, by name.
    async fn queues(&self, ctx: &Context<'_>) -> Result<Vec<QueueState>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let states = runtime::failures::queue_states(
            &state.db,
            &state.queue,
            &domain::jobs::QUEUES,
            state.clock.now(),
        )
        .await
        .map_err(ApiError::queue)?;
        let hour_ago = state.clock.now() - chrono::Duration::hours(1);
        let throughput = entities::queue_throughput::since(&state.db, hour_ago).await?;
        Ok(states
            .into_iter()
            .map(|s| {
                let (done, failed) = throughput.get(&s.depth.queue).copied().unwrap_or_default();
                QueueState {
                    name: s.depth.queue,
                    waiting: s.depth.waiting,
                    scheduled: s.depth.scheduled,
                    running: s.depth.running,
                    failed: s.failed,
                    dead_lettered: s.dead_lettered,
                    done_last_hour: done,
                    failed_last_hour: failed,
                }
            })
            .collect())
    }

    /// The outbox's depth: jobs written with their writes and not yet run.
    async fn outbox(&self, ctx: &Context<'_>) -> Result<OutboxState, ApiError> {
        let state = ctx.data::<AppState>()?;
        let depth = entities::outbox::depth(&state.db).await?;
        Ok(OutboxState {
            entries: depth.entries,
            oldest_at: depth.oldest,
        })
    }

    /// Jobs that failed every attempt and wait for an operator, newest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn failed_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those of this queue.")] queue: Option<String>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Page<FailedJob>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = dead_job::page_waiting(&state.db, queue.as_deref(), &request).await?;
        Ok(connection_of(page, |row| {
            Some((row.id.to_string(), FailedJob(row)))
        }))
    }

    /// Worker processes seen within the last day, most recently seen first.
    async fn workers(&self, ctx: &Context<'_>) -> Result<Vec<WorkerStatus>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let now = state.clock.now();
        let beat = Duration::seconds(i64::from(state.settings.heartbeat_secs));
        Ok(worker_heartbeat::list(&state.db)
            .await?
            .into_iter()
            .map(|row| WorkerStatus {
                alive: now - row.last_seen_at <= beat * 3,
                row,
            })
            .collect())
    }

    /// Accounts, oldest first: all, or those matching every filter given.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text in the email address or display name (any case).")] search: Option<
            String,
        >,
        #[graphql(desc = "Only accounts with this role.")] role: Option<Role>,
        #[graphql(desc = "Only disabled accounts (true) or only enabled ones (false).")]
        disabled: Option<bool>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Page<ManagedAccount>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let filter = user::Search {
            text: search,
            role: role.map(Into::into),
            disabled,
        };
        let page = user::search(&state.db, &filter, &request).await?;
        let ids: Vec<_> = page.rows.iter().map(|row| row.id).collect();
        let live = session::live_by_user(&state.db, &ids, state.clock.now()).await?;
        Ok(connection_of(page, |account| {
            let (live_sessions, last_active_at) =
                live.get(&account.id).copied().unwrap_or((0, None));
            Some((
                account.id.to_string(),
                ManagedAccount {
                    account,
                    live_sessions,
                    last_active_at,
                },
            ))
        }))
    }

    /// Organizations, oldest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Page<Organization>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = entities::organization::page(&state.db, &request).await?;
        Ok(connection_of(page, |row| {
            Some((
                row.id.to_string(),
                Organization(policy::operated_organization(&self.0, row)),
            ))
        }))
    }

    /// What administrators did, newest first: all, or one administrator's, or what was done
    /// to one target.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only what this administrator (a `User` ID) did.")] actor_id: Option<ID>,
        #[graphql(desc = "Only what was done to this (any global ID).")] target_id: Option<ID>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
    ) -> Result<Page<AuditEntry>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let filter = audit::Filter {
            actor: actor_id
                .map(|id| decode_id_of(&id, NodeKind::User, "actorId"))
                .transpose()?,
            target_id: target_id
                .map(|id| decode_global_id(&id, "targetId").map(|_| id.0))
                .transpose()?,
        };
        let page = audit::page(&state.db, &filter, &request).await?;
        Ok(connection_of(page, |row| {
            Some((row.id.to_string(), AuditEntry(row)))
        }))
    }
}
