//! Password hashing with argon2id, on the blocking pool so it never stalls a request thread.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use runtime::config::AuthSettings;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    /// A hash of a random password, verified against when an email is unknown so that a
    /// failed login takes as long whether or not the account exists.
    decoy: std::sync::Arc<String>,
}

impl Hasher {
    pub fn new(settings: &AuthSettings) -> anyhow::Result<Self> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid REKINDLE_ARGON2_* settings: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let decoy = argon2
            .hash_password(uuid::Uuid::new_v4().as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing the decoy password: {e}"))?
            .to_string();
        Ok(Self {
            params,
            decoy: std::sync::Arc::new(decoy),
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of a new salted hash.
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let argon2 = self.argon2();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
        })
        .await?
    }

    /// Whether `password` matches `hash`; with no hash (an unknown account) it spends the same
    /// time and answers false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.decoy.as_str().to_owned(), str::to_owned);
        let argon2 = self.argon2();
        let password = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}
