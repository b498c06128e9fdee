//! Webhook deliveries: one attempt per job, signed, to endpoints that may not point inside
//! our network. The address is checked three times: its host as the client parses it, every
//! address a name resolves to (so a name cannot be turned into an internal address after the
//! endpoint was registered), and the peer of the connection actually made (those two in
//! [`client`]). What a failed attempt logs does not tell a refused port from a filtered one
//! or a non-HTTP one. A failed attempt sets when to try again; the minute's tick queues the
//! attempts that are due, until the delivery is accepted or, three days after its event,
//! given up.

use std::time::Instant;

use domain::jobs::{DeliverWebhook, Queued, RetryWebhooks};
use domain::webhook;
use entities::webhook::{attempt, delivery};
use rand::Rng;

use super::{Failure, Perform};
use crate::JobState;

pub(crate) mod client;

use client::client;

/// Attempts queued per tick at most (the rest on the next one).
const DUE_PER_TICK: u64 = 1_000;
/// When an organization has all its share of the worker in flight, its next attempt is
/// queued again after this.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl Perform for RetryWebhooks {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let due = delivery::due(&state.db, self.at, DUE_PER_TICK).await?;
        let jobs: Vec<DeliverWebhook> = due
            .iter()
            .map(|id| DeliverWebhook { delivery_id: *id })
            .collect();
        state.queue.push_many(jobs).await?;
        if !due.is_empty() {
            tracing::info!(webhooks.due = due.len(), "queued webhook attempts");
        }
        Ok(())
    }
}

impl Perform for DeliverWebhook {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let now = state.clock.now();
        let Some(pending) = delivery::find(&state.db, self.delivery_id).await? else {
            return Ok(());
        };
        let endpoint = entities::webhook::find(&state.db, pending.endpoint_id).await?;
        // Each organization has a bounded share of this worker: over it, the attempt waits
        // its turn instead of taking a slot another organization's delivery needs.
        let _flight = match &endpoint {
            Some(e) => match state
                .webhook_flights
                .take(e.organization_id, state.webhooks.per_organization)
            {
                Some(place) => Some(place),
                None => {
                    let again = Queued::first(DeliverWebhook {
                        delivery_id: self.delivery_id,
                    });
                    state.queue.push_after(again, BUSY_RETRY).await?;
                    return Ok(());
                }
            },
            None => None,
        };
        // An endpoint that keeps giving no answer is left alone for a while (its circuit is
        // open): its deliveries wait, and no attempt is counted.
        if let Some(e) = endpoint.as_ref().filter(|e| e.disabled_at.is_none())
            && pending.next_attempt_at.is_some_and(|at| at <= now)
        {
            let recent =
                attempt::recent_for_endpoint(&state.db, e.id, webhook::CIRCUIT_FAILURES as u64)
                    .await?;
            if let Some(until) = webhook::circuit_open_until(&recent, now) {
                delivery::postpone(&state.db, pending.id, until).await?;
                again_at(state, self.delivery_id, now, until).await?;
                tracing::info!(webhook.delivery = %pending.id, webhook.endpoint = %e.id, %until, "webhook circuit open; delivery held back");
                return Ok(());
            }
        }
        // Delivered, given up, not due, or another worker is at it: nothing to do.
        if !delivery::claim(&state.db, self.delivery_id, now).await? {
            return Ok(());
        }
        // Read after the claim, so the attempt count is the one this attempt follows.
        let Some(found) = delivery::find(&state.db, self.delivery_id).await? else {
            return Ok(());
        };
        let attempt_no = found.attempts.saturating_add(1);
        let outcome = match endpoint.as_ref().filter(|e| e.disabled_at.is_none()) {
            Some(endpoint) => send(state, endpoint, &found, now).await,
            None => Outcome::refused("the endpoint was disabled"),
        };
        attempt::record(
            &state.db,
            found.id,
            attempt_no,
            now,
            outcome.status,
            outcome.latency_ms,
            outcome.error.clone(),
        )
        .await?;
        let next = if outcome.accepted || outcome.final_refusal {
            None
        } else {
            let unit: f64 = rand::rng().random();
            webhook::next_attempt(found.created_at, now, attempt_no.unsigned_abs(), unit)
        };
        delivery::settle(&state.db, found.id, attempt_no, outcome.accepted, next, now).await?;
        // The next attempt runs when it falls due; the once-a-minute scan only catches what a
        // lost job would leave behind.
        if let Some(at) = next {
            again_at(state, self.delivery_id, now, at).await?;
        }
        tracing::info!(
            webhook.delivery = %found.id,
            webhook.attempt = attempt_no,
            webhook.accepted = outcome.accepted,
            webhook.status = outcome.status,
            webhook.given_up = !outcome.accepted && next.is_none(),
            "webhook attempt"
        );
        Ok(())
    }
}

