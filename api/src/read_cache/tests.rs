use std::sync::Arc;

use uuid::Uuid;

use super::lru::{Lru, Part};
use super::{Cell, Stamps};

fn couples(n: usize) -> Vec<Uuid> {
    (0..n).map(|_| Uuid::now_v7()).collect()
}

#[test]
fn the_least_recently_read_couple_goes_first_when_there_are_too_many() {
    let ids = couples(4);
    let mut lru = Lru::new(3, usize::MAX);
    for id in &ids[..3] {
        lru.touch(*id);
    }
    // Reading the first again makes the second the least recently read.
    lru.touch(ids[0]);
    lru.touch(ids[3]);
    assert_eq!(lru.couples(), vec![ids[2], ids[0], ids[3]]);
    assert_eq!(lru.size().2, 1, "one couple dropped");
}

#[test]
fn couples_go_when_their_rows_weigh_more_than_the_bound_but_never_the_one_being_read() {
    let ids = couples(3);
    let mut lru = Lru::new(10, 1_000);
    let mut evictions = Vec::new();
    for id in &ids {
        let cell = lru.touch(*id).plans.clone();
        lru.weighed(*id, &cell, Part::Plans, 400);
        evictions.push(lru.size().2);
    }
    assert_eq!(evictions, vec![0, 0, 1]);
    // The third couple's 400 bytes made 1,200: the first, read least recently, went.
    assert_eq!(lru.couples(), vec![ids[1], ids[2]]);
    // One couple heavier than the whole bound stays while it is the one read.
    let heavy = Uuid::now_v7();
    let cell = lru.touch(heavy).members.clone();
    lru.weighed(heavy, &cell, Part::Members, 5_000);
    assert_eq!(
        lru.size(),
        (1, 5_000, 3),
        "one couple, its bytes, three dropped in all"
    );
    assert_eq!(lru.couples(), vec![heavy]);
}

#[test]
fn a_part_read_for_a_slot_dropped_meanwhile_is_not_counted() {
    let id = Uuid::now_v7();
    let mut lru = Lru::new(10, usize::MAX);
    let stale = lru.touch(id).completions.clone();
    // Dropped (another couple pushed it out) and made again while `stale` was being read.
    let mut small = Lru::new(1, usize::MAX);
    small.touch(id);
    small.touch(Uuid::now_v7());
    small.touch(id);
    small.weighed(id, &stale, Part::Completions, 700);
    assert_eq!(small.size().1, 0, "the slot made again holds other cells");
    let fresh = lru.touch(id).completions.clone();
    assert!(Arc::ptr_eq(&stale, &fresh));
    lru.weighed(id, &fresh, Part::Completions, 700);
    assert_eq!(lru.size().1, 700);
    lru.weighed(id, &fresh, Part::Completions, 300);
    assert_eq!(lru.size().1, 300, "a reload replaces the part's bytes");
}

#[test]
fn a_part_is_fresh_for_its_stamp_and_older_ones_only() {
    let cell: Cell<u32> = Cell::default();
    assert!(cell.fresh(0).is_none(), "nothing kept yet");
    cell.set(5, Arc::new(7));
    assert_eq!(cell.fresh(4).as_deref(), Some(&7));
    assert_eq!(cell.fresh(5).as_deref(), Some(&7));
    assert!(
        cell.fresh(6).is_none(),
        "a request that read a newer version reloads"
    );
}

#[test]
fn stamps_are_the_couples_three_versions() {
    let couple = entities::couple::Model {
        id: Uuid::now_v7(),
        status: "active".into(),
        relationship_start: None,
        goals: serde_json::json!([]),
        distractions: serde_json::json!([]),
        timezone: "Europe/London".into(),
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        archived_at: None,
        shared_data_delete_after: None,
        shared_data_deleted_at: None,
        members_version: 1,
        plans_version: 2,
        completions_version: 3,
    };
    assert_eq!(
        Stamps::of(&couple),
        Stamps {
            members: 1,
            plans: 2,
            completions: 3
        }
    );
}
