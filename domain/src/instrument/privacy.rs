//! A shared result must never give an individual answer away. What a partner, a coach or a
//! webhook sees of one is its total, band, subscale scores and bands and its outcome; a
//! definition is refused when that view always tells some item's answer, whatever the answers
//! are (weights 1, 2 and 4 make the total a binary code; a subscale of one item is that item).
//!
//! Checked exactly, without walking every pattern of answers: everything visible is a function
//! of the item sums (the total's and each subscale's) and of which flags were raised, so the
//! reachable sums are built item by item. An item is given away when no view is reachable with
//! two of its values. Results with a safety flag raised are never shared and are left out.

use std::collections::{HashMap, HashSet};

use super::scoring::{assemble, combine_sum, scored_value};
use super::{Instrument, Item};

/// Most combinations of sums and flags the check keeps at once: beyond, the definition is
/// refused as too complex to prove private.
const MAX_STATES: usize = 200_000;

/// The item sums so far (the total's, then each subscale's) and the flags raised.
type State = (i64, Vec<i64>, Vec<bool>);

/// Why a definition gives answers away: the item's index and what is wrong.
pub(super) type Leak = (String, String);

/// What others see of a result, as a comparable key.
type View = String;

struct Shape<'a> {
    instrument: &'a Instrument,
    /// Per item: the subscales it counts in.
    subscales_of: Vec<Vec<usize>>,
    /// Per item: the flags raised by its answers.
    flags_of: Vec<Vec<usize>>,
}

impl Instrument {
    /// Refuses a definition whose shared view always tells some item's answer.
    pub(super) fn check_privacy(&self) -> Result<(), Leak> {
        let shape = Shape::new(self);
        let mut views: HashMap<State, View> = HashMap::new();
        for (i, item) in self.items.iter().enumerate() {
            let mut seen: HashMap<View, i32> = HashMap::new();
            let mut visible = 0;
            let mut mixed = false;
            for value in distinct_values(item) {
                let states = shape.reachable(Some((i, value)))?;
                if states.is_empty() {
                    continue;
                }
                visible += 1;
                for state in states {
                    let view = views
                        .entry(state.clone())
                        .or_insert_with(|| shape.view(&state))
                        .clone();
                    if seen.insert(view, value).is_some_and(|other| other != value) {
                        mixed = true;
                    }
                }
                if mixed {
                    break;
                }
            }
            if visible >= 2 && !mixed {
                return Err((
                    format!("items[{i}]"),
                    "what others may see of a shared result (total, band, subscales, outcome) always tells this item's answer: weigh items alike, or make bands and subscales coarser".to_owned(),
                ));
            }
        }
        Ok(())
    }
}

impl<'a> Shape<'a> {
    fn new(instrument: &'a Instrument) -> Self {
        let subscales_of = instrument
            .items
            .iter()
            .map(|item| {
                (instrument.subscales.iter().enumerate())
                    .filter(|(_, s)| s.items.contains(&item.key))
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        let flags_of = instrument
            .items
            .iter()
            .map(|item| {
                (instrument.flags.iter().enumerate())
                    .filter(|(_, f)| f.item == item.key)
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        Self {
            instrument,
            subscales_of,
            flags_of,
        }
    }

    /// Every combination of sums and flags the answers can reach (item `fixed.0` answered
    /// `fixed.1`), leaving out those with a safety flag raised.
    fn reachable(&self, fixed: Option<(usize, i32)>) -> Result<HashSet<State>, Leak> {
        let instrument = self.instrument;
        let start: State = (
            0,
            vec![0; instrument.subscales.len()],
            vec![false; instrument.flags.len()],
        );
        let mut states = HashSet::from([start]);
        for (i, item) in instrument.items.iter().enumerate() {
            let values = match fixed {
                Some((at, value)) if at == i => vec![value],
                _ => distinct_values(item),
            };
            let mut next = HashSet::with_capacity(states.len() * values.len());
            for state in &states {
                for &value in &values {
                    let counted = scored_value(item, value) as i64;
                    let mut reached = state.clone();
                    reached.0 += counted;
                    for &k in &self.subscales_of[i] {
                        reached.1[k] += counted;
                    }
                    let mut unsafe_result = false;
                    for &f in &self.flags_of[i] {
                        let flag = &instrument.flags[f];
                        if value >= flag.at_least {
                            reached.2[f] = true;
                            unsafe_result |= flag.safety;
                        }
                    }
                    if !unsafe_result {
                        next.insert(reached);
                    }
                }
            }
            if next.len() > MAX_STATES {
                return Err((
                    "items".to_owned(),
                    format!(
                        "too many combinations of scores to prove that a shared result keeps every answer private (more than {MAX_STATES}): use fewer items, values or subscales"
                    ),
                ));
            }
            states = next;
        }
        Ok(states)
    }

    /// What others see of a result reaching `state`.
    fn view(&self, state: &State) -> View {
        let instrument = self.instrument;
        let total = combine_sum(instrument.scoring, state.0 as f64, instrument.items.len());
        let subscales: Vec<f64> = (instrument.subscales.iter().zip(&state.1))
            .map(|(s, sum)| combine_sum(instrument.scoring, *sum as f64, s.items.len()))
            .collect();
        let result = assemble(instrument, total, &subscales, &state.2);
        let subscales: Vec<(f64, Option<&str>)> = result
            .subscales
            .iter()
            .map(|s| (s.score, s.band.as_ref().map(|b| b.key.as_str())))
            .collect();
        format!(
            "{}|{:?}|{:?}|{:?}",
            result.total,
            result.band.as_ref().map(|b| &b.key),
            subscales,
            result.outcome.as_ref().map(|o| &o.key)
        )
    }
}

/// The values an answer to `item` can be worth, each once.
fn distinct_values(item: &Item) -> Vec<i32> {
    let mut values = item.response.values();
    values.sort_unstable();
    values.dedup();
    values
}

#[cfg(test)]
mod tests;
