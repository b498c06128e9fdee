//! The guide's resources for couples: books, podcasts, apps and workshops, each as self-help
//! or guided support, and what each kind of help offers. Recommendations point to them.

use serde::{Deserialize, Serialize};

use crate::instrument::{Action, InstrumentError, read_content};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Book,
    Podcast,
    App,
    Workshop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Help {
    SelfHelp,
    GuidedSupport,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindOfHelp {
    pub key: Help,
    pub title: String,
    pub offers: String,
    pub best_for: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub key: String,
    pub kind: ResourceKind,
    pub title: String,
    pub by: Option<String>,
    pub description: String,
    pub help: Help,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub kinds_of_help: Vec<KindOfHelp>,
    pub resources: Vec<Resource>,
}

const BUILTIN: &str = include_str!("../content/resources.json");

impl Resources {
    /// The guide's resources, checked.
    pub fn builtin() -> Result<Self, InstrumentError> {
        let file = "resources.json";
        let fault = |field: String, problem: String| InstrumentError {
            file: file.to_owned(),
            field,
            problem,
        };
        let resources: Resources = read_content(file, BUILTIN)?;
        for help in [Help::SelfHelp, Help::GuidedSupport] {
            if !resources.kinds_of_help.iter().any(|k| k.key == help) {
                return Err(fault(
                    "kinds_of_help".into(),
                    format!("{help:?} is not described"),
                ));
            }
        }
        let mut keys = std::collections::HashSet::new();
        for (i, resource) in resources.resources.iter().enumerate() {
            if !keys.insert(resource.key.as_str()) {
                return Err(fault(format!("resources[{i}].key"), "used twice".into()));
            }
        }
        Ok(resources)
    }

    /// Resources of one kind of help, in the guide's order.
    pub fn by_help(&self, help: Help) -> impl Iterator<Item = &Resource> {
        self.resources.iter().filter(move |r| r.help == help)
    }
}

/// The kind of help a recommended action points to, if any. Immediate danger points to the
/// safety resources instead; a talk together needs no outside help.
pub fn help_for(action: Action) -> Option<Help> {
    match action {
        Action::TalkToProfessional | Action::ConsiderGuidedSupport => Some(Help::GuidedSupport),
        Action::SeekImmediateHelp | Action::TalkTogether => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_resources_load_with_both_kinds_of_help() {
        let resources = Resources::builtin().unwrap();
        let books: Vec<&str> = resources
            .resources
            .iter()
            .filter(|r| r.kind == ResourceKind::Book)
            .map(|r| r.title.as_str())
            .collect();
        assert_eq!(
            books,
            [
                "Hold Me Tight",
                "The Seven Principles for Making Marriage Work"
            ]
        );
        assert_eq!(
            resources
                .resources
                .iter()
                .filter(|r| r.kind == ResourceKind::Podcast)
                .count(),
            2
        );
        assert!(resources.by_help(Help::GuidedSupport).count() >= 2);
        assert_eq!(
            help_for(Action::TalkToProfessional),
            Some(Help::GuidedSupport)
        );
        assert_eq!(help_for(Action::SeekImmediateHelp), None);
    }
}
