//! Fixed-window rate limits. Registration and invite redemption count attempts per account and
//! per client address. Password checks (login, changePassword) count attempts per address and
//! *failures* per account-and-address pair, with a higher ceiling per account over all
//! addresses: a stranger who knows an email cannot lock its owner out from elsewhere. Counters
//! live in Redis when the deployment has one (so every api instance shares them) and in this
//! process otherwise. The address is always checked first, and accounts are keyed by a digest,
//! so a limited address cannot make the store grow and no email is written to it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionManager;
use runtime::config::RateLimits;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};

#[derive(Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    prefix: String,
    counters: Counters,
}

#[derive(Clone)]
enum Counters {
    Memory(Arc<Mutex<HashMap<String, i64>>>),
    Redis(ConnectionManager),
}

/// The current window: its index and the seconds left in it.
struct Window {
    index: u64,
    seconds: u64,
    retry_after: u64,
}

/// Failures counted against one password check until it is known to have succeeded.
#[must_use = "a password check that succeeded must say so, or it counts as a failure"]
pub struct PasswordCheck {
    limiter: RateLimiter,
    keys: Vec<String>,
    window: u64,
    index: u64,
}

impl PasswordCheck {
    /// The password was right: the check does not count as a failure.
    pub async fn succeeded(self) -> Result<(), ApiError> {
        for key in &self.keys {
            self.limiter.add(key, -1, self.window, self.index).await?;
        }
        Ok(())
    }
}

fn account_key(account: &str) -> String {
    hex::encode(&Sha256::digest(account.as_bytes())[..12])
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

    fn window(&self) -> Window {
        let seconds = self.limits.window.as_secs().max(1);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Window {
            index: now / seconds,
            seconds,
            retry_after: seconds - now % seconds,
        }
    }

    fn key(&self, action: &str, kind: &str, value: &str, index: u64) -> String {
        format!("{}:ratelimit:{action}:{kind}:{value}:{index}", self.prefix)
    }

    fn limited(retry_after: u64) -> ApiError {
        ApiError::new(
            ErrorCode::RateLimited,
            format!("too many attempts; try again in {retry_after} seconds"),
        )
        .with_retry_after(retry_after)
    }

    /// Counts one attempt at `action` from `ip` and then against `account`; RATE_LIMITED
    /// (with `retryAfter` seconds) once either is over its limit for the current window.
    pub async fn attempt(
        &self,
        action: &str,
        account: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let w = self.window();
        self.count_ip(action, ip, &w).await?;
        let key = self.key(action, "account", &account_key(account), w.index);
        if self.add(&key, 1, w.seconds, w.index).await? > i64::from(self.limits.per_account) {
            return Err(Self::limited(w.retry_after));
        }
        Ok(())
    }

    /// Counts one request made with an API key; RATE_LIMITED once the key is over its limit
    /// for the current window.
    pub async fn per_key(&self, key_id: uuid::Uuid) -> Result<(), ApiError> {
        let w = self.window();
        let key = self.key("api", "key", &key_id.simple().to_string(), w.index);
        if self.add(&key, 1, w.seconds, w.index).await? > i64::from(self.limits.per_api_key) {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "this API key made too many requests; try again in {} seconds",
                    w.retry_after
                ),
            )
            .with_retry_after(w.retry_after));
        }
        Ok(())
    }

    async fn count_ip(&self, action: &str, ip: Option<IpAddr>, w: &Window) -> Result<(), ApiError> {
        if let Some(ip) = ip {
            let key = self.key(action, "ip", &ip.to_string(), w.index);
            if self.add(&key, 1, w.seconds, w.index).await? > i64::from(self.limits.per_ip) {
                return Err(Self::limited(w.retry_after));
            }
        }
        Ok(())
    }

    /// Before checking a password for `account`: counts the attempt from `ip`, and a failure
    /// against the account-and-address pair and the account, to be taken back with
    /// [`PasswordCheck::succeeded`]. RATE_LIMITED once any of them is over its limit.
    pub async fn password_check(
        &self,
        action: &str,
        account: &str,
        ip: Option<IpAddr>,
    ) -> Result<PasswordCheck, ApiError> {
        let w = self.window();
        self.count_ip(action, ip, &w).await?;
        let account = account_key(account);
        let address = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let pair = self.key(
            "password",
            "account_ip",
            &format!("{account}:{address}"),
            w.index,
        );
        let whole = self.key("password", "account", &account, w.index);
        let check = PasswordCheck {
            limiter: self.clone(),
            keys: vec![pair.clone(), whole.clone()],
            window: w.seconds,
            index: w.index,
        };
        let over_pair =
            self.add(&pair, 1, w.seconds, w.index).await? > i64::from(self.limits.per_account);
        let over_account = self.add(&whole, 1, w.seconds, w.index).await?
            > i64::from(self.limits.per_account_ceiling);
        if over_pair || over_account {
            // A refused attempt checks no password, so it is no failure either.
            check.succeeded().await?;
            return Err(Self::limited(w.retry_after));
        }
        Ok(check)
    }

    async fn add(&self, key: &str, delta: i64, window: u64, index: u64) -> Result<i64, ApiError> {
        match &self.counters {
            Counters::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                // Forget windows that have passed, so the map stays small.
                let current = format!(":{index}");
                map.retain(|k, _| k.ends_with(&current));
                let count = map.entry(key.to_owned()).or_default();
                *count = count.saturating_add(delta);
                Ok(*count)
            }
            Counters::Redis(conn) => {
                let mut conn = conn.clone();
                let (count,): (i64,) = redis::pipe()
                    .atomic()
                    .incr(key, delta)
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
