//! Sends planned reminders at their instant, once, a batch at a time.
//!
//! The reminder rows decide: only the run that moves a reminder out of `scheduled` (for the
//! instant it was planned at) sends it, in the same transaction as its notification, so
//! retries, a second worker or a run after a crash find it settled. Everything that may have
//! changed since planning is checked again first: logged meanwhile, muted, item or plan gone or
//! paused, member left, the daily cap reached. A batch reads each kind of row once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::jobs::SendReminders;
use domain::notification::{self, Draft, Kind};
use domain::reminder::to_remind;
use entities::notification_settings::{self, muted};
use entities::reminder::{self, Status};
use entities::{completion, couple_member, plan, plan_item, ritual, user};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;

impl Perform for SendReminders {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let rows: Vec<reminder::Model> = reminder::find_many(&state.db, &self.reminder_ids)
            .await?
            .into_iter()
            // Forgotten ones (re-planned in a new time zone) are gone; settled or re-timed
            // ones are someone else's to send.
            .filter(|r| r.status == Status::Scheduled.as_str() && r.fire_at == self.fire_at)
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let now = state.clock.now();
        let batch = Batch::load(&state.db, &rows, now).await?;
        let (mut send, mut skip) = (Vec::new(), Vec::new());
        let mut sent_today: HashMap<Uuid, u32> = HashMap::new();
        for row in &rows {
            match batch.verdict(row, &mut sent_today, &state.messages) {
                Ok(Some(draft)) => send.push((row, draft)),
                Ok(None) => skip.push(row.id),
                // A row that does not read stops its own reminder, not the batch.
                Err(bad) => {
                    tracing::error!(error = %bad, "not sending a reminder whose data does not read");
                    skip.push(row.id);
                }
            }
        }
        reminder::settle_many(&state.db, &skip, self.fire_at, Status::Skipped, now).await?;
        let ids: Vec<Uuid> = send.iter().map(|(row, _)| row.id).collect();
        let mut write = state.writer.begin(now).await?;
        let settled: HashSet<Uuid> =
            reminder::settle_many(&*write, &ids, self.fire_at, Status::Sent, now)
                .await?
                .into_iter()
                .collect();
        let drafts: Vec<Draft> = send
            .iter()
            .filter(|(row, _)| settled.contains(&row.id))
            .map(|(_, draft)| draft.clone())
            .collect();
        let stored = entities::notification::insert_many_once(&*write, drafts, now).await?;
        super::send_push::queue_pushes(&mut write, &stored).await?;
        write.commit().await?;
        for (row, _) in send.iter().filter(|(row, _)| settled.contains(&row.id)) {
            let late = (now - row.due_at).to_std().unwrap_or_default();
            state.metrics.reminder_lateness(late);
        }
        for row in &stored {
            super::announce::published(state, row).await;
        }
        Ok(())
    }
}

/// What a batch of reminders is checked against, read once for the batch.
struct Batch {
    items: HashMap<Uuid, plan_item::Model>,
    plans: HashMap<Uuid, plan::Model>,
    /// The current members of each couple, with their accounts.
    couples: HashMap<Uuid, Vec<user::Model>>,
    muted: HashSet<(Uuid, Uuid)>,
    logged: HashMap<(Uuid, NaiveDate), Vec<Uuid>>,
    caps: HashMap<Uuid, u32>,
    /// Ritual reminders each capped member already had today (their local day).
    had_today: HashMap<Uuid, u32>,
    titles: HashMap<Uuid, String>,
    now: DateTime<Utc>,
}

