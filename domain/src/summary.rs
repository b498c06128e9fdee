//! A couple's weekly summary, as a pure function of their plan histories and the week.
//!
//! A week is an ISO week in the couple's time zone, and a summary is built once it is over.
//! It carries counts and shares only: what was planned and done (together and by each member),
//! streaks, how close the logs felt against the week before, the balance across the guide's
//! dimensions of intimacy, and a suggestion. Notes, answers and anything private never enter
//! it; other sources (check-ins, shared assessment results) plug in as counts through
//! [`Extras`].

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::RitualCategory;
use crate::progress::{BALANCED, ItemHistory, balance, couple_streak, weekly_progress};
use crate::schedule::{resolve_local, week_start};
use crate::streak::StreakRules;

/// How a member did in the week: what was theirs to do and what they logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberWeek {
    pub member: Uuid,
    /// Occurrences expected of them (theirs, both's, and either's).
    pub planned: u32,
    /// Of those, the ones they logged themselves.
    pub done: u32,
}

/// Which way closeness moved against the week before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Closer,
    Steady,
    LessClose,
    /// A week without logs on either side.
    Unknown,
}

/// What to try next week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    /// A catalog ritual to add, when one fits.
    pub ritual_key: Option<String>,
}

/// Counts from other parts of the product, without their content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extras {
    /// Days of the week on which both answered the check-in.
    pub check_ins_both_answered: u32,
    /// Assessment results shared with the partner during the week.
    pub results_shared: u32,
}

/// One couple-week, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklySummary {
    pub week_start: NaiveDate,
    pub planned: u32,
    pub completed: u32,
    pub members: Vec<MemberWeek>,
    pub average_closeness: Option<f64>,
    pub previous_average_closeness: Option<f64>,
    pub trend: Trend,
    /// Completed occurrences across [`BALANCED`], as shares summing to 1 (or all 0).
    pub balance: Vec<(RitualCategory, f64)>,
    /// The couple's streak in weeks, as the week closed.
    pub streak_weeks: u32,
    pub longest_streak_weeks: u32,
    pub suggestion: Suggestion,
    pub extras: Extras,
}

/// The first instant of the local date `date` in `tz`.
pub fn start_of(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(NaiveTime::MIN))
}

/// The last week that is over at `now` in `tz`: the ISO week before the current one.
pub fn last_finished_week(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    week_start(now.with_timezone(&tz).date_naive()) - Duration::weeks(1)
}

/// What the summary needs besides the histories.
pub struct Inputs<'a> {
    pub items: &'a [ItemHistory],
    /// The couple's members whose share is counted (the current ones).
    pub members: &'a [Uuid],
    pub tz: Tz,
    pub week_start: NaiveDate,
    pub rules: &'a StreakRules,
    /// Catalog rituals by key and category, to suggest from.
    pub catalog: &'a [(String, RitualCategory)],
    /// Keys of the rituals already on the couple's plan.
    pub on_plan: &'a [String],
    pub extras: Extras,
}

/// Builds the summary of the week starting `inputs.week_start` (a Monday).
pub fn build(inputs: &Inputs<'_>) -> WeeklySummary {
    let week = inputs.week_start;
    let tz = inputs.tz;
    let start = start_of(week, tz);
    let end = start_of(week + Duration::weeks(1), tz);
    // Everything "as the week closed": its last instant.
    let closing = end - Duration::seconds(1);
    let weeks = weekly_progress(inputs.items, tz, 2, closing);
    let this = weeks.last().cloned();
    let before = (weeks.len() == 2).then(|| weeks[0].clone());
    let average = this.as_ref().and_then(|w| w.average_closeness);
    let previous = before.as_ref().and_then(|w| w.average_closeness);
    let streak = couple_streak(inputs.items, tz, closing, inputs.rules);
    let balance = balance(inputs.items, start, closing);
    let planned = this.as_ref().map_or(0, |w| w.planned);
    let completed = this.as_ref().map_or(0, |w| w.completed);
    WeeklySummary {
        week_start: week,
        planned,
        completed,
        members: member_weeks(inputs.items, inputs.members, tz, week),
        average_closeness: average,
        previous_average_closeness: previous,
        trend: trend(average, previous),
        suggestion: suggest(planned, completed, &balance, inputs),
        balance,
        streak_weeks: streak.current,
        longest_streak_weeks: streak.longest,
        extras: inputs.extras,
    }
}

