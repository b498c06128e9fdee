//! The coach's words: one Fluent message file per shipped locale (`content/locales`, compiled
//! in), read as `domain::messages` reads notifications' — a member's locale, then its
//! language, then English, which is complete. Every shipped file holds exactly English's
//! messages, and the coach does not start otherwise.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use domain::messages::{Files, FluentArgs, Messages};

use crate::scripted::ScriptError;

/// The coach's message files, English first.
pub const LOCALES: [(&str, &str); 2] = [
    ("en", include_str!("../content/locales/en.ftl")),
    ("es", include_str!("../content/locales/es.ftl")),
];

/// The coach's messages in every locale of `files` (English first), refused unless each file
/// holds exactly the messages the first one has.
pub(crate) fn load(files: &Files) -> Result<Messages, ScriptError> {
    Messages::complete(files).map_err(|e| ScriptError::new(e.to_string()))
}

/// The keys `PREFIX-1`, `PREFIX-2`, … English holds, in order, up to the first gap.
pub(crate) fn numbered(words: &Messages, prefix: &str) -> Vec<String> {
    (1..)
        .map(|n| format!("{prefix}-{n}"))
        .take_while(|key| words.has(key))
        .collect()
}

/// The variables every shipped locale's `key` uses (checked when content loads).
pub(crate) fn variables(words: &Messages, key: &str) -> BTreeSet<String> {
    words
        .locales()
        .flat_map(|locale| words.variables(locale, key).unwrap_or_default())
        .collect()
}

/// `key` in `locale` with `args`, on one line (message files wrap long texts).
pub(crate) fn say(words: &Messages, locale: &str, key: &str, args: &FluentArgs) -> String {
    one_line(&words.format(locale, key, args))
}

/// Words between single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A date as the locale writes it: "14 June 2026", "14 de junio de 2026".
pub(crate) fn date(words: &Messages, locale: &str, date: NaiveDate) -> String {
    let mut args = FluentArgs::new();
    args.set("day", date.day());
    args.set("month", month(words, locale, date));
    args.set("year", date.year());
    say(words, locale, "coach-date", &args)
}

/// A day of the week and month: "Monday 8 June", "lunes 8 de junio".
pub(crate) fn day(words: &Messages, locale: &str, date: NaiveDate) -> String {
    let mut args = FluentArgs::new();
    args.set(
        "weekday",
        words.format(
            locale,
            &format!("coach-weekday-{}", date.weekday().number_from_monday()),
            &FluentArgs::new(),
        ),
    );
    args.set("day", date.day());
    args.set("month", month(words, locale, date));
    say(words, locale, "coach-day", &args)
}

fn month(words: &Messages, locale: &str, date: NaiveDate) -> String {
    words.format(
        locale,
        &format!("coach-month-{}", date.month()),
        &FluentArgs::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_coach_file_holds_exactly_the_messages_english_has() {
        let words = load(&LOCALES).expect("the shipped coach files hold together");
        let english = Messages::keys_of(LOCALES[0].1);
        assert!(english.len() > 60, "{}", english.len());
        // Each formats in each locale, nothing left unfilled.
        for (locale, _) in LOCALES {
            for key in &english {
                let mut args = FluentArgs::new();
                for name in variables(&words, key) {
                    args.set(name, "X");
                }
                let text = words.format(locale, key, &args);
                assert!(
                    !text.contains('{') && text != *key,
                    "{locale} {key}: {text}"
                );
            }
        }
    }

    #[test]
    fn a_file_missing_a_message_english_has_is_refused() {
        let spanish = LOCALES[1]
            .1
            .replace("coach-disclosure =", "coach-disclosed =");
        let spanish: &'static str = Box::leak(spanish.into_boxed_str());
        let err = load(&[LOCALES[0], ("es", spanish)]).unwrap_err();
        assert!(err.to_string().contains("coach-disclosure"), "{err}");
    }

    #[test]
    fn dates_are_written_in_the_members_language() {
        let words = load(&LOCALES).unwrap();
        let day_of = NaiveDate::from_ymd_opt(2026, 6, 8).unwrap();
        assert_eq!(date(&words, "en", day_of), "8 June 2026");
        assert_eq!(date(&words, "es-MX", day_of), "8 de junio de 2026");
        assert_eq!(day(&words, "en-GB", day_of), "Monday 8 June");
        assert_eq!(day(&words, "es", day_of), "lunes 8 de junio");
    }
}
