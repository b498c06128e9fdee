//! GraphQL types for instruments: what a client needs to show the questions and read a result.

use std::sync::Arc;

use async_graphql::{Enum, ID, Object, SimpleObject};
use domain::instrument::{self as engine, Direction, Response};

use crate::graphql::ids::{NodeKind, global_id};
use crate::instruments::StoredInstrument;

/// How an item is answered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// One point of a labelled scale: answer with the point's `key` as `choice`.
    Likert,
    /// Yes or no: answer with `yes`.
    YesNo,
    /// One of the listed options: answer with the option's `key` as `choice`.
    SingleChoice,
}

/// A point of a scale, or an option.
#[derive(SimpleObject)]
pub struct ResponseChoice {
    /// What an answer names.
    pub key: String,
    /// What to show.
    pub label: String,
    /// What the choice is worth in the score.
    pub value: i32,
}

/// One question of an instrument.
pub struct InstrumentItem(engine::Item);

/// One question of an instrument.
#[Object]
impl InstrumentItem {
    /// The item's key, which answers name.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The statement or question to show.
    async fn prompt(&self) -> &str {
        &self.0.prompt
    }

    /// How it is answered.
    async fn kind(&self) -> ResponseKind {
        match self.0.response {
            Response::Likert { .. } => ResponseKind::Likert,
            Response::YesNo { .. } => ResponseKind::YesNo,
            Response::SingleChoice { .. } => ResponseKind::SingleChoice,
        }
    }

    /// The scale's points or the options, in order; empty for a yes-or-no item.
    async fn choices(&self) -> Vec<ResponseChoice> {
        match &self.0.response {
            Response::Likert { points: c } | Response::SingleChoice { options: c } => c
                .iter()
                .map(|c| ResponseChoice {
                    key: c.key.clone(),
                    label: c.label.clone(),
                    value: c.value,
                })
                .collect(),
            Response::YesNo { .. } => Vec::new(),
        }
    }
}

/// A group of items scored together.
#[derive(SimpleObject)]
pub struct InstrumentSubscale {
    /// The subscale's key.
    pub key: String,
    /// What it measures.
    pub title: String,
    /// The keys of its items.
    pub items: Vec<String>,
}

/// A named range of scores. Which edge holds the cut-off is explicit.
#[derive(SimpleObject)]
pub struct ScoreBand {
    /// The band's key.
    pub key: String,
    /// What to call a score in it.
    pub label: String,
    /// The lower edge.
    pub from: f64,
    /// Whether a score equal to `from` is in the band.
    pub from_inclusive: bool,
    /// The upper edge.
    pub to: f64,
    /// Whether a score equal to `to` is in the band.
    pub to_inclusive: bool,
}

impl ScoreBand {
    fn of(band: &engine::Band) -> Self {
        Self {
            key: band.key.clone(),
            label: band.label.clone(),
            from: band.from.value,
            from_inclusive: band.from.inclusive,
            to: band.to.value,
            to_inclusive: band.to.inclusive,
        }
    }
}

/// A questionnaire members take privately: its items, how it is scored, and what its scores
/// mean. Built-ins come from the reconnection guide's checklists.
pub struct InstrumentNode(pub Arc<StoredInstrument>);

/// A questionnaire members take privately: its items, how it is scored, and what its scores
/// mean. Built-ins come from the reconnection guide's checklists.
#[Object(name = "Instrument")]
impl InstrumentNode {
    /// The global ID of this version of the instrument.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Instrument, self.0.id)
    }

    /// The instrument's stable key.
    async fn key(&self) -> &str {
        &self.0.definition.key
    }

    /// Its version; a result keeps the version it was scored with.
    async fn version(&self) -> i32 {
        i32::try_from(self.0.definition.version).unwrap_or(i32::MAX)
    }

    /// Its name.
    async fn title(&self) -> &str {
        &self.0.definition.title
    }

    /// What it is for and how to answer it.
    async fn description(&self) -> &str {
        &self.0.definition.description
    }

    /// The items, in the order to ask them.
    async fn items(&self) -> Vec<InstrumentItem> {
        self.0
            .definition
            .items
            .iter()
            .cloned()
            .map(InstrumentItem)
            .collect()
    }

    /// The subscales, if the instrument has any.
    async fn subscales(&self) -> Vec<InstrumentSubscale> {
        self.0
            .definition
            .subscales
            .iter()
            .map(|s| InstrumentSubscale {
                key: s.key.clone(),
                title: s.title.clone(),
                items: s.items.clone(),
            })
            .collect()
    }

    /// The bands of the total score, lowest first (empty when outcomes name results instead).
    async fn bands(&self) -> Vec<ScoreBand> {
        self.0.definition.bands.iter().map(ScoreBand::of).collect()
    }

    /// Whether a higher total is better news (otherwise worse).
    async fn higher_is_better(&self) -> bool {
        self.0.definition.higher_is == Direction::Better
    }

    /// The smallest change of the total between two results that is more than noise, if the
    /// instrument defines one.
    async fn reliable_change(&self) -> Option<f64> {
        self.0.definition.reliable_change
    }
}