/// Closeness is on a 1-5 scale: a move of a quarter point or less is steady.
fn trend(now: Option<f64>, before: Option<f64>) -> Trend {
    match (now, before) {
        (Some(now), Some(before)) if now - before > 0.25 => Trend::Closer,
        (Some(now), Some(before)) if before - now > 0.25 => Trend::LessClose,
        (Some(_), Some(_)) => Trend::Steady,
        _ => Trend::Unknown,
    }
}

fn member_weeks(
    items: &[ItemHistory],
    members: &[Uuid],
    tz: Tz,
    week: NaiveDate,
) -> Vec<MemberWeek> {
    members
        .iter()
        .map(|member| {
            let (mut planned, mut done) = (0, 0);
            for item in items {
                if !item.assignee.includes(*member) {
                    continue;
                }
                for date in item
                    .schedule
                    .dates_between(week - Duration::days(2), week + Duration::days(9))
                {
                    let local = item.schedule.instant_on(date).with_timezone(&tz);
                    if week_start(local.date_naive()) != week || !item.is_due(date) {
                        continue;
                    }
                    planned += 1;
                    if item.logged_by(date).contains(member) {
                        done += 1;
                    }
                }
            }
            MemberWeek {
                member: *member,
                planned,
                done,
            }
        })
        .collect()
}

fn suggest(
    planned: u32,
    completed: u32,
    balance: &[(RitualCategory, f64)],
    inputs: &Inputs<'_>,
) -> Suggestion {
    if planned == 0 {
        return Suggestion {
            text: "Nothing was planned this week: pick one small ritual to start again.".into(),
            ritual_key: pick(RitualCategory::Emotional, inputs),
        };
    }
    if completed * 2 < planned {
        return Suggestion {
            text: "Less than half got done: keep the rituals that worked and drop one for now."
                .into(),
            ritual_key: None,
        };
    }
    // The dimension done least (the first of the guide's order on a tie) is next week's.
    let lowest = balance
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(BALANCED[0], |(category, _)| *category);
    Suggestion {
        text: format!(
            "A good week. Add something {} next week to keep the balance.",
            describe(lowest)
        ),
        ritual_key: pick(lowest, inputs),
    }
}

fn describe(category: RitualCategory) -> &'static str {
    match category {
        RitualCategory::Emotional => "emotional",
        RitualCategory::Intellectual => "to talk and think about together",
        RitualCategory::Physical => "physical",
        RitualCategory::Novelty => "new",
        RitualCategory::Gratitude => "grateful",
        RitualCategory::Communication => "to talk through",
        RitualCategory::TechFree => "screen-free",
    }
}

