//! "A session ended" events, so that open WebSockets close the moment their session does, on
//! whichever api instance they are connected to: through Redis pub/sub when the deployment has
//! Redis, else within this process. Sockets also re-read their session now and then, so an
//! event lost while Redis was away delays the close but never skips it.

use serde::{Deserialize, Serialize};
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
    }
}
