use super::*;
use crate::facts::Facts;

pub(crate) fn guide() -> Guide {
    let rituals: Vec<domain::catalog::Ritual> = serde_json::from_str(include_str!(
        "../../../migrations/src/content/builtin_rituals_v1.json"
    ))
    .unwrap();
    Guide {
        rituals: rituals
            .into_iter()
            .map(|r| {
                (
                    r.key.as_str().to_owned(),
                    GuideRitual {
                        title: r.title,
                        summary: r.summary,
                        steps: r.steps,
                    },
                )
            })
            .collect(),
        instruments: domain::instrument::builtin_instruments()
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect(),
    }
}

#[test]
fn the_shipped_content_holds_together() {
    Script::builtin(guide()).unwrap();
}

#[test]
fn content_naming_a_ritual_the_guide_lacks_is_refused() {
    let json = BUILTIN.replace("{ritual:weekly_adventure}", "{ritual:no_such_ritual}");
    let err = Script::load(&json, guide()).unwrap_err();
    assert!(err.0.contains("no_such_ritual"), "{err}");
}

#[test]
fn a_message_is_answered_by_its_topic() {
    let script = Script::builtin(guide()).unwrap();
    let facts = Facts::new();
    assert_eq!(
        script.reply("We keep fighting about money", &facts).topic,
        "conflict"
    );
    assert_eq!(
        script.reply("he is always on his phone", &facts).topic,
        "distraction"
    );
    assert_eq!(
        script.reply("we feel like roommates", &facts).topic,
        "drift"
    );
    assert_eq!(
        script.reply("Should we see a therapist?", &facts).topic,
        "professional_help"
    );
    assert_eq!(script.reply("qwerty", &facts).topic, "unknown");
}

#[test]
fn the_same_message_and_facts_give_the_same_reply() {
    let script = Script::builtin(guide()).unwrap();
    let facts = Facts::new();
    let first = script.reply("We argue about chores", &facts);
    for _ in 0..5 {
        assert_eq!(script.reply("We argue about chores", &facts), first);
    }
}

#[test]
fn the_honesty_hour_is_described_step_by_step() {
    let script = Script::builtin(guide()).unwrap();
    let text = (0..40)
        .map(|i| {
            script
                .reply(&format!("the same argument again {i}"), &Facts::new())
                .text
        })
        .find(|t| t.contains("step by step"))
        .unwrap();
    assert!(text.contains("1. ") && text.contains("9. "), "{text}");
}

#[test]
fn a_safety_reply_lists_the_resources_and_says_it_stays_private() {
    let script = Script::builtin(guide()).unwrap();
    let resources = domain::safety::SafetyResources::builtin().unwrap();
    let text = script.safety_reply(Concern::Suicide, resources.for_country(Some("GB")));
    assert!(text.contains("private"), "{text}");
    for resource in resources.for_country(Some("GB")) {
        assert!(text.contains(&resource.name), "{text}");
    }
}
