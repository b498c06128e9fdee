//! The scripted engine: every sentence written by people (`content/scripted.json`), chosen by
//! deterministic rules that only read the member's message, and grounded in their own facts.
//! The same message and facts always give the same reply.

use std::collections::{BTreeMap, HashMap};

use domain::safety::Resource;
use domain::safety::gate::Concern;
use serde::Deserialize;
use thiserror::Error;

use crate::facts::Facts;

const BUILTIN: &str = include_str!("../content/scripted.json");

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
#[error("coach content scripted.json: {0}")]
pub struct ScriptError(String);

impl ScriptError {
    pub(crate) fn new(problem: String) -> Self {
        Self(problem)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    disclosure: String,
    safety: SafetyText,
    fallback_note: String,
    topics: Vec<Topic>,
    unknown: Unknown,
    facts: FactTexts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyText {
    opening: BTreeMap<String, String>,
    resources: String,
    closing: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Topic {
    key: String,
    triggers: Vec<String>,
    #[serde(default)]
    rituals: Vec<String>,
    #[serde(default)]
    instrument: Option<String>,
    replies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Unknown {
    #[serde(default)]
    rituals: Vec<String>,
    replies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactTexts {
    plan_empty: String,
    plan_one: String,
    plan_many: String,
    streak: String,
    streak_none: String,
    break_running: String,
    break_proposed: String,
    band: String,
    ritual: String,
    steps: String,
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
    content: Content,
    /// Each topic's triggers, folded as messages are.
    triggers: Vec<Vec<String>>,
    guide: Guide,
}

impl Script {
    /// The content shipped with Rekindle, checked against the guide it refers to.
    pub fn builtin(guide: Guide) -> Result<Self, ScriptError> {
        Self::load(BUILTIN, guide)
    }

    pub fn load(json: &str, guide: Guide) -> Result<Self, ScriptError> {
        let content: Content =
            serde_json::from_str(json).map_err(|e| ScriptError(e.to_string()))?;
        for concern in [
            Concern::Suicide,
            Concern::SelfHarm,
            Concern::Violence,
            Concern::Abuse,
            Concern::CoerciveControl,
        ] {
            if !content.safety.opening.contains_key(concern.as_str()) {
                return Err(ScriptError(format!(
                    "safety.opening has no text for {}",
                    concern.as_str()
                )));
            }
        }
        let mut texts: Vec<(&str, &str)> = Vec::new();
        for topic in &content.topics {
            if topic.triggers.is_empty() || topic.replies.is_empty() {
                return Err(ScriptError(format!(
                    "topic {} needs triggers and replies",
                    topic.key
                )));
            }
            texts.extend(
                topic
                    .replies
                    .iter()
                    .map(|r| (topic.key.as_str(), r.as_str())),
            );
            for key in &topic.rituals {
                check_ritual(&guide, &topic.key, key)?;
            }
            if let Some(key) = &topic.instrument {
                check_instrument(&guide, &topic.key, key)?;
            }
        }
        if content.unknown.replies.is_empty() {
            return Err(ScriptError("unknown needs replies".into()));
        }
        texts.extend(
            content
                .unknown
                .replies
                .iter()
                .map(|r| ("unknown", r.as_str())),
        );
        for key in &content.unknown.rituals {
            check_ritual(&guide, "unknown", key)?;
        }
        for (topic, text) in texts {
            for placeholder in placeholders(text) {
                match placeholder.split_once(':') {
                    None if ["plan", "streak", "break"].contains(&placeholder) => {}
                    Some(("ritual" | "steps", key)) => check_ritual(&guide, topic, key)?,
                    Some(("band", key)) => check_instrument(&guide, topic, key)?,
                    _ => {
                        return Err(ScriptError(format!(
                            "topic {topic}: unknown placeholder {{{placeholder}}}"
                        )));
                    }
                }
            }
        }
        let triggers = content
            .topics
            .iter()
            .map(|t| t.triggers.iter().map(|w| fold(w)).collect())
            .collect();
        Ok(Self {
            content,
            triggers,
            guide,
        })
    }

    /// The reply to `message`, from the member's own `facts`.
    pub fn reply(&self, message: &str, facts: &Facts) -> Scripted {
        let folded = fold(message);
        let best = self
            .triggers
            .iter()
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
        let (topic, replies) = match best {
            Some((_, i)) => (
                self.content.topics[i].key.as_str(),
                &self.content.topics[i].replies,
            ),
            None => ("unknown", &self.content.unknown.replies),
        };
        let template = &replies[(stable_hash(&folded) % replies.len() as u64) as usize];
        Scripted {
            topic: topic.to_owned(),
            text: self.render(template, facts),
        }
    }

    /// The reply to a message the safety gate stopped: what it heard, where to get help in
    /// the member's country, and that this stays private.
    pub fn safety_reply(&self, concern: Concern, resources: &[Resource]) -> String {
        let safety = &self.content.safety;
        let mut text = safety
            .opening
            .get(concern.as_str())
            .cloned()
            .unwrap_or_default();
        text.push_str("\n\n");
        text.push_str(&safety.resources);
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
        text.push_str(&safety.closing);
        text
    }

    /// That this is an automated coach, not a person or a therapist.
    pub fn disclosure(&self) -> &str {
        &self.content.disclosure
    }

    /// Said when a scripted reply stands in for a model's.
    pub fn fallback_note(&self) -> &str {
        &self.content.fallback_note
    }

    fn render(&self, template: &str, facts: &Facts) -> String {
        let mut out = String::with_capacity(template.len() * 2);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            out.push_str(&self.fill(&rest[open + 1..open + close], facts));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn fill(&self, placeholder: &str, facts: &Facts) -> String {
        let texts = &self.content.facts;
        match placeholder.split_once(':') {
            None if placeholder == "plan" => {
                let titles: Vec<&str> = facts.plan().iter().map(|r| r.title()).collect();
                match titles.len() {
                    0 => texts.plan_empty.clone(),
                    1 => texts.plan_one.replace("{titles}", titles[0]),
                    n => texts
                        .plan_many
                        .replace("{count}", &n.to_string())
                        .replace("{titles}", &titles[..n.min(3)].join(", ")),
                }
            }
            None if placeholder == "streak" => match facts.streak() {
                Some(s) if s.current() > 0 || s.longest() > 0 => texts
                    .streak
                    .replace("{current}", &s.current().to_string())
                    .replace("{longest}", &s.longest().to_string()),
                _ => texts.streak_none.clone(),
            },
            None if placeholder == "break" => match facts.on_break() {
                Some(b) if b.is_running() => texts
                    .break_running
                    .replace("{until}", &b.until().format("%-d %B %Y").to_string()),
                Some(_) => texts.break_proposed.clone(),
                None => String::new(),
            },
            Some(("ritual", key)) => self.guide.rituals.get(key).map_or_else(String::new, |r| {
                texts
                    .ritual
                    .replace("{title}", &r.title)
                    .replace("{summary}", &r.summary)
            }),
            Some(("steps", key)) => self.guide.rituals.get(key).map_or_else(String::new, |r| {
                if r.steps.is_empty() {
                    return texts
                        .ritual
                        .replace("{title}", &r.title)
                        .replace("{summary}", &r.summary);
                }
                let steps: Vec<String> = r
                    .steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}. {}", i + 1, s.trim_end_matches('.')))
                    .collect();
                texts
                    .steps
                    .replace("{title}", &r.title)
                    .replace("{steps}", &steps.join("; "))
            }),
            Some(("band", key)) => {
                facts
                    .bands()
                    .iter()
                    .find(|b| b.is_of(key))
                    .map_or_else(String::new, |b| {
                        texts
                            .band
                            .replace("{instrument}", b.instrument())
                            .replace("{band}", b.label())
                    })
            }
            _ => String::new(),
        }
    }
}

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

fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(p, _)| p))
}

/// A message as triggers are matched against it: lowercase words between single spaces, with
/// a space at each end.
fn fold(text: &str) -> String {
    let words: Vec<String> = text
        .to_lowercase()
        .replace(['\u{2019}', '\''], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!(" {} ", words.join(" "))
}

/// FNV-1a: a stable hash, the same in every process and version.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
pub(crate) mod tests;
