//! Conversation starters for a couple, drawn only from what both partners can already see:
//! check-ins both answered (their question, never the answers), results shared with the couple
//! (instrument and band), the plan, and rituals logged without a note. Each says what it draws
//! from. Written from a bank in the coach's words (`coach-starter-*` in `content/locales`), in
//! the asking member's language, chosen deterministically per day.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::checkin::prompt_for;
use domain::instrument::Instrument;
use domain::messages::Messages;
use entities::{assessment, check_in, completion, plan_item, ritual};
use serde::Serialize;
use uuid::Uuid;

use crate::facts::PlanRitual;
use crate::scripted::ScriptError;

/// What a starter draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    CheckIn,
    SharedResult,
    Completion,
    Plan,
    General,
}

/// One conversation starter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starter {
    pub source: Source,
    /// The check-in question, instrument or ritual it draws from; none for a general one.
    pub about: Option<String>,
    pub text: String,
    /// Reworded by the model (else as written in the bank).
    pub by_model: bool,
}

/// A check-in both partners answered: its question and day (never an answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevealedCheckIn {
    question: &'static str,
    day: NaiveDate,
}

impl RevealedCheckIn {
    /// The couple's answers of one day; `None` unless two different members answered.
    pub fn of(couple_id: Uuid, day: NaiveDate, answers: &[check_in::Model]) -> Option<Self> {
        let mut members: Vec<Uuid> = answers
            .iter()
            .filter(|a| a.couple_id == couple_id && a.local_date == day)
            .map(|a| a.user_id)
            .collect();
        members.sort();
        members.dedup();
        domain::checkin::revealed(2, members.len() as u64).then(|| Self {
            question: prompt_for(day).text,
            day,
        })
    }
}

/// A result shared with the couple: its instrument and band (never a safety one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedBand {
    instrument: String,
    band: String,
}

impl SharedBand {
    pub fn of(couple_id: Uuid, row: &assessment::Model, instrument: &Instrument) -> Option<Self> {
        if row.shared_with_couple != Some(couple_id) {
            return None;
        }
        Some(Self {
            instrument: instrument.title.clone(),
            band: crate::facts::safe_band(row, instrument)?,
        })
    }
}

/// A ritual logged without a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRitual {
    title: String,
    day: NaiveDate,
}

impl LoggedRitual {
    pub fn of(
        done: &completion::Model,
        item: &plan_item::Model,
        ritual: &ritual::Model,
    ) -> Option<Self> {
        (done.note.is_none() && done.plan_item_id == item.id && item.ritual_id == ritual.id).then(
            || Self {
                title: ritual.title.clone(),
                day: done.occurrence_date,
            },
        )
    }
}

/// What both partners can see that starters may draw from: all a model may be told of the
/// couple for them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Shared {
    pub check_ins: Vec<RevealedCheckIn>,
    pub results: Vec<SharedBand>,
    pub logged: Vec<LoggedRitual>,
    pub plan: Vec<PlanRitual>,
}

/// The starter bank: each kind's message keys, in the coach's words.
#[derive(Debug)]
pub struct Starters {
    words: Arc<Messages>,
    check_in: Vec<String>,
    shared_result: Vec<String>,
    completion: Vec<String>,
    plan: Vec<String>,
    general: Vec<String>,
}

impl Starters {
    /// The shipped bank, each kind holding at least one starter.
    pub fn builtin(words: Arc<Messages>) -> Result<Self, ScriptError> {
        let kind = |name: &str| {
            let keys = crate::words::numbered(&words, &format!("coach-starter-{name}"));
            if keys.is_empty() {
                return Err(ScriptError::new(format!(
                    "no coach-starter-{name}-1 message"
                )));
            }
            Ok(keys)
        };
        Ok(Self {
            check_in: kind("check-in")?,
            shared_result: kind("shared-result")?,
            completion: kind("completion")?,
            plan: kind("plan")?,
            general: kind("general")?,
            words,
        })
    }

