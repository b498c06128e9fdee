//! The differential's world: three api instances on one set of stores and one clock, the
//! accounts that write, and the comparison of reads with the cache and without.

use std::sync::Arc;

use domain::clock::ManualClock;
use rekindle_tests::builders::{add_item, couple, create_plan, grant, organization};
use rekindle_tests::{Account, Options, Stores, TestApp, email, error_codes, wednesday_noon};
use serde_json::{Value, json};

use super::writes::SCHEDULES;
use super::{DEEP, NODE};

/// A small, seeded generator (SplitMix64): the same seed, the same sequence.
pub(super) struct Dice(pub u64);

impl Dice {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, from: &'a [T]) -> Option<&'a T> {
        (!from.is_empty()).then(|| &from[self.below(from.len())])
    }
}

pub(crate) struct World {
    pub stores: Stores,
    pub clock: Arc<ManualClock>,
    pub on: [TestApp; 2],
    pub off: TestApp,
    /// Two couples: members 0 and 1, 2 and 3. The first granted the coach's organization.
    pub members: Vec<Account>,
    /// Members whose accounts are gone.
    pub(super) gone: Vec<bool>,
    pub(super) coach: Account,
    /// Every item ID seen, any couple's, for `node` reads.
    pub(super) items: Vec<String>,
    /// Catalog rituals' keys.
    pub(super) rituals: Vec<String>,
}

impl World {
    pub async fn new() -> Self {
        let stores = Stores::fresh().await;
        let clock = Arc::new(ManualClock::new(wednesday_noon()));
        let spawn = |env: Vec<(String, String)>| {
            let mut env = env;
            env.push(("REKINDLE_EMBEDDED_WORKER".into(), "false".into()));
            TestApp::spawn_on(
                &stores,
                Options {
                    env,
                    clock: Some(clock.clone()),
                },
            )
        };
        let on = [spawn(Vec::new()).await, spawn(Vec::new()).await];
        let off = spawn(vec![("REKINDLE_READ_CACHE".into(), "off".into())]).await;
        let admin = on[0].create_with_role(&email("admin"), "admin").await;
        let (org, coach) = organization(&on[0], &admin, "Harbor Coaching").await;
        let mut members = Vec::new();
        for n in 0..2 {
            let (first, second) = couple(&on[0]).await;
            let plan = create_plan(&on[0], &first).await;
            for schedule in &SCHEDULES[..3] {
                let schedule: Value = serde_json::from_str(schedule).unwrap();
                add_item(&on[0], &first, &plan, json!({ "ritualKey": "six_second_kiss", "assignee": "EITHER", "schedule": schedule })).await;
            }
            if n == 0 {
                for member in [&first, &second] {
                    grant(&on[0], member, &org, &["PLANS", "PROGRESS"]).await;
                }
            }
            members.extend([first, second]);
        }
        let rituals = crate::loading::catalog_keys(&on[0]).await;
        Self {
            stores,
            clock,
            on,
            off,
            gone: vec![false; members.len()],
            members,
            coach,
            items: Vec::new(),
            rituals,
        }
    }

    pub(super) fn instance(&self, which: usize) -> &TestApp {
        match which {
            0 | 1 => &self.on[which],
            _ => &self.off,
        }
    }

    /// `who`'s view through the instance without the cache.
    pub(super) async fn view(&self, who: &Account) -> Value {
        self.off.graphql_as(who.token(), DEEP, json!({})).await
    }

    /// One random write by a random member on a random instance; answers what it was.
    /// Reads by every member on a cached instance, each compared with the same read without
    /// the cache; answers the first difference.
    pub(super) async fn compare(&self, dice: &mut Dice) -> Option<String> {
        for (who, member) in self.members.iter().enumerate() {
            if self.gone[who] {
                continue;
            }
            let on = dice.below(2);
            let (query, variables) = match dice.pick(&self.items) {
                Some(item) if dice.below(3) == 0 => (NODE, json!({ "id": item })),
                _ => (DEEP, json!({})),
            };
            let cached = self.on[on]
                .graphql_as(member.token(), query, variables.clone())
                .await;
            let fresh = self
                .off
                .graphql_as(member.token(), query, variables.clone())
                .await;
            if cached != fresh {
                return Some(format!(
                    "member {who} on instance {on} read {variables}:\nwith the cache: {cached}\nwithout: {fresh}"
                ));
            }
            assert!(error_codes(&fresh).is_empty(), "{fresh}");
        }
        None
    }

    /// Runs `steps` random writes, comparing reads after each; answers the first difference
    /// with the steps that led to it, or the writes made.
    pub async fn run(&mut self, seed: u64, steps: usize) -> Result<Vec<String>, String> {
        let mut dice = Dice(seed);
        let mut log = Vec::new();
        if let Some(diff) = self.compare(&mut dice).await {
            return Err(diff);
        }
        for step in 0..steps {
            log.push(format!("{step}: {}", self.write(&mut dice).await));
            if let Some(diff) = self.compare(&mut dice).await {
                return Err(format!("seed {seed}, after\n{}\n{diff}", log.join("\n")));
            }
        }
        // Then the second couple ends: a member leaves, the worker deletes the other's account.
        log.push(format!("{steps}: {}", self.a_member_leaves().await));
        if let Some(diff) = self.compare(&mut dice).await {
            return Err(format!("seed {seed}, after\n{}\n{diff}", log.join("\n")));
        }
        log.push(format!(
            "{}: {}",
            steps + 1,
            self.worker_deletes_an_account().await
        ));
        if let Some(diff) = self.compare(&mut dice).await {
            return Err(format!("seed {seed}, after\n{}\n{diff}", log.join("\n")));
        }
        Ok(log)
    }

    pub async fn stop(self) {
        let [a, b] = self.on;
        a.stop().await;
        b.stop().await;
        self.off.stop().await;
    }
}
