//! Password hashing with argon2id, on the blocking pool so it never stalls a request thread,
//! and never more at once than the configured slots (one per core by default): each hash holds
//! about 19 MiB while it runs, so unbounded concurrency is unbounded memory.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use runtime::Metrics;
use runtime::config::AuthSettings;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot stayed busy for the whole wait.
    #[error("the server is busy checking other passwords")]
    Busy,
    #[error("hashing a password: {0}")]
    Failed(String),
}

/// Slots for hashes running at once, and who is counting them.
#[derive(Clone)]
pub struct HashSlots {
    semaphore: Arc<Semaphore>,
    slots: usize,
    running: Arc<AtomicUsize>,
    wait: Duration,
    metrics: Metrics,
}

impl HashSlots {
    pub fn new(slots: usize, wait: Duration, metrics: Metrics) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(slots.max(1))),
            slots: slots.max(1),
            running: Arc::default(),
            wait,
            metrics,
        }
    }

    /// One slot and no deadline: for the CLI, which hashes one password.
    pub fn unlimited() -> Self {
        Self::new(1, Duration::MAX, Metrics::new())
    }

    /// How many hashes may run at once.
    fn count(&self) -> usize {
        self.slots
    }

    async fn take(&self) -> Result<Slot, HashError> {
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.semaphore).acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.metrics.password_hashes_running(running);
        Ok(Slot {
            _permit: permit,
            running: Arc::clone(&self.running),
            metrics: self.metrics.clone(),
        })
    }
}

/// A hashing slot, given back when dropped.
struct Slot {
    _permit: OwnedSemaphorePermit,
    running: Arc<AtomicUsize>,
    metrics: Metrics,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let running = self
            .running
            .fetch_sub(1, Ordering::SeqCst)
            .saturating_sub(1);
        self.metrics.password_hashes_running(running);
    }
}

/// Argon2's working memory (about 19 MiB a hash), kept and reused rather than allocated for
/// every hash: the allocator keeps large blocks it was given back (glibc raises its mmap
/// threshold after the first free), so per-hash allocation left the process at hundreds of
/// megabytes after a burst of sign-ups. With the memory reused, resident memory stays at one
/// buffer per hashing slot.
struct WorkingMemory {
    spare: Mutex<Vec<Vec<Block>>>,
    /// Buffers kept at most: one per hashing slot.
    keep: usize,
}

impl WorkingMemory {
    fn new(keep: usize) -> Self {
        Self {
            spare: Mutex::default(),
            keep,
        }
    }

    fn take(&self, blocks: usize) -> Vec<Block> {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        match spare.iter().position(|b| b.len() == blocks) {
            Some(i) => spare.swap_remove(i),
            None => vec![Block::default(); blocks],
        }
    }

    fn give_back(&self, buffer: Vec<Block>) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.len() < self.keep {
            spare.push(buffer);
        }
    }
}

/// Output length of new hashes, in bytes (argon2's default).
const OUTPUT_LEN: usize = 32;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    slots: HashSlots,
    memory: Arc<WorkingMemory>,
    /// A hash of a random password, verified against when an email is unknown so that a
    /// failed login takes as long whether or not the account exists.
    decoy: Arc<String>,
}

fn failed(err: impl std::fmt::Display) -> HashError {
    HashError::Failed(err.to_string())
}

impl Hasher {
    pub fn new(settings: &AuthSettings, slots: HashSlots) -> anyhow::Result<Self> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid REKINDLE_ARGON2_* settings: {e}"))?;
        let mut hasher = Self {
            params,
            memory: Arc::new(WorkingMemory::new(slots.count())),
            slots,
            decoy: Arc::default(),
        };
        let decoy = hasher
            .hash_now(uuid::Uuid::new_v4().as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing the decoy password: {e}"))?;
        hasher.decoy = Arc::new(decoy);
        // An idle process holds no working memory; the first sign-in allocates it again.
        hasher
            .memory
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(hasher)
    }

    /// Hashes on this thread, with a working-memory buffer from the pool.
    fn hash_now(&self, password: &[u8]) -> Result<String, HashError> {
        let salt_bytes: [u8; Salt::RECOMMENDED_LENGTH] = rand::random();
        let salt = Salt::new(&salt_bytes).map_err(failed)?;
        let mut out = [0u8; OUTPUT_LEN];
        self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            &self.params,
            password,
            &salt,
            &mut out,
        )?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(failed)?,
            salt: Some(salt),
            hash: Some(Output::new(&out).map_err(failed)?),
        };
        Ok(phc.to_string())
    }

    /// Runs argon2 on this thread with a working-memory buffer from the pool.
    fn compute(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), HashError> {
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut memory = self.memory.take(params.block_count());
        let hashed = argon2.hash_password_into_with_memory(password, salt, out, &mut memory);
        self.memory.give_back(memory);
        hashed.map_err(failed)
    }

    /// Checks `password` against a stored PHC string on this thread.
    fn verify_now(&self, password: &[u8], stored: &str) -> Result<bool, HashError> {
        let parsed = PasswordHash::new(stored).map_err(failed)?;
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(failed)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(failed)?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(failed)?;
        let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
            return Err(HashError::Failed(
                "a stored hash without salt or output".into(),
            ));
        };
        let mut out = vec![0u8; expected.len()];
        self.compute(algorithm, version, &params, password, salt, &mut out)?;
        // Output's equality is constant-time.
        Ok(Output::new(&out).map_err(failed)? == *expected)
    }

    /// The PHC string of a new salted hash.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let slot = self.slots.take().await?;
        let hasher = self.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            hasher.hash_now(password.as_bytes())
        })
        .await
        .map_err(failed)?
    }

    /// Whether `password` matches `hash`; with no hash (an unknown account) it spends the same
    /// time and answers false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let slot = self.slots.take().await?;
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.decoy.as_str().to_owned(), str::to_owned);
        let hasher = self.clone();
        let password = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            hasher.verify_now(password.as_bytes(), &hash)
        })
        .await
        .map_err(failed)?
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "a stored password hash could not be checked");
            false
        });
        Ok(known && matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> Hasher {
        let settings = crate::auth::jwt::tests::settings(&"x".repeat(32), None);
        Hasher::new(
            &settings,
            HashSlots::new(2, Duration::from_secs(5), Metrics::new()),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_reads_as_standard_phc() {
        let hasher = hasher();
        let hash = hasher.hash("a long passphrase").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert!(
            hasher
                .verify("a long passphrase", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("another passphrase", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("a long passphrase", None).await.unwrap());
        // A hash the argon2 crate made itself (other parameters) still verifies.
        let theirs = {
            use argon2::PasswordHasher;
            Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(2048, 2, 1, None).unwrap(),
            )
            .hash_password(b"their passphrase")
            .unwrap()
            .to_string()
        };
        assert!(
            hasher
                .verify("their passphrase", Some(&theirs))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("not theirs", Some(&theirs)).await.unwrap());
    }

    #[tokio::test]
    async fn working_memory_is_kept_for_at_most_one_buffer_per_slot() {
        let hasher = hasher();
        let hashes = (0..8).map(|i| {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(&format!("passphrase {i}")).await })
        });
        for hash in futures_util::future::join_all(hashes).await {
            hash.unwrap().unwrap();
        }
        let spare = hasher.memory.spare.lock().unwrap().len();
        assert!((1..=2).contains(&spare), "{spare} buffers kept");
    }
}
