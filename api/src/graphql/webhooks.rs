//! An organization's webhook endpoints, their deliveries and each delivery's attempts, for the
//! organization's admins.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::input::Reason;
use entities::webhook::{self, attempt, delivery};

use crate::auth::Caller;
use crate::auth::policy;
use crate::auth::secret_token;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

pub mod secrets;

/// What an endpoint may be told about.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::webhook::EventType")]
pub enum WebhookEventType {
    /// Both members of a couple granted the organization access (or changed what they grant).
    ConsentGranted,
    /// A member took back access the organization had.
    ConsentRevoked,
    /// A member logged a ritual (which ritual and when; never the note). Needs `PLANS`.
    RitualCompleted,
    /// A member shared an assessment result: the instrument and its band only. Needs
    /// `ASSESSMENT_RESULTS`.
    AssessmentCompleted,
    /// A couple's weekly summary is ready. Needs `PROGRESS`.
    WeeklySummaryReady,
    /// A test delivery (`POST /webhooks/{endpointId}/ping`); every endpoint gets it.
    Ping,
}

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Not accepted yet; tried again at `nextAttemptAt`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up three days after its event (or its endpoint was disabled); `redeliverWebhook`
    /// sends it again.
    Dead,
}

/// One attempt at a delivery.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    /// 1 for the first.
    pub attempt: i32,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The HTTP status the endpoint answered; null when none came.
    pub status_code: Option<i32>,
    /// How long the endpoint took, in milliseconds.
    pub latency_ms: i32,
    /// What went wrong, if it did.
    pub error: Option<String>,
}

/// One event sent to one endpoint, with its attempts.
pub struct WebhookDelivery(delivery::Model);

impl WebhookDelivery {
    /// A delivery to `endpoint` (one the caller manages, by `policy::managed_endpoint`).
    pub fn of_endpoint(endpoint: &webhook::Model, row: delivery::Model) -> Option<Self> {
        (row.endpoint_id == endpoint.id).then_some(Self(row))
    }
}

/// One event sent to one endpoint, with its attempts.
#[Object]
impl WebhookDelivery {
    /// The delivery's ID (also sent as the `webhook-id` header and the body's `id`).
    pub async fn id(&self) -> ID {
        global_id(NodeKind::WebhookDelivery, self.0.id)
    }

    /// The event's type.
    async fn event(&self) -> Result<WebhookEventType, ApiError> {
        domain::webhook::EventType::parse(&self.0.event)
            .map(WebhookEventType::from)
            .ok_or_else(|| ApiError::internal(&format!("unknown webhook event {}", self.0.event)))
    }

    /// The body sent, byte for byte, on every attempt.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Where it stands.
    async fn status(&self) -> Result<WebhookDeliveryStatus, ApiError> {
        match self.0.status.as_str() {
            delivery::PENDING => Ok(WebhookDeliveryStatus::Pending),
            delivery::DELIVERED => Ok(WebhookDeliveryStatus::Delivered),
            delivery::DEAD => Ok(WebhookDeliveryStatus::Dead),
            other => Err(ApiError::internal(&format!(
                "unknown delivery status {other}"
            ))),
        }
    }

    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// When it is tried next, while pending.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }

    /// When the event happened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// Every attempt, first first: status and latency.
    async fn log(&self, ctx: &Context<'_>) -> Result<Vec<WebhookAttempt>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(attempt::of_delivery(&state.db, self.0.id)
            .await?
            .into_iter()
            .map(|a| WebhookAttempt {
                attempt: a.attempt,
                at: a.at,
                status_code: a.status_code,
                latency_ms: a.latency_ms,
                error: a.error,
            })
            .collect())
    }
}

/// A receiver of an organization's events.
pub struct WebhookEndpoint(pub webhook::Model);

/// A receiver of an organization's events.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::WebhookEndpoint, self.0.id)
    }

    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The events it is told about.
    async fn events(&self) -> Result<Vec<WebhookEventType>, ApiError> {
        Ok(self.0.events()?.into_iter().map(Into::into).collect())
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was disabled; null while it receives.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }

    /// While a rotated-out secret still signs deliveries beside the current one: when it
    /// stops. Null when only the current secret signs.
    async fn previous_secret_expires_at(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<DateTime<Utc>>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(self.0.previous_secret_until(state.clock.now()))
    }

    /// Its deliveries, newest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only those older than this cursor's.")] after: Option<String>,
        #[graphql(desc = "Only deliveries that stand so.")] status: Option<WebhookDeliveryStatus>,
        #[graphql(desc = "Only deliveries of this event.")] event: Option<WebhookEventType>,
    ) -> Result<Connection<String, WebhookDelivery, ConnectionTotals, EmptyFields>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let status = status.map(|s| match s {
            WebhookDeliveryStatus::Pending => delivery::PENDING,
            WebhookDeliveryStatus::Delivered => delivery::DELIVERED,
            WebhookDeliveryStatus::Dead => delivery::DEAD,
        });
        let event = event.map(|e| domain::webhook::EventType::from(e).as_str());
        let page =
            delivery::page_for_endpoint(&state.db, self.0.id, status, event, &request).await?;
        Ok(connection_of(page, |row| {
            Some((row.id.to_string(), WebhookDelivery(row)))
        }))
    }
}

