//! The api's couple read cache: counted outside the registry's lock, since every read asks it.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the cache of couples' rows did, and how big it is.
#[derive(Default)]
pub struct ReadCacheCounters {
    hits: AtomicU64,
    misses: AtomicU64,
    reloads: AtomicU64,
    evictions: AtomicU64,
    entries: AtomicU64,
    bytes: AtomicU64,
}

impl ReadCacheCounters {
    /// A part was asked for and was current.
    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// A part was asked for and was missing or older than the request.
    pub fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// A part was read from the database (once for any number of requests that missed it
    /// together).
    pub fn reload(&self) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
    }

    /// The couples held now, the bytes their rows take (estimated), and how many couples were
    /// dropped since start to keep within the bounds.
    pub fn size(&self, (entries, bytes, evicted): (usize, usize, u64)) {
        self.entries.store(entries as u64, Ordering::Relaxed);
        self.bytes.store(bytes as u64, Ordering::Relaxed);
        self.evictions.store(evicted, Ordering::Relaxed);
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    pub fn reloads(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    pub(super) fn render(&self, out: &mut String) {
        // Writing to a String cannot fail; the results are ignored on purpose.
        for (name, help, kind, value) in [
            (
                "hits_total",
                "Couple rows answered from the api's read cache.",
                "counter",
                &self.hits,
            ),
            (
                "misses_total",
                "Couple rows asked of the read cache that were missing or older than the request.",
                "counter",
                &self.misses,
            ),
            (
                "reloads_total",
                "Parts of a couple's rows read from the database into the read cache.",
                "counter",
                &self.reloads,
            ),
            (
                "evictions_total",
                "Couples dropped from the read cache to keep within its bounds.",
                "counter",
                &self.evictions,
            ),
            (
                "entries",
                "Couples held in the read cache.",
                "gauge",
                &self.entries,
            ),
            (
                "bytes",
                "Estimated bytes the read cache's rows take.",
                "gauge",
                &self.bytes,
            ),
        ] {
            let _ = writeln!(out, "# HELP rekindle_read_cache_{name} {help}");
            let _ = writeln!(out, "# TYPE rekindle_read_cache_{name} {kind}");
            let _ = writeln!(
                out,
                "rekindle_read_cache_{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
    }
}
