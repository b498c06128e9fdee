//! The coach's safety gate: how much of the red-team sets (English and Spanish) it stops, and how many messages a
//! second one core reads. Run through `bench/coach.sh gate`.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use rekindle_domain::safety::gate::Gate;

fn messages(set: &str) -> Vec<&str> {
    set.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The sets by language: (language, must catch, ordinary).
const SETS: [(&str, &str, &str); 2] = [
    (
        "English",
        include_str!("../tests/gate/must_catch.txt"),
        include_str!("../tests/gate/ordinary.txt"),
    ),
    (
        "Spanish",
        include_str!("../tests/gate/must_catch_es.txt"),
        include_str!("../tests/gate/ordinary_es.txt"),
    ),
];

fn main() {
    let gate = Gate::builtin().expect("the shipped rules compile");
    let mut all: Vec<&str> = Vec::new();
    for (language, must_catch, ordinary) in SETS {
        let must_catch = messages(must_catch);
        let ordinary = messages(ordinary);
        let caught = must_catch
            .iter()
            .filter(|m| gate.check(m).is_some())
            .count();
        let alarms = ordinary.iter().filter(|m| gate.check(m).is_some()).count();
        println!(
            "{language:<8} catch rate:       {caught}/{} = {:.1}%",
            must_catch.len(),
            100.0 * caught as f64 / must_catch.len() as f64
        );
        println!(
            "{language:<8} false alarm rate: {alarms}/{} = {:.1}%",
            ordinary.len(),
            100.0 * alarms as f64 / ordinary.len() as f64
        );
        all.extend(must_catch);
        all.extend(ordinary);
    }

    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(400usize);
    let started = Instant::now();
    let mut stopped = 0usize;
    for _ in 0..rounds {
        for message in &all {
            stopped += usize::from(black_box(gate.check(black_box(message))).is_some());
        }
    }
    let elapsed = started.elapsed();
    let checked = rounds * all.len();
    println!(
        "throughput:       {:.0} messages/s on one core ({checked} checked in {:.2} s, {stopped} stopped)",
        checked as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}
