//! Couples' rows kept in each api instance, exact by version (DESIGN.md: no answer older than
//! the database at the request's own statement).
//!
//! Every authenticated request begins with one statement that reads its session, its account,
//! its current couple membership and that couple's versions ([`entities::request`]). The
//! database raises a couple's versions in every transaction that changes what they cover (its
//! triggers: see the migration `couple_versions`). Here each couple's rows are kept in three
//! parts, each stamped with the version it was read at or after:
//!
//! | part | rows | version |
//! | --- | --- | --- |
//! | members | memberships with their accounts | `members_version` |
//! | plans | plans, their items and their pauses | `plans_version` |
//! | completions | completions of the couple's items | `completions_version` |
//!
//! A part whose stamp is at least the request's version is exact for it and answers without a
//! statement; an older one is read again (once, however many requests wait for it). Stamping a
//! part with the version the *request* read, though the rows were read later, can only make a
//! part look older than it is (a needless reload), never newer.
//!
//! The cache is bounded by couples and by estimated bytes; the couple read least recently goes
//! first. It holds rows, never decisions: every field is still decided by the policy for each
//! caller. Account password hashes are not kept.

mod lru;
mod parts;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use entities::couple;
use runtime::config::ReadCacheSettings;
use runtime::metrics::Metrics;
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

pub use parts::{CompletionsPart, MembersPart, PlansPart};

use lru::{Lru, Part};
use parts::Weigh;

/// What the allocator, maps and JSON values add to the rows' own sizes: resident memory grew
/// by about twice the rows' summed sizes with 10,000 couples cached (`bench/reads.sh`).
const OVERHEAD: usize = 2;

/// A couple's versions as a request's statement read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamps {
    pub members: i64,
    pub plans: i64,
    pub completions: i64,
}

impl Stamps {
    pub fn of(couple: &couple::Model) -> Self {
        Self {
            members: couple.members_version,
            plans: couple.plans_version,
            completions: couple.completions_version,
        }
    }
}

/// One part of a couple's rows: what is kept, and the lock that makes concurrent misses
/// reload it once.
pub(crate) struct Cell<T> {
    current: Mutex<Option<(i64, Arc<T>)>>,
    reload: tokio::sync::Mutex<()>,
}

impl<T> Default for Cell<T> {
    fn default() -> Self {
        Self {
            current: Mutex::new(None),
            reload: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> Cell<T> {
    /// The kept rows, if they are at least as new as `stamp`.
    fn fresh(&self, stamp: i64) -> Option<Arc<T>> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|(kept, _)| *kept >= stamp)
            .map(|(_, rows)| rows.clone())
    }

    fn set(&self, stamp: i64, rows: Arc<T>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some((stamp, rows));
    }
}

/// The per-instance cache of couples' rows.
pub struct ReadCache {
    db: DatabaseConnection,
    metrics: Metrics,
    enabled: bool,
    lru: Mutex<Lru>,
}

impl ReadCache {
    pub fn new(db: DatabaseConnection, metrics: Metrics, settings: &ReadCacheSettings) -> Self {
        Self {
            db,
            metrics,
            enabled: settings.enabled,
            lru: Mutex::new(Lru::new(settings.max_couples, settings.max_bytes)),
        }
    }

    /// Whether reads may be answered from here (`REKINDLE_READ_CACHE=on`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The couple's members with their accounts, exact for `stamps`.
    pub async fn members(&self, couple: Uuid, stamps: Stamps) -> Result<Arc<MembersPart>, DbErr> {
        self.part(
            couple,
            stamps.members,
            Part::Members,
            |slot| &slot.members,
            |db| MembersPart::load(db, couple),
        )
        .await
    }

    /// The couple's plans, items and pauses, exact for `stamps`.
    pub async fn plans(&self, couple: Uuid, stamps: Stamps) -> Result<Arc<PlansPart>, DbErr> {
        self.part(
            couple,
            stamps.plans,
            Part::Plans,
            |slot| &slot.plans,
            |db| PlansPart::load(db, couple),
        )
        .await
    }

    /// The completions of the couple's items, exact for `stamps`.
    pub async fn completions(
        &self,
        couple: Uuid,
        stamps: Stamps,
    ) -> Result<Arc<CompletionsPart>, DbErr> {
        self.part(
            couple,
            stamps.completions,
            Part::Completions,
            |slot| &slot.completions,
            |db| CompletionsPart::load(db, couple),
        )
        .await
    }

    async fn part<'a, T, F>(
        &'a self,
        couple: Uuid,
        stamp: i64,
        part: Part,
        pick: fn(&lru::Slot) -> &Arc<Cell<T>>,
        load: impl FnOnce(&'a DatabaseConnection) -> F,
    ) -> Result<Arc<T>, DbErr>
    where
        T: Weigh,
        F: Future<Output = Result<T, DbErr>>,
    {
        let counters = self.metrics.read_cache();
        // A couple new to the cache (the only touch that can push another out) has nothing
        // kept yet, so it is reloaded below, where the size is reported.
        let cell = self.with_lru(|lru| pick(lru.touch(couple)).clone());
        if let Some(rows) = cell.fresh(stamp) {
            counters.hit();
            return Ok(rows);
        }
        counters.miss();
        let _reloading = cell.reload.lock().await;
        // Another request may have read it while this one waited.
        if let Some(rows) = cell.fresh(stamp) {
            return Ok(rows);
        }
        counters.reload();
        let rows = Arc::new(load(&self.db).await?);
        let bytes = rows.weigh() * OVERHEAD;
        cell.set(stamp, rows.clone());
        let size = self.with_lru(|lru| {
            lru.weighed(couple, &cell, part, bytes);
            lru.size()
        });
        counters.size(size);
        Ok(rows)
    }

    fn with_lru<R>(&self, f: impl FnOnce(&mut Lru) -> R) -> R {
        f(&mut self.lru.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests;
