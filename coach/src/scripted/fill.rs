//! What a reply's variables are filled with, in the member's language: their own facts (plan,
//! streak, break, bands) and the guide's rituals.

use domain::messages::{FluentValue, Messages};

use super::{Guide, GuideRitual};
use crate::facts::Facts;
use crate::words;

/// What a reply's variable asks the engine for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fill {
    Plan,
    Streak,
    Break,
    /// A ritual's title and summary, by ritual key.
    Ritual(String),
    /// A ritual step by step.
    Steps(String),
    /// The member's band on an instrument, by instrument key.
    Band(String),
}

impl Fill {
    /// `plan`, `streak`, `break`, or `ritual-KEY`, `steps-KEY`, `band-KEY` with `-` for the
    /// key's `_`.
    pub(super) fn parse(variable: &str) -> Option<Self> {
        match variable.split_once('-') {
            None => match variable {
                "plan" => Some(Self::Plan),
                "streak" => Some(Self::Streak),
                "break" => Some(Self::Break),
                _ => None,
            },
            Some((kind, key)) => {
                let key = key.replace('-', "_");
                match kind {
                    "ritual" => Some(Self::Ritual(key)),
                    "steps" => Some(Self::Steps(key)),
                    "band" => Some(Self::Band(key)),
                    _ => None,
                }
            }
        }
    }
}

/// What `what` says in `locale`: the member's own `facts`, or a ritual of the `guide`; nothing
/// when there is nothing to say (no streak, no break, no band of that instrument).
pub(super) fn fill(
    messages: &Messages,
    guide: &Guide,
    locale: &str,
    what: Fill,
    facts: &Facts,
) -> String {
    let say = |key: &str, args: &[(&str, FluentValue<'static>)]| {
        words::say(messages, locale, key, &args.iter().cloned().collect())
    };
    let text = |s: &str| FluentValue::from(s.to_owned());
    let ritual = |r: &GuideRitual| {
        say(
            "coach-fact-ritual",
            &[("title", text(&r.title)), ("summary", text(&r.summary))],
        )
    };
    match what {
        Fill::Plan => {
            let titles: Vec<&str> = facts.plan().iter().map(|r| r.title()).collect();
            if titles.is_empty() {
                return say("coach-fact-plan-empty", &[]);
            }
            say(
                "coach-fact-plan",
                &[
                    ("count", FluentValue::from(titles.len())),
                    ("titles", text(&titles[..titles.len().min(3)].join(", "))),
                ],
            )
        }
        Fill::Streak => match facts.streak() {
            Some(s) if s.current() > 0 || s.longest() > 0 => say(
                "coach-fact-streak",
                &[
                    ("current", FluentValue::from(s.current())),
                    ("longest", FluentValue::from(s.longest())),
                ],
            ),
            _ => String::new(),
        },
        Fill::Break => match facts.on_break() {
            Some(b) if b.is_running() => say(
                "coach-fact-break-running",
                &[("until", text(&words::date(messages, locale, b.until())))],
            ),
            Some(_) => say("coach-fact-break-proposed", &[]),
            None => String::new(),
        },
        Fill::Ritual(key) => guide.rituals.get(&key).map_or_else(String::new, ritual),
        Fill::Steps(key) => guide.rituals.get(&key).map_or_else(String::new, |r| {
            if r.steps.is_empty() {
                return ritual(r);
            }
            let steps: Vec<String> = r
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {}", i + 1, s.trim_end_matches('.')))
                .collect();
            say(
                "coach-fact-steps",
                &[
                    ("title", text(&r.title)),
                    ("steps", text(&steps.join("; "))),
                ],
            )
        }),
        Fill::Band(key) => {
            facts
                .bands()
                .iter()
                .find(|b| b.is_of(&key))
                .map_or_else(String::new, |b| {
                    say(
                        "coach-fact-band",
                        &[
                            ("instrument", text(b.instrument())),
                            ("band", text(b.label())),
                        ],
                    )
                })
        }
    }
}