/// Queues a delivery's next attempt to run at `at` (the claim keeps it to one attempt whoever
/// else picks it up).
async fn again_at(
    state: &JobState,
    delivery_id: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), Failure> {
    let again = Queued::first(DeliverWebhook { delivery_id });
    state.queue.push_after(again, wait_until(now, at)).await?;
    Ok(())
}

/// The delay to queue a job with so that it does not run before `at`. The queue stores
/// `push time + delay` truncated to whole seconds: the wait is rounded up and one second added.
fn wait_until(
    now: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
) -> std::time::Duration {
    let whole = (at - now)
        .num_milliseconds()
        .max(0)
        .unsigned_abs()
        .div_ceil(1000);
    std::time::Duration::from_secs(whole + 1)
}

/// What one attempt came to.
struct Outcome {
    accepted: bool,
    status: Option<u16>,
    latency_ms: u64,
    error: Option<String>,
    /// Trying again cannot help (the endpoint is gone or points where it may not).
    final_refusal: bool,
}

impl Outcome {
    fn refused(why: &str) -> Self {
        Self {
            accepted: false,
            status: None,
            latency_ms: 0,
            error: Some(why.to_owned()),
            final_refusal: true,
        }
    }
}

async fn send(
    state: &JobState,
    endpoint: &entities::webhook::Model,
    found: &delivery::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Outcome {
    let settings = state.webhooks;
    if let Err(refusal) = webhook::check_url(
        &endpoint.url,
        settings.require_https,
        settings.allow_internal,
    ) {
        return Outcome::refused(&refusal.to_string());
    }
    let client = match client(settings.allow_internal) {
        Ok(client) => client,
        Err(err) => {
            return Outcome {
                accepted: false,
                status: None,
                latency_ms: 0,
                error: Some(format!("could not build an HTTP client: {err}")),
                final_refusal: false,
            };
        }
    };
    let body = found.body.clone().into_bytes();
    // The message ID is the delivery's, the same on every attempt (receivers deduplicate by
    // it); the timestamp is the attempt's.
    let id = domain::ids::global_id("WebhookDelivery", found.id);
    let signature = webhook::sign(&endpoint.signing_secrets(now), &id, now, &body);
    let started = Instant::now();
    let sent = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header(webhook::ID_HEADER, id.as_str())
        .header(webhook::TIMESTAMP_HEADER, now.timestamp().to_string())
        .header(webhook::SIGNATURE_HEADER, signature)
        .header("Rekindle-Event", found.event.as_str())
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            Outcome {
                accepted: status.is_success(),
                status: Some(status.as_u16()),
                latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                error: (!status.is_success()).then(|| format!("answered {status}")),
                final_refusal: false,
            }
        }
        Err(err) => {
            // Neither the kind of failure nor how long it took is logged: both would tell a
            // closed port from a filtered or non-HTTP one. The worker's own log keeps the kind.
            tracing::info!(webhook.delivery = %found.id, error.kind = kind(&err), "webhook got no answer");
            Outcome {
                accepted: false,
                status: None,
                latency_ms: 0,
                error: Some(NO_ANSWER.to_owned()),
                final_refusal: false,
            }
        }
    }
}

/// What the delivery log says of an attempt that got no HTTP answer, whatever the reason.
const NO_ANSWER: &str = "no HTTP answer (could not connect, timed out, or not HTTP)";

fn kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else {
        "request"
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};

    use super::wait_until;

    /// What the queue stores as the run time: seconds since the epoch, truncated.
    fn stored_run_at(pushed: DateTime<Utc>, wait: std::time::Duration) -> i64 {
        let wait = TimeDelta::from_std(wait).expect("a few seconds");
        (pushed + wait).timestamp()
    }

    #[test]
    fn a_queued_attempt_never_runs_before_it_is_due() {
        let base = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .expect("a valid instant")
            .with_timezone(&Utc);
        for now_ms in (0..2_000).step_by(37) {
            let now = base + TimeDelta::milliseconds(now_ms);
            for due_ms in (0..3_000).step_by(41) {
                let at = now + TimeDelta::seconds(15) + TimeDelta::milliseconds(due_ms);
                let wait = wait_until(now, at);
                // The push happens at `now` or a little later; the job runs at the stored
                // whole second, which must not come before `at`.
                for late_ms in [0, 1, 250, 999] {
                    let pushed = now + TimeDelta::milliseconds(late_ms);
                    let runs = stored_run_at(pushed, wait);
                    assert!(
                        runs as f64 >= at.timestamp_millis() as f64 / 1000.0,
                        "pushed at {pushed}, due {at}: runs at {runs}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_attempt_already_due_waits_only_the_rounding_second() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T10:00:00.500Z")
            .expect("a valid instant")
            .with_timezone(&Utc);
        assert_eq!(wait_until(now, now - TimeDelta::seconds(5)).as_secs(), 1);
    }
}
