//! Tells a member's partner what they did: logged a ritual, answered the day's check-in. Only
//! that it happened: never a note, a closeness rating or an answer. Nothing goes out while the
//! couple is on a break (no partner nudges then). The notification's dedupe key makes a retried
//! run tell once.

use chrono::{DateTime, Utc};
use domain::jobs::{AnnounceCheckIn, AnnounceCompletion};
use domain::notification::{self, Draft, Recipient};
use entities::{check_in, completion, couple_break, couple_member, plan, plan_item, ritual, user};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;

impl Perform for AnnounceCompletion {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let db = &state.db;
        let Some(done) = completion::find(db, self.completion_id).await? else {
            // Undone before we got to it: nothing to tell.
            return Ok(());
        };
        let Some(item) = plan_item::find(db, done.plan_item_id).await? else {
            return Ok(());
        };
        let Some(plan) = plan::find(db, item.plan_id).await? else {
            return Ok(());
        };
        let title = ritual::by_ids(db, &[item.ritual_id])
            .await?
            .into_iter()
            .next()
            .map(|r| r.title)
            .unwrap_or_else(|| "a ritual".into());
        let now = state.clock.now();
        tell_partners(state, plan.couple_id, done.user_id, now, |partner, who| {
            notification::partner_completed(
                partner,
                done.id,
                who,
                &title,
                item.id,
                done.occurrence_date,
            )
        })
        .await
    }
}

impl Perform for AnnounceCheckIn {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let Some(answer) = check_in::find(&state.db, self.check_in_answer_id).await? else {
            return Ok(());
        };
        // Whoever answered that day already is told the answers are open, not asked to answer.
        let answered = check_in::for_day(&state.db, answer.couple_id, answer.local_date).await?;
        let now = state.clock.now();
        tell_partners(
            state,
            answer.couple_id,
            answer.user_id,
            now,
            |partner, who| {
                notification::partner_checked_in(
                    partner,
                    answer.couple_id,
                    who,
                    answer.local_date,
                    answered.iter().any(|a| a.user_id == partner.user_id),
                )
            },
        )
        .await
    }
}

/// Stores `draft(partner, author's name)` for each current partner of `author`, unless the
/// couple is on a break today (in that partner's zone).
async fn tell_partners(
    state: &JobState,
    couple_id: Uuid,
    author: Uuid,
    now: DateTime<Utc>,
    draft: impl Fn(Recipient<'_>, &str) -> Draft,
) -> Result<(), Failure> {
    let db = &state.db;
    let members = couple_member::with_users(db, &[couple_id]).await?;
    let current: Vec<&user::Model> = members
        .iter()
        .filter(|(m, _)| m.is_current())
        .map(|(_, u)| u)
        .collect();
    let Some(who) = current.iter().find(|u| u.id == author) else {
        // The author left the couple since: their partner is no longer theirs to tell.
        return Ok(());
    };
    for partner in current.iter().filter(|u| u.id != author && !u.disabled) {
        if on_break(db, couple_id, partner, now).await? {
            continue;
        }
        let draft = draft(
            state.recipient(partner.id, &partner.locale),
            &who.display_name,
        );
        let mut write = state.writer.begin(now).await?;
        let stored = entities::notification::insert_once(&*write, draft, now).await?;
        if let Some(stored) = &stored {
            super::send_push::queue_pushes(&mut write, std::slice::from_ref(stored)).await?;
        }
        write.commit().await?;
        if let Some(stored) = stored {
            published(state, &stored).await;
        }
    }
    Ok(())
}

/// Tells the member's open subscriptions, on whichever api instance, that a notification was
/// stored for them. Only once it is stored: a subscriber reads it from the database.
pub async fn published(state: &JobState, stored: &entities::notification::Model) {
    state
        .notifications
        .publish(domain::notification::Added {
            user_id: stored.user_id,
            notification_id: stored.id,
        })
        .await;
}

async fn on_break(
    db: &DatabaseConnection,
    couple_id: Uuid,
    member: &user::Model,
    now: DateTime<Utc>,
) -> Result<bool, Failure> {
    let tz = member
        .timezone()
        .map_err(|bad| Failure::Permanent(bad.into()))?;
    let today = now.with_timezone(&tz).date_naive();
    Ok(couple_break::running(db, couple_id, today).await?)
}
