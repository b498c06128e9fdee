//! `REKINDLE_COACH_*`: the coach's language model (none: every reply is scripted) and budgets.

use std::time::Duration;

use anyhow::bail;

use super::Secret;
use super::parse::parse_num;

/// The coach's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachSettings {
    /// The OpenAI-compatible model replies come from; none for scripted replies only.
    pub model: Option<CoachModelSettings>,
    /// Model calls at once per process; more wait (within the reply's time) or fall back.
    pub concurrency: usize,
    /// Messages a member may send the coach per UTC day.
    pub messages_per_day: u64,
    /// Tokens (prompt and reply) a member's model replies may take per UTC day.
    pub tokens_per_day: u64,
}

impl CoachSettings {
    /// Whether a member whose replies took `tokens` today may have no more (budgets count
    /// only when a model answers).
    pub fn model_tokens_spent(&self, tokens: u64) -> bool {
        self.model.is_some() && tokens >= self.tokens_per_day
    }
}

/// An OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachModelSettings {
    pub base_url: String,
    pub api_key: Option<Secret>,
    pub model: String,
    pub timeout: Duration,
    pub stall: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub max_tokens: u32,
}

pub(super) fn coach_settings(
    var: &impl Fn(&str) -> Option<String>,
) -> anyhow::Result<CoachSettings> {
    let model = match var("COACH_BASE_URL") {
        None => None,
        Some(url) => {
            let parsed = url::Url::parse(&url).ok();
            if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                bail!("REKINDLE_COACH_BASE_URL must be an http:// or https:// URL, not `{url}`");
            }
            let Some(model) = var("COACH_MODEL") else {
                bail!("REKINDLE_COACH_BASE_URL needs REKINDLE_COACH_MODEL (the model's name)");
            };
            Some(CoachModelSettings {
                base_url: url.trim_end_matches('/').to_owned(),
                api_key: var("COACH_API_KEY").map(Secret::new),
                model,
                timeout: Duration::from_secs(parse_num(var, "COACH_TIMEOUT_SECS", 30)?.max(1)),
                stall: Duration::from_secs(parse_num(var, "COACH_STALL_SECS", 10)?.max(1)),
                retries: parse_num(var, "COACH_RETRIES", 2)?,
                backoff: Duration::from_millis(parse_num(var, "COACH_RETRY_BACKOFF_MS", 500)?),
                max_tokens: parse_num(var, "COACH_MAX_TOKENS", 400)?.max(1),
            })
        }
    };
    Ok(CoachSettings {
        model,
        concurrency: parse_num(var, "COACH_CONCURRENCY", 16)?.max(1),
        messages_per_day: parse_num(var, "COACH_MESSAGES_PER_DAY", 200)?,
        tokens_per_day: parse_num(var, "COACH_TOKENS_PER_DAY", 100_000)?,
    })
}
