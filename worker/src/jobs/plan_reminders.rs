//! Every minute: find the plan-item occurrences each member is due to be reminded of soon, plan
//! one reminder per (item, occurrence, member) and queue it for its instant.
//!
//! The minute's tick only queues a [`PlanReminders`] job; the job does the work, so a tick that
//! several workers each fire plans once per reminder all the same (the reminder's unique key),
//! and a test or an operator can plan any instant by queueing the job.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use domain::jobs::{PlanReminders, Queued, SendReminders};
use domain::reminder::{CATCH_UP, PLAN_AHEAD, due_between, to_remind};
use entities::notification_settings::muted;
use entities::{completion, couple_member, plan, plan_item, reminder};
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;

/// Plans read per statement.
const PLANS_PER_PAGE: u64 = 500;
/// A scheduled reminder this late, last queued this long ago, lost its job: queue it again.
const LOST_AFTER: Duration = Duration::minutes(2);
/// Lost reminders queued again per run.
const REQUEUE_LIMIT: u64 = 1_000;

impl Perform for PlanReminders {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let from = self.at - CATCH_UP;
        let to = self.at + PLAN_AHEAD;
        let plans = plan::active_page(&state.db, self.after, PLANS_PER_PAGE).await?;
        // The next page is queued before this one is planned, so that other workers plan
        // the pages side by side.
        if let Some(last) = plans
            .last()
            .filter(|_| plans.len() as u64 == PLANS_PER_PAGE)
        {
            let next = PlanReminders {
                at: self.at,
                after: Some(last.id),
            };
            state.queue.push(next).await?;
        }
        let planned = plan_page(state, &plans, from, to).await?;
        // Once per tick: the first page's run also looks for reminders whose job was lost.
        let requeued = if self.after.is_none() {
            requeue_lost(state).await?
        } else {
            0
        };
        // An idle tick says nothing: only work done is worth a line every minute.
        if planned + requeued > 0 {
            tracing::info!(
                reminders.planned = planned,
                reminders.requeued = requeued,
                "planned reminders"
            );
        }
        Ok(())
    }
}

/// Plans the reminders of one page of active plans due in `[from, to)`.
async fn plan_page(
    state: &JobState,
    plans: &[plan::Model],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<usize, Failure> {
    let db = &state.db;
    let plan_ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let couple_ids: Vec<Uuid> = plans.iter().map(|p| p.couple_id).collect();
    let mut items = plan_item::for_plans(db, &plan_ids).await?;
    items.retain(|item| matches!(item.is_active(), Ok(true)));
    let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();

    let mut members: HashMap<Uuid, Vec<(Uuid, entities::user::Model)>> = HashMap::new();
    for (member, user) in couple_member::with_users(db, &couple_ids).await? {
        if member.is_current() && !user.disabled {
            members
                .entry(member.couple_id)
                .or_default()
                .push((user.id, user));
        }
    }
    let user_ids: Vec<Uuid> = members.values().flatten().map(|(id, _)| *id).collect();
    let muted = muted::among(db, &user_ids, &item_ids).await?;
    // Occurrence dates of the window in any zone lie within two days of its UTC dates.
    let completions = completion::for_items_between(
        db,
        &item_ids,
        from.date_naive() - Duration::days(2),
        to.date_naive() + Duration::days(2),
    )
    .await?;
    let mut logged: HashMap<(Uuid, chrono::NaiveDate), Vec<Uuid>> = HashMap::new();
    for c in &completions {
        logged
            .entry((c.plan_item_id, c.occurrence_date))
            .or_default()
            .push(c.user_id);
    }
    let plans_by_id: HashMap<Uuid, &plan::Model> = plans.iter().map(|p| (p.id, p)).collect();

    let now = state.clock.now();
    let mut all = Vec::new();
    for item in &items {
        let Some(plan) = plans_by_id.get(&item.plan_id) else {
            continue;
        };
        let Some(couple) = members.get(&plan.couple_id) else {
            continue;
        };
        let window = Window {
            from,
            to,
            muted: &muted,
            logged: &logged,
        };
        // A row that does not read stops its own item's reminders, not everyone's.
        let wanted = match window.wanted(item, plan, couple) {
            Ok(wanted) => wanted,
            Err(bad) => {
                tracing::error!(error = %bad, "skipping a plan item whose stored data does not read");
                continue;
            }
        };
        all.extend(wanted);
    }
    let rows = reminder::plan_many(db, &all, now).await?;
    queue_sends(state, &rows, now).await?;
    Ok(rows.len())
}

/// What one planning run knows beyond the item itself.
struct Window<'a> {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    muted: &'a HashSet<(Uuid, Uuid)>,
    logged: &'a HashMap<(Uuid, chrono::NaiveDate), Vec<Uuid>>,
}

impl Window<'_> {
    /// The reminders an item's members are due in the window: not muted, not logged, not while
    /// the plan is paused.
    fn wanted(
        &self,
        item: &plan_item::Model,
        plan: &plan::Model,
        couple: &[(Uuid, entities::user::Model)],
    ) -> Result<Vec<reminder::Wanted>, entities::BadRow> {
        let schedule = item.schedule()?;
        let assignee = item.assignee()?;
        let ids: Vec<Uuid> = couple.iter().map(|(id, _)| *id).collect();
        let mut wanted = Vec::new();
        for (user_id, user) in couple {
            if self.muted.contains(&(*user_id, item.id)) || !assignee.includes(*user_id) {
                continue;
            }
            let (tz, quiet) = (user.timezone()?, user.quiet_hours()?);
            for due in due_between(&schedule, tz, quiet, self.from, self.to) {
                if plan.is_paused(due.due_at) {
                    continue;
                }
                let done_by = self
                    .logged
                    .get(&(item.id, due.date))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if to_remind(assignee, &ids, done_by).contains(user_id) {
                    wanted.push(reminder::Wanted {
                        plan_item_id: item.id,
                        occurrence_date: due.date,
                        user_id: *user_id,
                        due_at: due.due_at,
                        fire_at: due.fire_at,
                    });
                }
            }
        }
        Ok(wanted)
    }
}

/// Queues the jobs that send planned reminders at their instants: one per instant and batch.
async fn queue_sends(
    state: &JobState,
    rows: &[reminder::Model],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut by_instant: BTreeMap<DateTime<Utc>, Vec<Uuid>> = BTreeMap::new();
    for row in rows {
        by_instant.entry(row.fire_at).or_default().push(row.id);
    }
    for (fire_at, ids) in by_instant {
        let delay = (fire_at - now).to_std().unwrap_or_default();
        for chunk in ids.chunks(SendReminders::BATCH) {
            let job = SendReminders {
                fire_at,
                reminder_ids: chunk.to_vec(),
            };
            state
                .queue
                .push_after(Queued::first(job), delay)
                .await
                .context("queueing reminders")?;
        }
    }
    Ok(())
}

/// Queues again the reminders whose job was lost; answers how many.
async fn requeue_lost(state: &JobState) -> Result<usize, Failure> {
    let now = state.clock.now();
    let lost =
        reminder::overdue(&state.db, now - LOST_AFTER, now - LOST_AFTER, REQUEUE_LIMIT).await?;
    queue_sends(state, &lost, now).await?;
    let ids: Vec<Uuid> = lost.iter().map(|row| row.id).collect();
    reminder::requeued(&state.db, &ids, now).await?;
    Ok(ids.len())
}
