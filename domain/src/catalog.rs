//! The ritual catalog: what a ritual is, and the rules every catalog entry must keep.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of closeness a ritual builds. The first four are the guide's dimensions of intimacy
/// (emotional, intellectual, physical, plus shared novelty); the rest name the ritual's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RitualCategory {
    Emotional,
    Intellectual,
    Physical,
    Novelty,
    Gratitude,
    Communication,
    TechFree,
}

/// How often a ritual is meant to happen when a couple adds it without choosing a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultCadence {
    Daily,
    Weekdays,
    Weekly,
    EveryNWeeks,
    Monthly,
    /// Done when the occasion arises (after an argument, say), not on a clock.
    AsNeeded,
}

macro_rules! snake_case_names {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),+];

            /// The stable snake_case name stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }
        }

        impl FromStr for $ty {
            type Err = CatalogError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(<$ty>::$variant),)+
                    other => Err(CatalogError::UnknownName {
                        what: stringify!($ty),
                        name: other.to_owned(),
                    }),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

snake_case_names!(RitualCategory {
    Emotional => "emotional",
    Intellectual => "intellectual",
    Physical => "physical",
    Novelty => "novelty",
    Gratitude => "gratitude",
    Communication => "communication",
    TechFree => "tech_free",
});

snake_case_names!(DefaultCadence {
    Daily => "daily",
    Weekdays => "weekdays",
    Weekly => "weekly",
    EveryNWeeks => "every_n_weeks",
    Monthly => "monthly",
    AsNeeded => "as_needed",
});

/// A ritual's stable key: lower-case ASCII letters, digits and single underscores, 3 to 64
/// characters, starting with a letter (`six_second_kiss`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RitualKey(String);