    /// Up to `first` starters for the couple on `today`, in `locale`: one from each kind of
    /// thing first, then more, then general questions; the same all day.
    pub fn pick(
        &self,
        shared: &Shared,
        seed: Uuid,
        today: NaiveDate,
        first: usize,
        locale: &str,
    ) -> Vec<Starter> {
        let words = &*self.words;
        let locale = words.resolve(locale);
        let day = |d: NaiveDate| crate::words::day(words, locale, d);
        let mut candidates = Vec::new();
        for c in shared.check_ins.iter().rev() {
            let fill = vec![("about", c.question.to_owned()), ("day", day(c.day))];
            candidates.push(Candidate::new(
                Source::CheckIn,
                c.question,
                &self.check_in,
                fill,
            ));
        }
        for r in &shared.results {
            let fill = vec![("about", r.instrument.clone()), ("band", r.band.clone())];
            candidates.push(Candidate::new(
                Source::SharedResult,
                &r.instrument,
                &self.shared_result,
                fill,
            ));
        }
        for l in shared.logged.iter().rev() {
            let fill = vec![("about", l.title.clone()), ("day", day(l.day))];
            candidates.push(Candidate::new(
                Source::Completion,
                &l.title,
                &self.completion,
                fill,
            ));
        }
        for p in &shared.plan {
            let fill = vec![("about", p.title().to_owned())];
            candidates.push(Candidate::new(Source::Plan, p.title(), &self.plan, fill));
        }
        let mut seen = std::collections::HashSet::new();
        candidates.retain(|c| seen.insert((c.source as u8, c.about.clone())));
        // One of each source first, in the order above, then the rest.
        let (firsts, rest): (Vec<usize>, Vec<usize>) = (0..candidates.len())
            .partition(|&i| (0..i).all(|j| candidates[j].source != candidates[i].source));
        let salt = crate::scripted::stable_hash(&format!("{seed}{today}"));
        let choose = |bank: &[String], i: usize| {
            bank[((salt.wrapping_add(i as u64)) % bank.len() as u64) as usize].clone()
        };
        let say = |key: &str, fill: &[(&str, String)]| {
            let args = fill
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            crate::words::say(words, locale, key, &args)
        };
        let mut out: Vec<Starter> = firsts
            .into_iter()
            .chain(rest)
            .take(first)
            .map(|i| {
                let c = &candidates[i];
                Starter {
                    source: c.source,
                    about: Some(c.about.clone()),
                    text: say(&choose(c.bank, i), &c.fill),
                    by_model: false,
                }
            })
            .collect();
        for i in 0..self.general.len() {
            if out.len() >= first {
                break;
            }
            let text = say(&choose(&self.general, i), &[]);
            if !out.iter().any(|s| s.text == text) {
                out.push(Starter {
                    source: Source::General,
                    about: None,
                    text,
                    by_model: false,
                });
            }
        }
        out
    }
}

/// A starter that could be written: its source, what it is about, its messages and their
/// variables.
struct Candidate<'a> {
    source: Source,
    about: String,
    bank: &'a [String],
    fill: Vec<(&'static str, String)>,
}

impl<'a> Candidate<'a> {
    fn new(
        source: Source,
        about: &str,
        bank: &'a [String],
        fill: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            source,
            about: about.to_owned(),
            bank,
            fill,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starters_are_in_the_asking_members_language() {
        let starters = Starters::builtin(crate::scripted::tests::words()).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 6, 8).unwrap();
        let pick = |locale: &str| {
            starters
                .pick(&Shared::default(), Uuid::nil(), today, 3, locale)
                .into_iter()
                .map(|s| s.text)
                .collect::<Vec<_>>()
        };
        let english = pick("en");
        assert_eq!(english.len(), 3);
        assert!(english.iter().all(|t| t.starts_with("What")), "{english:?}");
        let spanish = pick("es-AR");
        assert_eq!(spanish.len(), 3);
        assert!(spanish.iter().all(|t| t.starts_with('¿')), "{spanish:?}");
        assert_eq!(pick("de"), english);
    }
}
