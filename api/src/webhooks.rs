//! Telling organizations what happened, through their webhook endpoints (the worker's
//! [`worker::jobs::webhooks`] stores the deliveries and queues them).

use domain::organization::Scope;
use domain::webhook::EventType;
use uuid::Uuid;

use crate::state::AppState;

/// Tells `organizations` of `event`; never fails the request that caused it.
pub async fn announce_to(
    state: &AppState,
    organizations: &[Uuid],
    event: EventType,
    data: serde_json::Value,
) {
    let now = state.clock.now();
    worker::jobs::webhooks::announce_to(&state.db, &state.queue, organizations, event, data, now)
        .await;
}

/// Tells the organizations that may read `scope` of the couple.
pub async fn announce(
    state: &AppState,
    couple_id: Uuid,
    scope: Scope,
    event: EventType,
    data: serde_json::Value,
) {
    let now = state.clock.now();
    worker::jobs::webhooks::announce(&state.db, &state.queue, couple_id, scope, event, data, now)
        .await;
}
