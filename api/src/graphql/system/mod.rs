//! Subscriptions about the service itself.

use std::time::Duration;

use async_graphql::Subscription;
use chrono::{DateTime, Utc};
use futures_util::Stream;

#[derive(Default)]
pub struct SystemSubscription;

#[Subscription]
impl SystemSubscription {
    /// The server's clock, now and then every `intervalSeconds`: lets an offline-capable client
    /// measure its clock skew and notice a dead connection.
    async fn server_time(
        &self,
        #[graphql(
            default = 1,
            validator(minimum = 1, maximum = 3600),
            desc = "Seconds between two ticks (1 to 3600)."
        )]
        interval_seconds: i32,
    ) -> impl Stream<Item = DateTime<Utc>> + use<> {
        let interval = Duration::from_secs(u64::try_from(interval_seconds).unwrap_or(1));
        futures_util::stream::unfold(true, move |first| async move {
            if !first {
                tokio::time::sleep(interval).await;
            }
            Some((Utc::now(), false))
        })
    }
}
