use chrono::TimeZone;

use super::*;
use crate::plan::Assignee;
use crate::schedule::{Cadence, Schedule};

const TONGA: Tz = chrono_tz::Pacific::Tongatapu;
const HONOLULU: Tz = chrono_tz::Pacific::Honolulu;

fn daily(tz: Tz, category: RitualCategory, assignee: Assignee, members: &[Uuid]) -> ItemHistory {
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
fn a_week_over_before_the_couple_was_formed_is_not_summed_up() {
    let june = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    // Formed on Saturday 13 June, Honolulu time; the next Monday the week of 8 June is theirs,
    // the week of 1 June never was.
    let formed = HONOLULU
        .with_ymd_and_hms(2026, 6, 13, 15, 0, 0)
        .unwrap()
        .to_utc();
    let saturday_later = formed + Duration::hours(2);
    assert_eq!(week_to_sum_up(saturday_later, HONOLULU, formed), None);
    let monday = HONOLULU
        .with_ymd_and_hms(2026, 6, 15, 0, 30, 0)
        .unwrap()
        .to_utc();
    assert_eq!(week_to_sum_up(monday, HONOLULU, formed), Some(june(8)));
    // Formed at the very last instant of a week, that week is still theirs.
    let last_instant = HONOLULU
        .with_ymd_and_hms(2026, 6, 14, 23, 59, 59)
        .unwrap()
        .to_utc();
    assert_eq!(
        week_to_sum_up(monday, HONOLULU, last_instant),
        Some(june(8))
    );
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

#[test]
fn the_narrative_tells_the_week_from_its_numbers() {
    let mut summary = WeeklySummary {
        week_start: chrono::NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
        planned: 10,
        completed: 9,
        members: Vec::new(),
        average_closeness: Some(4.5),
        previous_average_closeness: Some(3.5),
        trend: Trend::Closer,
        balance: Vec::new(),
        streak_weeks: 3,
        longest_streak_weeks: 3,
        suggestion: Suggestion {
            text: "Try a weekly adventure.".into(),
            ritual_key: Some("weekly_adventure".into()),
        },
        extras: Extras {
            check_ins_both_answered: 2,
            results_shared: 0,
        },
        narrative: None,
    };
    let text = narrative(&summary);
    assert!(text.contains("9 of 10"), "{text}");
    assert!(text.contains("strong week"), "{text}");
    assert!(text.contains("closer"), "{text}");
    assert!(text.contains("3 weeks"), "{text}");
    assert!(text.contains("2 days"), "{text}");
    assert!(
        text.ends_with("For next week: Try a weekly adventure."),
        "{text}"
    );
    summary.planned = 0;
    summary.completed = 0;
    summary.trend = Trend::Unknown;
    assert!(narrative(&summary).starts_with("This week had no rituals planned"));
}