impl Batch {
    async fn load(
        db: &DatabaseConnection,
        rows: &[reminder::Model],
        now: DateTime<Utc>,
    ) -> Result<Self, Failure> {
        let item_ids: Vec<Uuid> = rows.iter().map(|r| r.plan_item_id).collect();
        let items: HashMap<Uuid, plan_item::Model> = plan_item::by_ids(db, &item_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let plan_ids: Vec<Uuid> = items.values().map(|i| i.plan_id).collect();
        let plans: HashMap<Uuid, plan::Model> = plan::by_ids(db, &plan_ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let couple_ids: Vec<Uuid> = plans.values().map(|p| p.couple_id).collect();
        let mut couples: HashMap<Uuid, Vec<user::Model>> = HashMap::new();
        for (member, account) in couple_member::with_users(db, &couple_ids).await? {
            if member.is_current() {
                couples.entry(member.couple_id).or_default().push(account);
            }
        }
        let users: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
        let muted = muted::among(db, &users, &item_ids).await?;
        let (first, last) = rows
            .iter()
            .fold((NaiveDate::MAX, NaiveDate::MIN), |(a, b), r| {
                (a.min(r.occurrence_date), b.max(r.occurrence_date))
            });
        let mut logged: HashMap<(Uuid, NaiveDate), Vec<Uuid>> = HashMap::new();
        for c in completion::for_items_between(db, &item_ids, first, last).await? {
            logged
                .entry((c.plan_item_id, c.occurrence_date))
                .or_default()
                .push(c.user_id);
        }
        let caps = notification_settings::daily_caps(db, &users).await?;
        let mut had_today = HashMap::new();
        for user_id in caps.keys() {
            let Some(account) = couples.values().flatten().find(|u| u.id == *user_id) else {
                continue;
            };
            let tz = account
                .timezone()
                .map_err(|bad| Failure::Permanent(bad.into()))?;
            let today = now.with_timezone(&tz).date_naive();
            let start = domain::summary::start_of(today, tz);
            let n = entities::notification::count_between(
                db,
                *user_id,
                Kind::RitualReminder,
                start,
                start + Duration::days(1),
            )
            .await?;
            had_today.insert(*user_id, u32::try_from(n).unwrap_or(u32::MAX));
        }
        let ritual_ids: Vec<Uuid> = items.values().map(|i| i.ritual_id).collect();
        let titles = ritual::by_ids(db, &ritual_ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r.title))
            .collect();
        Ok(Self {
            items,
            plans,
            couples,
            muted,
            logged,
            caps,
            had_today,
            titles,
            now,
        })
    }

    /// The notification a reminder sends, or `None` when it should not go out any more.
    /// `sent` counts what this batch already sends each member, for the daily cap.
    fn verdict(
        &self,
        row: &reminder::Model,
        sent: &mut HashMap<Uuid, u32>,
        messages: &domain::messages::Messages,
    ) -> Result<Option<Draft>, entities::BadRow> {
        let Some(item) = self.items.get(&row.plan_item_id) else {
            return Ok(None);
        };
        let Some(plan) = self.plans.get(&item.plan_id) else {
            return Ok(None);
        };
        if !item.is_active()? || !plan.is_active()? || plan.is_paused(self.now) {
            return Ok(None);
        }
        let members = self
            .couples
            .get(&plan.couple_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(member) = members.iter().find(|u| u.id == row.user_id) else {
            return Ok(None);
        };
        if member.disabled || self.muted.contains(&(row.user_id, item.id)) {
            return Ok(None);
        }
        let ids: Vec<Uuid> = members.iter().map(|u| u.id).collect();
        let logged = self
            .logged
            .get(&(item.id, row.occurrence_date))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if !to_remind(item.assignee()?, &ids, logged).contains(&row.user_id) {
            return Ok(None);
        }
        if let Some(cap) = self.caps.get(&row.user_id) {
            let had = self.had_today.get(&row.user_id).copied().unwrap_or(0);
            let this_batch = sent.entry(row.user_id).or_default();
            if had + *this_batch >= *cap {
                return Ok(None);
            }
            *this_batch += 1;
        }
        let title = self
            .titles
            .get(&item.ritual_id)
            .map_or("your ritual", String::as_str);
        let to = notification::Recipient {
            user_id: row.user_id,
            locale: &member.locale,
            messages,
        };
        Ok(Some(notification::ritual_reminder(
            to,
            row.id,
            title,
            item.id,
            row.occurrence_date,
        )))
    }
}
