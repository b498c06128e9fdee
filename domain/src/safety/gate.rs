//! The coach's safety gate: deterministic rules that read every member message (and every
//! model reply) before anything else does. A message that speaks of suicide, self-harm,
//! violence, abuse or coercive control gets the safety reply and is never sent to a model.
//!
//! The rules are data (`content/gate/patterns.txt`, whose header explains the pattern
//! language), compiled once at start; a rule that does not compile stops the start.

use std::collections::{HashMap, HashSet};

use thiserror::Error;

mod pattern;

use pattern::{Pattern, Token, compile_pattern, matches_somewhere};

const BUILTIN: &str = include_str!("../../content/gate/patterns.txt");

/// What a message that the gate stops is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Concern {
    Suicide,
    SelfHarm,
    Violence,
    Abuse,
    CoerciveControl,
}

impl Concern {
    /// Every concern.
    pub const ALL: [Self; 5] = [
        Self::Suicide,
        Self::SelfHarm,
        Self::Violence,
        Self::Abuse,
        Self::CoerciveControl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suicide => "suicide",
            Self::SelfHarm => "self_harm",
            Self::Violence => "violence",
            Self::Abuse => "abuse",
            Self::CoerciveControl => "coercive_control",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Suicide,
            Self::SelfHarm,
            Self::Violence,
            Self::Abuse,
            Self::CoerciveControl,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// A rule of the gate's file that does not compile.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("safety gate rules, line {line}: {problem}")]
pub struct GateError {
    pub line: usize,
    pub problem: String,
}

/// Words that end a clause without ending the sentence (English and Spanish).
const CLAUSE_WORDS: [&str; 4] = ["but", "though", "pero", "aunque"];

/// The compiled rules.
#[derive(Debug, Clone)]
pub struct Gate {
    patterns: Vec<Pattern>,
    expansions: HashMap<String, Vec<String>>,
    /// Every single-letter deletion of a fuzzy word (and the word itself), to that word.
    fuzzy: HashMap<String, String>,
    keep: HashSet<String>,
}

impl Gate {
    /// The rules shipped with Rekindle.
    pub fn builtin() -> Result<Self, GateError> {
        Self::compile(BUILTIN)
    }

    /// Compiles rules written in the pattern language.
    pub fn compile(rules: &str) -> Result<Self, GateError> {
        let mut gate = Gate {
            patterns: Vec::new(),
            expansions: HashMap::new(),
            fuzzy: HashMap::new(),
            keep: HashSet::new(),
        };
        let mut concern = None;
        for (index, raw) in rules.lines().enumerate() {
            let line = index + 1;
            let fault = |problem: &str| GateError {
                line,
                problem: problem.to_owned(),
            };
            let text = raw.split('#').next().unwrap_or_default().trim();
            if text.is_empty() {
                continue;
            }
            if let Some(name) = text.strip_prefix("concern ") {
                concern = Some(
                    Concern::parse(name.trim())
                        .ok_or_else(|| fault(&format!("unknown concern {name:?}")))?,
                );
            } else if let Some(rest) = text.strip_prefix("expand ") {
                let (word, words) = rest
                    .split_once('=')
                    .ok_or_else(|| fault("an expansion reads `expand word = words`"))?;
                let words: Vec<String> = words.split_whitespace().map(fold_word).collect();
                if words.is_empty() {
                    return Err(fault("an expansion needs words"));
                }
                gate.expansions.insert(fold_word(word.trim()), words);
            } else if let Some(rest) = text.strip_prefix("keep ") {
                gate.keep.extend(rest.split_whitespace().map(fold_word));
            } else if let Some(rest) = text.strip_prefix("fuzzy ") {
                for word in rest.split_whitespace().map(fold_word) {
                    if word.chars().count() < 5 {
                        return Err(fault(&format!("{word:?} is too short to match loosely")));
                    }
                    for variant in deletions(&word) {
                        gate.fuzzy.entry(variant).or_insert_with(|| word.clone());
                    }
                    gate.fuzzy.insert(word.clone(), word);
                }
            } else {
                let concern =
                    concern.ok_or_else(|| fault("a pattern before any `concern` line"))?;
                gate.patterns
                    .push(compile_pattern(concern, text).map_err(|p| fault(&p))?);
            }
        }
        if gate.patterns.is_empty() {
            return Err(GateError {
                line: 0,
                problem: "no patterns".into(),
            });
        }
        Ok(gate)
    }

    /// What the message is about, if it is something the gate stops; `None` lets it through.
    pub fn check(&self, message: &str) -> Option<Concern> {
        sentences(message).find_map(|sentence| {
            let tokens = self.tokens(sentence);
            self.patterns
                .iter()
                .find(|p| matches_somewhere(p, &tokens))
                .map(|p| p.concern)
        })
    }

    fn tokens(&self, sentence: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut clause_start = true;
        for piece in sentence.split_inclusive([',', '(', ')', '"']) {
            for raw in piece.split(|c: char| c.is_whitespace() || c == '-' || c == '/') {
                let word = fold_word(raw);
                if word.is_empty() {
                    continue;
                }
                if CLAUSE_WORDS.contains(&word.as_str()) {
                    clause_start = true;
                    continue;
                }
                let word = self.correct(word);
                match self.expansions.get(&word) {
                    Some(words) => {
                        for word in words {
                            tokens.push(Token {
                                word: word.clone(),
                                clause_start,
                            });
                            clause_start = false;
                        }
                    }
                    None => {
                        tokens.push(Token { word, clause_start });
                        clause_start = false;
                    }
                }
            }
            clause_start = true;
        }
        tokens
    }

    /// A word one typing slip from a fuzzy word, read as that word.
    fn correct(&self, word: String) -> String {
        if word.len() < 5 || self.keep.contains(&word) {
            return word;
        }
        if let Some(found) = self.fuzzy.get(&word) {
            return found.clone();
        }
        // Deleting a letter from both words also pairs words two slips apart (paused and
        // abused): each candidate is checked.
        let found = deletions(&word)
            .filter_map(|variant| self.fuzzy.get(&variant))
            .find(|candidate| one_slip(&word, candidate))
            .cloned();
        found.unwrap_or(word)
    }
}

/// A message's sentences.
fn sentences(message: &str) -> impl Iterator<Item = &str> {
    message
        .split(['.', '!', '?', ';', ':', '\n'])
        .filter(|s| !s.trim().is_empty())
}

/// One word as the rules read it: lowercase, apostrophes dropped, digits and symbols inside a
/// word read as the letters they stand for, a letter repeated in a row read once.
fn fold_word(raw: &str) -> String {
    let has_letter = raw.chars().any(|c| c.is_alphabetic());
    let mut out = String::with_capacity(raw.len());
    let mut last = None;
    // Accents dropped, as many type without them ("matarme", "mátarme"); ñ stays.
    for c in raw
        .chars()
        .flat_map(char::to_lowercase)
        .map(crate::text::unaccented)
    {
        let c = match c {
            '0' if has_letter => 'o',
            '1' if has_letter => 'i',
            '3' if has_letter => 'e',
            '4' | '@' if has_letter => 'a',
            '5' | '$' if has_letter => 's',
            '7' if has_letter => 't',
            '*' | '_' => c,
            c if c.is_alphanumeric() => c,
            _ => continue,
        };
        if c.is_alphabetic() && last == Some(c) {
            continue;
        }
        last = Some(c);
        out.push(c);
    }
    out
}

/// The word without each one of its letters in turn.
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    word.char_indices().map(move |(at, c)| {
        let mut variant = String::with_capacity(word.len());
        variant.push_str(&word[..at]);
        variant.push_str(&word[at + c.len_utf8()..]);
        variant
    })
}

/// Whether two different words are one typing slip apart: a letter missing, added, changed, or
/// two neighbours swapped.
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let first = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    match long.len() - short.len() {
        0 => {
            let rest = |from: usize| short[from..] == long[from..];
            first == short.len()
                || rest(first + 1)
                || (first + 1 < short.len()
                    && short[first] == long[first + 1]
                    && short[first + 1] == long[first]
                    && rest(first + 2))
        }
        1 => short[first..] == long[first + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests;
