//! Scoring answers against a definition: item values (reversed where the item says so),
//! subscale and total scores by sum or mean, their bands, flags, the outcome, and the
//! recommendations whose conditions hold.

use std::collections::BTreeMap;

use super::{Action, Band, Condition, Direction, Instrument, Item, Response, Scoring};
use crate::catalog::{RitualCategory, RitualKey};

/// One item's answer: a Likert point or an option by its key, or yes / no.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Choice(String),
    YesNo(bool),
}

/// Answers by item key.
pub type Answers = BTreeMap<String, Answer>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("there is no item `{0}` in this instrument")]
    UnknownItem(String),
    #[error("item `{item}`: {reason}")]
    InvalidAnswer { item: String, reason: String },
    #[error("these items are not answered yet: {}", .0.join(", "))]
    Missing(Vec<String>),
}

/// A band a score fell in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BandScore {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubscaleScore {
    pub key: String,
    pub title: String,
    pub score: f64,
    pub band: Option<BandScore>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlagHit {
    pub key: String,
    pub safety: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecommendationHit {
    pub reason: String,
    pub ritual_keys: Vec<RitualKey>,
    pub ritual_categories: Vec<RitualCategory>,
    pub actions: Vec<Action>,
}

/// A scored set of answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scored {
    pub total: f64,
    pub band: Option<BandScore>,
    pub subscales: Vec<SubscaleScore>,
    /// What the result is called, when the instrument names outcomes.
    pub outcome: Option<BandScore>,
    pub flags: Vec<FlagHit>,
    pub recommendations: Vec<RecommendationHit>,
}

impl Scored {
    /// Whether any answer raised a safety concern: the result takes the private safety path.
    pub fn safety(&self) -> bool {
        self.flags.iter().any(|f| f.safety)
    }
}

/// What one answer to `item` is worth before reverse scoring, or why it is no answer to it.
pub fn answer_value(item: &Item, answer: &Answer) -> Result<i32, ScoreError> {
    let invalid = |reason: String| ScoreError::InvalidAnswer {
        item: item.key.clone(),
        reason,
    };
    match (&item.response, answer) {
        (Response::Likert { points: choices }, Answer::Choice(key))
        | (Response::SingleChoice { options: choices }, Answer::Choice(key)) => choices
            .iter()
            .find(|c| &c.key == key)
            .map(|c| c.value)
            .ok_or_else(|| {
                let known: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
                invalid(format!(
                    "`{key}` is not one of its choices ({})",
                    known.join(", ")
                ))
            }),
        (Response::YesNo { yes, no }, Answer::YesNo(said)) => Ok(if *said { *yes } else { *no }),
        (Response::YesNo { .. }, Answer::Choice(_)) => {
            Err(invalid("it is answered yes or no".into()))
        }
        (_, Answer::YesNo(_)) => Err(invalid("it is answered with one of its choices".into())),
    }
}

/// The value an item contributes to scores: reversed items count `lowest + highest - value`.
pub(super) fn scored_value(item: &Item, value: i32) -> f64 {
    match (item.reverse, item.response.range()) {
        (true, Some((low, high))) => f64::from(low + high - value),
        _ => f64::from(value),
    }
}

fn combine(scoring: Scoring, values: &[f64]) -> f64 {
    combine_sum(scoring, values.iter().sum(), values.len())
}

/// A score from the sum of its `n` item values.
pub(super) fn combine_sum(scoring: Scoring, sum: f64, n: usize) -> f64 {
    match scoring {
        Scoring::Sum => sum,
        Scoring::Mean if n == 0 => 0.0,
        Scoring::Mean => sum / n as f64,
    }
}

fn band_of(bands: &[Band], score: f64) -> Option<BandScore> {
    bands.iter().find(|b| b.contains(score)).map(|b| BandScore {
        key: b.key.clone(),
        label: b.label.clone(),
    })
}