impl RitualKey {
    pub fn parse(raw: &str) -> Result<Self, CatalogError> {
        let valid_len = (3..=64).contains(&raw.len());
        let starts_with_letter = raw.starts_with(|c: char| c.is_ascii_lowercase());
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let tidy = !raw.ends_with('_') && !raw.contains("__");
        if valid_len && starts_with_letter && valid_chars && tidy {
            Ok(Self(raw.to_owned()))
        } else {
            Err(CatalogError::InvalidKey(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RitualKey {
    type Error = CatalogError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RitualKey> for String {
    fn from(key: RitualKey) -> Self {
        key.0
    }
}

impl fmt::Display for RitualKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One catalog entry as authored, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ritual {
    pub key: RitualKey,
    pub title: String,
    pub summary: String,
    pub why_it_helps: String,
    pub category: RitualCategory,
    pub default_cadence: DefaultCadence,
    /// Typical time it takes, in minutes (at least 1).
    pub duration_minutes: u32,
    /// Ordered steps; empty where the ritual has none.
    #[serde(default)]
    pub steps: Vec<String>,
}

/// Upper bounds that keep catalog text fit for a phone screen.
pub const MAX_TITLE_CHARS: usize = 80;
pub const MAX_TEXT_CHARS: usize = 1_000;
pub const MAX_STEPS: usize = 20;
pub const MAX_STEP_CHARS: usize = 300;
/// A week: the longest a single ritual (a role-swap week) runs.
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;

impl Ritual {
    /// Checks the rules every catalog entry keeps; the key was checked when it was parsed.
    pub fn validate(&self) -> Result<(), CatalogError> {
        check_text("title", &self.title, MAX_TITLE_CHARS)?;
        check_text("summary", &self.summary, MAX_TEXT_CHARS)?;
        check_text("why_it_helps", &self.why_it_helps, MAX_TEXT_CHARS)?;
        if !(1..=MAX_DURATION_MINUTES).contains(&self.duration_minutes) {
            return Err(CatalogError::DurationOutOfRange(self.duration_minutes));
        }
        if self.steps.len() > MAX_STEPS {
            return Err(CatalogError::TooManySteps(self.steps.len()));
        }
        for step in &self.steps {
            check_text("step", step, MAX_STEP_CHARS)?;
        }
        Ok(())
    }
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), CatalogError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CatalogError::Empty(field));
    }
    if trimmed.len() != value.len() {
        return Err(CatalogError::UntrimmedText(field));
    }
    if value.chars().count() > max {
        return Err(CatalogError::TooLong { field, max });
    }
    if crate::text::check_multiline(value).is_err() {
        return Err(CatalogError::BadText(field));
    }
    Ok(())
}

/// What a couple writes when they make a ritual of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRitual {
    pub title: String,
    pub summary: String,
    pub why_it_helps: Option<String>,
    pub category: RitualCategory,
    pub duration_minutes: i32,
    pub steps: Vec<String>,
}

/// What a custom ritual says about why it helps when the couple leaves it blank.
pub const CUSTOM_WHY_IT_HELPS: &str = "Chosen by the two of you.";

impl CustomRitual {
    /// The ritual as stored: text trimmed, a blank "why" given the default, its cadence the one
    /// it is first scheduled with, its key `custom_` and `id`; checked like any catalog entry.
    pub fn into_ritual(
        self,
        id: uuid::Uuid,
        cadence: DefaultCadence,
    ) -> Result<Ritual, CatalogError> {
        let duration_minutes = u32::try_from(self.duration_minutes)
            .map_err(|_| CatalogError::DurationOutOfRange(0))?;
        let ritual = Ritual {
            key: RitualKey::parse(&format!("custom_{}", id.simple()))?,
            title: self.title.trim().to_owned(),
            summary: self.summary.trim().to_owned(),
            why_it_helps: self
                .why_it_helps
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .unwrap_or(CUSTOM_WHY_IT_HELPS)
                .to_owned(),
            category: self.category,
            default_cadence: cadence,
            duration_minutes,
            steps: self.steps.iter().map(|s| s.trim().to_owned()).collect(),
        };
        ritual.validate()?;
        Ok(ritual)
    }
}

/// Checks a whole catalog: every entry valid, every key used once.
pub fn validate_catalog(rituals: &[Ritual]) -> Result<(), CatalogError> {
    let mut seen = std::collections::HashSet::new();
    for ritual in rituals {
        ritual.validate()?;
        if !seen.insert(ritual.key.as_str()) {
            return Err(CatalogError::DuplicateKey(ritual.key.to_string()));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "`{0}` is not a valid ritual key: use 3 to 64 lower-case letters, digits and single underscores, starting with a letter"
    )]
    InvalidKey(String),
    #[error("`{name}` is not a known {what}")]
    UnknownName { what: &'static str, name: String },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{0} must not start or end with white space")]
    UntrimmedText(&'static str),
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("a ritual lasts from 1 to {MAX_DURATION_MINUTES} minutes, not {0}")]
    DurationOutOfRange(u32),
    #[error("a ritual has at most {MAX_STEPS} steps, not {0}")]
    TooManySteps(usize),
    #[error("the key `{0}` is used twice")]
    DuplicateKey(String),
    #[error("{0} holds control, text-direction or only invisible characters")]
    BadText(&'static str),
}

impl crate::input::Refusal for CatalogError {
    fn field(&self) -> &'static str {
        let named = |field: &str| match field {
            "why_it_helps" => "whyItHelps",
            "step" => "steps",
            "summary" => "summary",
            _ => "title",
        };
        match self {
            CatalogError::InvalidKey(_) | CatalogError::DuplicateKey(_) => "ritualKey",
            CatalogError::UnknownName { what, .. } => match *what {
                "RitualCategory" => "category",
                "DefaultCadence" => "defaultCadence",
                _ => "ritualKey",
            },
            CatalogError::Empty(field)
            | CatalogError::UntrimmedText(field)
            | CatalogError::BadText(field)
            | CatalogError::TooLong { field, .. } => named(field),
            CatalogError::DurationOutOfRange(_) => "durationMinutes",
            CatalogError::TooManySteps(_) => "steps",
        }
    }

    fn reason(&self) -> crate::input::Reason {
        use crate::input::Reason;
        match self {
            CatalogError::InvalidKey(_) | CatalogError::UntrimmedText(_) => Reason::BadFormat,
            CatalogError::UnknownName { .. } => Reason::NotOneOf,
            CatalogError::Empty(_) => Reason::Required,
            CatalogError::TooLong { .. } => Reason::TooLong,
            CatalogError::DurationOutOfRange(_) => Reason::OutOfRange,
            CatalogError::TooManySteps(_) => Reason::TooMany,
            CatalogError::DuplicateKey(_) => Reason::Duplicate,
            CatalogError::BadText(_) => Reason::BadCharacters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ritual() -> Ritual {
        Ritual {
            key: RitualKey::parse("six_second_kiss").unwrap(),
            title: "Six-second kiss".into(),
            summary: "A kiss that lasts six seconds.".into(),
            why_it_helps: "It interrupts autopilot.".into(),
            category: RitualCategory::Physical,
            default_cadence: DefaultCadence::Daily,
            duration_minutes: 1,
            steps: vec![],
        }
    }

    #[test]
    fn keys_accept_snake_case_and_refuse_everything_else() {
        for good in ["six_second_kiss", "abc", "honesty_hour2"] {
            assert!(RitualKey::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ab",
            "Six",
            "_kiss",
            "kiss_",
            "a__b",
            "1abc",
            "six-second",
            "ü_kiss",
        ] {
            assert_eq!(
                RitualKey::parse(bad),
                Err(CatalogError::InvalidKey(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn names_round_trip_through_strings() {
        for category in RitualCategory::ALL {
            assert_eq!(category.as_str().parse::<RitualCategory>(), Ok(*category));
        }
        for cadence in DefaultCadence::ALL {
            assert_eq!(cadence.as_str().parse::<DefaultCadence>(), Ok(*cadence));
        }
        assert!("romance".parse::<RitualCategory>().is_err());
    }

    #[test]
    fn validation_refuses_blank_text_bad_durations_and_duplicate_keys() {
        assert_eq!(ritual().validate(), Ok(()));
        let blank = Ritual {
            title: "  ".into(),
            ..ritual()
        };
        assert_eq!(blank.validate(), Err(CatalogError::Empty("title")));
        let padded = Ritual {
            summary: " x".into(),
            ..ritual()
        };
        assert_eq!(
            padded.validate(),
            Err(CatalogError::UntrimmedText("summary"))
        );
        let zero = Ritual {
            duration_minutes: 0,
            ..ritual()
        };
        assert_eq!(zero.validate(), Err(CatalogError::DurationOutOfRange(0)));
        let empty_step = Ritual {
            steps: vec!["".into()],
            ..ritual()
        };
        assert_eq!(empty_step.validate(), Err(CatalogError::Empty("step")));
        assert_eq!(
            validate_catalog(&[ritual(), ritual()]),
            Err(CatalogError::DuplicateKey("six_second_kiss".into()))
        );
    }

    #[test]
    fn unknown_fields_in_authored_content_are_refused() {
        let json = r#"{"key":"abc","title":"t","summary":"s","why_it_helps":"w",
            "category":"physical","default_cadence":"daily","duration_minutes":1,"colour":"red"}"#;
        assert!(serde_json::from_str::<Ritual>(json).is_err());
    }

    #[test]
    fn custom_rituals_get_their_defaults_and_the_catalogs_rules() {
        let id = uuid::Uuid::new_v4();
        let custom = CustomRitual {
            title: "  Sunday pancakes ".into(),
            summary: "We cook breakfast together.".into(),
            why_it_helps: Some("   ".into()),
            category: RitualCategory::Novelty,
            duration_minutes: 45,
            steps: vec![" Mix ".into(), "Flip".into()],
        };
        let ritual = custom
            .clone()
            .into_ritual(id, DefaultCadence::Weekly)
            .unwrap();
        assert_eq!(ritual.key.as_str(), format!("custom_{}", id.simple()));
        assert_eq!(ritual.title, "Sunday pancakes");
        assert_eq!(ritual.why_it_helps, CUSTOM_WHY_IT_HELPS);
        assert_eq!(ritual.default_cadence, DefaultCadence::Weekly);
        assert_eq!(ritual.steps, vec!["Mix", "Flip"]);
        let negative = CustomRitual {
            duration_minutes: -5,
            ..custom.clone()
        };
        assert!(negative.into_ritual(id, DefaultCadence::Weekly).is_err());
        let untitled = CustomRitual {
            title: " ".into(),
            ..custom
        };
        assert_eq!(
            untitled.into_ritual(id, DefaultCadence::Weekly),
            Err(CatalogError::Empty("title"))
        );
    }
}
