//! Rotating a webhook endpoint's secret: the replaced one keeps signing beside the new one
//! until the overlap ends, so a receiver switches without losing a delivery.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::input::Reason;
use entities::webhook;

use super::WebhookEndpoint;
use crate::auth::Caller;
use crate::auth::secret_token;
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;

/// The endpoint whose secret to replace.
#[derive(InputObject)]
pub struct RotateWebhookSecretInput {
    /// The endpoint's ID.
    pub endpoint_id: ID,
    /// How long the secret being replaced still signs deliveries beside the new one, in
    /// seconds (0 to 604800, a week); the server's default when not given. 0 stops it at once.
    pub overlap_seconds: Option<i32>,
}

/// The new secret.
#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    /// The endpoint, with when the replaced secret stops signing.
    pub endpoint: WebhookEndpoint,
    /// The new secret (`whsec_…`). Shown this once: store it now.
    pub secret: String,
}

/// The longest a replaced secret may keep signing: a week.
const MAX_OVERLAP_SECS: i32 = 7 * 24 * 60 * 60;

#[derive(Default)]
pub struct WebhookSecretMutation;

#[Object]
impl WebhookSecretMutation {
    /// An organization's admins only: gives an endpoint a new secret. Deliveries are signed
    /// with both the new and the replaced one until the overlap ends (Standard Webhooks
    /// receivers accept either), so a receiver can switch without losing one.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `RotateWebhookSecretInput`.")]
        input: RotateWebhookSecretInput,
    ) -> Result<RotateWebhookSecretPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.endpoint_id,
            NodeKind::WebhookEndpoint,
            "input.endpointId",
        )?;
        let overlap = match input.overlap_seconds {
            None => chrono::Duration::from_std(state.settings.webhooks.secret_overlap)
                .unwrap_or(chrono::Duration::days(1)),
            Some(secs @ 0..=MAX_OVERLAP_SECS) => chrono::Duration::seconds(i64::from(secs)),
            Some(_) => {
                return Err(ApiError::invalid(
                    "input.overlapSeconds",
                    Reason::OutOfRange,
                    format!("overlapSeconds must be 0 to {MAX_OVERLAP_SECS}"),
                ));
            }
        };
        let endpoint = super::managed_endpoint(state, caller, id).await?;
        let secret = domain::webhook::secret_from(&secret_token::random_bytes::<32>());
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        let row = webhook::rotate_secret(&*write, &endpoint, &secret, now + overlap)
            .await?
            .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
        write.commit().await?;
        if row.secret != secret {
            return Err(ApiError::conflict(
                "the secret was rotated meanwhile; rotate again to get one of your own",
            ));
        }
        Ok(RotateWebhookSecretPayload {
            endpoint: WebhookEndpoint(row),
            secret,
        })
    }
}
