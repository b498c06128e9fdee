//! Sends one planned reminder at its instant, once.
//!
//! The reminder row decides: only the run that moves it out of `scheduled` (for the instant it
//! was planned at) sends, in the same transaction as the notification, so retries, a second
//! worker or a run after a crash find it settled. Everything that may have changed since it
//! was planned is checked again first: logged meanwhile, muted, item or plan gone or paused,
//! member left, the daily cap reached.

use chrono::{DateTime, Duration, Utc};
use domain::jobs::SendReminder;
use domain::notification::{self, Kind};
use domain::reminder::to_remind;
use entities::notification_settings::{self, muted};
use entities::reminder::{self, Status};
use entities::{begin_write, completion, couple_member, plan, plan_item, ritual, user};
use sea_orm::DatabaseConnection;

use super::{Failure, Perform};
use crate::JobState;

impl Perform for SendReminder {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let Some(row) = reminder::find(&state.db, self.reminder_id).await? else {
            // Forgotten: the member's time changed and it will be planned again.
            return Ok(());
        };
        if row.status().map_err(bad)? != Status::Scheduled || row.fire_at != self.fire_at {
            return Ok(());
        }
        let now = state.clock.now();
        let verdict = match still_wanted(&state.db, &row, now).await? {
            Verdict::Send(draft) => draft,
            Verdict::Skip(why) => {
                reminder::settle(&state.db, row.id, row.fire_at, Status::Skipped, now).await?;
                tracing::debug!(reminder.id = %row.id, why, "reminder not sent");
                return Ok(());
            }
        };
        let txn = begin_write(&state.db).await?;
        if !reminder::settle(&txn, row.id, row.fire_at, Status::Sent, now).await? {
            return Ok(());
        }
        let stored = entities::notification::insert_once(&txn, verdict, now).await?;
        txn.commit().await?;
        let late = (now - row.due_at).to_std().unwrap_or_default();
        state.metrics.reminder_lateness(late);
        if let Some(stored) = stored {
            super::announce::published(state, &stored).await;
        }
        Ok(())
    }
}

enum Verdict {
    Send(notification::Draft),
    Skip(&'static str),
}

async fn still_wanted(
    db: &DatabaseConnection,
    row: &reminder::Model,
    now: DateTime<Utc>,
) -> Result<Verdict, Failure> {
    let Some(item) = plan_item::find(db, row.plan_item_id).await? else {
        return Ok(Verdict::Skip("item deleted"));
    };
    if !item.is_active().map_err(bad)? {
        return Ok(Verdict::Skip("item removed"));
    }
    let Some(plan) = plan::find(db, item.plan_id).await? else {
        return Ok(Verdict::Skip("plan deleted"));
    };
    if !plan.is_active().map_err(bad)? || plan.is_paused(now) {
        return Ok(Verdict::Skip("plan archived or paused"));
    }
    let members = couple_member::with_users(db, &[plan.couple_id]).await?;
    let current: Vec<_> = members.iter().filter(|(m, _)| m.is_current()).collect();
    let Some((_, member)) = current.iter().find(|(_, u)| u.id == row.user_id) else {
        return Ok(Verdict::Skip("no longer in the couple"));
    };
    if member.disabled {
        return Ok(Verdict::Skip("account disabled"));
    }
    if muted::for_user(db, row.user_id)
        .await?
        .contains(&row.plan_item_id)
    {
        return Ok(Verdict::Skip("muted"));
    }
    let ids: Vec<_> = current.iter().map(|(_, u)| u.id).collect();
    let logged: Vec<_> =
        completion::for_items_between(db, &[item.id], row.occurrence_date, row.occurrence_date)
            .await?
            .into_iter()
            .map(|c| c.user_id)
            .collect();
    if !to_remind(item.assignee().map_err(bad)?, &ids, &logged).contains(&row.user_id) {
        return Ok(Verdict::Skip("already logged"));
    }
    if over_daily_cap(db, member, now).await? {
        return Ok(Verdict::Skip("daily cap reached"));
    }
    let title = ritual::by_ids(db, &[item.ritual_id])
        .await?
        .into_iter()
        .next()
        .map(|r| r.title)
        .unwrap_or_else(|| "your ritual".into());
    Ok(Verdict::Send(notification::ritual_reminder(
        row.user_id,
        row.id,
        &title,
        item.id,
        row.occurrence_date,
    )))
}

/// Whether the member already had as many ritual reminders today (their local day) as they
/// allow.
async fn over_daily_cap(
    db: &DatabaseConnection,
    member: &user::Model,
    now: DateTime<Utc>,
) -> Result<bool, Failure> {
    let Some(cap) = notification_settings::daily_cap(db, member.id).await? else {
        return Ok(false);
    };
    let tz = member.timezone().map_err(bad)?;
    let today = now.with_timezone(&tz).date_naive();
    let start = domain::schedule::resolve_local(tz, today.and_time(chrono::NaiveTime::MIN));
    let sent = entities::notification::count_between(
        db,
        member.id,
        Kind::RitualReminder,
        start,
        start + Duration::days(1),
    )
    .await?;
    Ok(sent >= u64::from(cap))
}

fn bad(row: entities::BadRow) -> Failure {
    Failure::Permanent(row.into())
}
