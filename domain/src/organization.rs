//! Coaching organizations: their names, the roles of the coaches in them, the scopes of access a
//! couple grants them, and the API keys they call with.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::text;

/// An organization's name: one line of 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(raw: &str) -> Option<Self> {
        let name = raw.trim();
        let len = name.chars().count();
        (len > 0 && len <= 100 && text::check_line(name).is_ok()).then(|| Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A coach's part in their organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRole {
    /// Manages the organization: its coaches, API keys and webhooks.
    Admin,
    Coach,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Coach => "coach",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Self::Admin),
            "coach" => Some(Self::Coach),
            _ => None,
        }
    }
}

/// What an organization may read of a couple that granted it access (and what an API key may
/// read of what its organization was granted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Weekly rates, streaks and the balance of rituals.
    Progress,
    /// The plans, their items and schedules, and what was logged (never a note).
    Plans,
    /// The bands of assessment results their owner shared with the couple (never answers or
    /// safety flags).
    AssessmentResults,
    /// Managing the organization's webhook endpoints and sending them test events: an API
    /// key's only, never a couple's to grant.
    Webhooks,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Self::Progress,
        Self::Plans,
        Self::AssessmentResults,
        Self::Webhooks,
    ];

    /// How it is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Plans => "plans",
            Self::AssessmentResults => "assessment_results",
            Self::Webhooks => "webhooks",
        }
    }

    /// How clients read it, in GraphQL (`AccessScope`) and in webhook payloads alike.
    pub fn name(self) -> &'static str {
        match self {
            Self::Progress => "PROGRESS",
            Self::Plans => "PLANS",
            Self::AssessmentResults => "ASSESSMENT_RESULTS",
            Self::Webhooks => "WEBHOOKS",
        }
    }

    /// Whether a couple's member may grant it (what an organization may read of them).
    pub fn grantable(self) -> bool {
        self != Self::Webhooks
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A set of scopes.
pub type Scopes = BTreeSet<Scope>;

/// What an organization may read of a couple: only the scopes every current member granted.
/// A couple whose members have not all granted anything gives it nothing.
pub fn effective_scopes<'a>(
    members: &[Uuid],
    grants: impl IntoIterator<Item = (Uuid, &'a Scopes)>,
) -> Scopes {
    let grants: Vec<(Uuid, &Scopes)> = grants.into_iter().collect();
    let mut effective: Option<Scopes> = None;
    for member in members {
        let Some((_, granted)) = grants.iter().find(|(who, _)| who == member) else {
            return Scopes::new();
        };
        effective = Some(match effective {
            None => (*granted).clone(),
            Some(so_far) => so_far.intersection(granted).copied().collect(),
        });
    }
    // A couple of fewer than two members is no couple to coach.
    if members.len() < 2 {
        return Scopes::new();
    }
    effective.unwrap_or_default()
}

/// The prefix that tells an API key from an access token.
pub const API_KEY_PREFIX: &str = "rk_";

/// An API key as presented: `rk_<key id, 32 hex digits>_<secret>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    pub id: Uuid,
    pub secret: &'a str,
}

impl<'a> PresentedKey<'a> {
    /// Reads a presented key; `None` when it is not one.
    pub fn parse(raw: &'a str) -> Option<Self> {
        let rest = raw.strip_prefix(API_KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        if id.len() != 32 || secret.len() < 32 {
            return None;
        }
        let id = Uuid::try_parse(id).ok()?;
        Some(Self { id, secret })
    }

    /// The key as a client sends it.
    pub fn format(id: Uuid, secret: &str) -> String {
        format!("{API_KEY_PREFIX}{}_{secret}", id.simple())
    }
}

/// The part of a key shown in lists so that its owner can tell keys apart (never the secret).
pub fn key_hint(id: Uuid) -> String {
    let simple = id.simple().to_string();
    format!("{API_KEY_PREFIX}{}…", &simple[simple.len() - 8..])
}

/// An API key's name: one line of 1 to 60 characters.
pub fn key_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let len = name.chars().count();
    (len > 0 && len <= 60 && text::check_line(name).is_ok()).then(|| name.to_owned())
}

/// Where a coach's suggestion to a couple stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionStatus {
    /// Not answered yet.
    Open,
    /// A member took it up: the ritual or instrument is the couple's to use.
    Accepted,
    /// A member set it aside.
    Ignored,
}

