//! The built-in instruments, drawn from the reconnection guide's checklists and its table of
//! burnout against boredom. Each is a file under `domain/content/instruments/`, built into the
//! binary and checked like any other definition.

use super::{Instrument, InstrumentError};

/// (file name, contents) of every built-in definition.
const FILES: [(&str, &str); 6] = [
    (
        "listening_attunement.json",
        include_str!("../../content/instruments/listening_attunement.json"),
    ),
    (
        "resentment_red_flags.json",
        include_str!("../../content/instruments/resentment_red_flags.json"),
    ),
    (
        "burnout_boredom.json",
        include_str!("../../content/instruments/burnout_boredom.json"),
    ),
    (
        "time_to_let_go.json",
        include_str!("../../content/instruments/time_to_let_go.json"),
    ),
    (
        "signs_of_progress.json",
        include_str!("../../content/instruments/signs_of_progress.json"),
    ),
    (
        "when_diy_is_not_enough.json",
        include_str!("../../content/instruments/when_diy_is_not_enough.json"),
    ),
];

/// Whether `key` names a built-in instrument (an organization may not write one by that key).
pub fn is_builtin_key(key: &str) -> bool {
    FILES
        .iter()
        .any(|(file, _)| file.strip_suffix(".json") == Some(key))
}

/// Every built-in instrument, loaded and checked; the first bad file fails them all.
pub fn builtin_instruments() -> Result<Vec<Instrument>, InstrumentError> {
    let instruments = FILES
        .iter()
        .map(|(file, json)| Instrument::load(file, json))
        .collect::<Result<Vec<_>, _>>()?;
    for (instrument, (file, _)) in instruments.iter().zip(FILES.iter()) {
        if format!("{}.json", instrument.key) != *file {
            return Err(InstrumentError {
                file: (*file).to_owned(),
                field: "key".into(),
                problem: format!(
                    "a built-in's file is named after its key, `{}`",
                    instrument.key
                ),
            });
        }
    }
    Ok(instruments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_keys_are_known_by_name() {
        assert!(is_builtin_key("burnout_boredom"));
        assert!(!is_builtin_key("burnout"));
        assert!(!is_builtin_key("burnout_boredom.json"));
    }
    use crate::catalog::RitualCategory;
    use crate::instrument::{Action, Answer, Answers, Response, score};

    #[test]
    fn every_built_in_loads_and_scores_at_both_extremes() {
        let instruments = builtin_instruments().unwrap();
        let keys: Vec<&str> = instruments.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "listening_attunement",
                "resentment_red_flags",
                "burnout_boredom",
                "time_to_let_go",
                "signs_of_progress",
                "when_diy_is_not_enough"
            ]
        );
        for instrument in &instruments {
            for pick_high in [false, true] {
                let given: Answers = instrument
                    .items
                    .iter()
                    .map(|item| {
                        let answer = match &item.response {
                            Response::YesNo { .. } => Answer::YesNo(pick_high),
                            Response::Likert { points: c }
                            | Response::SingleChoice { options: c } => {
                                let chosen = if pick_high {
                                    c.iter().max_by_key(|c| c.value)
                                } else {
                                    c.iter().min_by_key(|c| c.value)
                                };
                                Answer::Choice(chosen.map(|c| c.key.clone()).unwrap_or_default())
                            }
                        };
                        (item.key.clone(), answer)
                    })
                    .collect();
                let scored =
                    score(instrument, &given).unwrap_or_else(|e| panic!("{}: {e}", instrument.key));
                if !instrument.bands.is_empty() {
                    assert!(
                        scored.band.is_some(),
                        "{} has no band for {}",
                        instrument.key,
                        scored.total
                    );
                }
                if !instrument.outcomes.is_empty() {
                    assert!(scored.outcome.is_some(), "{}", instrument.key);
                }
            }
        }
    }

    #[test]
    fn the_guides_checklists_keep_their_length() {
        let instruments = builtin_instruments().unwrap();
        let count = |key: &str| {
            instruments
                .iter()
                .find(|i| i.key == key)
                .map(|i| i.items.len())
        };
        assert_eq!(count("listening_attunement"), Some(7));
        assert_eq!(count("resentment_red_flags"), Some(7));
        assert_eq!(count("time_to_let_go"), Some(10));
        assert_eq!(count("signs_of_progress"), Some(8));
        assert_eq!(count("when_diy_is_not_enough"), Some(6));
    }

    fn all_yes_no(instrument: &Instrument, yes: &[&str]) -> Answers {
        instrument
            .items
            .iter()
            .map(|i| (i.key.clone(), Answer::YesNo(yes.contains(&i.key.as_str()))))
            .collect()
    }

    #[test]
    fn abuse_takes_the_safety_path_and_other_answers_do_not() {
        let instruments = builtin_instruments().unwrap();
        let diy = instruments
            .iter()
            .find(|i| i.key == "when_diy_is_not_enough")
            .unwrap();
        let abuse = score(diy, &all_yes_no(diy, &["abuse"])).unwrap();
        assert!(abuse.safety());
        assert!(
            abuse
                .recommendations
                .iter()
                .any(|r| r.actions.contains(&Action::SeekImmediateHelp))
        );
        let other = score(diy, &all_yes_no(diy, &["repeated_hurt", "checked_out"])).unwrap();
        assert!(!other.safety());
        assert_eq!(other.band.unwrap().key, "help_advised");
        assert!(
            other
                .recommendations
                .iter()
                .all(|r| !r.actions.contains(&Action::SeekImmediateHelp))
        );
    }

    #[test]
    fn burnout_boredom_names_burnout_boredom_or_neither() {
        let instruments = builtin_instruments().unwrap();
        let instrument = instruments
            .iter()
            .find(|i| i.key == "burnout_boredom")
            .unwrap();
        let burnout_items = [
            "drained",
            "stopped_caring",
            "pulling_away",
            "lasting_resentment",
        ];
        let with = |burnout: &str, boredom: &str| -> Answers {
            instrument
                .items
                .iter()
                .map(|i| {
                    let level = if burnout_items.contains(&i.key.as_str()) {
                        burnout
                    } else {
                        boredom
                    };
                    (i.key.clone(), Answer::Choice(level.into()))
                })
                .collect()
        };
        let outcome = |answers: Answers| score(instrument, &answers).unwrap();
        let burnout = outcome(with("often", "rarely"));
        assert_eq!(burnout.outcome.unwrap().key, "burnout");
        assert!(
            burnout
                .recommendations
                .iter()
                .any(|r| r.actions.contains(&Action::TalkToProfessional))
        );
        let boredom = outcome(with("rarely", "often"));
        assert_eq!(boredom.outcome.unwrap().key, "boredom");
        assert!(
            boredom
                .recommendations
                .iter()
                .any(|r| r.ritual_categories.contains(&RitualCategory::Novelty))
        );
        // Mean 2 is the cut-off, and the high band holds it.
        assert_eq!(
            outcome(with("rarely", "sometimes")).outcome.unwrap().key,
            "boredom"
        );
        assert_eq!(
            outcome(with("never", "rarely")).outcome.unwrap().key,
            "neither"
        );
        assert_eq!(
            outcome(with("always", "always")).outcome.unwrap().key,
            "burnout"
        );
    }
}
