//! The coach's safety gate against the red-team sets in `tests/gate/`, in English and in Spanish:
//! every message that must be stopped is, and at most 2% of ordinary relationship talk is.

use rekindle_domain::safety::gate::Gate;

fn messages(set: &str) -> Vec<&str> {
    set.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn every_message_of_the_must_catch_set_is_stopped() {
    all_stopped(
        &Gate::builtin().unwrap(),
        include_str!("gate/must_catch.txt"),
        150,
    );
}

#[test]
fn every_message_of_the_spanish_must_catch_set_is_stopped() {
    all_stopped(
        &Gate::builtin().unwrap(),
        include_str!("gate/must_catch_es.txt"),
        60,
    );
}

#[test]
fn at_most_two_percent_of_ordinary_messages_are_stopped() {
    at_most_two_percent(
        &Gate::builtin().unwrap(),
        include_str!("gate/ordinary.txt"),
        300,
    );
}

#[test]
fn at_most_two_percent_of_ordinary_spanish_messages_are_stopped() {
    at_most_two_percent(
        &Gate::builtin().unwrap(),
        include_str!("gate/ordinary_es.txt"),
        100,
    );
}

fn all_stopped(gate: &Gate, set: &str, at_least: usize) {
    let set = messages(set);
    assert!(set.len() >= at_least, "the set has {} messages", set.len());
    let missed: Vec<_> = set.iter().filter(|m| gate.check(m).is_none()).collect();
    assert!(
        missed.is_empty(),
        "{} let through: {missed:#?}",
        missed.len()
    );
}

fn at_most_two_percent(gate: &Gate, set: &str, at_least: usize) {
    let set = messages(set);
    assert!(set.len() >= at_least, "the set has {} messages", set.len());
    let stopped: Vec<_> = set
        .iter()
        .filter_map(|m| gate.check(m).map(|c| (c.as_str(), *m)))
        .collect();
    let rate = stopped.len() as f64 / set.len() as f64;
    assert!(rate <= 0.02, "{:.1}% stopped: {stopped:#?}", rate * 100.0);
}
