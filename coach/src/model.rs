//! A client for any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's
//! v1 endpoint, Ollama, vLLM, llama.cpp's server): `POST {base}/chat/completions` with
//! `stream: true`, read as server-sent events. A thin reqwest client rather than async-openai:
//! the only call is this one, and owning it keeps the retry, stall and fallback rules in one
//! screen of code (and reqwest is already built for webhooks and pushes).

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where the model is and how it may be used.
#[derive(Clone)]
pub struct ModelConfig {
    /// The API's base URL, up to and including `/v1` (`http://127.0.0.1:11434/v1`).
    pub base_url: String,
    /// Sent as a bearer token when set.
    pub api_key: Option<String>,
    pub model: String,
    /// The longest a whole reply may take.
    pub timeout: Duration,
    /// The longest the model may stay silent before the first word or between two.
    pub stall: Duration,
    /// Tries after the first when the server answers 429 or 5xx, or cannot be reached.
    pub retries: u32,
    /// The first wait before a retry; each next one doubles (a `Retry-After` wins).
    pub backoff: Duration,
    /// The most tokens one reply may have.
    pub max_tokens: u32,
}

impl std::fmt::Debug for ModelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately without the key.
        f.debug_struct("ModelConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("stall", &self.stall)
            .field("retries", &self.retries)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

/// One message of the conversation a model reads.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

/// What went wrong with a model call; every kind is answered by the scripted engine instead.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    #[error("the model took longer than the time allowed")]
    Timeout,
    #[error("the model stopped sending in the middle of its reply")]
    Stalled,
    #[error("the model's service refused for now (429)")]
    RateLimited,
    #[error("the model's service failed ({0})")]
    Server(u16),
    #[error("the model's service refused the request ({0})")]
    Refused(u16),
    #[error("the model's service could not be reached")]
    Unreachable,
    #[error("the model's answer could not be read")]
    Unreadable,
    #[error("the model answered nothing")]
    Empty,
}

impl ModelError {
    /// A stable name, for metrics and the reply's `fallbackReason`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Stalled => "stalled",
            Self::RateLimited => "rate_limited",
            Self::Server(_) => "server_error",
            Self::Refused(_) => "refused",
            Self::Unreachable => "unreachable",
            Self::Unreadable => "unreadable",
            Self::Empty => "empty",
        }
    }

    fn retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Server(_) | Self::Unreachable
        )
    }
}

/// A piece of the reply as it is written, or the token counts at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Usage { prompt: u32, completion: u32 },
}

pub type Pieces = Pin<Box<dyn Stream<Item = Result<Piece, ModelError>> + Send>>;

#[derive(Debug, Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    config: ModelConfig,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    stream: bool,
    max_tokens: u32,
    stream_options: StreamOptions,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<Content>,
    #[serde(default)]
    message: Option<Content>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

