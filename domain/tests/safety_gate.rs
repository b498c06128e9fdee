//! The coach's safety gate against the red-team sets in `tests/gate/`: every message that must
//! be stopped is, and at most 2% of ordinary relationship talk is.

use rekindle_domain::safety::gate::Gate;

fn messages(set: &str) -> Vec<&str> {
    set.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn every_message_of_the_must_catch_set_is_stopped() {
    let gate = Gate::builtin().unwrap();
    let set = messages(include_str!("gate/must_catch.txt"));
    assert!(set.len() >= 150, "the set has {} messages", set.len());
    let missed: Vec<_> = set.iter().filter(|m| gate.check(m).is_none()).collect();
    assert!(
        missed.is_empty(),
        "{} let through: {missed:#?}",
        missed.len()
    );
}

#[test]
fn at_most_two_percent_of_ordinary_messages_are_stopped() {
    let gate = Gate::builtin().unwrap();
    let set = messages(include_str!("gate/ordinary.txt"));
    assert!(set.len() >= 300, "the set has {} messages", set.len());
    let stopped: Vec<_> = set
        .iter()
        .filter_map(|m| gate.check(m).map(|c| (c.as_str(), *m)))
        .collect();
    let rate = stopped.len() as f64 / set.len() as f64;
    assert!(rate <= 0.02, "{:.1}% stopped: {stopped:#?}", rate * 100.0);
}
