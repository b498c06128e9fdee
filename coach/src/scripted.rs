//! The scripted engine: every sentence written by people, in the member's language (the
//! coach's message files, `content/locales`), chosen by deterministic rules that only read the
//! member's message (topics and their order in `content/scripted.json`, their triggers in each
//! language), and grounded in their own facts. The same message, facts and locale always give
//! the same reply.

use std::collections::HashMap;
use std::sync::Arc;

use domain::messages::{FluentArgs, Messages};
use domain::safety::Resource;
use domain::safety::gate::Concern;
use serde::Deserialize;
use thiserror::Error;

use self::fill::Fill;
use crate::facts::Facts;
use crate::words;

const STRUCTURE: &str = include_str!("../content/scripted.json");

/// A ritual of the guide, as the scripted replies describe it.
#[derive(Debug, Clone)]
pub struct GuideRitual {
    pub title: String,
    pub summary: String,
    pub steps: Vec<String>,
}

/// The guide's rituals by key, and the instruments there are.
#[derive(Debug, Clone, Default)]
pub struct Guide {
    pub rituals: HashMap<String, GuideRitual>,
    pub instruments: Vec<String>,
}

/// Content that does not hold together.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("coach content: {0}")]
pub struct ScriptError(String);

impl ScriptError {
    pub(crate) fn new(problem: String) -> Self {
        Self(problem)
    }
}

/// Which topics there are, in order (the earliest wins a tie), and the rituals and instrument
/// each draws on; their words are in the message files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Structure {
    topics: Vec<TopicShape>,
    unknown: UnknownShape,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicShape {
    key: String,
    #[serde(default)]
    rituals: Vec<String>,
    #[serde(default)]
    instrument: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnknownShape {
    #[serde(default)]
    rituals: Vec<String>,
}

/// A topic: its key and its replies' message keys.
#[derive(Debug)]
struct Topic {
    key: String,
    replies: Vec<String>,
}

/// A scripted reply and the topic it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scripted {
    pub topic: String,
    pub text: String,
}

/// The compiled scripted engine.
#[derive(Debug)]
pub struct Script {
    words: Arc<Messages>,
    topics: Vec<Topic>,
    unknown: Vec<String>,
    /// Each shipped locale's triggers, by topic, folded as messages are.
    triggers: HashMap<&'static str, Vec<Vec<String>>>,
    guide: Guide,
}

/// The safety reply's opening for a concern.
fn safety_key(concern: Concern) -> String {
    format!("coach-safety-{}", concern.as_str().replace('_', "-"))
}

/// The words of a topic's messages: `coach-TOPIC-…`.
fn topic_prefix(topic: &str) -> String {
    format!("coach-{}", topic.replace('_', "-"))
}

impl Script {
    /// The content shipped with Rekindle, checked against the guide it refers to.
    pub fn builtin(guide: Guide, words: Arc<Messages>) -> Result<Self, ScriptError> {
        Self::load(STRUCTURE, words, guide)
    }

    /// `structure` (scripted.json) with the coach's `words`, checked against `guide`: every
    /// topic has triggers and replies in every locale, every variable a reply uses is one the
    /// engine fills, and every ritual and instrument named is in the guide.
    pub fn load(structure: &str, words: Arc<Messages>, guide: Guide) -> Result<Self, ScriptError> {
        let structure: Structure =
            serde_json::from_str(structure).map_err(|e| ScriptError(e.to_string()))?;
        for concern in Concern::ALL {
            if !words.has(&safety_key(concern)) {
                return Err(ScriptError(format!(
                    "no safety text for {}",
                    concern.as_str()
                )));
            }
        }
        for key in FIXED {
            if !words.has(key) {
                return Err(ScriptError(format!("no message {key}")));
            }
        }
        let mut topics = Vec::with_capacity(structure.topics.len());
        let mut triggers: HashMap<&'static str, Vec<Vec<String>>> = HashMap::new();
        for shape in &structure.topics {
            let prefix = topic_prefix(&shape.key);
            let replies = words::numbered(&words, &format!("{prefix}-reply"));
            if replies.is_empty() || !words.has(&format!("{prefix}-triggers")) {
                return Err(ScriptError(format!(
                    "topic {} needs {prefix}-triggers and {prefix}-reply-1",
                    shape.key
                )));
            }
            for locale in words.locales() {
                let listed =
                    words.format(locale, &format!("{prefix}-triggers"), &FluentArgs::new());
                let folded: Vec<String> = listed
                    .split(',')
                    .map(fold)
                    .filter(|t| !t.trim().is_empty())
                    .collect();
                if folded.is_empty() {
                    return Err(ScriptError(format!(
                        "topic {}: no triggers in {locale}",
                        shape.key
                    )));
                }
                triggers.entry(locale).or_default().push(folded);
            }
            for key in &shape.rituals {
                check_ritual(&guide, &shape.key, key)?;
            }
            if let Some(key) = &shape.instrument {
                check_instrument(&guide, &shape.key, key)?;
            }
            topics.push(Topic {
                key: shape.key.clone(),
                replies,
            });
        }
        let unknown = words::numbered(&words, "coach-unknown-reply");
        if unknown.is_empty() {
            return Err(ScriptError("no coach-unknown-reply-1".into()));
        }
        for key in &structure.unknown.rituals {
            check_ritual(&guide, "unknown", key)?;
        }
        let replies = topics
            .iter()
            .flat_map(|t| t.replies.iter().map(|r| (t.key.as_str(), r)))
            .chain(unknown.iter().map(|r| ("unknown", r)));
        for (topic, key) in replies {
            for variable in words::variables(&words, key) {
                match Fill::parse(&variable) {
                    Some(Fill::Ritual(ritual) | Fill::Steps(ritual)) => {
                        check_ritual(&guide, topic, &ritual)?;
                    }
                    Some(Fill::Band(instrument)) => check_instrument(&guide, topic, &instrument)?,
                    Some(Fill::Plan | Fill::Streak | Fill::Break) => {}
                    None => {
                        return Err(ScriptError(format!("{key}: unknown variable ${variable}")));
                    }
                }
            }
        }
        Ok(Self {
            words,
            topics,
            unknown,
            triggers,
            guide,
        })
    }

