//! The cache's bounds: couples by when they were last read, and their rows' estimated bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use uuid::Uuid;

use super::{Cell, CompletionsPart, MembersPart, PlansPart};

/// One couple's parts.
#[derive(Default)]
pub(crate) struct Slot {
    pub members: Arc<Cell<MembersPart>>,
    pub plans: Arc<Cell<PlansPart>>,
    pub completions: Arc<Cell<CompletionsPart>>,
    /// When it was last read (the LRU's tick).
    used: u64,
    /// Each part's estimated bytes, by [`Part`] order.
    bytes: [usize; 3],
}

/// Which part of a slot, for its byte count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    Members = 0,
    Plans = 1,
    Completions = 2,
}

impl Part {
    /// The part's cell in `slot`, as a pointer to compare.
    fn cell(self, slot: &Slot) -> *const () {
        match self {
            Part::Members => Arc::as_ptr(&slot.members).cast(),
            Part::Plans => Arc::as_ptr(&slot.plans).cast(),
            Part::Completions => Arc::as_ptr(&slot.completions).cast(),
        }
    }
}

pub(crate) struct Lru {
    slots: HashMap<Uuid, Slot>,
    /// Couples by the tick they were last read at, oldest first.
    order: BTreeMap<u64, Uuid>,
    tick: u64,
    bytes: usize,
    /// Couples dropped since start.
    evicted: u64,
    max_couples: usize,
    max_bytes: usize,
}

impl Lru {
    pub fn new(max_couples: usize, max_bytes: usize) -> Self {
        Self {
            slots: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            bytes: 0,
            evicted: 0,
            max_couples: max_couples.max(1),
            max_bytes,
        }
    }

    /// The couple's slot (made empty when missing), now the most recently read. Making one may
    /// drop the least recently read couple.
    pub fn touch(&mut self, couple: Uuid) -> &Slot {
        self.tick += 1;
        let tick = self.tick;
        let slot = self.slots.entry(couple).or_default();
        let before = std::mem::replace(&mut slot.used, tick);
        self.order.remove(&before);
        self.order.insert(tick, couple);
        self.evict(couple);
        // Just inserted and never evicted (eviction spares `couple`).
        &self.slots[&couple]
    }

    /// Notes that a part of `couple`'s slot (the one `cell` points to) now holds `bytes`, and
    /// drops couples to keep within the bounds.
    pub fn weighed<T>(&mut self, couple: Uuid, cell: &Arc<Cell<T>>, part: Part, bytes: usize) {
        if let Some(slot) = self.slots.get_mut(&couple)
            // A slot dropped and made again while the part was read holds other cells.
            && part.cell(slot) == Arc::as_ptr(cell).cast()
        {
            let before = std::mem::replace(&mut slot.bytes[part as usize], bytes);
            self.bytes = self.bytes - before + bytes;
        }
        self.evict(couple);
    }

    /// The couples held, the bytes of their rows, and how many were dropped since start.
    pub fn size(&self) -> (usize, usize, u64) {
        (self.slots.len(), self.bytes, self.evicted)
    }

    /// Drops the least recently read couples (never `keep`) while over a bound.
    fn evict(&mut self, keep: Uuid) {
        while self.slots.len() > self.max_couples
            || (self.bytes > self.max_bytes && self.slots.len() > 1)
        {
            let Some((&tick, &oldest)) = self.order.iter().find(|(_, couple)| **couple != keep)
            else {
                break;
            };
            self.order.remove(&tick);
            if let Some(slot) = self.slots.remove(&oldest) {
                self.bytes -= slot.bytes.iter().sum::<usize>();
            }
            self.evicted += 1;
        }
    }

    #[cfg(test)]
    pub fn couples(&self) -> Vec<Uuid> {
        self.order.values().copied().collect()
    }
}
