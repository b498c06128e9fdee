//! Events every process of a deployment hears: through Redis pub/sub when the deployment has
//! Redis, else within this process. A background task relays what other processes publish to
//! this one's subscribers and reconnects when Redis comes back; an event published while Redis
//! is away reaches this process's subscribers only, so whatever depends on one must also be
//! found another way (sessions are re-read, notifications are stored).

use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

/// Events a subscriber that falls this far behind starts missing (it is told it lagged).
const BACKLOG: usize = 1024;

pub struct Fanout<T> {
    local: broadcast::Sender<T>,
    redis: Option<(ConnectionManager, String)>,
}

impl<T> Clone for Fanout<T> {
    fn clone(&self) -> Self {
        Self {
            local: self.local.clone(),
            redis: self.redis.clone(),
        }
    }
}

impl<T> Fanout<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    /// Events within this process only.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(BACKLOG);
        Self { local, redis: None }
    }

    /// Events on `topic` as the deployment carries them: over its Redis, or (with the embedded
    /// queue, where the worker runs inside the api) within this process.
    pub async fn for_settings(settings: &crate::Settings, topic: &str) -> anyhow::Result<Self> {
        match &settings.queue {
            crate::config::QueueTarget::Redis(url) => {
                Self::redis(url.expose(), &settings.queue_prefix, topic).await
            }
            crate::config::QueueTarget::SqliteFile(_) => Ok(Self::in_process()),
        }
    }

    /// Events shared by every process on one Redis, on the channel `{prefix}:{topic}`.
    pub async fn redis(url: &str, prefix: &str, topic: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let publisher = ConnectionManager::new(client.clone()).await?;
        let channel = format!("{prefix}:{topic}");
        let (local, _) = broadcast::channel(BACKLOG);
        tokio::spawn(relay(client, channel.clone(), local.clone()));
        Ok(Self {
            local,
            redis: Some((publisher, channel)),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<T> {
        self.local.subscribe()
    }

    /// Announces an event. Never fails the caller: what it announces is already stored.
    pub async fn publish(&self, event: T) {
        match &self.redis {
            Some((conn, channel)) => {
                let Ok(payload) = serde_json::to_string(&event) else {
                    return;
                };
                let mut conn = conn.clone();
                let sent: Result<i64, _> = conn.publish(channel, payload).await;
                if let Err(err) = sent {
                    tracing::warn!(channel = %channel, error = %err, "could not publish an event");
                    // At least this process's subscribers hear it.
                    let _ = self.local.send(event);
                }
            }
            None => {
                // No receiver (nobody listening) is fine.
                let _ = self.local.send(event);
            }
        }
    }
}

async fn relay<T>(client: redis::Client, channel: String, local: broadcast::Sender<T>)
where
    T: DeserializeOwned,
{
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(err) = pubsub.subscribe(&channel).await {
                    tracing::warn!(channel = %channel, error = %err, "could not subscribe");
                } else {
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(payload) = message.get_payload::<String>() else {
                            continue;
                        };
                        match serde_json::from_str::<T>(&payload) {
                            Ok(event) => {
                                let _ = local.send(event);
                            }
                            Err(err) => {
                                tracing::warn!(channel = %channel, error = %err, "unreadable event");
                            }
                        }
                    }
                    tracing::warn!(channel = %channel, "events stopped; reconnecting");
                }
            }
            Err(err) => {
                tracing::warn!(channel = %channel, error = %err, "could not connect for events")
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
