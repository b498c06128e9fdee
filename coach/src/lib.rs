//! Rekindle's coach, shared by the api and the worker: the safety gate (kept in `domain`), what
//! a model may be told ([`facts`]), the scripted engine ([`scripted`]) and a client for any
//! OpenAI-compatible model ([`model`]). With no model configured every reply is scripted.

pub mod facts;
pub mod model;
pub mod narrator;
mod prompt;
pub mod scripted;
pub mod starters;

use std::sync::Arc;
use std::time::Instant;

use domain::safety::gate::{Concern, Gate, GateError};
use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::facts::Facts;
use crate::model::{ModelClient, ModelConfig, ModelError, Piece};
use crate::scripted::{Guide, Script, ScriptError};

/// Which engine wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Scripted,
    Model,
}

impl Engine {
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
    pub engine: Engine,
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
    script: Script,
    starters: starters::Starters,
    model: Option<ModelClient>,
    /// Model calls at once in this process.
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Coach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coach")
            .field("model", &self.model.as_ref().map(|m| &m.config().model))
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
        Ok(Self {
            gate: Gate::builtin()?,
            script: Script::builtin(guide)?,
            starters: starters::Starters::builtin()?,
            model: model.map(ModelClient::new).transpose()?,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
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

    /// A reply from the model, its text handed to `delta` as it is written, sentence by
    /// sentence, each only after the safety gate passed everything so far. Any failure, or a
    /// reply the gate stops, ends in the scripted reply with the reason in `fallback`.
    pub async fn model_reply(
        &self,
        facts: &Facts,
        history: &[Turn],
        message: &str,
        delta: &mut (dyn FnMut(&str) + Send),
    ) -> Finished {
        let Some(model) = &self.model else {
            return self.fallback(message, facts, "unavailable", 0);
        };
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + model.config().timeout;
        let Ok(Ok(_permit)) =
            tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await
        else {
            return self.fallback(message, facts, "busy", 0);
        };
        let messages = prompt::messages(facts, history, message);
        let prompt_chars: usize = messages.iter().map(|m| m.content.len()).sum();
        let written = tokio::time::timeout_at(deadline, async {
            let mut pieces = model.stream(&messages).await?;
            let mut text = String::new();
            let mut shown = 0;
            let mut usage = None;
            while let Some(piece) = pieces.next().await {
                match piece? {
                    Piece::Usage { prompt, completion } => usage = Some((prompt, completion)),
                    Piece::Text(more) => {
                        text.push_str(&more);
                        if let Some(end) = text.rfind(['.', '!', '?', '\n']) {
                            let end = end + 1;
                            if end > shown {
                                if self.gate.check(&text[..end]).is_some() {
                                    return Ok((text, usage, true));
                                }
                                delta(&text[shown..end]);
                                shown = end;
                            }
                        }
                    }
                }
            }
            if self.gate.check(&text).is_some() {
                return Ok((text, usage, true));
            }
            if text.trim().is_empty() {
                return Err(ModelError::Empty);
            }
            if shown < text.len() {
                delta(&text[shown..]);
            }
            Ok::<_, ModelError>((text, usage, false))
        })
        .await
        .unwrap_or(Err(ModelError::Timeout));
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "model reply"
        );
        match written {
            Ok((text, usage, withheld)) => {
                let (tokens_in, tokens_out) =
                    usage.unwrap_or((estimate(prompt_chars), estimate(text.len())));
                if withheld {
                    let mut finished = self.fallback(message, facts, "withheld", tokens_in);
                    finished.tokens_out = tokens_out;
                    return finished;
                }
                Finished {
                    text: text.trim().to_owned(),
                    engine: Engine::Model,
                    fallback: None,
                    tokens_in,
                    tokens_out,
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, kind = err.kind(), "the model did not answer");
                self.fallback(message, facts, err.kind(), estimate(prompt_chars))
            }
        }
    }

    /// The starters reworded for the couple by the model, from `shared` (the couple-level
    /// allow-list) and the starters themselves; as they are when no model is configured, it
    /// fails, or any line it writes does not pass the safety gate.
    pub async fn personalise_starters(
        &self,
        shared: &starters::Shared,
        picked: Vec<starters::Starter>,
    ) -> Vec<starters::Starter> {
        let Some(model) = &self.model else {
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
        let reply = self.script.reply(message, facts);
        Finished {
            text: format!("{}\n\n{}", reply.text, self.script.fallback_note()),
            engine: Engine::Scripted,
            fallback: Some(reason),
            tokens_in,
            tokens_out: 0,
        }
    }

    /// What the gate makes of a member's message.
    pub fn check(&self, message: &str) -> Option<Concern> {
        self.gate.check(message)
    }
}

/// Tokens in a text when the server does not count them: about four characters each.
fn estimate(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX)
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
