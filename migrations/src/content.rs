//! Built-in content shipped with the migrations that seed it, frozen per version.

use domain::catalog::{Ritual, validate_catalog};

/// The built-in rituals drawn from the reconnection guide, as first seeded.
const BUILTIN_RITUALS_V1: &str = include_str!("content/builtin_rituals_v1.json");

/// Parses and validates the first version of the built-in catalog.
pub fn builtin_rituals_v1() -> Result<Vec<Ritual>, String> {
    let rituals: Vec<Ritual> = serde_json::from_str(BUILTIN_RITUALS_V1)
        .map_err(|e| format!("built-in rituals v1 do not parse: {e}"))?;
    validate_catalog(&rituals).map_err(|e| format!("built-in rituals v1 are invalid: {e}"))?;
    Ok(rituals)
}

#[cfg(test)]
mod tests {
    use domain::catalog::RitualCategory;

    use super::*;

    fn find<'a>(rituals: &'a [Ritual], key: &str) -> &'a Ritual {
        rituals
            .iter()
            .find(|r| r.key.as_str() == key)
            .unwrap_or_else(|| panic!("no ritual {key}"))
    }

    #[test]
    fn the_catalog_carries_the_guides_rituals() {
        let rituals = builtin_rituals_v1().unwrap();
        assert!(rituals.len() >= 20, "only {} rituals", rituals.len());
        for key in [
            // the seven micro-rituals
            "six_second_kiss",
            "morning_gratitude",
            "evening_check_in",
            "weekly_adventure",
            "gratitude_post_its",
            "tech_free_meal",
            "cuddle_countdown",
            // priority actions and long-haul habits
            "honesty_hour",
            "micro_gratitude",
            "monthly_new_experience",
            "role_swap_week",
            "bedtime_connection",
            "argument_debrief",
            "how_are_we_doing",
            // touch, intimacy builders, unconventional practices
            "touch_ladder",
            "reading_aloud",
            "shared_playlists",
            "learn_skill_together",
            "adventure_therapy",
            "silent_retreat",
            "improv_class",
            "art_therapy",
            "couples_volunteering",
        ] {
            find(&rituals, key);
        }
    }

    #[test]
    fn the_honesty_hour_has_nine_ordered_steps() {
        let rituals = builtin_rituals_v1().unwrap();
        let hour = find(&rituals, "honesty_hour");
        assert_eq!(hour.steps.len(), 9);
        assert!(hour.steps[0].starts_with("Set a time"));
        assert!(hour.steps[8].starts_with("Plan a follow-up"));
    }

    #[test]
    fn every_dimension_of_intimacy_is_represented() {
        let rituals = builtin_rituals_v1().unwrap();
        for category in [
            RitualCategory::Emotional,
            RitualCategory::Intellectual,
            RitualCategory::Physical,
            RitualCategory::Novelty,
        ] {
            assert!(rituals.iter().any(|r| r.category == category), "{category}");
        }
    }

    #[test]
    fn every_ritual_a_built_in_instrument_recommends_is_in_the_catalog() {
        let rituals = builtin_rituals_v1().unwrap();
        let instruments = domain::instrument::builtin_instruments().unwrap();
        let mut recommended = 0;
        for instrument in &instruments {
            for rule in &instrument.recommendations {
                for key in &rule.ritual_keys {
                    find(&rituals, key.as_str());
                    recommended += 1;
                }
            }
        }
        assert!(recommended > 0);
    }
}
