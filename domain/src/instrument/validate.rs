//! The rules a definition keeps beyond its shape: keys that exist and are unique, choices that
//! can be told apart, bands that cover every possible score once, rules that can apply.

use std::collections::HashSet;

use super::{Band, Condition, Instrument, Response};
use crate::catalog::RitualKey;

/// A fault: the field's path and what is wrong with it.
type Fault = (String, String);

fn fault(field: impl Into<String>, problem: impl Into<String>) -> Fault {
    (field.into(), problem.into())
}

fn key_rule(field: String, key: &str) -> Result<(), Fault> {
    RitualKey::parse(key).map(|_| ()).map_err(|_| {
        fault(
            field,
            format!(
                "`{key}` is not a key: use 3 to 64 lower-case letters, digits and single underscores, starting with a letter"
            ),
        )
    })
}

fn text_rule(field: String, text: &str) -> Result<(), Fault> {
    if text.trim().is_empty() {
        Err(fault(field, "must not be empty"))
    } else {
        Ok(())
    }
}

fn unique<'a>(
    field: impl Fn(usize) -> String,
    keys: impl Iterator<Item = &'a str>,
) -> Result<(), Fault> {
    let mut seen = HashSet::new();
    for (i, key) in keys.enumerate() {
        if !seen.insert(key) {
            return Err(fault(field(i), format!("`{key}` is used twice")));
        }
    }
    Ok(())
}

/// Bands must cover `[low, high]` exactly once: ordered, each cut-off shared by two neighbours
/// and held by exactly one of them.
pub(super) fn check_bands(
    path: &str,
    bands: &[Band],
    (low, high): (f64, f64),
) -> Result<(), Fault> {
    let (Some(first), Some(last)) = (bands.first(), bands.last()) else {
        return Ok(());
    };
    unique(
        |i| format!("{path}[{i}].key"),
        bands.iter().map(|b| b.key.as_str()),
    )?;
    for (i, band) in bands.iter().enumerate() {
        key_rule(format!("{path}[{i}].key"), &band.key)?;
        text_rule(format!("{path}[{i}].label"), &band.label)?;
        if !band.from.value.is_finite() || !band.to.value.is_finite() {
            return Err(fault(
                format!("{path}[{i}]"),
                "edges must be finite numbers",
            ));
        }
        let empty = band.from.value > band.to.value
            || (band.from.value == band.to.value && !(band.from.inclusive && band.to.inclusive));
        if empty {
            return Err(fault(
                format!("{path}[{i}]"),
                "`from` must be below `to` (or equal, with both inclusive)",
            ));
        }
    }
    let starts = first.from.value < low || (first.from.value == low && first.from.inclusive);
    if !starts {
        return Err(fault(
            format!("{path}[0].from"),
            format!("the lowest possible score, {low}, falls in no band"),
        ));
    }
    let last_index = bands.len() - 1;
    let ends = last.to.value > high || (last.to.value == high && last.to.inclusive);
    if !ends {
        return Err(fault(
            format!("{path}[{last_index}].to"),
            format!("the highest possible score, {high}, falls in no band"),
        ));
    }
    for (i, pair) in bands.windows(2).enumerate() {
        let (before, after) = (&pair[0], &pair[1]);
        if before.to.value != after.from.value {
            return Err(fault(
                format!("{path}[{}].from", i + 1),
                format!(
                    "must start where band `{}` ends ({}): bands leave no gap and do not overlap",
                    before.key, before.to.value
                ),
            ));
        }
        if before.to.inclusive == after.from.inclusive {
            return Err(fault(
                format!("{path}[{}].from.inclusive", i + 1),
                format!(
                    "the cut-off {} must belong to exactly one of `{}` and `{}`",
                    after.from.value, before.key, after.key
                ),
            ));
        }
    }
    Ok(())
}

fn check_choices(path: &str, response: &Response) -> Result<(), Fault> {
    match response {
        Response::Likert { points: choices } | Response::SingleChoice { options: choices } => {
            let name = match response {
                Response::Likert { .. } => "points",
                _ => "options",
            };
            if choices.len() < 2 {
                return Err(fault(format!("{path}.{name}"), "needs at least two"));
            }
            unique(
                |i| format!("{path}.{name}[{i}].key"),
                choices.iter().map(|c| c.key.as_str()),
            )?;
            for (i, choice) in choices.iter().enumerate() {
                key_rule(format!("{path}.{name}[{i}].key"), &choice.key)?;
                text_rule(format!("{path}.{name}[{i}].label"), &choice.label)?;
            }
            if matches!(response, Response::Likert { .. }) {
                let mut values: Vec<i32> = choices.iter().map(|c| c.value).collect();
                values.sort_unstable();
                values.dedup();
                if values.len() != choices.len() {
                    return Err(fault(
                        format!("{path}.points"),
                        "two points of a scale have the same value",
                    ));
                }
            }
            Ok(())
        }
        Response::YesNo { yes, no } if yes == no => Err(fault(
            format!("{path}.yes"),
            "yes and no must be worth different values",
        )),
        Response::YesNo { .. } => Ok(()),
    }
}

