//! Subscriptions about the service itself.

use std::time::Duration;

use async_graphql::{Context, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Default)]
pub struct SystemSubscription;

#[Subscription]
impl SystemSubscription {
    /// The server's clock, now and then every `intervalSeconds`: lets an offline-capable client
    /// measure its clock skew and notice a dead connection.
    async fn server_time(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 1,
            validator(minimum = 1, maximum = 3600),
            desc = "Seconds between two ticks (1 to 3600)."
        )]
        interval_seconds: i32,
    ) -> Result<impl Stream<Item = DateTime<Utc>> + use<>, ApiError> {
        let clock = ctx.data::<AppState>()?.clock.clone();
        let interval = Duration::from_secs(u64::try_from(interval_seconds).unwrap_or(1));
        Ok(futures_util::stream::unfold(true, move |first| {
            let clock = clock.clone();
            async move {
                if !first {
                    tokio::time::sleep(interval).await;
                }
                Some((clock.now(), false))
            }
        }))
    }
}
