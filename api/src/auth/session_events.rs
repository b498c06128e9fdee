//! "A session ended" events, so that open WebSockets close the moment their session does, on
//! whichever api instance they are connected to: through Redis pub/sub when the deployment has
//! Redis, else within this process. Sockets also re-read their session now and then, so an
//! event lost while Redis was away delays the close but never skips it.

use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// Which sessions ended: one, or all of a user's but `except`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEnded {
    pub user: Uuid,
    /// One session; `None` means every session of the user.
    pub session: Option<Uuid>,
    /// With `session: None`, the one session that stays.
    pub except: Option<Uuid>,
}

impl SessionsEnded {
    pub fn one(user: Uuid, session: Uuid) -> Self {
        Self {
            user,
            session: Some(session),
            except: None,
        }
    }

    pub fn all_of(user: Uuid, except: Option<Uuid>) -> Self {
        Self {
            user,
            session: None,
            except,
        }
    }

    /// Whether the session `session` of `user` is among those that ended.
    pub fn covers(&self, user: Uuid, session: Uuid) -> bool {
        self.user == user
            && match self.session {
                Some(one) => one == session,
                None => self.except != Some(session),
            }
    }
}

#[derive(Clone)]
pub struct SessionEvents {
    local: broadcast::Sender<SessionsEnded>,
    redis: Option<(ConnectionManager, String)>,
}

impl SessionEvents {
    /// Events within this process only.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(1024);
        Self { local, redis: None }
    }

    /// Events shared by every instance on one Redis; a background task relays what others
    /// publish to this process's sockets, reconnecting when Redis comes back.
    pub async fn redis(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let publisher = ConnectionManager::new(client.clone()).await?;
        let channel = format!("{prefix}:sessions:ended");
        let (local, _) = broadcast::channel(1024);
        tokio::spawn(relay(client, channel.clone(), local.clone()));
        Ok(Self {
            local,
            redis: Some((publisher, channel)),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SessionsEnded> {
        self.local.subscribe()
    }

    /// Announces that sessions ended. Never fails the caller: the sessions are already over in
    /// the database, and sockets re-check it.
    pub async fn publish(&self, event: SessionsEnded) {
        match &self.redis {
            Some((conn, channel)) => {
                let Ok(payload) = serde_json::to_string(&event) else {
                    return;
                };
                let mut conn = conn.clone();
                let sent: Result<i64, _> = conn.publish(channel, payload).await;
                if let Err(err) = sent {
                    tracing::warn!(error = %err, "could not publish a session-ended event");
                    // At least this instance's sockets close now.
                    let _ = self.local.send(event);
                }
            }
            None => {
                // No receiver (no open socket) is fine.
                let _ = self.local.send(event);
            }
        }
    }
}

async fn relay(client: redis::Client, channel: String, local: broadcast::Sender<SessionsEnded>) {
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(err) = pubsub.subscribe(&channel).await {
                    tracing::warn!(error = %err, "could not subscribe to session-ended events");
                } else {
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(payload) = message.get_payload::<String>() else {
                            continue;
                        };
                        match serde_json::from_str::<SessionsEnded>(&payload) {
                            Ok(event) => {
                                let _ = local.send(event);
                            }
                            Err(err) => {
                                tracing::warn!(error = %err, "unreadable session-ended event");
                            }
                        }
                    }
                    tracing::warn!("session-ended events stopped; reconnecting");
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not connect for session-ended events"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_covers_the_sessions_it_names() {
        let (user, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert!(SessionsEnded::one(user, a).covers(user, a));
        assert!(!SessionsEnded::one(user, a).covers(user, b));
        assert!(!SessionsEnded::one(user, a).covers(Uuid::new_v4(), a));
        let all_but_a = SessionsEnded::all_of(user, Some(a));
        assert!(!all_but_a.covers(user, a));
        assert!(all_but_a.covers(user, b));
    }
}
