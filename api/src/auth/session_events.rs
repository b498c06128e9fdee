//! "A session ended" events, so that open WebSockets close the moment their session (or the API
//! key they were opened with) does, on whichever api instance they are connected to: through
//! Redis pub/sub when the deployment has Redis, else within this process. Sockets also re-read
//! their credential now and then, so an event lost while Redis was away delays the close but
//! never skips it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which sessions ended: one of a user's, all of a user's but `except`, or an API key's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionsEnded {
    User {
        user: Uuid,
        /// One session; `None` means every session of the user.
        session: Option<Uuid>,
        /// With `session: None`, the one session that stays.
        except: Option<Uuid>,
    },
    /// The API key was revoked: every socket opened with it ends.
    ApiKey(Uuid),
}

impl SessionsEnded {
    pub fn one(user: Uuid, session: Uuid) -> Self {
        Self::User {
            user,
            session: Some(session),
            except: None,
        }
    }

    pub fn all_of(user: Uuid, except: Option<Uuid>) -> Self {
        Self::User {
            user,
            session: None,
            except,
        }
    }

    /// Whether the session `session` of `user` is among those that ended.
    pub fn covers(&self, user: Uuid, session: Uuid) -> bool {
        match *self {
            Self::User {
                user: ended,
                session: one,
                except,
            } => {
                ended == user
                    && match one {
                        Some(one) => one == session,
                        None => except != Some(session),
                    }
            }
            Self::ApiKey(_) => false,
        }
    }

    /// Whether the API key `key` is the one that ended.
    pub fn covers_key(&self, key: Uuid) -> bool {
        *self == Self::ApiKey(key)
    }
}

/// "A session ended" events, heard by every api instance.
pub type SessionEvents = runtime::Fanout<SessionsEnded>;

/// The topic session-ended events travel on.
pub const TOPIC: &str = "sessions:ended";

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
        assert!(!all_but_a.covers_key(user));
    }

    #[test]
    fn a_revoked_key_covers_only_its_own_sockets() {
        let (key, other) = (Uuid::new_v4(), Uuid::new_v4());
        let ended = SessionsEnded::ApiKey(key);
        assert!(ended.covers_key(key));
        assert!(!ended.covers_key(other));
        assert!(!ended.covers(key, key));
    }
}
