//! Pushes stored notifications to their members' devices, a batch at a time (three statements
//! read a batch, two settle it). A notification was stored because its member's mutes, daily
//! cap and breaks allowed it, so the push honours them as the inbox does; quiet hours hold a
//! push until they end (a reminder was timed past them already). Each device's service decides:
//! accepted, gone (the device is forgotten), or later (that device is tried again, after the
//! wait the service asked for); a push sent again carries the same collapse key, so a phone
//! shows it once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::jobs::{Queued, SendPush, retry_delay};
use domain::push::Message;
use entities::{notification, push_device, user};
use futures_util::StreamExt;
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;
use crate::push::Sent;

/// Rounds of retries before a device's push is given up.
const MAX_ROUNDS: u32 = 8;
/// Pushes one job has in flight at once.
const IN_FLIGHT: usize = 32;

/// Queues, in `write`, the pushes of these notifications just stored: for members with a
/// device, in jobs of [`SendPush::BATCH`].
pub async fn queue_pushes(
    write: &mut runtime::Write,
    stored: &[notification::Model],
) -> Result<(), sea_orm::DbErr> {
    let users: Vec<Uuid> = stored.iter().map(|n| n.user_id).collect();
    let with_devices = push_device::users_with_devices(&**write, &users).await?;
    let ids: Vec<Uuid> = stored
        .iter()
        .filter(|n| with_devices.contains(&n.user_id))
        .map(|n| n.id)
        .collect();
    for chunk in ids.chunks(SendPush::BATCH) {
        write.job(SendPush::of(chunk.to_vec()))?;
    }
    Ok(())
}

impl Perform for SendPush {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        // Seen in the app already: a push would only repeat it.
        let unread: Vec<notification::Model> =
            notification::find_many(&state.db, &self.notification_ids)
                .await?
                .into_iter()
                .filter(|n| n.read_at.is_none())
                .collect();
        if unread.is_empty() {
            return Ok(());
        }
        let user_ids: Vec<Uuid> = unread.iter().map(|n| n.user_id).collect();
        let members: HashMap<Uuid, user::Model> = user::by_ids(&state.db, &user_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let now = state.clock.now();
        // Those in their quiet hours wait, a job per instant they end at.
        let mut held: BTreeMap<DateTime<Utc>, Vec<Uuid>> = BTreeMap::new();
        let mut ready = Vec::new();
        for row in unread {
            let Some(member) = members.get(&row.user_id) else {
                continue;
            };
            match free_at(member, now) {
                Ok(at) if at > now => held.entry(at).or_default().push(row.id),
                Ok(_) => ready.push(row),
                Err(bad) => {
                    tracing::error!(error = %bad, "not pushing to a member whose settings do not read")
                }
            }
        }
        for (at, ids) in held {
            let again = SendPush {
                notification_ids: ids,
                ..self.clone()
            };
            let wait = (at - now).to_std().unwrap_or_default();
            state.queue.push_after(Queued::first(again), wait).await?;
        }
        let wanted: Option<HashSet<Uuid>> =
            self.devices.as_ref().map(|d| d.iter().copied().collect());
        let ready_users: Vec<Uuid> = ready.iter().map(|n| n.user_id).collect();
        let mut devices: HashMap<Uuid, Vec<push_device::Model>> = HashMap::new();
        for device in push_device::of_users(&state.db, &ready_users).await? {
            if wanted.as_ref().is_none_or(|w| w.contains(&device.id)) {
                devices.entry(device.user_id).or_default().push(device);
            }
        }
        let sends: Vec<(Uuid, push_device::Model, Message)> = ready
            .iter()
            .flat_map(|row| {
                let message = Message::new(
                    domain::ids::global_id("Notification", row.id),
                    &row.kind,
                    &row.title,
                    &row.body,
                    &row.data,
                );
                devices
                    .get(&row.user_id)
                    .into_iter()
                    .flatten()
                    .map(move |d| (row.id, d.clone(), message.clone()))
            })
            .collect();
        let outcomes: Vec<(Uuid, push_device::Model, Sent)> =
            futures_util::stream::iter(sends.into_iter().map(|(id, device, message)| async move {
                let sent = state.pusher.send(&device, &message).await;
                (id, device, sent)
            }))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        settle(self, state, outcomes).await
    }
}

/// Acts on what the services answered: forgets gone devices, notes accepted ones, and queues
/// the devices to try again, a job per notification.
async fn settle(
    job: &SendPush,
    state: &JobState,
    outcomes: Vec<(Uuid, push_device::Model, Sent)>,
) -> Result<(), Failure> {
    let (mut accepted, mut gone) = (Vec::new(), Vec::new());
    let mut later: BTreeMap<Uuid, (Vec<Uuid>, Option<Duration>)> = BTreeMap::new();
    for (notification_id, device, sent) in outcomes {
        state
            .metrics
            .push(device.platform.as_str(), outcome_name(&sent));
        match sent {
            Sent::Accepted => accepted.push(device.id),
            Sent::Gone => {
                tracing::info!(push.device = %device.id, "the push service no longer knows a device; forgotten");
                gone.push(device.id);
            }
            Sent::Later(asked) => {
                let entry = later.entry(notification_id).or_default();
                entry.0.push(device.id);
                entry.1 = entry.1.max(asked);
            }
            Sent::Refused(why) => {
                tracing::warn!(push.device = %device.id, error = %why, "a push was refused");
            }
        }
    }
    push_device::forget(&state.db, &gone).await?;
    push_device::pushed(&state.db, &accepted, runtime::write::wall_now()).await?;
    let round = job.round + 1;
    for (notification_id, (devices, asked)) in later {
        if round >= MAX_ROUNDS {
            tracing::warn!(push.notification = %notification_id, devices = devices.len(), "pushes given up after {MAX_ROUNDS} rounds");
            continue;
        }
        let backoff = retry_delay(round, rand::random::<f64>());
        let again = SendPush {
            notification_ids: vec![notification_id],
            devices: Some(devices),
            round,
        };
        let wait = asked.unwrap_or(backoff).max(Duration::from_secs(1));
        state.queue.push_after(Queued::first(again), wait).await?;
    }
    Ok(())
}

/// When a push to `member` may go: now, or when their quiet hours end.
fn free_at(member: &user::Model, now: DateTime<Utc>) -> Result<DateTime<Utc>, entities::BadRow> {
    Ok(domain::reminder::after_quiet_hours(
        now,
        member.timezone()?,
        member.quiet_hours()?,
    ))
}

fn outcome_name(sent: &Sent) -> &'static str {
    match sent {
        Sent::Accepted => "accepted",
        Sent::Gone => "gone",
        Sent::Later(_) => "later",
        Sent::Refused(_) => "refused",
    }
}