/// Checks every answer and scores them; every item must be answered.
pub fn score(instrument: &Instrument, answers: &Answers) -> Result<Scored, ScoreError> {
    if let Some(unknown) = answers.keys().find(|k| instrument.item(k).is_none()) {
        return Err(ScoreError::UnknownItem(unknown.clone()));
    }
    let missing: Vec<String> = instrument
        .items
        .iter()
        .filter(|i| !answers.contains_key(&i.key))
        .map(|i| i.key.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ScoreError::Missing(missing));
    }
    let mut raw = BTreeMap::new();
    let mut scored = BTreeMap::new();
    for item in &instrument.items {
        // Present: every missing item was refused above.
        let Some(answer) = answers.get(&item.key) else {
            continue;
        };
        let value = answer_value(item, answer)?;
        raw.insert(item.key.as_str(), value);
        scored.insert(item.key.as_str(), scored_value(item, value));
    }
    let all: Vec<f64> = scored.values().copied().collect();
    let total = combine(instrument.scoring, &all);
    let subscales: Vec<f64> = instrument
        .subscales
        .iter()
        .map(|s| {
            let values: Vec<f64> = s
                .items
                .iter()
                .filter_map(|k| scored.get(k.as_str()).copied())
                .collect();
            combine(instrument.scoring, &values)
        })
        .collect();
    let raised: Vec<bool> = instrument
        .flags
        .iter()
        .map(|f| raw.get(f.item.as_str()).is_some_and(|v| *v >= f.at_least))
        .collect();
    Ok(assemble(instrument, total, &subscales, &raised))
}

/// A result from its scores (the total, each subscale's in order) and which of the
/// instrument's flags were raised (in order): bands, the outcome and recommendations follow.
pub(super) fn assemble(
    instrument: &Instrument,
    total: f64,
    subscales: &[f64],
    raised: &[bool],
) -> Scored {
    let subscales: Vec<SubscaleScore> = instrument
        .subscales
        .iter()
        .zip(subscales)
        .map(|(s, score)| SubscaleScore {
            key: s.key.clone(),
            title: s.title.clone(),
            score: *score,
            band: band_of(&s.bands, *score),
        })
        .collect();
    let flags: Vec<FlagHit> = instrument
        .flags
        .iter()
        .zip(raised)
        .filter(|(_, raised)| **raised)
        .map(|(f, _)| FlagHit {
            key: f.key.clone(),
            safety: f.safety,
            message: f.message.clone(),
        })
        .collect();
    let mut result = Scored {
        total,
        band: band_of(&instrument.bands, total),
        subscales,
        outcome: None,
        flags,
        recommendations: Vec::new(),
    };
    result.outcome = instrument
        .outcomes
        .iter()
        .find(|o| o.when.as_ref().is_none_or(|c| holds(c, &result)))
        .map(|o| BandScore {
            key: o.key.clone(),
            label: o.label.clone(),
        });
    result.recommendations = instrument
        .recommendations
        .iter()
        .filter(|r| holds(&r.when, &result))
        .map(|r| RecommendationHit {
            reason: r.reason.clone(),
            ritual_keys: r.ritual_keys.clone(),
            ritual_categories: r.ritual_categories.clone(),
            actions: r.actions.clone(),
        })
        .collect();
    result
}

fn holds(condition: &Condition, result: &Scored) -> bool {
    match condition {
        Condition::Band(band) => result.band.as_ref().is_some_and(|b| &b.key == band),
        Condition::SubscaleBand { subscale, band } => result
            .subscales
            .iter()
            .find(|s| &s.key == subscale)
            .and_then(|s| s.band.as_ref())
            .is_some_and(|b| &b.key == band),
        Condition::Flag(flag) => result.flags.iter().any(|f| &f.key == flag),
        Condition::Outcome(outcome) => result.outcome.as_ref().is_some_and(|o| &o.key == outcome),
    }
}

/// How a total moved between two results of the same instrument.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub delta: f64,
    /// Whether the change is at least the instrument's reliable-change threshold.
    pub reliable: bool,
    /// Better, worse, or neither (no change), by the instrument's direction.
    pub direction: Option<Direction>,
}

/// The change from `before` to `after`; `reliable` only where the instrument defines a threshold.
pub fn reliable_change(instrument: &Instrument, before: f64, after: f64) -> Change {
    let delta = after - before;
    let direction = if delta == 0.0 {
        None
    } else if (delta > 0.0) == (instrument.higher_is == Direction::Better) {
        Some(Direction::Better)
    } else {
        Some(Direction::Worse)
    };
    Change {
        delta,
        reliable: instrument
            .reliable_change
            .is_some_and(|threshold| delta.abs() >= threshold),
        direction,
    }
}

/// A submitted result as it is kept: the scores and how the total moved since the member's
/// previous result of the same instrument.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResultRecord {
    pub scored: Scored,
    pub change: Option<Change>,
}
