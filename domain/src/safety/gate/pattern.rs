//! The gate's patterns: compiled from a rule's text, matched against a sentence's words.

use super::{Concern, fold_word};

/// Words that negate what follows them in a clause (English and Spanish; "no" is both).
pub(super) const NEGATORS: [&str; 7] = ["not", "never", "no", "nor", "nothing", "nunca", "jamas"];
/// How many words before a match a negator reaches.
const NEGATION_REACH: usize = 3;

#[derive(Debug, Clone)]
enum Word {
    Exact(String),
    Prefix(String),
}

impl Word {
    fn matches(&self, token: &str) -> bool {
        match self {
            Self::Exact(word) => word == token,
            Self::Prefix(stem) => token.starts_with(stem.as_str()),
        }
    }
}

#[derive(Debug, Clone)]
enum Slot {
    /// One of these word sequences.
    Words(Vec<Vec<Word>>),
    /// Up to this many other words.
    Gap(usize),
    /// The end of the sentence (or of the clause, at a comma).
    End,
    /// The next word is none of these (or there is none); takes no word.
    Not(Vec<Word>),
}

#[derive(Debug, Clone)]
pub(super) struct Pattern {
    pub(super) concern: Concern,
    slots: Vec<Slot>,
    /// The pattern holds its own negation ("do not want to live"): a negator before it does
    /// not set it aside.
    negated_itself: bool,
}

/// A word of a sentence, with whether a comma or clause word came just before it.
#[derive(Debug)]
pub(super) struct Token {
    pub(super) word: String,
    pub(super) clause_start: bool,
}

fn compile_word(raw: &str) -> Result<Word, String> {
    let word = fold_word(raw);
    match word.strip_suffix('*') {
        Some(stem) if !stem.is_empty() && !stem.contains('*') => Ok(Word::Prefix(stem.into())),
        None if !word.is_empty() && !word.contains('*') => Ok(Word::Exact(word)),
        _ => Err(format!("{raw:?} is not a word")),
    }
}

pub(super) fn compile_pattern(concern: Concern, text: &str) -> Result<Pattern, String> {
    let mut slots = Vec::new();
    for part in text.split_whitespace() {
        let slot = if part == "$" {
            Slot::End
        } else if let Some(n) = part.strip_prefix('~') {
            Slot::Gap(n.parse().map_err(|_| format!("{part:?}: a gap is ~N"))?)
        } else if let Some(words) = part.strip_prefix('!') {
            Slot::Not(
                words
                    .split('|')
                    .map(compile_word)
                    .collect::<Result<_, _>>()?,
            )
        } else {
            Slot::Words(
                part.split('|')
                    .map(|alt| alt.split('_').map(compile_word).collect())
                    .collect::<Result<_, _>>()?,
            )
        };
        slots.push(slot);
    }
    let negated_itself = match slots.first() {
        Some(Slot::Words(alts)) => alts.iter().any(|alt| {
            alt.iter().any(|w| match w {
                Word::Exact(w) => NEGATORS.contains(&w.as_str()) || w == "can" || w == "do",
                Word::Prefix(_) => false,
            })
        }),
        _ => return Err("a pattern starts with a word".into()),
    };
    Ok(Pattern {
        concern,
        slots,
        negated_itself,
    })
}

pub(super) fn matches_somewhere(pattern: &Pattern, tokens: &[Token]) -> bool {
    (0..tokens.len()).any(|start| {
        let negatable = !pattern.negated_itself;
        matches_from(&pattern.slots, tokens, start, negatable)
            && !(negatable && negated(tokens, start))
    })
}

fn matches_from(slots: &[Slot], tokens: &[Token], at: usize, negatable: bool) -> bool {
    let Some((slot, rest)) = slots.split_first() else {
        return true;
    };
    let next = |at: usize| matches_from(rest, tokens, at, negatable);
    match slot {
        Slot::Words(alternatives) => alternatives.iter().any(|words| {
            let end = at + words.len();
            end <= tokens.len()
                && words
                    .iter()
                    .zip(&tokens[at..end])
                    .all(|(w, t)| w.matches(&t.word))
                && next(end)
        }),
        // A gap never skips a clause's start, nor (in a pattern a negator sets aside) a
        // negator: "he would never hit me".
        Slot::Gap(most) => (0..=*most)
            .take_while(|&skip| {
                skip == 0
                    || tokens.get(at + skip - 1).is_some_and(|t| {
                        let crosses_clause = skip > 1 && t.clause_start;
                        let negator = negatable && NEGATORS.contains(&t.word.as_str());
                        !crosses_clause && !negator
                    })
            })
            .any(|skip| next(at + skip)),
        Slot::End => (at == tokens.len() || tokens[at].clause_start) && next(at),
        Slot::Not(words) => {
            tokens
                .get(at)
                .is_none_or(|t| !words.iter().any(|w| w.matches(&t.word)))
                && next(at)
        }
    }
}

/// Whether a negator stands within reach before `start`, in the same clause.
fn negated(tokens: &[Token], start: usize) -> bool {
    let mut at = start;
    for _ in 0..NEGATION_REACH {
        if at == 0 || tokens[at].clause_start {
            return false;
        }
        at -= 1;
        if NEGATORS.contains(&tokens[at].word.as_str()) {
            return true;
        }
    }
    false
}
