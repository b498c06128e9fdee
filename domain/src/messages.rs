//! What Rekindle says to people, in their language: notification titles and bodies (and so
//! push payloads) and emails come from Fluent message files, one per shipped locale
//! (`content/locales/<locale>.ftl`, compiled in). A member's `locale` (a BCP 47 tag) picks the
//! file: the tag itself, then its language (`es-MX` reads `es`), then English, which is
//! complete. Every shipped file holds every message English has (a test checks), so a
//! fallback only ever happens for a locale Rekindle does not ship. The coach ships its own
//! files (`coach/content/locales`), read the same way through [`Messages::of`].

use std::collections::BTreeSet;

use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
pub use fluent_bundle::{FluentArgs, FluentValue};
use fluent_syntax::ast;
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

/// Message files by locale (`(tag, Fluent source)`), the complete one (English) first.
pub type Files = [(&'static str, &'static str)];

/// Every shipped locale's messages, ready to format.
pub struct Messages {
    /// One per file, the complete one first; never empty ([`Messages::of`] refuses no
    /// files), so `bundles[0]` is always there.
    bundles: Vec<(&'static str, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let locales: Vec<&str> = self.locales().collect();
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
    /// Loads every shipped message file of notifications and emails.
    pub fn load() -> Result<Self, MessagesError> {
        Self::of(&SHIPPED)
    }

    /// Loads `files` (other parts of Rekindle, such as the coach, ship their own).
    pub fn of(files: &Files) -> Result<Self, MessagesError> {
        let mut bundles = Vec::with_capacity(files.len());
        for &(locale, source) in files {
            let fail = |detail: String| MessagesError { locale, detail };
            let id: LanguageIdentifier = locale.parse().map_err(|e| fail(format!("{e}")))?;
            let resource = FluentResource::try_new(source.to_owned())
                .map_err(|(_, errors)| fail(format!("{errors:?}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Plain text: no directional isolation marks around what is filled in (emails
            // and push payloads are not laid out by a bidi-aware renderer).
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| fail(format!("{errors:?}")))?;
            bundles.push((locale, bundle));
        }
        if bundles.is_empty() {
            return Err(MessagesError {
                locale: DEFAULT_LOCALE,
                detail: "no message files".into(),
            });
        }
        Ok(Self { bundles })
    }

    /// As [`Messages::of`], refused unless every file holds exactly the messages the first
    /// (complete) one has: for content that must not fall back message by message.
    pub fn complete(files: &Files) -> Result<Self, MessagesError> {
        let messages = Self::of(files)?;
        let Some(((complete, source), rest)) = files.split_first() else {
            return Ok(messages);
        };
        let expected = Self::keys_of(source);
        for &(locale, source) in rest {
            let keys = Self::keys_of(source);
            let fail = |detail: String| MessagesError { locale, detail };
            let missing: Vec<&String> = expected.difference(&keys).collect();
            if !missing.is_empty() {
                return Err(fail(format!("it lacks {missing:?}")));
            }
            let extra: Vec<&String> = keys.difference(&expected).collect();
            if !extra.is_empty() {
                return Err(fail(format!(
                    "it has messages the {complete} file lacks: {extra:?}"
                )));
            }
        }
        Ok(messages)
    }

    /// Whether the complete (first) file holds `key`.
    pub fn has(&self, key: &str) -> bool {
        self.bundles[0].1.has_message(key)
    }

    /// The message `key` for a member whose locale is `locale`, with `args` filled in.
    /// A key no shipped file holds comes back as the key itself (tests hold every key used
    /// in every file).
    pub fn text(&self, locale: &str, key: &str, args: &[(&str, &str)]) -> String {
        self.format(locale, key, &args.iter().copied().collect())
    }

    /// As [`Messages::text`], with arguments of any Fluent type (numbers choose plural forms).
    pub fn format(&self, locale: &str, key: &str, args: &FluentArgs) -> String {
        for bundle in self.candidates(locale) {
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(args), &mut errors);
            return text.into_owned();
        }
        key.to_owned()
    }

    /// The shipped locale whose file answers for `locale`: the tag, else its language, else
    /// the default.
    pub fn resolve(&self, locale: &str) -> &'static str {
        let wanted: Option<LanguageIdentifier> = locale.parse().ok();
        let shipped = |exact: bool| {
            let wanted = wanted.as_ref()?;
            self.bundles.iter().find(|(_, bundle)| {
                bundle.locales.first().is_some_and(|id| {
                    if exact {
                        id == wanted
                    } else {
                        id.language == wanted.language && id.region.is_none()
                    }
                })
            })
        };
        shipped(true)
            .or_else(|| shipped(false))
            .map_or(self.bundles[0].0, |(tag, _)| tag)
    }

    /// The shipped locales, the complete one first.
    pub fn locales(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.bundles.iter().map(|(tag, _)| *tag)
    }

    /// The variables message `key` uses in the shipped locale `shipped` (in its variants
    /// too); `None` when that file does not hold it.
    pub fn variables(&self, shipped: &str, key: &str) -> Option<BTreeSet<String>> {
        let (_, bundle) = self.bundles.iter().find(|(tag, _)| *tag == shipped)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut names = BTreeSet::new();
        variables_of(pattern, &mut names);
        Some(names)
    }

    /// The bundles to try for `locale`: the one it resolves to, then the default.
    fn candidates<'a>(
        &'a self,
        locale: &str,
    ) -> impl Iterator<Item = &'a FluentBundle<FluentResource>> + 'a {
        let chosen = self.resolve(locale);
        let first = self.bundles.iter().find(|(tag, _)| *tag == chosen);
        [first, self.bundles.first()]
            .into_iter()
            .flatten()
            .map(|(_, bundle)| bundle)
    }

