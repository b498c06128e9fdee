//! What a model is sent: instructions, the member's [`Facts`], the conversation so far and the
//! new message. Nothing else of the member reaches this module.

use crate::Turn;
use crate::facts::Facts;
use crate::model::ChatMessage;
use crate::starters::{Shared, Starter};

/// How many earlier messages of the conversation a model reads.
const HISTORY: usize = 12;
/// The most characters of one earlier message it reads.
const MESSAGE_CHARS: usize = 2_000;

const INSTRUCTIONS: &str = "You are Rekindle's relationship coach, an automated assistant, \
not a person and not a therapist. You help one member of a couple reconnect with their \
partner: neutral, warm, practical, brief (at most about 120 words). Suggest small rituals, \
honest conversations and, when problems are serious or repeat, professional help. Never \
diagnose, never take sides, never ask for or use names, and call the other person \"your \
partner\". If the member mentions danger, abuse or self-harm, tell them to contact local \
emergency services or a helpline. Write in the language of the member's locale (a BCP 47 tag \
in the facts) unless they write to you in another. The member's own facts follow as JSON; use \
them only when they help.";

pub(crate) fn messages(facts: &Facts, history: &[Turn], message: &str) -> Vec<ChatMessage> {
    let mut messages = vec![ChatMessage {
        role: "system",
        content: format!("{INSTRUCTIONS}\n\nFacts: {}", facts.to_prompt()),
    }];
    let skip = history.len().saturating_sub(HISTORY);
    messages.extend(history[skip..].iter().map(|turn| ChatMessage {
        role: if turn.from_member {
            "user"
        } else {
            "assistant"
        },
        content: turn.text.chars().take(MESSAGE_CHARS).collect(),
    }));
    messages.push(ChatMessage {
        role: "user",
        content: message.to_owned(),
    });
    messages
}

const STARTER_INSTRUCTIONS: &str = "You reword conversation starters for a couple who use \
Rekindle, a relationship app. Keep each starter's meaning and what it is about; make it warm, \
short (one or two sentences) and specific to the facts when they help. Never use names. Answer \
with exactly one line per starter, numbered as given (\"1. ...\"), and nothing else. The \
couple's shared facts follow as JSON.";

pub(crate) fn starters(shared: &Shared, picked: &[Starter]) -> Vec<ChatMessage> {
    let facts = serde_json::to_string(shared).unwrap_or_default();
    let list: Vec<String> = picked
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, s.text))
        .collect();
    vec![
        ChatMessage {
            role: "system",
            content: format!("{STARTER_INSTRUCTIONS}\n\nFacts: {facts}"),
        },
        ChatMessage {
            role: "user",
            content: list.join("\n"),
        },
    ]
}

/// Exactly `count` lines numbered 1 to `count`, their text without the numbers; `None` for
/// anything else.
pub(crate) fn numbered_lines(text: &str, count: usize) -> Option<Vec<String>> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() != count {
        return None;
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let rest = line.strip_prefix(&format!("{}.", i + 1))?.trim();
            (!rest.is_empty() && rest.chars().count() <= 300).then(|| rest.to_owned())
        })
        .collect()
}