    /// The reply to `message`, in the member's language, from their own `facts`.
    pub fn reply(&self, message: &str, facts: &Facts) -> Scripted {
        let locale = self.words.resolve(facts.locale());
        let folded = fold(message);
        let best = self
            .triggers
            .get(locale)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, triggers)| {
                let score: usize = triggers
                    .iter()
                    .filter(|t| folded.contains(t.as_str()))
                    .map(|t| 1 + t.matches(' ').count())
                    .sum();
                (score, i)
            })
            // The highest score; the earliest topic among equals.
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .filter(|(score, _)| *score > 0);
        let (topic, replies) = match best.and_then(|(_, i)| self.topics.get(i)) {
            Some(topic) => (topic.key.as_str(), &topic.replies),
            None => ("unknown", &self.unknown),
        };
        let key = &replies[(stable_hash(&folded) % replies.len() as u64) as usize];
        Scripted {
            topic: topic.to_owned(),
            text: self.render(locale, key, facts),
        }
    }

    /// The reply to a message the safety gate stopped, in the member's language: what it
    /// heard, where to get help in the member's country, and that this stays private.
    pub fn safety_reply(&self, concern: Concern, resources: &[Resource], locale: &str) -> String {
        let none = FluentArgs::new();
        let mut text = words::say(&self.words, locale, &safety_key(concern), &none);
        text.push_str("\n\n");
        text.push_str(&words::say(
            &self.words,
            locale,
            "coach-safety-resources",
            &none,
        ));
        for resource in resources {
            text.push_str("\n- ");
            text.push_str(&resource.name);
            if let Some(phone) = &resource.phone {
                text.push_str(&format!(" ({phone})"));
            }
            if let Some(url) = &resource.url {
                text.push_str(&format!(" {url}"));
            }
            text.push_str(": ");
            text.push_str(&resource.description);
        }
        text.push_str("\n\n");
        text.push_str(&words::say(
            &self.words,
            locale,
            "coach-safety-closing",
            &none,
        ));
        text
    }

    /// That this is an automated coach, not a person or a therapist.
    pub fn disclosure(&self, locale: &str) -> String {
        words::say(&self.words, locale, "coach-disclosure", &FluentArgs::new())
    }

    /// Said when a scripted reply stands in for a model's.
    pub fn fallback_note(&self, locale: &str) -> String {
        words::say(
            &self.words,
            locale,
            "coach-fallback-note",
            &FluentArgs::new(),
        )
    }

    fn render(&self, locale: &str, key: &str, facts: &Facts) -> String {
        let mut args = FluentArgs::new();
        for variable in self.words.variables(locale, key).unwrap_or_default() {
            let value = Fill::parse(&variable).map_or_else(String::new, |fill| {
                fill::fill(&self.words, &self.guide, locale, fill, facts)
            });
            args.set(variable, value);
        }
        words::say(&self.words, locale, key, &args)
    }
}

/// Messages the engine says besides topics' replies.
const FIXED: [&str; 12] = [
    "coach-disclosure",
    "coach-fallback-note",
    "coach-safety-resources",
    "coach-safety-closing",
    "coach-fact-plan-empty",
    "coach-fact-plan",
    "coach-fact-streak",
    "coach-fact-break-running",
    "coach-fact-break-proposed",
    "coach-fact-band",
    "coach-fact-ritual",
    "coach-fact-steps",
];

fn check_ritual(guide: &Guide, topic: &str, key: &str) -> Result<(), ScriptError> {
    if guide.rituals.contains_key(key) {
        Ok(())
    } else {
        Err(ScriptError(format!(
            "topic {topic}: no ritual {key} in the guide"
        )))
    }
}

fn check_instrument(guide: &Guide, topic: &str, key: &str) -> Result<(), ScriptError> {
    if guide.instruments.iter().any(|i| i == key) {
        Ok(())
    } else {
        Err(ScriptError(format!("topic {topic}: no instrument {key}")))
    }
}

/// A message as triggers are matched against it: lowercase words between single spaces, with
/// a space at each end, without apostrophes or accents ("discusión" is "discusion").
fn fold(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '\u{2019}' | '\''))
        .map(domain::text::unaccented)
        .collect();
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!(" {} ", parts.join(" "))
}

/// FNV-1a: a stable hash, the same in every process and version.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

mod fill;
#[cfg(test)]
pub(crate) mod tests;