/// An endpoint to make.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to POST deliveries: https in production, never a loopback, private or link-local
    /// address unless the server allows it.
    pub url: String,
    /// What to tell it about; at least one (a ping goes to every endpoint).
    pub events: Vec<WebhookEventType>,
}

/// The endpoint made, with the secret its deliveries are signed with.
#[derive(SimpleObject)]
pub struct CreateWebhookEndpointPayload {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The secret its deliveries are signed with (`whsec_…`, as Standard Webhooks' libraries
    /// take it). Shown this once: store it now.
    pub secret: String,
}

/// The endpoint to disable.
#[derive(InputObject)]
pub struct DisableWebhookEndpointInput {
    /// The endpoint's ID.
    pub endpoint_id: ID,
}

/// The endpoint disabled.
#[derive(SimpleObject)]
pub struct DisableWebhookEndpointPayload {
    /// The endpoint, with when it was disabled.
    pub endpoint: WebhookEndpoint,
}

/// The delivery to send again.
#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    /// The delivery's ID.
    pub delivery_id: ID,
}

/// The delivery, queued again.
#[derive(SimpleObject)]
pub struct RedeliverWebhookPayload {
    /// The delivery, pending.
    pub delivery: WebhookDelivery,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// An organization's admins only: makes a webhook endpoint.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateWebhookEndpointInput`.")]
        input: CreateWebhookEndpointInput,
    ) -> Result<CreateWebhookEndpointPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let org = policy::webhook_organization(state, caller).await?;
        let settings = state.settings.webhooks;
        let url = input.url.trim();
        domain::webhook::check_url(url, settings.require_https, settings.allow_internal).map_err(
            |refusal| {
                ApiError::invalid(
                    "input.url",
                    Reason::AddressRefused,
                    format!("url refused: {refusal}"),
                )
            },
        )?;
        let mut events: Vec<domain::webhook::EventType> =
            input.events.iter().map(|e| (*e).into()).collect();
        events.sort();
        events.dedup();
        if events.is_empty() || events.contains(&domain::webhook::EventType::Ping) {
            return Err(ApiError::invalid(
                "input.events",
                if events.is_empty() {
                    Reason::TooFew
                } else {
                    Reason::NotOneOf
                },
                "subscribe to at least one event; PING is sent on request to every endpoint",
            ));
        }
        let secret = domain::webhook::secret_from(&secret_token::random_bytes::<32>());
        let row = webhook::create(
            &state.db,
            org.organization().id,
            url,
            &secret,
            &events,
            state.clock.now(),
        )
        .await?;
        Ok(CreateWebhookEndpointPayload {
            endpoint: WebhookEndpoint(row),
            secret,
        })
    }

    /// An organization's admins only: stops deliveries to an endpoint (pending ones are given
    /// up). Disabling twice changes nothing.
    async fn disable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DisableWebhookEndpointInput`.")]
        input: DisableWebhookEndpointInput,
    ) -> Result<DisableWebhookEndpointPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.endpoint_id,
            NodeKind::WebhookEndpoint,
            "input.endpointId",
        )?;
        let endpoint = managed_endpoint(state, caller, id).await?;
        let row = webhook::disable(&state.db, endpoint.id, state.clock.now())
            .await?
            .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
        Ok(DisableWebhookEndpointPayload {
            endpoint: WebhookEndpoint(row),
        })
    }

    /// An organization's admins only: sends a delivery again now, whatever became of it.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RedeliverWebhookInput`.")]
        input: RedeliverWebhookInput,
    ) -> Result<RedeliverWebhookPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.delivery_id,
            NodeKind::WebhookDelivery,
            "input.deliveryId",
        )?;
        let org = policy::webhook_organization(state, caller).await?;
        let found = delivery::find(&state.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
        let endpoint = webhook::find(&state.db, found.endpoint_id).await?;
        policy::managed_endpoint(&org, endpoint)
            .map_err(|_| ApiError::not_found("webhook delivery"))?;
        let mut write = state.writer.begin(state.clock.now()).await?;
        let row = delivery::redeliver(&*write, found.id, write.now())
            .await?
            .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
        write.deliver([row.id])?;
        write.commit().await?;
        Ok(RedeliverWebhookPayload {
            delivery: WebhookDelivery(row),
        })
    }
}

/// The endpoint `id`, when the caller is an admin of the organization it belongs to.
pub(crate) async fn managed_endpoint(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<webhook::Model, ApiError> {
    let org = policy::webhook_organization(state, caller).await?;
    policy::managed_endpoint(&org, webhook::find(&state.db, id).await?)
}
