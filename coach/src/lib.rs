//! Rekindle's coach, shared by the api and the worker: the safety gate (kept in `domain`), what
//! a model may be told ([`facts`]), the scripted engine ([`scripted`]) and a client for any
//! OpenAI-compatible model ([`model`]). With no model configured every reply is scripted.

mod engine;
pub mod facts;
pub mod model;
pub mod narrator;
mod prompt;
pub mod scripted;
pub mod starters;
mod words;

use std::sync::Arc;

use domain::safety::gate::{Concern, Gate, GateError};
use tokio::sync::Semaphore;

pub use crate::engine::{Ask, Engine, ModelEngine, Writing};
use crate::facts::Facts;
use crate::model::{ModelClient, ModelConfig};
use crate::scripted::{Guide, Script, ScriptError};

/// Which engine wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Scripted,
    Model,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scripted => "scripted",
            Self::Model => "model",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "scripted" => Some(Self::Scripted),
            "model" => Some(Self::Model),
            _ => None,
        }
    }
}

/// A message of the conversation so far, as a model may read it.
#[derive(Debug, Clone)]
pub struct Turn {
    /// The member wrote it (else the coach did).
    pub from_member: bool,
    pub text: String,
}

/// A reply, once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub text: String,
    pub engine: EngineKind,
    /// Why the scripted engine answered instead of the model.
    pub fallback: Option<&'static str>,
    pub tokens_in: u32,
    pub tokens_out: u32,
}

/// Why the coach could not start.
#[derive(Debug, thiserror::Error)]
pub enum CoachError {
    #[error(transparent)]
    Gate(#[from] GateError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("the model client: {0}")]
    Client(#[from] reqwest::Error),
}

pub struct Coach {
    gate: Gate,
    script: Arc<Script>,
    starters: starters::Starters,
    model: Option<ModelEngine>,
    /// Model calls at once in this process (replies and starters alike).
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Coach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coach")
            .field(
                "model",
                &self.model.as_ref().map(|m| &m.client.config().model),
            )
            .finish_non_exhaustive()
    }
}

impl Coach {
    /// The coach with its shipped rules and content; a model when `model` is set.
    pub fn new(
        guide: Guide,
        model: Option<ModelConfig>,
        concurrency: usize,
    ) -> Result<Self, CoachError> {
        let gate = Gate::builtin()?;
        let words = Arc::new(words::load(&words::LOCALES)?);
        let script = Arc::new(Script::builtin(guide, words.clone())?);
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let model = match model {
            Some(config) => Some(ModelEngine {
                client: ModelClient::new(config)?,
                gate: gate.clone(),
                script: script.clone(),
                permits: permits.clone(),
            }),
            None => None,
        };
        Ok(Self {
            gate,
            script,
            starters: starters::Starters::builtin(words)?,
            model,
            permits,
        })
    }

    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    pub fn script(&self) -> &Script {
        &self.script
    }

    pub fn starters(&self) -> &starters::Starters {
        &self.starters
    }

    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// The engine replies come from: the model when one is configured, else the script.
    pub fn engine(&self) -> &dyn Engine {
        match &self.model {
            Some(model) => model,
            None => &*self.script,
        }
    }

    /// The scripted engine (safety replies, conversations in safety mode).
    pub fn scripted(&self) -> &dyn Engine {
        &*self.script
    }

    /// The starters reworded for the couple by the model, from `shared` (the couple-level
    /// allow-list) and the starters themselves; as they are when no model is configured, it
    /// fails, or any line it writes does not pass the safety gate.
    pub async fn personalise_starters(
        &self,
        shared: &starters::Shared,
        picked: Vec<starters::Starter>,
    ) -> Vec<starters::Starter> {
        let Some(model) = self.model.as_ref().map(|m| &m.client) else {
            return picked;
        };
        if picked.is_empty() {
            return picked;
        }
        let Ok(_permit) = self.permits.clone().try_acquire_owned() else {
            return picked;
        };
        let messages = prompt::starters(shared, &picked);
        let written = match model.complete(&messages).await {
            Ok(text) => text,
            Err(err) => {
                tracing::warn!(error = %err, kind = err.kind(), "the model did not reword starters");
                return picked;
            }
        };
        let lines = prompt::numbered_lines(&written, picked.len());
        match lines {
            Some(lines) if lines.iter().all(|l| self.gate.check(l).is_none()) => picked
                .into_iter()
                .zip(lines)
                .map(|(starter, text)| starters::Starter {
                    text,
                    by_model: true,
                    ..starter
                })
                .collect(),
            _ => picked,
        }
    }

    /// The scripted reply standing in for the model's, saying so.
    pub fn fallback(
        &self,
        message: &str,
        facts: &Facts,
        reason: &'static str,
        tokens_in: u32,
    ) -> Finished {
        engine::fallback(&self.script, message, facts, reason, tokens_in)
    }

    /// What the gate makes of a member's message.
    pub fn check(&self, message: &str) -> Option<Concern> {
        self.gate.check(message)
    }
}

/// A piece of a reply a model is writing, told to every api instance so that whichever one
/// the member's socket is on can pass it on. `text` is the whole reply so far.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReplyEvent {
    pub message_id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub delta: String,
    pub text: String,
    pub done: bool,
}

/// The events' topic.
pub const REPLY_TOPIC: &str = "coach-replies";
