//! Fixed-window rate limits on sign-in, registration and invite redemption, counted per account
//! and per client address. Counters live in Redis when the deployment has one (so every api
//! instance shares them) and in this process otherwise.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionManager;
use runtime::config::RateLimits;

use crate::error::{ApiError, ErrorCode};

#[derive(Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    prefix: String,
    counters: Counters,
}

#[derive(Clone)]
enum Counters {
    Memory(Arc<Mutex<HashMap<String, u32>>>),
    Redis(ConnectionManager),
}

/// What an attempt is counted against.
pub enum Subject<'a> {
    Account(&'a str),
    Ip(std::net::IpAddr),
}

impl<'a> Subject<'a> {
    /// The account, and the client's address when known.
    pub fn account_and_ip(account: &'a str, client: &super::ClientInfo) -> Vec<Subject<'a>> {
        let mut subjects = vec![Subject::Account(account)];
        if let Some(ip) = client.ip {
            subjects.push(Subject::Ip(ip));
        }
        subjects
    }
}

impl RateLimiter {
    pub fn in_memory(limits: RateLimits, prefix: &str) -> Self {
        Self {
            limits,
            prefix: prefix.to_owned(),
            counters: Counters::Memory(Arc::default()),
        }
    }

    pub async fn redis(limits: RateLimits, prefix: &str, url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Self {
            limits,
            prefix: prefix.to_owned(),
            counters: Counters::Redis(conn),
        })
    }

    /// Counts one attempt at `action` against each subject; RATE_LIMITED (with `retryAfter`
    /// seconds) once any of them is over its limit for the current window.
    pub async fn attempt(&self, action: &str, subjects: &[Subject<'_>]) -> Result<(), ApiError> {
        let window = self.limits.window.as_secs().max(1);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let index = now / window;
        let retry_after = window - now % window;
        for subject in subjects {
            let (kind, value, limit) = match subject {
                Subject::Account(account) => {
                    ("account", (*account).to_owned(), self.limits.per_account)
                }
                Subject::Ip(ip) => ("ip", ip.to_string(), self.limits.per_ip),
            };
            let key = format!("{}:ratelimit:{action}:{kind}:{value}:{index}", self.prefix);
            let count = self.increment(&key, window, index).await?;
            if count > limit {
                return Err(ApiError::new(
                    ErrorCode::RateLimited,
                    format!("too many attempts; try again in {retry_after} seconds"),
                )
                .with_retry_after(retry_after));
            }
        }
        Ok(())
    }

    async fn increment(&self, key: &str, window: u64, index: u64) -> Result<u32, ApiError> {
        match &self.counters {
            Counters::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                // Forget windows that have passed, so the map stays small.
                let current = format!(":{index}");
                map.retain(|k, _| k.ends_with(&current));
                let count = map.entry(key.to_owned()).or_default();
                *count = count.saturating_add(1);
                Ok(*count)
            }
            Counters::Redis(conn) => {
                let mut conn = conn.clone();
                let (count,): (u32,) = redis::pipe()
                    .atomic()
                    .incr(key, 1)
                    .expire(key, i64::try_from(window).unwrap_or(i64::MAX))
                    .ignore()
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| ApiError::internal(&e))?;
                Ok(count)
            }
        }
    }
}
