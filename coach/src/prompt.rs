//! What a model is sent: instructions, the member's [`Facts`], the conversation so far and the
//! new message. Nothing else of the member reaches this module.

use crate::Turn;
use crate::facts::Facts;
use crate::model::ChatMessage;

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
emergency services or a helpline. The member's own facts follow as JSON; use them only when \
they help.";

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
