//! Weekly summaries' narratives from a model: told only the week's numbers
//! ([`SummaryFacts`]), its text passed by the safety gate. Without a model, or when it fails,
//! the summary keeps the template narrative `domain::summary` writes.

use domain::safety::gate::Gate;
use domain::summary::{Trend, WeeklySummary};
use serde::Serialize;

use crate::CoachError;
use crate::model::{ChatMessage, ModelClient, ModelConfig};

/// The longest narrative kept, in characters.
const MAX_CHARS: usize = 800;

const INSTRUCTIONS: &str = "You write the weekly summary of a couple who use Rekindle, a \
relationship app: two or three warm, plain sentences from the numbers given (as JSON), \
speaking to both of them as \"you two\". Celebrate what went well, be gentle about what did \
not, and end with the suggestion if there is one. Never invent facts, never use names, no \
lists or headings.";

/// A week's numbers: all a model is told for its narrative. Built only from a summary, whose
/// figures come from counts (never a note or an answer).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SummaryFacts {
    planned: u32,
    completed: u32,
    closeness_trend: &'static str,
    streak_weeks: u32,
    check_ins_both_answered: u32,
    results_shared: u32,
    most_done_categories: Vec<&'static str>,
    suggestion: String,
}

impl SummaryFacts {
    pub fn of(summary: &WeeklySummary) -> Self {
        let mut shares: Vec<_> = summary
            .balance
            .iter()
            .filter(|(_, share)| *share > 0.0)
            .collect();
        shares.sort_by(|a, b| b.1.total_cmp(&a.1));
        Self {
            planned: summary.planned,
            completed: summary.completed,
            closeness_trend: match summary.trend {
                Trend::Closer => "closer than the week before",
                Trend::Steady => "as close as the week before",
                Trend::LessClose => "less close than the week before",
                Trend::Unknown => "not rated",
            },
            streak_weeks: summary.streak_weeks,
            check_ins_both_answered: summary.extras.check_ins_both_answered,
            results_shared: summary.extras.results_shared,
            most_done_categories: shares.iter().take(2).map(|(c, _)| c.as_str()).collect(),
            suggestion: summary.suggestion.text.clone(),
        }
    }
}

/// Writes narratives with the configured model.
pub struct Narrator {
    gate: Gate,
    model: ModelClient,
}

impl Narrator {
    pub fn new(config: ModelConfig) -> Result<Self, CoachError> {
        Ok(Self {
            gate: Gate::builtin()?,
            model: ModelClient::new(config)?,
        })
    }

    /// The model's narrative of the week, or why there is none (a `ModelError` kind, or
    /// `withheld` when the safety gate stopped it, or `too_long`).
    pub async fn narrate(&self, facts: &SummaryFacts) -> Result<String, &'static str> {
        let messages = [
            ChatMessage {
                role: "system",
                content: INSTRUCTIONS.to_owned(),
            },
            ChatMessage {
                role: "user",
                content: serde_json::to_string(facts).unwrap_or_default(),
            },
        ];
        let text = self.model.complete(&messages).await.map_err(|e| e.kind())?;
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > MAX_CHARS {
            return Err("too_long");
        }
        if self.gate.check(&text).is_some() {
            return Err("withheld");
        }
        Ok(text)
    }
}
