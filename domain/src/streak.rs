//! Streaks: how many periods in a row a ritual (or a couple) kept, forgiving one miss per four
//! weeks and never counting paused periods against anyone.

use chrono::{Duration, NaiveDate};

/// How one period (a day, a week, a month: the ritual's cadence unit) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodOutcome {
    /// Every occurrence that was due got done.
    Done,
    /// Something due was not done.
    Missed,
    /// Nothing was due: the plan was paused, or the cadence has no occurrence in it.
    Skipped,
    /// Still under way (or still loggable): it neither extends nor breaks the streak yet.
    Open,
}

/// How forgiving streaks are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreakRules {
    /// Misses forgiven within any window of `grace_window_days` (1 by default).
    pub graces_per_window: u32,
    pub grace_window_days: i64,
}

impl Default for StreakRules {
    fn default() -> Self {
        Self {
            graces_per_window: 1,
            grace_window_days: 28,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    /// Done periods in the streak running now.
    pub current: u32,
    /// The most the running count ever reached.
    pub longest: u32,
}

/// Computes the streak over periods in chronological order, each with its start date. A miss
/// is forgiven (the streak survives, without growing) when fewer than `graces_per_window`
/// misses were forgiven in the `grace_window_days` before it; otherwise it ends the streak.
pub fn streak(periods: &[(NaiveDate, PeriodOutcome)], rules: &StreakRules) -> Streak {
    let window = Duration::days(rules.grace_window_days);
    let mut graces: Vec<NaiveDate> = Vec::new();
    let mut result = Streak::default();
    for (start, outcome) in periods {
        match outcome {
            PeriodOutcome::Done => {
                result.current += 1;
                result.longest = result.longest.max(result.current);
            }
            PeriodOutcome::Missed => {
                graces.retain(|g| *start - *g < window);
                let forgivable = result.current > 0
                    && u32::try_from(graces.len()).unwrap_or(u32::MAX) < rules.graces_per_window;
                if forgivable {
                    graces.push(*start);
                } else {
                    result.current = 0;
                    graces.clear();
                }
            }
            PeriodOutcome::Skipped | PeriodOutcome::Open => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use PeriodOutcome::{Done, Missed, Open, Skipped};

    fn days(outcomes: &[PeriodOutcome], step: i64) -> Vec<(NaiveDate, PeriodOutcome)> {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| (start + Duration::days(step * i as i64), *o))
            .collect()
    }

    #[test]
    fn one_miss_in_four_weeks_is_forgiven_and_a_second_breaks() {
        let rules = StreakRules::default();
        let s = streak(&days(&[Done, Done, Missed, Done], 1), &rules);
        assert_eq!(
            s,
            Streak {
                current: 3,
                longest: 3
            }
        );
        let s = streak(&days(&[Done, Missed, Done, Missed, Done], 1), &rules);
        assert_eq!(
            s,
            Streak {
                current: 1,
                longest: 2
            }
        );
        // Weekly: misses five weeks apart are both forgiven.
        let s = streak(
            &days(&[Done, Missed, Done, Done, Done, Done, Missed, Done], 7),
            &rules,
        );
        assert_eq!(
            s,
            Streak {
                current: 6,
                longest: 6
            }
        );
    }

    #[test]
    fn paused_and_open_periods_neither_extend_nor_break() {
        let rules = StreakRules::default();
        let s = streak(&days(&[Done, Skipped, Skipped, Done, Open], 1), &rules);
        assert_eq!(
            s,
            Streak {
                current: 2,
                longest: 2
            }
        );
        let s = streak(&days(&[Missed, Done], 1), &rules);
        assert_eq!(
            s,
            Streak {
                current: 1,
                longest: 1
            },
            "nothing to forgive before a streak starts"
        );
    }

    /// The reference: for every prefix, replays the history from scratch, deciding each miss by
    /// scanning every miss forgiven so far.
    fn reference(periods: &[(NaiveDate, PeriodOutcome)], rules: &StreakRules) -> Streak {
        let current_after = |n: usize| -> u32 {
            let mut current = 0u32;
            let mut forgiven: Vec<(usize, NaiveDate)> = Vec::new();
            let mut streak_began = 0usize;
            for (i, (start, outcome)) in periods[..n].iter().enumerate() {
                match outcome {
                    Done => current += 1,
                    Missed => {
                        let recent = forgiven
                            .iter()
                            .filter(|(at, day)| {
                                *at >= streak_began
                                    && (*start - *day).num_days() < rules.grace_window_days
                            })
                            .count() as u32;
                        if current > 0 && recent < rules.graces_per_window {
                            forgiven.push((i, *start));
                        } else {
                            current = 0;
                            streak_began = i + 1;
                        }
                    }
                    Skipped | Open => {}
                }
            }
            current
        };
        let longest = (0..=periods.len()).map(current_after).max().unwrap_or(0);
        Streak {
            current: current_after(periods.len()),
            longest,
        }
    }

    fn outcome() -> impl Strategy<Value = PeriodOutcome> {
        prop_oneof![4 => Just(Done), 2 => Just(Missed), 1 => Just(Skipped), 1 => Just(Open)]
    }

    proptest! {
        #[test]
        fn streaks_match_the_reference(
            outcomes in proptest::collection::vec(outcome(), 0..80),
            step in prop_oneof![Just(1i64), Just(7), Just(14), Just(30)],
            graces in 0u32..3,
            window in prop_oneof![Just(28i64), Just(14), Just(60)],
        ) {
            let rules = StreakRules { graces_per_window: graces, grace_window_days: window };
            let periods = days(&outcomes, step);
            prop_assert_eq!(streak(&periods, &rules), reference(&periods, &rules));
        }
    }
}
