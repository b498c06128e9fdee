use chrono::{NaiveTime, TimeZone};

use super::*;
use crate::schedule::Cadence;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn item(assignee: Assignee, members: Vec<Uuid>) -> ItemHistory {
    ItemHistory {
        schedule: Schedule::new(
            Cadence::Daily,
            NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            chrono_tz::UTC,
            day(2),
        )
        .unwrap(),
        assignee,
        members,
        completions: vec![],
        pauses: vec![],
        ended_at: None,
        category: Some(RitualCategory::Physical),
        history_from: day(1),
    }
}

#[test]
fn both_needs_both_members_and_pauses_keep_the_streak() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let now = Utc.with_ymd_and_hms(2026, 11, 9, 12, 0, 0).unwrap();
    let mut it = item(Assignee::Both, vec![a, b]);
    // Monday 2nd to Sunday 8th, both each day except the 4th to 6th, which are paused.
    for d in [2, 3, 7, 8] {
        it.completions.push((day(d), a, 4));
        it.completions.push((day(d), b, 5));
    }
    it.pauses.push((
        Utc.with_ymd_and_hms(2026, 11, 4, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 7, 0, 0, 0).unwrap(),
    ));
    assert_eq!(
        it.streak(now, &StreakRules::default()),
        Streak {
            current: 4,
            longest: 4
        }
    );
    let weeks = weekly_progress(&[it.clone()], chrono_tz::UTC, 2, now);
    assert_eq!(weeks.len(), 2);
    assert_eq!((weeks[0].planned, weeks[0].completed), (4, 4));
    assert_eq!(weeks[0].average_closeness, Some(4.5));
    assert_eq!(
        (weeks[1].planned, weeks[1].completed),
        (7, 0),
        "the current week"
    );
    // Only one member on the 3rd: not complete.
    it.completions
        .retain(|(d, m, _)| !(*d == day(3) && *m == b));
    assert_eq!(
        weekly_progress(&[it], chrono_tz::UTC, 2, now)[0].completed,
        3
    );
}

#[test]
fn balance_shares_sum_to_one() {
    let a = Uuid::new_v4();
    let now = Utc.with_ymd_and_hms(2026, 11, 9, 12, 0, 0).unwrap();
    let mut touch = item(Assignee::Either, vec![a]);
    let mut talk = item(Assignee::Either, vec![a]);
    talk.category = Some(RitualCategory::Emotional);
    for d in [2, 3, 4] {
        touch.completions.push((day(d), a, 3));
    }
    talk.completions.push((day(2), a, 3));
    let shares = balance(
        &[touch, talk],
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        now,
    );
    assert_eq!(shares[0], (RitualCategory::Emotional, 0.25));
    assert_eq!(shares[2], (RitualCategory::Physical, 0.75));
    assert_eq!(shares.iter().map(|(_, s)| s).sum::<f64>(), 1.0);
}

#[test]
fn every_category_counts_in_the_balance() {
    let a = Uuid::new_v4();
    let now = Utc.with_ymd_and_hms(2026, 11, 9, 12, 0, 0).unwrap();
    let mut kiss = item(Assignee::Either, vec![a]);
    kiss.category = Some(RitualCategory::Physical);
    let mut honesty = item(Assignee::Either, vec![a]);
    honesty.category = Some(RitualCategory::Communication);
    kiss.completions.push((day(2), a, 3));
    honesty.completions.push((day(2), a, 3));
    let shares = balance(
        &[kiss, honesty],
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        now,
    );
    assert_eq!(shares.len(), RitualCategory::ALL.len());
    let share = |c| shares.iter().find(|(k, _)| *k == c).unwrap().1;
    assert_eq!(share(RitualCategory::Physical), 0.5);
    assert_eq!(share(RitualCategory::Communication), 0.5);
}

#[test]
fn history_is_walked_from_the_plan_not_from_a_first_day_in_antiquity() {
    let mut ancient = item(Assignee::Either, vec![Uuid::new_v4()]);
    ancient.schedule = Schedule::new(
        Cadence::Daily,
        NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        chrono_tz::UTC,
        NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
    )
    .unwrap();
    ancient.history_from = day(20);
    let now = day(27).and_hms_opt(12, 0, 0).unwrap().and_utc();
    let periods = ancient.periods(now);
    assert_eq!(periods.len(), 8, "20th to 27th November");
    assert_eq!(periods[0].0, day(20));
    assert!(!ancient.is_due(day(19)));
    let weeks = weekly_progress(std::slice::from_ref(&ancient), chrono_tz::UTC, 52, now);
    let planned: u32 = weeks.iter().map(|w| w.planned).sum();
    assert_eq!(
        planned, 10,
        "20th November to the end of the current week, the 29th"
    );
}
