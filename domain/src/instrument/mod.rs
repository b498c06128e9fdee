//! Assessment instruments: questionnaires described by data (items, reverse scoring, subscales,
//! bands, flags, outcomes, recommendation rules) and scored by one engine. A definition is
//! checked when it is loaded; every error names the file and the field at fault.

mod builtin;
mod privacy;
mod scoring;
mod validate;

use serde::{Deserialize, Serialize};

use crate::catalog::{RitualCategory, RitualKey};

pub use builtin::{builtin_instruments, is_builtin_key};
pub use scoring::{
    Answer, Answers, BandScore, Change, FlagHit, RecommendationHit, ResultRecord, ScoreError,
    Scored, SubscaleScore, answer_value, reliable_change, score,
};

/// One questionnaire as authored. Its `(key, version)` names it for good: a changed definition
/// is a new version, and a result keeps the version it was scored with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub key: String,
    pub version: u32,
    pub title: String,
    /// What the instrument is for and how to answer it, shown before the first item.
    pub description: String,
    pub items: Vec<Item>,
    #[serde(default)]
    pub subscales: Vec<Subscale>,
    pub scoring: Scoring,
    /// Bands of the total score, lowest first. May be empty when outcomes say what a result means.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// Whether a higher total is the better or the worse news (trends and reliable change).
    pub higher_is: Direction,
    /// The smallest change of the total between two results that is more than noise.
    #[serde(default)]
    pub reliable_change: Option<f64>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// What a result is called, by the first rule that holds; the last rule has no condition.
    #[serde(default)]
    pub outcomes: Vec<OutcomeRule>,
    #[serde(default)]
    pub recommendations: Vec<RecommendationRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    pub prompt: String,
    pub response: Response,
    /// Scored as `lowest + highest - answer`: agreeing with a negatively worded item counts
    /// against the total.
    #[serde(default)]
    pub reverse: bool,
}

/// How an item is answered and what each answer is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Response {
    /// A scale of labelled points, each with its value.
    Likert { points: Vec<Choice> },
    /// Yes or no, worth `yes` and `no` (1 and 0 unless said otherwise).
    YesNo {
        #[serde(default = "one")]
        yes: i32,
        #[serde(default)]
        no: i32,
    },
    /// One of a list of named options.
    SingleChoice { options: Vec<Choice> },
}

fn one() -> i32 {
    1
}

/// A Likert point or a single-choice option: a key the answer names, a label, a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub label: String,
    pub value: i32,
}

impl Response {
    /// Every value an answer to this item can be worth.
    pub fn values(&self) -> Vec<i32> {
        match self {
            Response::Likert { points: choices } | Response::SingleChoice { options: choices } => {
                choices.iter().map(|c| c.value).collect()
            }
            Response::YesNo { yes, no } => vec![*yes, *no],
        }
    }

    /// The lowest and highest values; `None` for an item without choices (refused on load).
    pub fn range(&self) -> Option<(i32, i32)> {
        let values = self.values();
        Some((*values.iter().min()?, *values.iter().max()?))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscale {
    pub key: String,
    pub title: String,
    pub items: Vec<String>,
    /// Bands of this subscale's score, lowest first (optional).
    #[serde(default)]
    pub bands: Vec<Band>,
}

/// How item scores add up, for the total and for every subscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    Sum,
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Better,
    Worse,
}

/// A range of scores with a name. Which edge holds its cut-off value is said, never implied:
/// two neighbouring bands share a cut-off, and exactly one of them includes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub key: String,
    pub label: String,
    pub from: Edge,
    pub to: Edge,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub value: f64,
    pub inclusive: bool,
}

impl Band {
    pub fn contains(&self, score: f64) -> bool {
        let above = if self.from.inclusive {
            score >= self.from.value
        } else {
            score > self.from.value
        };
        let below = if self.to.inclusive {
            score <= self.to.value
        } else {
            score < self.to.value
        };
        above && below
    }
}

/// An answer that raises a concern: the item's answer is worth at least `at_least`. A `safety`
/// flag leads to the private safety path (resources for its owner, nothing to the partner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    pub key: String,
    pub item: String,
    pub at_least: i32,
    #[serde(default)]
    pub safety: bool,
    /// Said to the member whose answer raised it.
    pub message: String,
}

/// When a rule applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The total falls in this band.
    Band(String),
    /// A subscale falls in one of its bands.
    SubscaleBand { subscale: String, band: String },
    /// This flag was raised.
    Flag(String),
    /// The result was named this outcome.
    Outcome(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRule {
    pub key: String,
    pub label: String,
    /// Absent on the last rule only: the outcome when no other holds.
    #[serde(default)]
    pub when: Option<Condition>,
}

/// Something worth doing about a result, beyond rituals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Danger or abuse: get help now, from the safety resources.
    SeekImmediateHelp,
    /// A therapist or counsellor first; rituals come after.
    TalkToProfessional,
    /// Structure and feedback from a coach or a course (the guide's guided support).
    ConsiderGuidedSupport,
    /// Raise it with the partner, in an honest, calm conversation.
    TalkTogether,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationRule {
    pub when: Condition,
    /// Why this is recommended, in words for the member.
    pub reason: String,
    #[serde(default)]
    pub ritual_keys: Vec<RitualKey>,
    #[serde(default)]
    pub ritual_categories: Vec<RitualCategory>,
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A definition that cannot be used, with where the fault is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {problem}")]
pub struct InstrumentError {
    pub file: String,
    /// Where in the definition, as a path (`items[2].response.points`); `.` for the whole file.
    pub field: String,
    pub problem: String,
}

/// Reads a content file as `T`: a shape error names `file` and the field's path.
pub fn read_content<T: serde::de::DeserializeOwned>(
    file: &str,
    json: &str,
) -> Result<T, InstrumentError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| InstrumentError {
        file: file.to_owned(),
        field: err.path().to_string(),
        problem: err.into_inner().to_string(),
    })
}

impl Instrument {
    /// Reads and checks a definition; `file` names it in errors.
    pub fn load(file: &str, json: &str) -> Result<Self, InstrumentError> {
        let instrument: Instrument = read_content(file, json)?;
        instrument
            .validate()
            .map_err(|(field, problem)| InstrumentError {
                file: file.to_owned(),
                field,
                problem,
            })?;
        Ok(instrument)
    }

    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// The lowest and highest total an instrument's answers can add up to.
    pub fn total_range(&self) -> (f64, f64) {
        self.range_of(self.items.iter())
    }

    fn range_of<'a>(&self, items: impl Iterator<Item = &'a Item>) -> (f64, f64) {
        let ranges: Vec<(i32, i32)> = items.filter_map(|i| i.response.range()).collect();
        let low: f64 = ranges.iter().map(|r| f64::from(r.0)).sum();
        let high: f64 = ranges.iter().map(|r| f64::from(r.1)).sum();
        match self.scoring {
            Scoring::Sum => (low, high),
            Scoring::Mean if ranges.is_empty() => (0.0, 0.0),
            Scoring::Mean => {
                let n = ranges.len() as f64;
                (low / n, high / n)
            }
        }
    }

    /// The lowest and highest score of a subscale.
    pub fn subscale_range(&self, subscale: &Subscale) -> (f64, f64) {
        self.range_of(
            self.items
                .iter()
                .filter(|i| subscale.items.contains(&i.key)),
        )
    }
}

#[cfg(test)]
mod tests;
