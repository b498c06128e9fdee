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

pub(crate) fn words() -> Arc<Messages> {
    Arc::new(words::load(&words::LOCALES).unwrap())
}

fn script() -> Script {
    Script::builtin(guide(), words()).unwrap()
}

#[test]
fn the_shipped_content_holds_together() {
    script();
}

#[test]
fn content_naming_a_ritual_the_guide_lacks_is_refused() {
    let english = words::LOCALES[0]
        .1
        .replace("$ritual-weekly-adventure", "$ritual-no-such-ritual");
    let english: &'static str = Box::leak(english.into_boxed_str());
    let words = Arc::new(Messages::of(&[("en", english)]).unwrap());
    let err = Script::load(STRUCTURE, words, guide()).unwrap_err();
    assert!(err.0.contains("no_such_ritual"), "{err}");
}

#[test]
fn a_reply_using_a_variable_the_engine_does_not_fill_is_refused() {
    let english = words::LOCALES[0].1.replace("{ $plan }", "{ $plans }");
    let english: &'static str = Box::leak(english.into_boxed_str());
    let words = Arc::new(Messages::of(&[("en", english)]).unwrap());
    let err = Script::load(STRUCTURE, words, guide()).unwrap_err();
    assert!(err.0.contains("$plans"), "{err}");
}

#[test]
fn a_message_is_answered_by_its_topic() {
    let script = script();
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
fn a_spanish_speaker_is_answered_in_spanish_by_spanish_words() {
    let script = script();
    let facts = Facts::new().with_locale("es-MX");
    let reply = script.reply("Peleamos por la misma discusión de siempre", &facts);
    assert_eq!(reply.topic, "conflict");
    let english = script.reply("We keep fighting about money", &Facts::new());
    assert_ne!(reply.text, english.text);
    assert!(
        ["discusión", "conflicto"]
            .iter()
            .any(|w| reply.text.contains(w)),
        "{}",
        reply.text
    );
    // Accents aside: "discusion" is "discusión".
    assert_eq!(script.reply("otra discusion mas", &facts).topic, "conflict");
    assert_eq!(
        script.reply("siempre está con el celular", &facts).topic,
        "distraction"
    );
    // English words are English's triggers, not Spanish's.
    assert_eq!(script.reply("phone", &facts).topic, "unknown");
    // A locale Rekindle does not ship answers in English.
    let french = script.reply("We keep fighting", &Facts::new().with_locale("fr"));
    assert_eq!(french.topic, "conflict");
}

#[test]
fn facts_are_worded_in_the_members_language() {
    let script = script();
    let facts = |locale: &str| {
        Facts::new()
            .with_locale(locale)
            .with_streak(crate::facts::Streaks::of(
                domain::streak::Streak {
                    current: 4,
                    longest: 9,
                },
                2,
            ))
    };
    let english = script.reply("how is our plan going, our streak?", &facts("en"));
    assert_eq!(english.topic, "plan");
    assert!(
        english.text.contains("Your current streak is 4"),
        "{}",
        english.text
    );
    assert!(
        english.text.contains("You don't have an active plan"),
        "{}",
        english.text
    );
    let spanish = script.reply("cómo va nuestro plan y la racha", &facts("es"));
    assert_eq!(spanish.topic, "plan");
    assert!(
        spanish.text.contains("Tu racha actual es de 4"),
        "{}",
        spanish.text
    );
    assert!(
        spanish.text.contains("Todavía no tienes un plan"),
        "{}",
        spanish.text
    );
}

#[test]
fn the_same_message_and_facts_give_the_same_reply() {
    let script = script();
    let facts = Facts::new();
    let first = script.reply("We argue about chores", &facts);
    for _ in 0..5 {
        assert_eq!(script.reply("We argue about chores", &facts), first);
    }
}

#[test]
fn the_honesty_hour_is_described_step_by_step() {
    let script = script();
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
    let script = script();
    let resources = domain::safety::SafetyResources::builtin().unwrap();
    let text = script.safety_reply(Concern::Suicide, resources.for_country(Some("GB")), "en");
    assert!(text.contains("private"), "{text}");
    for resource in resources.for_country(Some("GB")) {
        assert!(text.contains(&resource.name), "{text}");
    }
    let spanish = script.safety_reply(Concern::Abuse, resources.for_country(Some("GB")), "es");
    assert!(spanish.contains("no es tu culpa"), "{spanish}");
    assert!(spanish.contains("privada"), "{spanish}");
}

#[test]
fn the_disclosure_and_the_fallback_note_are_in_the_members_language() {
    let script = script();
    assert!(script.disclosure("en").contains("not a person"));
    assert!(script.disclosure("es-MX").contains("no una persona"));
    assert!(script.fallback_note("es").contains("guía escrita"));
    assert_eq!(script.disclosure("pt-BR"), script.disclosure("en"));
}
