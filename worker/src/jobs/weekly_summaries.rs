//! Every hour: the couples whose local ISO week just ended get their summary, built once per
//! couple-week, and both members are told. A worker that was down catches up: any finished
//! week without a summary is built on the next tick.

use domain::jobs::{BuildWeeklySummary, PlanWeeklySummaries};
use domain::summary::last_finished_week;
use entities::{couple, couple_member, weekly_summary};

use super::{Failure, Perform};
use crate::JobState;

/// Couples read per statement.
const COUPLES_PER_PAGE: u64 = 500;

impl Perform for PlanWeeklySummaries {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let mut after = None;
        let mut queued = 0usize;
        loop {
            let couples = couple::active_page(&state.db, after, COUPLES_PER_PAGE).await?;
            let Some(last) = couples.last() else { break };
            after = Some(last.id);
            let mut wanted = Vec::with_capacity(couples.len());
            for couple in &couples {
                match couple.timezone() {
                    Ok(tz) => wanted.push((couple.id, last_finished_week(self.at, tz))),
                    Err(bad) => tracing::error!(error = %bad, "skipping a couple"),
                }
            }
            let present = weekly_summary::present(&state.db, &wanted).await?;
            let jobs: Vec<BuildWeeklySummary> = wanted
                .into_iter()
                .filter(|key| !present.contains(key))
                .map(|(couple_id, week_start)| BuildWeeklySummary {
                    couple_id,
                    week_start,
                })
                .collect();
            queued += jobs.len();
            state.queue.push_many(jobs).await?;
        }
        tracing::info!(summaries.queued = queued, "planned weekly summaries");
        Ok(())
    }
}

impl Perform for BuildWeeklySummary {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let Some(couple) = couple::find(&state.db, self.couple_id).await? else {
            return Ok(());
        };
        let now = state.clock.now();
        let stored = weekly_summary::build_and_store(
            &state.db,
            &couple,
            self.week_start,
            &state.streak_rules,
            false,
            now,
        )
        .await?;
        if stored.is_none() {
            // Built by an earlier run: its members were told then.
            return Ok(());
        }
        for (member, _) in couple_member::with_users(&state.db, &[couple.id]).await? {
            if !member.is_current() {
                continue;
            }
            let draft = domain::notification::weekly_summary_ready(
                member.user_id,
                couple.id,
                self.week_start,
            );
            if let Some(row) = entities::notification::insert_once(&state.db, draft, now).await? {
                super::announce::published(state, &row).await;
            }
        }
        Ok(())
    }
}
