//! What Rekindle says to people, in their language: notification titles and bodies (and so
//! push payloads) and emails come from Fluent message files, one per shipped locale
//! (`content/locales/<locale>.ftl`, compiled in). A member's `locale` (a BCP 47 tag) picks the
//! file: the tag itself, then its language (`es-MX` reads `es`), then English, which is
//! complete. Every shipped file holds every message English has (a test checks), so a
//! fallback only ever happens for a locale Rekindle does not ship.

use std::collections::BTreeSet;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

use crate::input::{Reason, Refusal};

/// The locale a member has until they choose one, and the one every other falls back to.
pub const DEFAULT_LOCALE: &str = "en";

/// The shipped locales and their message files, the default first.
pub const SHIPPED: [(&str, &str); 2] = [
    ("en", include_str!("../content/locales/en.ftl")),
    ("es", include_str!("../content/locales/es.ftl")),
];

/// The longest locale tag accepted (BCP 47 tags in use are far shorter).
const MAX_LOCALE_CHARS: usize = 35;

/// Every shipped locale's messages, ready to format.
pub struct Messages {
    bundles: Vec<(LanguageIdentifier, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let locales: Vec<String> = self.bundles.iter().map(|(id, _)| id.to_string()).collect();
        f.debug_struct("Messages")
            .field("locales", &locales)
            .finish()
    }
}

/// A shipped message file that does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {locale} message file does not load: {detail}")]
pub struct MessagesError {
    pub locale: &'static str,
    pub detail: String,
}

impl Messages {
    /// Loads every shipped message file.
    pub fn load() -> Result<Self, MessagesError> {
        let mut bundles = Vec::with_capacity(SHIPPED.len());
        for (locale, source) in SHIPPED {
            let fail = |detail: String| MessagesError { locale, detail };
            let id: LanguageIdentifier = locale.parse().map_err(|e| fail(format!("{e}")))?;
            let resource = FluentResource::try_new(source.to_owned())
                .map_err(|(_, errors)| fail(format!("{errors:?}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
            // Plain text: no directional isolation marks around what is filled in (emails
            // and push payloads are not laid out by a bidi-aware renderer).
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| fail(format!("{errors:?}")))?;
            bundles.push((id, bundle));
        }
        Ok(Self { bundles })
    }

    /// The message `key` for a member whose locale is `locale`, with `args` filled in.
    /// A key no shipped file holds comes back as the key itself (tests hold every key used
    /// in every file).
    pub fn text(&self, locale: &str, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        for bundle in self.candidates(locale) {
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            return text.into_owned();
        }
        key.to_owned()
    }

    /// The bundles to try for `locale`: the tag, its language, then the default.
    fn candidates<'a>(
        &'a self,
        locale: &str,
    ) -> impl Iterator<Item = &'a FluentBundle<FluentResource>> + 'a {
        let wanted: Option<LanguageIdentifier> = locale.parse().ok();
        let exact = wanted
            .as_ref()
            .and_then(|w| self.bundles.iter().find(|(id, _)| id == w));
        let language = wanted.as_ref().and_then(|w| {
            self.bundles
                .iter()
                .find(|(id, _)| id.language == w.language && id.region.is_none())
        });
        let default = self.bundles.first();
        [exact, language, default]
            .into_iter()
            .flatten()
            .map(|(_, bundle)| bundle)
    }

    /// The message keys of a shipped locale's file.
    pub fn keys(locale: &str) -> BTreeSet<String> {
        let Some((_, source)) = SHIPPED.iter().find(|(l, _)| *l == locale) else {
            return BTreeSet::new();
        };
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) | Err((resource, _)) => resource,
        };
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }
}

/// A locale a member chose that is not a language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "locale is a BCP 47 language tag of at most {MAX_LOCALE_CHARS} characters, such as en, es or pt-BR"
)]
pub struct LocaleError;

impl Refusal for LocaleError {
    fn field(&self) -> &'static str {
        "locale"
    }

    fn reason(&self) -> Reason {
        Reason::BadFormat
    }
}

/// A member's locale as they give it: a BCP 47 language tag, in its canonical form (`es-MX`).
/// Any tag is kept, shipped or not: messages fall back as [`Messages::text`] says.
pub fn parse_locale(raw: &str) -> Result<String, LocaleError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_LOCALE_CHARS {
        return Err(LocaleError);
    }
    let id: LanguageIdentifier = raw.parse().map_err(|_| LocaleError)?;
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_loads_and_holds_every_message_english_has() {
        let messages = Messages::load().expect("the shipped files load");
        let english = Messages::keys(DEFAULT_LOCALE);
        assert!(english.len() >= 15, "{english:?}");
        for (locale, _) in SHIPPED {
            let keys = Messages::keys(locale);
            let missing: Vec<&String> = english.difference(&keys).collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
            let extra: Vec<&String> = keys.difference(&english).collect();
            assert!(
                extra.is_empty(),
                "{locale} has what English lacks: {extra:?}"
            );
            // Every message formats, its variables filled, in its own words.
            for key in &keys {
                let args = [
                    ("ritual", "R"),
                    ("who", "W"),
                    ("link", "L"),
                    ("organization", "O"),
                ];
                let text = messages.text(locale, key, &args);
                assert_ne!(&text, key, "{locale}: {key}");
                assert!(!text.contains('{'), "{locale}: {key}: {text}");
            }
        }
    }

    #[test]
    fn a_locale_reads_its_file_then_its_language_then_english() {
        let messages = Messages::load().expect("the shipped files load");
        let title = |locale: &str| messages.text(locale, "weekly-summary-title", &[]);
        assert_eq!(title("en"), "Your week together");
        assert_eq!(title("es"), "Su semana juntos");
        assert_eq!(title("es-MX"), "Su semana juntos");
        assert_eq!(title("fr"), "Your week together");
        assert_eq!(title("not a tag"), "Your week together");
        assert_eq!(
            messages.text(
                "es",
                "partner-completed-title",
                &[("who", "Ana"), ("ritual", "Kiss")]
            ),
            "Ana hizo Kiss"
        );
    }

    #[test]
    fn locales_are_language_tags_in_canonical_form() {
        assert_eq!(parse_locale(" es-mx "), Ok("es-MX".to_owned()));
        assert_eq!(parse_locale("pt-BR"), Ok("pt-BR".to_owned()));
        for bad in ["", "not a tag", "e", &"x".repeat(40)] {
            assert_eq!(parse_locale(bad), Err(LocaleError), "{bad}");
        }
    }
}
