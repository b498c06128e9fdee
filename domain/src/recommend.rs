//! What a couple's plan could add, and why: from a member's latest results, the results their
//! partner chose to share, and the distractions the couple named. Each proposal keeps every
//! reason that led to it; steps beyond rituals (a professional first, for burnout) come apart.

use crate::catalog::{RitualCategory, RitualKey};
use crate::couple::Distraction;
use crate::instrument::{Action, Scored};

/// The ritual a named distraction points to: meals with the screens away.
pub const DISTRACTION_RITUAL: &str = "tech_free_meal";

/// How many catalog rituals a category recommendation proposes.
const PER_CATEGORY: usize = 2;

/// Whose result, or what, led to a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The member's own latest result of this instrument.
    Own { instrument: String },
    /// A result of this instrument the partner shared.
    Partner { instrument: String },
    /// The distractions the couple named.
    Distractions(Vec<Distraction>),
}

/// Why a ritual is proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub source: Source,
    pub text: String,
}

/// A ritual worth adding, with every reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub ritual: RitualKey,
    pub reasons: Vec<Reason>,
}

/// A step beyond rituals, from the member's own results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub instrument: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recommendations {
    pub rituals: Vec<Proposal>,
    pub steps: Vec<Step>,
}

impl Recommendations {
    /// Whether professional help comes before any ritual (burnout, danger, too many signs).
    pub fn professional_first(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(
                s.action,
                Action::TalkToProfessional | Action::SeekImmediateHelp
            )
        })
    }
}

/// A scored result with the instrument it came from.
#[derive(Debug, Clone)]
pub struct ResultOf<'a> {
    pub instrument: &'a str,
    pub scored: &'a Scored,
}

/// What recommendations are made from.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The member's latest result of each instrument.
    pub own: Vec<ResultOf<'a>>,
    /// The partner's latest shared result of each instrument.
    pub partner: Vec<ResultOf<'a>>,
    pub distractions: Vec<Distraction>,
    /// Rituals the active plan already has: never proposed again.
    pub in_plan: Vec<RitualKey>,
    /// The catalog, in its order, for recommendations by category.
    pub catalog: Vec<(RitualKey, RitualCategory)>,
}

struct Builder<'a> {
    inputs: &'a Inputs<'a>,
    out: Recommendations,
}

impl Builder<'_> {
    fn propose(&mut self, ritual: &RitualKey, reason: Reason) {
        if self.inputs.in_plan.contains(ritual) {
            return;
        }
        match self.out.rituals.iter_mut().find(|p| &p.ritual == ritual) {
            Some(found) if !found.reasons.contains(&reason) => found.reasons.push(reason),
            Some(_) => {}
            None => self.out.rituals.push(Proposal {
                ritual: ritual.clone(),
                reasons: vec![reason],
            }),
        }
    }

    fn add_result(&mut self, result: &ResultOf<'_>, own: bool) {
        // A result that raised a safety concern suggests no ritual: its owner's path is help.
        let safety = result.scored.safety();
        for hit in &result.scored.recommendations {
            let source = if own {
                Source::Own {
                    instrument: result.instrument.to_owned(),
                }
            } else {
                Source::Partner {
                    instrument: result.instrument.to_owned(),
                }
            };
            let reason = Reason {
                source,
                text: hit.reason.clone(),
            };
            if own {
                for action in &hit.actions {
                    if !self.out.steps.iter().any(|s| s.action == *action) {
                        self.out.steps.push(Step {
                            action: *action,
                            instrument: result.instrument.to_owned(),
                            reason: hit.reason.clone(),
                        });
                    }
                }
            }
            if safety {
                continue;
            }
            for key in &hit.ritual_keys {
                self.propose(key, reason.clone());
            }
            for category in &hit.ritual_categories {
                let picks: Vec<RitualKey> = self
                    .inputs
                    .catalog
                    .iter()
                    .filter(|(key, c)| c == category && !self.inputs.in_plan.contains(key))
                    .map(|(key, _)| key.clone())
                    .take(PER_CATEGORY)
                    .collect();
                for key in &picks {
                    self.propose(key, reason.clone());
                }
            }
        }
    }
}

