//! Couples: their profile, and the invite codes that pair a second member.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The distractions couples name most (the guide's table of what eats couple time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distraction {
    Smartphones,
    WorkStress,
    ParentingDemands,
    StreamingTv,
    SocialMedia,
}

impl Distraction {
    pub const ALL: [Distraction; 5] = [
        Distraction::Smartphones,
        Distraction::WorkStress,
        Distraction::ParentingDemands,
        Distraction::StreamingTv,
        Distraction::SocialMedia,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Distraction::Smartphones => "smartphones",
            Distraction::WorkStress => "work_stress",
            Distraction::ParentingDemands => "parenting_demands",
            Distraction::StreamingTv => "streaming_tv",
            Distraction::SocialMedia => "social_media",
        }
    }

    /// The share of couples reporting this distraction's impact, per the guide (percent).
    pub fn reported_impact_percent(self) -> u8 {
        match self {
            Distraction::Smartphones => 76,
            Distraction::WorkStress => 69,
            Distraction::ParentingDemands => 62,
            Distraction::StreamingTv => 53,
            Distraction::SocialMedia => 47,
        }
    }
}

impl FromStr for Distraction {
    type Err = CoupleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Distraction::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| CoupleError::UnknownDistraction(s.to_owned()))
    }
}

pub const MAX_GOALS: usize = 10;
pub const MAX_GOAL_CHARS: usize = 200;

/// Shared goals: trimmed, non-empty, at most ten of at most 200 characters, no repeats.
pub fn parse_goals(raw: &[String]) -> Result<Vec<String>, CoupleError> {
    if raw.len() > MAX_GOALS {
        return Err(CoupleError::TooManyGoals);
    }
    let mut goals: Vec<String> = Vec::with_capacity(raw.len());
    for goal in raw {
        let goal = goal.trim();
        if let Some(reason) = crate::input::length_reason(goal.chars().count(), MAX_GOAL_CHARS) {
            return Err(CoupleError::InvalidGoal(reason));
        }
        if crate::text::check_line(goal).is_err() {
            return Err(CoupleError::InvalidGoal(
                crate::input::Reason::BadCharacters,
            ));
        }
        if !goals.iter().any(|g| g == goal) {
            goals.push(goal.to_owned());
        }
    }
    Ok(goals)
}

/// Distractions without repeats, in the order given.
pub fn dedup_distractions(raw: &[Distraction]) -> Vec<Distraction> {
    let mut out = Vec::with_capacity(raw.len());
    for d in raw {
        if !out.contains(d) {
            out.push(*d);
        }
    }
    out
}

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
pub const INVITE_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
pub const INVITE_CODE_LEN: usize = 10;
/// How long an invite stays redeemable.
pub const INVITE_TTL_HOURS: i64 = 72;
/// How long former members can still read an archived couple's shared data.
pub const SHARED_DATA_RETENTION_DAYS: i64 = 30;
/// A couple is two people.
pub const MAX_MEMBERS: u64 = 2;

/// Whether a couple with `current_members` has room for one more.
pub fn check_room(current_members: u64) -> Result<(), CoupleError> {
    if current_members < MAX_MEMBERS {
        Ok(())
    } else {
        Err(CoupleError::Full)
    }
}

/// An invite code as typed by a person: case, spaces and dashes do not matter.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode(String);

impl InviteCode {
    /// Makes a code from random bytes (one per character).
    pub fn from_random(bytes: [u8; INVITE_CODE_LEN]) -> Self {
        let len = INVITE_ALPHABET.len();
        Self(
            bytes
                .iter()
                .map(|b| char::from(INVITE_ALPHABET[usize::from(*b) % len]))
                .collect(),
        )
    }

    pub fn parse(raw: &str) -> Result<Self, CoupleError> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid =
            code.len() == INVITE_CODE_LEN && code.bytes().all(|b| INVITE_ALPHABET.contains(&b));
        if valid {
            Ok(Self(code))
        } else {
            Err(CoupleError::InvalidInviteCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteCode([redacted])")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoupleError {
    #[error("`{0}` is not a known distraction")]
    UnknownDistraction(String),
    #[error("a couple has at most {MAX_GOALS} goals")]
    TooManyGoals,
    #[error("a goal has 1 to {MAX_GOAL_CHARS} characters")]
    InvalidGoal(crate::input::Reason),
    #[error("that is not an invite code")]
    InvalidInviteCode,
    /// A conflict with the couple as it is, not bad input.
    #[error("this couple already has two members")]
    Full,
}

impl crate::input::Refusal for CoupleError {
    fn field(&self) -> &'static str {
        match self {
            CoupleError::UnknownDistraction(_) => "distractions",
            CoupleError::TooManyGoals | CoupleError::InvalidGoal(_) => "goals",
            CoupleError::InvalidInviteCode => "code",
            CoupleError::Full => "coupleId",
        }
    }

    fn reason(&self) -> crate::input::Reason {
        use crate::input::Reason;
        match self {
            CoupleError::UnknownDistraction(_) => Reason::NotOneOf,
            CoupleError::TooManyGoals => Reason::TooMany,
            CoupleError::InvalidGoal(reason) => *reason,
            CoupleError::InvalidInviteCode => Reason::BadFormat,
            CoupleError::Full => Reason::NotNow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_use_only_unambiguous_characters() {
        let code = InviteCode::from_random([0, 1, 2, 3, 250, 251, 252, 253, 254, 255]);
        assert_eq!(code.as_str().len(), INVITE_CODE_LEN);
        for ambiguous in ['0', 'O', '1', 'I', 'L', '2', 'Z', '5', 'S', '8', 'B'] {
            assert!(!INVITE_ALPHABET.contains(&(ambiguous as u8)), "{ambiguous}");
        }
        let typed = format!(
            " {}-{} ",
            &code.as_str()[..5].to_lowercase(),
            &code.as_str()[5..]
        );
        assert_eq!(InviteCode::parse(&typed).unwrap(), code);
        assert!(InviteCode::parse("0000000000").is_err());
        assert!(InviteCode::parse("ACD").is_err());
    }

    #[test]
    fn goals_are_trimmed_bounded_and_unique() {
        let goals = parse_goals(&[" talk more ".into(), "talk more".into()]).unwrap();
        assert_eq!(goals, vec!["talk more"]);
        assert_eq!(
            parse_goals(&["  ".into()]),
            Err(CoupleError::InvalidGoal(crate::input::Reason::Required))
        );
        let many: Vec<String> = (0..11).map(|i| format!("goal {i}")).collect();
        assert_eq!(parse_goals(&many), Err(CoupleError::TooManyGoals));
    }

    #[test]
    fn distractions_round_trip_and_carry_the_guides_figures() {
        for d in Distraction::ALL {
            assert_eq!(d.as_str().parse::<Distraction>(), Ok(d));
        }
        assert_eq!(Distraction::Smartphones.reported_impact_percent(), 76);
        assert_eq!(Distraction::SocialMedia.reported_impact_percent(), 47);
    }

    #[test]
    fn a_couple_has_room_for_two() {
        assert_eq!(check_room(0), Ok(()));
        assert_eq!(check_room(1), Ok(()));
        assert_eq!(check_room(2), Err(CoupleError::Full));
        assert_eq!(check_room(3), Err(CoupleError::Full));
    }
}
