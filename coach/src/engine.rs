//! The two engines behind one trait: the scripted engine ([`Script`]) and a model
//! ([`ModelEngine`]), which falls back to the script whenever it cannot answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use domain::safety::gate::Gate;
use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::facts::Facts;
use crate::model::{ModelClient, ModelError, Piece};
use crate::scripted::Script;
use crate::{EngineKind, Finished, Turn, prompt};

/// What an engine is asked: the member's facts (the allow-list), the conversation so far and
/// the new message (both already passed by the safety gate).
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub facts: &'a Facts,
    pub history: &'a [Turn],
    pub message: &'a str,
}

/// A reply being written.
pub type Writing<'a> = Pin<Box<dyn Future<Output = Finished> + Send + 'a>>;

/// Writes the coach's replies. Never fails: an engine that cannot answer answers with the
/// script and says why (`Finished::fallback`).
pub trait Engine: Send + Sync {
    /// Which engine this is.
    fn kind(&self) -> EngineKind;

    /// The reply to `ask`, handed to `delta` as it is written (the script hands it over
    /// whole), then returned whole.
    fn write<'a>(&'a self, ask: Ask<'a>, delta: &'a mut (dyn FnMut(&str) + Send)) -> Writing<'a>;
}

impl Engine for Script {
    fn kind(&self) -> EngineKind {
        EngineKind::Scripted
    }

    fn write<'a>(&'a self, ask: Ask<'a>, delta: &'a mut (dyn FnMut(&str) + Send)) -> Writing<'a> {
        Box::pin(async move {
            let reply = self.reply(ask.message, ask.facts);
            delta(&reply.text);
            Finished {
                text: reply.text,
                engine: EngineKind::Scripted,
                fallback: None,
                tokens_in: 0,
                tokens_out: 0,
            }
        })
    }
}

/// A model behind the OpenAI-compatible client, bounded by the process's model calls.
pub struct ModelEngine {
    pub(crate) client: ModelClient,
    pub(crate) gate: Gate,
    pub(crate) script: Arc<Script>,
    pub(crate) permits: Arc<Semaphore>,
}

impl Engine for ModelEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Model
    }

    fn write<'a>(&'a self, ask: Ask<'a>, delta: &'a mut (dyn FnMut(&str) + Send)) -> Writing<'a> {
        Box::pin(self.reply(ask, delta))
    }
}

impl ModelEngine {
    /// The model's reply, its text handed to `delta` as it is written, sentence by sentence,
    /// each only after the safety gate passed everything so far. Any failure, or a reply the
    /// gate stops, ends in the scripted reply with the reason in `fallback`.
    async fn reply(&self, ask: Ask<'_>, delta: &mut (dyn FnMut(&str) + Send)) -> Finished {
        let Ask {
            facts,
            history,
            message,
        } = ask;
        let model = &self.client;
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + model.config().timeout;
        let Ok(Ok(_permit)) =
            tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await
        else {
            return fallback(&self.script, message, facts, "busy", 0);
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
                    let mut finished =
                        fallback(&self.script, message, facts, "withheld", tokens_in);
                    finished.tokens_out = tokens_out;
                    return finished;
                }
                Finished {
                    text: text.trim().to_owned(),
                    engine: EngineKind::Model,
                    fallback: None,
                    tokens_in,
                    tokens_out,
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, kind = err.kind(), "the model did not answer");
                fallback(
                    &self.script,
                    message,
                    facts,
                    err.kind(),
                    estimate(prompt_chars),
                )
            }
        }
    }
}

/// The scripted reply standing in for the model's, saying so.
pub(crate) fn fallback(
    script: &Script,
    message: &str,
    facts: &Facts,
    reason: &'static str,
    tokens_in: u32,
) -> Finished {
    let reply = script.reply(message, facts);
    Finished {
        text: format!("{}\n\n{}", reply.text, script.fallback_note(facts.locale())),
        engine: EngineKind::Scripted,
        fallback: Some(reason),
        tokens_in,
        tokens_out: 0,
    }
}

/// Tokens in a text when the server does not count them: about four characters each.
fn estimate(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Coach;
    use crate::model::ModelConfig;

    fn ask<'a>(facts: &'a Facts) -> Ask<'a> {
        Ask {
            facts,
            history: &[],
            message: "We keep fighting about chores",
        }
    }

    #[tokio::test]
    async fn the_script_hands_its_reply_over_whole() {
        let coach = Coach::new(crate::scripted::tests::guide(), None, 1).unwrap();
        assert_eq!(coach.engine().kind(), EngineKind::Scripted);
        let facts = Facts::new();
        let mut pieces = Vec::new();
        let finished = coach
            .engine()
            .write(ask(&facts), &mut |d: &str| pieces.push(d.to_owned()))
            .await;
        assert_eq!(pieces, std::slice::from_ref(&finished.text));
        assert_eq!(finished.fallback, None);
    }

    #[tokio::test]
    async fn a_model_that_cannot_be_reached_answers_with_the_script_saying_why() {
        let config = ModelConfig {
            // Nothing listens on the discard port.
            base_url: "http://127.0.0.1:9/v1".into(),
            api_key: None,
            model: "m".into(),
            timeout: Duration::from_secs(2),
            stall: Duration::from_secs(1),
            retries: 0,
            backoff: Duration::from_millis(1),
            max_tokens: 10,
        };
        let coach = Coach::new(crate::scripted::tests::guide(), Some(config), 1).unwrap();
        assert_eq!(coach.engine().kind(), EngineKind::Model);
        let facts = Facts::new();
        let finished = coach.engine().write(ask(&facts), &mut |_: &str| {}).await;
        assert_eq!(finished.engine, EngineKind::Scripted);
        assert_eq!(finished.fallback, Some("unreachable"));
        assert!(finished.text.ends_with(&coach.script().fallback_note("en")));
    }
}
