//! The coach as configured: the guide's rituals from the catalog, the instruments in use, and
//! the model from `REKINDLE_COACH_*` (none: scripted replies only).

use anyhow::Context;
use coach::Coach;
use coach::scripted::{Guide, GuideRitual};
use runtime::Settings;

use crate::catalog::Catalog;
use crate::instruments::Instruments;

pub fn build(
    settings: &Settings,
    catalog: &Catalog,
    instruments: &Instruments,
) -> anyhow::Result<Coach> {
    let mut rituals = std::collections::HashMap::new();
    for r in catalog.all() {
        let steps = serde_json::from_value(r.steps.clone())
            .with_context(|| format!("rituals row {}: steps", r.id))?;
        let ritual = GuideRitual {
            title: r.title.clone(),
            summary: r.summary.clone(),
            steps,
        };
        rituals.insert(r.key.clone(), ritual);
    }
    let guide = Guide {
        rituals,
        instruments: instruments
            .all()
            .iter()
            .map(|i| i.definition.key.clone())
            .collect(),
    };
    let model = settings
        .coach
        .model
        .as_ref()
        .map(worker::jobs::write_narratives::model_config);
    Coach::new(guide, model, settings.coach.concurrency).context("starting the coach")
}
