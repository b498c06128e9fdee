//! Where to get help when an answer raises a safety concern: a list of services per country,
//! with a default for everywhere else. The built-in list can be replaced by a file of the same
//! shape (`REKINDLE_SAFETY_RESOURCES_FILE`), checked on load like any definition.

use std::collections::BTreeMap;

pub mod gate;

use serde::{Deserialize, Serialize};

use crate::instrument::{InstrumentError, read_content};

/// One service a person in danger can turn to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub name: String,
    pub description: String,
    pub phone: Option<String>,
    pub url: Option<String>,
}

/// Services by ISO 3166-1 alpha-2 country code, and the list for any other country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyResources {
    pub default: Vec<Resource>,
    #[serde(default)]
    pub countries: BTreeMap<String, Vec<Resource>>,
}

const BUILTIN: &str = include_str!("../content/safety_resources.json");

/// Words and phrases of the guide's "seek immediate help" cases: an item whose prompt holds one
/// asks about abuse or danger, and must take the private safety path.
const SAFETY_PHRASES: [&str; 22] = [
    "abuse",
    "abusive",
    "afraid of",
    "scared of",
    "fear for my safety",
    "violence",
    "violent",
    "hurts me",
    "hurt me",
    "hits me",
    "hit me",
    "physically",
    "threaten",
    "threatens",
    "unsafe",
    "in danger",
    "kill",
    "suicide",
    "self-harm",
    "harm myself",
    "hurt myself",
    "forces me",
];

/// Whether a question asks about abuse or danger (by the guide's "seek immediate help" cases).
pub fn concerns_safety(prompt: &str) -> bool {
    let text = format!(
        " {} ",
        prompt
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric() && c != '-', " ")
    );
    SAFETY_PHRASES.iter().any(|phrase| {
        text.contains(&format!(" {phrase} ")) || text.contains(&format!(" {phrase}s "))
    })
}

impl SafetyResources {
    /// The list shipped with Rekindle.
    pub fn builtin() -> Result<Self, InstrumentError> {
        Self::load("safety_resources.json", BUILTIN)
    }

    /// Reads and checks a list; `file` names it in errors.
    pub fn load(file: &str, json: &str) -> Result<Self, InstrumentError> {
        let fault = |field: String, problem: String| InstrumentError {
            file: file.to_owned(),
            field,
            problem,
        };
        let resources: SafetyResources = read_content(file, json)?;
        if resources.default.is_empty() {
            return Err(fault(
                "default".into(),
                "must list at least one service".into(),
            ));
        }
        let lists = std::iter::once(("default".to_owned(), &resources.default)).chain(
            resources
                .countries
                .iter()
                .map(|(code, list)| (format!("countries.{code}"), list)),
        );
        for (path, list) in lists {
            if list.is_empty() {
                return Err(fault(path, "must list at least one service".into()));
            }
            for (i, resource) in list.iter().enumerate() {
                if resource.name.trim().is_empty() || resource.description.trim().is_empty() {
                    return Err(fault(
                        format!("{path}[{i}]"),
                        "needs a name and a description".into(),
                    ));
                }
            }
        }
        if let Some(code) = resources
            .countries
            .keys()
            .find(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return Err(fault(
                format!("countries.{code}"),
                "countries are two upper-case letters (ISO 3166-1 alpha-2)".into(),
            ));
        }
        Ok(resources)
    }

    /// The services for a country (any case), or the default list.
    pub fn for_country(&self, country: Option<&str>) -> &[Resource] {
        country
            .map(|c| c.trim().to_ascii_uppercase())
            .and_then(|c| self.countries.get(&c))
            .unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_loads_and_falls_back_to_the_default() {
        let resources = SafetyResources::builtin().unwrap();
        assert!(
            resources
                .for_country(Some("us"))
                .iter()
                .any(|r| r.phone.as_deref() == Some("1-800-799-7233"))
        );
        assert_eq!(
            resources.for_country(Some("FR")),
            resources.default.as_slice()
        );
        assert_eq!(resources.for_country(None), resources.default.as_slice());
    }

    #[test]
    fn a_bad_list_is_refused_by_its_field() {
        let err = SafetyResources::load("mine.json", r#"{ "default": [] }"#).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.field.as_str()),
            ("mine.json", "default")
        );
        let err = SafetyResources::load(
            "mine.json",
            r#"{ "default": [{ "name": "n", "description": "d", "phone": null, "url": null }],
                 "countries": { "usa": [{ "name": "n", "description": "d", "phone": null, "url": null }] } }"#,
        )
        .unwrap_err();
        assert_eq!(err.field, "countries.usa");
        let err = SafetyResources::load(
            "mine.json",
            r#"{ "default": [{ "name": "n", "description": "d", "phone": null, "url": null, "x": 1 }] }"#,
        )
        .unwrap_err();
        assert_eq!(err.field, "default[0].x");
    }
}