impl SuggestionStatus {
    pub const ALL: [SuggestionStatus; 3] = [Self::Open, Self::Accepted, Self::Ignored];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Ignored => "ignored",
        }
    }

    /// What answering a suggestion that stands at `self` with `answer` does: `Ok(true)` to
    /// record it, `Ok(false)` when it was already answered so (a retry changes nothing), and
    /// `Err` with the answer it already has when it was answered the other way.
    pub fn answer(self, answer: SuggestionStatus) -> Result<bool, SuggestionStatus> {
        match self {
            Self::Open => Ok(true),
            given if given == answer => Ok(false),
            given => Err(given),
        }
    }
}

impl std::str::FromStr for SuggestionStatus {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "not a suggestion status".to_owned())
    }
}

/// The longest note a coach may send with a suggestion, in characters.
pub const SUGGESTION_MESSAGE_MAX: usize = 500;

/// A coach's note with a suggestion: trimmed, none when blank, at most
/// [`SUGGESTION_MESSAGE_MAX`] characters of free text.
pub fn suggestion_message(
    raw: Option<&str>,
) -> Result<Option<String>, (crate::input::Reason, String)> {
    let Some(message) = raw.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    if message.chars().count() > SUGGESTION_MESSAGE_MAX {
        return Err((
            crate::input::Reason::TooLong,
            format!("a message is at most {SUGGESTION_MESSAGE_MAX} characters"),
        ));
    }
    text::check_multiline(message).map_err(|e| {
        (
            crate::input::Reason::BadCharacters,
            format!("the message {e}"),
        )
    })?;
    Ok(Some(message.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_is_answered_once_and_a_retry_changes_nothing() {
        use SuggestionStatus::*;
        assert_eq!(Open.answer(Accepted), Ok(true));
        assert_eq!(Open.answer(Ignored), Ok(true));
        assert_eq!(Accepted.answer(Accepted), Ok(false));
        assert_eq!(Ignored.answer(Ignored), Ok(false));
        assert_eq!(Accepted.answer(Ignored), Err(Accepted));
        assert_eq!(Ignored.answer(Accepted), Err(Ignored));
        for status in SuggestionStatus::ALL {
            assert_eq!(status.as_str().parse::<SuggestionStatus>(), Ok(status));
        }
        assert!("maybe".parse::<SuggestionStatus>().is_err());
    }

    #[test]
    fn a_suggestion_message_is_trimmed_bounded_and_plain() {
        assert_eq!(suggestion_message(None), Ok(None));
        assert_eq!(suggestion_message(Some("   ")), Ok(None));
        assert_eq!(
            suggestion_message(Some(" Try this\nafter dinner ")),
            Ok(Some("Try this\nafter dinner".to_owned()))
        );
        let long = "a".repeat(SUGGESTION_MESSAGE_MAX + 1);
        assert!(suggestion_message(Some(&long)).is_err());
        assert!(suggestion_message(Some("a\u{202E}b")).is_err());
    }

    fn scopes(list: &[Scope]) -> Scopes {
        list.iter().copied().collect()
    }

    #[test]
    fn only_scopes_both_members_granted_are_effective() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let ga = scopes(&[Scope::Progress, Scope::Plans]);
        let gb = scopes(&[Scope::Plans, Scope::AssessmentResults]);
        assert_eq!(
            effective_scopes(&[a, b], [(a, &ga), (b, &gb)]),
            scopes(&[Scope::Plans])
        );
    }

    #[test]
    fn one_members_grant_alone_gives_nothing() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let all = scopes(&Scope::ALL);
        assert!(effective_scopes(&[a, b], [(a, &all)]).is_empty());
        assert!(effective_scopes(&[a], [(a, &all)]).is_empty());
        // A grant by someone no longer a member counts for nothing.
        let c = Uuid::from_u128(3);
        assert!(effective_scopes(&[a, b], [(a, &all), (c, &all)]).is_empty());
    }

    #[test]
    fn a_presented_key_reads_back() {
        let id = Uuid::now_v7();
        let secret = "s".repeat(43);
        let key = PresentedKey::format(id, &secret);
        assert!(key.starts_with("rk_"));
        assert_eq!(
            PresentedKey::parse(&key),
            Some(PresentedKey {
                id,
                secret: &secret
            })
        );
        assert_eq!(PresentedKey::parse("rk_short_x"), None);
        assert_eq!(PresentedKey::parse("eyJhbGciOi.x.y"), None);
        assert!(key_hint(id).ends_with('…'));
        assert!(!key_hint(id).contains(&secret));
    }

    #[test]
    fn scopes_read_back() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("notes"), None);
    }
}
