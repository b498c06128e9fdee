//! Every hour: the couples whose local ISO week just ended get their summary, built once per
//! couple-week, and both members are told (never of a week that ended before the couple was
//! formed). A worker that was down catches up: any finished
//! week without a summary is built on the next tick.

use chrono::NaiveDate;
use domain::jobs::{BuildWeeklySummaries, PlanWeeklySummaries};
use domain::summary::week_to_sum_up;
use entities::{couple, couple_member, weekly_summary};
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;

/// Couples read per statement.
const COUPLES_PER_PAGE: u64 = 500;

impl Perform for PlanWeeklySummaries {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let couples = couple::active_page(&state.db, self.after, COUPLES_PER_PAGE).await?;
        if let Some(last) = couples
            .last()
            .filter(|_| couples.len() as u64 == COUPLES_PER_PAGE)
        {
            let next = PlanWeeklySummaries {
                at: self.at,
                after: Some(last.id),
            };
            state.queue.push(next).await?;
        }
        let mut wanted = Vec::with_capacity(couples.len());
        for couple in &couples {
            match couple.timezone() {
                Ok(tz) => wanted.extend(
                    week_to_sum_up(self.at, tz, couple.created_at).map(|week| (couple.id, week)),
                ),
                Err(bad) => tracing::error!(error = %bad, "skipping a couple"),
            }
        }
        let present = weekly_summary::present(&state.db, &wanted).await?;
        let missing: Vec<_> = wanted
            .into_iter()
            .filter(|key| !present.contains(key))
            .collect();
        let jobs: Vec<BuildWeeklySummaries> = missing
            .chunks(BuildWeeklySummaries::BATCH)
            .map(|chunk| BuildWeeklySummaries {
                weeks: chunk.to_vec(),
            })
            .collect();
        if !missing.is_empty() {
            tracing::info!(summaries.queued = missing.len(), "planned weekly summaries");
        }
        state.queue.push_many(jobs).await?;
        Ok(())
    }
}

impl Perform for BuildWeeklySummaries {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let ids: Vec<Uuid> = self.weeks.iter().map(|(c, _)| *c).collect();
        let couples = couple::by_ids(&state.db, &ids).await?;
        let weeks: Vec<(&couple::Model, NaiveDate)> = self
            .weeks
            .iter()
            .filter_map(|(id, week)| couples.iter().find(|c| c.id == *id).map(|c| (c, *week)))
            .collect();
        let now = state.clock.now();
        // The summaries, their notifications and their webhook events are one write. Only
        // the weeks this run stored are announced: a retry finds the rest built.
        let mut write = state.writer.begin(now).await?;
        let stored =
            weekly_summary::build_and_store(&*write, &weeks, &state.streak_rules, false, now)
                .await?;
        let built: Vec<Uuid> = stored.iter().map(|s| s.couple_id).collect();
        let mut drafts = Vec::new();
        for (member, account) in couple_member::with_users(&*write, &built).await? {
            if !member.is_current() {
                continue;
            }
            if let Some(summary) = stored.iter().find(|s| s.couple_id == member.couple_id) {
                drafts.push(domain::notification::weekly_summary_ready(
                    state.recipient(member.user_id, &account.locale),
                    member.couple_id,
                    summary.week_start,
                ));
            }
        }
        let notified = entities::notification::insert_many_once(&*write, drafts, now).await?;
        super::send_push::queue_pushes(&mut write, &notified).await?;
        // Coaching platforms granted `progress` hear that the week is summed up: only couples
        // that granted any organization anything are looked at further (one statement).
        let granting = entities::access::couples_with_grants(&*write, &built).await?;
        for summary in stored.iter().filter(|s| granting.contains(&s.couple_id)) {
            write
                .announce(
                    summary.couple_id,
                    domain::organization::Scope::Progress,
                    domain::webhook::EventType::WeeklySummaryReady,
                    serde_json::json!({
                        "coupleId": couple_global_id(summary.couple_id),
                        "summaryId": domain::ids::global_id("WeeklySummary", summary.id),
                        "weekStart": summary.week_start,
                    }),
                )
                .await?;
        }
        if state.narrator.is_some() && !stored.is_empty() {
            write.job(domain::jobs::WriteNarratives {
                summary_ids: stored.iter().map(|s| s.id).collect(),
            })?;
        }
        write.commit().await?;
        for row in &notified {
            super::announce::published(state, row).await;
        }
        Ok(())
    }
}

/// A couple's global ID as the API shows it (`Couple:<uuid>`, base64): how webhook receivers
/// know the couple.
fn couple_global_id(id: Uuid) -> String {
    domain::ids::global_id("Couple", id)
}
