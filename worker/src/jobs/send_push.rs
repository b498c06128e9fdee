//! Pushes a stored notification to its member's devices. It was stored because the member's
//! mutes, daily cap and breaks allowed it, so the push honours them as the inbox does; quiet
//! hours hold a push until they end (a reminder was timed past them already). Each device's
//! service decides: accepted, gone (the device is forgotten), or later (that device is tried
//! again, after the wait the service asked for); a push sent again carries the same collapse
//! key, so a phone shows it once.

use std::collections::HashSet;
use std::time::Duration;

use domain::jobs::{Queued, SendPush, retry_delay};
use domain::push::Message;
use entities::{notification, push_device, user};
use futures_util::future::join_all;
use uuid::Uuid;

use super::{Failure, Perform};
use crate::JobState;
use crate::push::Sent;

/// Rounds of retries before a device's push is given up.
const MAX_ROUNDS: u32 = 8;

/// Queues, in `write`, the pushes of these notifications just stored: one job each, for members
/// with a device.
pub async fn queue_pushes(
    write: &mut runtime::Write,
    stored: &[notification::Model],
) -> Result<(), sea_orm::DbErr> {
    let users: Vec<Uuid> = stored.iter().map(|n| n.user_id).collect();
    let with_devices = push_device::users_with_devices(&**write, &users).await?;
    for row in stored.iter().filter(|n| with_devices.contains(&n.user_id)) {
        write.job(SendPush::of(row.id))?;
    }
    Ok(())
}

impl Perform for SendPush {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let Some(stored) = notification::find(&state.db, self.notification_id).await? else {
            return Ok(());
        };
        if stored.read_at.is_some() {
            // Seen in the app already: a push would only repeat it.
            return Ok(());
        }
        let Some(member) = user::find_by_id(&state.db, stored.user_id).await? else {
            return Ok(());
        };
        let now = state.clock.now();
        let tz = member
            .timezone()
            .map_err(|bad| Failure::Permanent(bad.into()))?;
        let quiet = member
            .quiet_hours()
            .map_err(|bad| Failure::Permanent(bad.into()))?;
        let free_at = domain::reminder::after_quiet_hours(now, tz, quiet);
        if free_at > now {
            let wait = (free_at - now).to_std().unwrap_or_default();
            state
                .queue
                .push_after(Queued::first(self.clone()), wait)
                .await?;
            return Ok(());
        }
        let wanted: Option<HashSet<Uuid>> =
            self.devices.as_ref().map(|d| d.iter().copied().collect());
        let devices: Vec<push_device::Model> = push_device::of_user(&state.db, member.id)
            .await?
            .into_iter()
            .filter(|d| wanted.as_ref().is_none_or(|w| w.contains(&d.id)))
            .collect();
        if devices.is_empty() {
            return Ok(());
        }
        let message = Message::new(
            domain::ids::global_id("Notification", stored.id),
            &stored.kind,
            &stored.title,
            &stored.body,
            &stored.data,
        );
        let outcomes = join_all(devices.iter().map(|d| state.pusher.send(d, &message))).await;
        let (mut accepted, mut later, mut wait) = (Vec::new(), Vec::new(), None::<Duration>);
        for (device, sent) in devices.iter().zip(outcomes) {
            state
                .metrics
                .push(device.platform.as_str(), outcome_name(&sent));
            match sent {
                Sent::Accepted => accepted.push(device.id),
                Sent::Gone => {
                    tracing::info!(push.device = %device.id, "the push service no longer knows a device; forgotten");
                    push_device::forget(&state.db, device.id).await?;
                }
                Sent::Later(asked) => {
                    later.push(device.id);
                    wait = wait.max(asked);
                }
                Sent::Refused(why) => {
                    tracing::warn!(push.device = %device.id, error = %why, "a push was refused");
                }
            }
        }
        push_device::pushed(&state.db, &accepted, runtime::write::wall_now()).await?;
        if later.is_empty() {
            return Ok(());
        }
        let round = self.round + 1;
        if round >= MAX_ROUNDS {
            tracing::warn!(push.notification = %stored.id, devices = later.len(), "pushes given up after {MAX_ROUNDS} rounds");
            return Ok(());
        }
        let backoff = retry_delay(round, rand::random::<f64>());
        let again = SendPush {
            notification_id: self.notification_id,
            devices: Some(later),
            round,
        };
        state
            .queue
            .push_after(
                Queued::first(again),
                wait.unwrap_or(backoff).max(Duration::from_secs(1)),
            )
            .await?;
        Ok(())
    }
}

fn outcome_name(sent: &Sent) -> &'static str {
    match sent {
        Sent::Accepted => "accepted",
        Sent::Gone => "gone",
        Sent::Later(_) => "later",
        Sent::Refused(_) => "refused",
    }
}