impl ModelClient {
    pub fn new(config: ModelConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.stall.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The reply to `messages`, piece by piece. Retries (with backoff) happen before the
    /// first piece only; once the reply has started, a failure ends it.
    pub async fn stream(&self, messages: &[ChatMessage]) -> Result<Pieces, ModelError> {
        let mut wait = self.config.backoff;
        let mut attempt = 0;
        loop {
            match self.open(messages).await {
                Ok(pieces) => return Ok(pieces),
                Err((err, retry_after)) if err.retryable() && attempt < self.config.retries => {
                    attempt += 1;
                    let pause = retry_after.unwrap_or(wait).min(self.config.timeout);
                    tracing::debug!(error = %err, attempt, "retrying the model");
                    tokio::time::sleep(pause).await;
                    wait *= 2;
                }
                Err((err, _)) => return Err(err),
            }
        }
    }

    /// The whole reply to `messages` at once, within the configured time.
    pub async fn complete(&self, messages: &[ChatMessage]) -> Result<String, ModelError> {
        let written = tokio::time::timeout(self.config.timeout, async {
            let mut pieces = self.stream(messages).await?;
            let mut text = String::new();
            while let Some(piece) = pieces.next().await {
                if let Piece::Text(more) = piece? {
                    text.push_str(&more);
                }
            }
            Ok(text)
        })
        .await
        .unwrap_or(Err(ModelError::Timeout))?;
        if written.trim().is_empty() {
            return Err(ModelError::Empty);
        }
        Ok(written)
    }

    async fn open(
        &self,
        messages: &[ChatMessage],
    ) -> Result<Pieces, (ModelError, Option<Duration>)> {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let mut request = self.http.post(url).json(&Request {
            model: &self.config.model,
            messages,
            stream: true,
            max_tokens: self.config.max_tokens,
            stream_options: StreamOptions {
                include_usage: true,
            },
        });
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = tokio::time::timeout(self.config.stall, request.send())
            .await
            .map_err(|_| (ModelError::Stalled, None))?
            .map_err(|err| {
                let kind = if err.is_timeout() {
                    ModelError::Timeout
                } else {
                    ModelError::Unreachable
                };
                (kind, None)
            })?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let err = match status.as_u16() {
                429 => ModelError::RateLimited,
                code @ 500..=599 => ModelError::Server(code),
                code => ModelError::Refused(code),
            };
            return Err((err, retry_after));
        }
        let streamed = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !streamed {
            // A server that ignores `stream: true` answers one JSON completion.
            let stall = self.config.stall;
            let body = tokio::time::timeout(stall, response.bytes())
                .await
                .map_err(|_| (ModelError::Stalled, None))?
                .map_err(|_| (ModelError::Unreachable, None))?;
            let chunk: Chunk =
                serde_json::from_slice(&body).map_err(|_| (ModelError::Unreadable, None))?;
            let pieces = pieces_of(chunk, |c| c.message);
            return Ok(Box::pin(futures_util::stream::iter(
                pieces.into_iter().map(Ok),
            )));
        }
        Ok(Box::pin(events(response, self.config.stall)))
    }
}

fn pieces_of(chunk: Chunk, content: impl Fn(Choice) -> Option<Content>) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = chunk
        .choices
        .into_iter()
        .filter_map(|c| content(c).and_then(|c| c.content))
        .filter(|text| !text.is_empty())
        .map(Piece::Text)
        .collect();
    if let Some(usage) = chunk.usage {
        pieces.push(Piece::Usage {
            prompt: usage.prompt_tokens,
            completion: usage.completion_tokens,
        });
    }
    pieces
}

/// The pieces of a server-sent event stream, each awaited no longer than `stall`.
fn events(
    response: reqwest::Response,
    stall: Duration,
) -> impl Stream<Item = Result<Piece, ModelError>> + Send {
    let bytes = response.bytes_stream();
    futures_util::stream::unfold(
        (
            Box::pin(bytes),
            Vec::<u8>::new(),
            Vec::<Piece>::new(),
            false,
        ),
        move |(mut bytes, mut buffer, mut ready, mut done)| async move {
            loop {
                if let Some(piece) = (!ready.is_empty()).then(|| ready.remove(0)) {
                    return Some((Ok(piece), (bytes, buffer, ready, done)));
                }
                if done {
                    return None;
                }
                if let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buffer.drain(..=end).collect();
                    let line = String::from_utf8_lossy(&line);
                    let Some(data) = line.trim().strip_prefix("data:") else {
                        continue;
                    };
                    let data = data.trim();
                    if data == "[DONE]" {
                        done = true;
                        continue;
                    }
                    match serde_json::from_str::<Chunk>(data) {
                        Ok(chunk) => ready = pieces_of(chunk, |c| c.delta),
                        Err(_) => {
                            return Some((
                                Err(ModelError::Unreadable),
                                (bytes, buffer, ready, true),
                            ));
                        }
                    }
                    continue;
                }
                match tokio::time::timeout(stall, bytes.next()).await {
                    Err(_) => {
                        return Some((Err(ModelError::Stalled), (bytes, buffer, ready, true)));
                    }
                    Ok(None) => done = true,
                    Ok(Some(Err(_))) => {
                        return Some((Err(ModelError::Unreachable), (bytes, buffer, ready, true)));
                    }
                    Ok(Some(Ok(chunk))) => buffer.extend_from_slice(&chunk),
                }
            }
        },
    )
}