    /// The message keys of a shipped notification and email locale's file.
    pub fn keys(locale: &str) -> BTreeSet<String> {
        SHIPPED
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, source)| Self::keys_of(source))
            .unwrap_or_default()
    }

    /// The message keys of a Fluent source.
    pub fn keys_of(source: &str) -> BTreeSet<String> {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(resource) | Err((resource, _)) => resource,
        };
        resource
            .entries()
            .filter_map(|entry| match entry {
                ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }
}

fn variables_of(pattern: &ast::Pattern<&str>, names: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, names);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, names: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, names),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, names);
            for variant in variants {
                variables_of(&variant.value, names);
            }
        }
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, names: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            names.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_variables(expression, names);
        }
        _ => {}
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
    fn a_message_names_its_variables_in_its_variants_too_and_numbers_choose_them() {
        let files: &Files = &[
            (
                "en",
                "a = { $n ->\n    [one] one { $x }\n   *[other] { $n } { $y }\n}\nb = plain\n",
            ),
            ("es-MX", "a = x\n"),
        ];
        let messages = Messages::of(files).expect("the files load");
        let names = |list: &[&str]| list.iter().map(|n| (*n).to_owned()).collect();
        assert_eq!(messages.variables("en", "a"), Some(names(&["n", "x", "y"])));
        assert_eq!(messages.variables("en", "b"), Some(BTreeSet::new()));
        assert_eq!(messages.variables("en", "c"), None);
        assert_eq!(messages.variables("es-MX", "b"), None);
        assert_eq!(messages.resolve("es-mx"), "es-MX");
        // A region's file does not answer for its language.
        assert_eq!(messages.resolve("es"), "en");
        assert_eq!(messages.resolve("not a tag"), "en");
        let mut args = FluentArgs::new();
        args.set("n", 1);
        args.set("x", "X");
        args.set("y", "Y");
        assert_eq!(messages.format("en", "a", &args), "one X");
        args.set("n", 3);
        assert_eq!(messages.format("en", "a", &args), "3 Y");
        assert_eq!(messages.format("es-MX", "b", &args), "plain");
    }

    #[test]
    fn complete_files_hold_exactly_the_first_files_messages() {
        let en = ("en", "a = A\nb = B\n");
        assert!(Messages::complete(&[en, ("es", "a = x\nb = y\n")]).is_ok());
        let lacking = Messages::complete(&[en, ("es", "a = x\n")]).unwrap_err();
        assert_eq!(lacking.locale, "es");
        assert!(lacking.detail.contains("\"b\""), "{lacking}");
        let extra = Messages::complete(&[en, ("es", "a = x\nb = y\nc = z\n")]).unwrap_err();
        assert!(extra.detail.contains("\"c\""), "{extra}");
        // `of` keeps loading them: a missing message falls back to the first file's.
        assert!(Messages::of(&[en, ("es", "a = x\n")]).is_ok());
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