/// Proposals and steps, in the order their sources come: own results, the partner's shared
/// ones, then distractions.
pub fn recommend(inputs: &Inputs<'_>) -> Recommendations {
    let mut builder = Builder {
        inputs,
        out: Recommendations::default(),
    };
    for result in &inputs.own {
        builder.add_result(result, true);
    }
    for result in &inputs.partner {
        builder.add_result(result, false);
    }
    if !inputs.distractions.is_empty()
        && let Ok(ritual) = RitualKey::parse(DISTRACTION_RITUAL)
    {
        builder.propose(
            &ritual,
            Reason {
                source: Source::Distractions(inputs.distractions.clone()),
                text: "You named what eats your time together; a meal with every screen away wins some of it back.".into(),
            },
        );
    }
    // Professional help first: its steps lead.
    builder.out.steps.sort_by_key(|s| match s.action {
        Action::SeekImmediateHelp => 0,
        Action::TalkToProfessional => 1,
        Action::ConsiderGuidedSupport => 2,
        Action::TalkTogether => 3,
    });
    builder.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{Answer, Answers, builtin_instruments, score};

    fn scored(key: &str, answers: impl Fn(&crate::instrument::Item) -> Answer) -> Scored {
        let instruments = builtin_instruments().unwrap();
        let instrument = instruments.iter().find(|i| i.key == key).unwrap();
        let given: Answers = instrument
            .items
            .iter()
            .map(|i| (i.key.clone(), answers(i)))
            .collect();
        score(instrument, &given).unwrap()
    }

    fn key(raw: &str) -> RitualKey {
        RitualKey::parse(raw).unwrap()
    }

    fn catalog() -> Vec<(RitualKey, RitualCategory)> {
        vec![
            (key("weekly_adventure"), RitualCategory::Novelty),
            (key("monthly_new_experience"), RitualCategory::Novelty),
            (key("improv_class"), RitualCategory::Novelty),
            (key("tech_free_meal"), RitualCategory::TechFree),
        ]
    }

    fn rituals(r: &Recommendations) -> Vec<&str> {
        r.rituals.iter().map(|p| p.ritual.as_str()).collect()
    }

    #[test]
    fn the_guides_pairings_hold() {
        let boredom = scored("burnout_boredom", |i| {
            let bored = [
                "restless",
                "vague_discontent",
                "same_routine",
                "mildly_detached",
            ];
            Answer::Choice(
                if bored.contains(&i.key.as_str()) {
                    "often"
                } else {
                    "never"
                }
                .into(),
            )
        });
        let resentment = scored("resentment_red_flags", |i| {
            Answer::YesNo(i.key != "sharp_jokes")
        });
        let listening = scored("listening_attunement", |_| {
            Answer::Choice("sometimes".into())
        });
        let own = vec![
            ResultOf {
                instrument: "burnout_boredom",
                scored: &boredom,
            },
            ResultOf {
                instrument: "resentment_red_flags",
                scored: &resentment,
            },
            ResultOf {
                instrument: "listening_attunement",
                scored: &listening,
            },
        ];
        let out = recommend(&Inputs {
            own,
            distractions: vec![Distraction::Smartphones],
            catalog: catalog(),
            ..Inputs::default()
        });
        let proposed = rituals(&out);
        for expected in [
            "weekly_adventure",
            "monthly_new_experience",
            "honesty_hour",
            "argument_debrief",
            "evening_check_in",
            "tech_free_meal",
        ] {
            assert!(
                proposed.contains(&expected),
                "{expected} missing from {proposed:?}"
            );
        }
        // Two reasons for one ritual stay together, not as two proposals.
        assert_eq!(
            proposed
                .iter()
                .filter(|k| **k == "monthly_new_experience")
                .count(),
            1
        );
        assert!(!out.professional_first());
    }

    #[test]
    fn burnout_puts_a_professional_first_and_a_plan_keeps_what_it_has() {
        let burnout = scored("burnout_boredom", |_| Answer::Choice("always".into()));
        let out = recommend(&Inputs {
            own: vec![ResultOf {
                instrument: "burnout_boredom",
                scored: &burnout,
            }],
            distractions: vec![Distraction::WorkStress],
            in_plan: vec![key("tech_free_meal")],
            catalog: catalog(),
            ..Inputs::default()
        });
        assert!(out.professional_first());
        assert_eq!(out.steps[0].action, Action::TalkToProfessional);
        assert!(rituals(&out).is_empty(), "{:?}", rituals(&out));
    }

    #[test]
    fn a_partners_result_adds_rituals_but_never_steps_and_safety_adds_no_ritual() {
        let resentment = scored("resentment_red_flags", |_| Answer::YesNo(true));
        let danger = scored("when_diy_is_not_enough", |i| {
            Answer::YesNo(i.key == "abuse")
        });
        let out = recommend(&Inputs {
            own: vec![ResultOf {
                instrument: "when_diy_is_not_enough",
                scored: &danger,
            }],
            partner: vec![ResultOf {
                instrument: "resentment_red_flags",
                scored: &resentment,
            }],
            catalog: catalog(),
            ..Inputs::default()
        });
        assert_eq!(out.steps[0].action, Action::SeekImmediateHelp);
        assert!(
            out.steps
                .iter()
                .all(|s| s.instrument == "when_diy_is_not_enough")
        );
        assert_eq!(rituals(&out), ["honesty_hour", "argument_debrief"]);
        assert!(matches!(
            out.rituals[0].reasons[0].source,
            Source::Partner { .. }
        ));
    }
}