/// The first catalog ritual of `category` not already on the plan.
fn pick(category: RitualCategory, inputs: &Inputs<'_>) -> Option<String> {
    inputs
        .catalog
        .iter()
        .find(|(key, c)| *c == category && !inputs.on_plan.contains(key))
        .map(|(key, _)| key.clone())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::plan::Assignee;
    use crate::schedule::{Cadence, Schedule};

    const TONGA: Tz = chrono_tz::Pacific::Tongatapu;
    const HONOLULU: Tz = chrono_tz::Pacific::Honolulu;

    fn daily(
        tz: Tz,
        category: RitualCategory,
        assignee: Assignee,
        members: &[Uuid],
    ) -> ItemHistory {
        let start = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        ItemHistory {
            schedule: Schedule::new(
                Cadence::Daily,
                NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
                tz,
                start,
            )
            .unwrap(),
            assignee,
            members: members.to_vec(),
            completions: Vec::new(),
            pauses: Vec::new(),
            ended_at: None,
            category: Some(category),
            history_from: start,
        }
    }

    fn inputs<'a>(
        items: &'a [ItemHistory],
        members: &'a [Uuid],
        tz: Tz,
        catalog: &'a [(String, RitualCategory)],
    ) -> Inputs<'a> {
        Inputs {
            items,
            members,
            tz,
            week_start: NaiveDate::from_ymd_opt(2026, 6, 8).unwrap(),
            rules: &StreakRules {
                graces_per_window: 0,
                grace_window_days: 28,
            },
            catalog,
            on_plan: &[],
            extras: Extras::default(),
        }
    }

    #[test]
    fn the_last_finished_week_turns_at_local_midnight_on_monday() {
        // Monday 15 June 00:00 in Tongatapu (UTC+13) is Sunday 11:00 UTC; in Honolulu
        // (UTC-10) it is Monday 10:00 UTC.
        let tonga_monday = TONGA
            .with_ymd_and_hms(2026, 6, 15, 0, 0, 0)
            .unwrap()
            .to_utc();
        let honolulu_monday = HONOLULU
            .with_ymd_and_hms(2026, 6, 15, 0, 0, 0)
            .unwrap()
            .to_utc();
        let june = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        assert_eq!(
            last_finished_week(tonga_monday - Duration::seconds(1), TONGA),
            june(1)
        );
        assert_eq!(last_finished_week(tonga_monday, TONGA), june(8));
        assert_eq!(last_finished_week(tonga_monday, HONOLULU), june(1));
        assert_eq!(last_finished_week(honolulu_monday, HONOLULU), june(8));
    }

    #[test]
    fn a_week_counts_what_was_planned_and_done_together_and_by_each() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut both = daily(TONGA, RitualCategory::Emotional, Assignee::Both, &[a, b]);
        let mut either = daily(TONGA, RitualCategory::Physical, Assignee::Either, &[a, b]);
        let june = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        // The week of 8 June: both logged Monday and Tuesday, only `a` Wednesday (not complete);
        // either item done Monday by `b`. Sunday 14 June is inside the week, 15 June is not.
        for (day, who, closeness) in [(8, a, 4), (8, b, 4), (9, a, 5), (9, b, 5), (10, a, 3)] {
            both.completions.push((june(day), who, closeness));
        }
        either.completions.push((june(8), b, 2));
        either.completions.push((june(14), a, 4));
        either.completions.push((june(15), a, 4));
        // The week before: one log of 2.
        both.completions.push((june(3), a, 2));
        let items = [both, either];
        let catalog = vec![
            ("gratitude_at_dinner".to_owned(), RitualCategory::Gratitude),
            ("new_place_date".to_owned(), RitualCategory::Novelty),
        ];
        let summary = build(&inputs(&items, &[a, b], TONGA, &catalog));
        assert_eq!(summary.planned, 14);
        assert_eq!(summary.completed, 4, "two BOTH days and two EITHER days");
        assert_eq!(
            summary.members,
            vec![
                MemberWeek {
                    member: a,
                    planned: 14,
                    done: 4
                },
                MemberWeek {
                    member: b,
                    planned: 14,
                    done: 3
                },
            ]
        );
        let average = summary.average_closeness.unwrap();
        assert!((average - 27.0 / 7.0).abs() < 1e-9, "{average}");
        assert_eq!(summary.previous_average_closeness, Some(2.0));
        assert_eq!(summary.trend, Trend::Closer);
        let shares: f64 = summary.balance.iter().map(|(_, s)| s).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        // Less than half done: the suggestion is to do less, with no ritual pushed.
        assert_eq!(summary.suggestion.ritual_key, None);
    }

    #[test]
    fn a_good_week_suggests_the_dimension_done_least() {
        let a = Uuid::from_u128(1);
        let mut item = daily(HONOLULU, RitualCategory::Emotional, Assignee::One(a), &[a]);
        for d in 8..=14 {
            item.completions
                .push((NaiveDate::from_ymd_opt(2026, 6, d).unwrap(), a, 4));
        }
        let catalog = vec![
            ("deep_question".to_owned(), RitualCategory::Intellectual),
            ("dance_in_kitchen".to_owned(), RitualCategory::Physical),
        ];
        let items = [item];
        let summary = build(&inputs(&items, &[a], HONOLULU, &catalog));
        assert_eq!((summary.planned, summary.completed), (7, 7));
        assert_eq!(summary.streak_weeks, 1);
        assert_eq!(
            summary.trend,
            Trend::Unknown,
            "nothing logged the week before"
        );
        assert_eq!(
            summary.suggestion.ritual_key.as_deref(),
            Some("deep_question")
        );
    }

    #[test]
    fn a_summary_survives_storage() {
        let a = Uuid::from_u128(1);
        let items = [daily(TONGA, RitualCategory::Novelty, Assignee::Both, &[a])];
        let summary = build(&inputs(&items, &[a], TONGA, &[]));
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(
            serde_json::from_value::<WeeklySummary>(json).unwrap(),
            summary
        );
    }
}