impl Instrument {
    fn check_condition(&self, path: String, condition: &Condition) -> Result<(), Fault> {
        let known = match condition {
            Condition::Band(band) => self.bands.iter().any(|b| &b.key == band),
            Condition::SubscaleBand { subscale, band } => self
                .subscales
                .iter()
                .find(|s| &s.key == subscale)
                .is_some_and(|s| s.bands.iter().any(|b| &b.key == band)),
            Condition::Flag(flag) => self.flags.iter().any(|f| &f.key == flag),
            Condition::Outcome(outcome) => self.outcomes.iter().any(|o| &o.key == outcome),
        };
        if known {
            Ok(())
        } else {
            Err(fault(
                path,
                format!("{condition:?} names nothing in this instrument"),
            ))
        }
    }

    /// Every rule of a usable definition; the first fault found, with its path.
    pub(super) fn validate(&self) -> Result<(), Fault> {
        key_rule("key".into(), &self.key)?;
        if self.version == 0 {
            return Err(fault("version", "versions start at 1"));
        }
        text_rule("title".into(), &self.title)?;
        text_rule("description".into(), &self.description)?;
        if self.items.is_empty() {
            return Err(fault("items", "an instrument needs at least one item"));
        }
        unique(
            |i| format!("items[{i}].key"),
            self.items.iter().map(|i| i.key.as_str()),
        )?;
        for (i, item) in self.items.iter().enumerate() {
            key_rule(format!("items[{i}].key"), &item.key)?;
            text_rule(format!("items[{i}].prompt"), &item.prompt)?;
            check_choices(&format!("items[{i}].response"), &item.response)?;
        }
        unique(
            |i| format!("subscales[{i}].key"),
            self.subscales.iter().map(|s| s.key.as_str()),
        )?;
        for (i, subscale) in self.subscales.iter().enumerate() {
            key_rule(format!("subscales[{i}].key"), &subscale.key)?;
            text_rule(format!("subscales[{i}].title"), &subscale.title)?;
            if subscale.items.is_empty() {
                return Err(fault(
                    format!("subscales[{i}].items"),
                    "needs at least one item",
                ));
            }
            unique(
                |j| format!("subscales[{i}].items[{j}]"),
                subscale.items.iter().map(String::as_str),
            )?;
            for (j, item) in subscale.items.iter().enumerate() {
                if self.item(item).is_none() {
                    return Err(fault(
                        format!("subscales[{i}].items[{j}]"),
                        format!("no item `{item}`"),
                    ));
                }
            }
            check_bands(
                &format!("subscales[{i}].bands"),
                &subscale.bands,
                self.subscale_range(subscale),
            )?;
        }
        check_bands("bands", &self.bands, self.total_range())?;
        if let Some(change) = self.reliable_change
            && !(change.is_finite() && change > 0.0)
        {
            return Err(fault("reliable_change", "must be a positive number"));
        }
        unique(
            |i| format!("flags[{i}].key"),
            self.flags.iter().map(|f| f.key.as_str()),
        )?;
        for (i, flag) in self.flags.iter().enumerate() {
            key_rule(format!("flags[{i}].key"), &flag.key)?;
            text_rule(format!("flags[{i}].message"), &flag.message)?;
            let Some(item) = self.item(&flag.item) else {
                return Err(fault(
                    format!("flags[{i}].item"),
                    format!("no item `{}`", flag.item),
                ));
            };
            if !item.response.values().iter().any(|v| *v >= flag.at_least) {
                return Err(fault(
                    format!("flags[{i}].at_least"),
                    "no answer to the item is worth that much: the flag could never be raised",
                ));
            }
        }
        self.validate_outcomes()?;
        for (i, rule) in self.recommendations.iter().enumerate() {
            self.check_condition(format!("recommendations[{i}].when"), &rule.when)?;
            text_rule(format!("recommendations[{i}].reason"), &rule.reason)?;
            if rule.ritual_keys.is_empty()
                && rule.ritual_categories.is_empty()
                && rule.actions.is_empty()
            {
                return Err(fault(
                    format!("recommendations[{i}]"),
                    "recommends nothing: give ritual_keys, ritual_categories or actions",
                ));
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let flagged = self.flags.iter().any(|f| f.safety && f.item == item.key);
            if crate::safety::concerns_safety(&item.prompt) && !flagged {
                return Err(fault(
                    format!("items[{i}]"),
                    "this item asks about abuse or danger: give it a flag with `safety: true`, so an answer that raises it takes the private safety path",
                ));
            }
        }
        self.check_privacy()
    }

    fn validate_outcomes(&self) -> Result<(), Fault> {
        unique(
            |i| format!("outcomes[{i}].key"),
            self.outcomes.iter().map(|o| o.key.as_str()),
        )?;
        let last = self.outcomes.len().saturating_sub(1);
        for (i, rule) in self.outcomes.iter().enumerate() {
            key_rule(format!("outcomes[{i}].key"), &rule.key)?;
            text_rule(format!("outcomes[{i}].label"), &rule.label)?;
            match (&rule.when, i == last) {
                (None, true) => {}
                (None, false) => {
                    return Err(fault(
                        format!("outcomes[{i}].when"),
                        "only the last outcome may have no condition",
                    ));
                }
                (Some(_), true) => {
                    return Err(fault(
                        format!("outcomes[{i}].when"),
                        "the last outcome is the fallback and has no condition",
                    ));
                }
                (Some(Condition::Outcome(_)), false) => {
                    return Err(fault(
                        format!("outcomes[{i}].when"),
                        "an outcome cannot depend on an outcome",
                    ));
                }
                (Some(condition), false) => {
                    self.check_condition(format!("outcomes[{i}].when"), condition)?;
                }
            }
        }
        Ok(())
    }
}
