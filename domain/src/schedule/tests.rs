use chrono::Timelike;
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn daily(tz: Tz, at: NaiveTime) -> Schedule {
    Schedule::new(Cadence::Daily, at, tz, date(2026, 1, 1)).unwrap()
}

#[test]
fn a_time_skipped_by_spring_forward_fires_when_the_clock_resumes() {
    // New York, 8 March 2026: 02:00 jumps to 03:00.
    let s = daily(chrono_tz::America::New_York, time(2, 30));
    let at = s.instant_on(date(2026, 3, 8));
    assert_eq!(
        at,
        Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0).unwrap(),
        "03:00 EDT"
    );
    // Lord Howe, 4 October 2026: 02:00 jumps to 02:30.
    let s = daily(chrono_tz::Australia::Lord_Howe, time(2, 15));
    let local = s
        .instant_on(date(2026, 10, 4))
        .with_timezone(&chrono_tz::Australia::Lord_Howe);
    assert_eq!((local.hour(), local.minute()), (2, 30));
}

#[test]
fn an_ambiguous_time_fires_once_at_the_earlier_instant() {
    // New York, 1 November 2026: 01:30 happens twice.
    let s = daily(chrono_tz::America::New_York, time(1, 30));
    assert_eq!(
        s.instant_on(date(2026, 11, 1)),
        Utc.with_ymd_and_hms(2026, 11, 1, 5, 30, 0).unwrap()
    );
    let fired: Vec<_> = s
        .occurrences_after(Utc.with_ymd_and_hms(2026, 10, 31, 12, 0, 0).unwrap())
        .take(2)
        .collect();
    assert_eq!(fired[0].date, date(2026, 11, 1));
    assert_eq!(fired[1].date, date(2026, 11, 2));
}

#[test]
fn a_ritual_at_nine_pm_stays_at_nine_pm_across_dst() {
    let tz = chrono_tz::Europe::London;
    let s = daily(tz, time(21, 0));
    for d in [
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 10, 25),
        date(2026, 10, 26),
    ] {
        let local = s.instant_on(d).with_timezone(&tz);
        assert_eq!(
            (local.date_naive(), local.hour(), local.minute()),
            (d, 21, 0)
        );
    }
}

#[test]
fn monthly_days_clamp_and_nth_weekdays_are_found() {
    let end = Schedule::new(
        Cadence::Monthly(MonthDay::Day(31)),
        time(9, 0),
        chrono_tz::UTC,
        date(2026, 1, 1),
    )
    .unwrap();
    assert_eq!(
        end.dates_between(date(2026, 2, 1), date(2026, 5, 1)),
        vec![date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    );
    let last_fri = Schedule::new(
        Cadence::Monthly(MonthDay::Nth(Nth::Last, Weekday::Fri)),
        time(9, 0),
        chrono_tz::UTC,
        date(2026, 1, 1),
    )
    .unwrap();
    assert_eq!(
        last_fri.dates_between(date(2026, 1, 1), date(2026, 3, 1)),
        vec![date(2026, 1, 30), date(2026, 2, 27)]
    );
    let second_tue = Schedule::new(
        Cadence::Monthly(MonthDay::Nth(Nth::Second, Weekday::Tue)),
        time(9, 0),
        chrono_tz::UTC,
        date(2026, 1, 1),
    )
    .unwrap();
    assert_eq!(
        second_tue.dates_between(date(2026, 1, 1), date(2026, 2, 1)),
        vec![date(2026, 1, 13)]
    );
}

#[test]
fn every_n_weeks_counts_from_the_starting_week_and_periods_follow_the_cadence() {
    // 2026-01-07 is a Wednesday; the first block starts Monday 5 January.
    let s = Schedule::new(
        Cadence::EveryNWeeks {
            interval: 2,
            days: vec![Weekday::Mon, Weekday::Fri],
        },
        time(18, 0),
        chrono_tz::UTC,
        date(2026, 1, 7),
    )
    .unwrap();
    assert_eq!(
        s.dates_between(date(2026, 1, 1), date(2026, 1, 31)),
        vec![date(2026, 1, 9), date(2026, 1, 19), date(2026, 1, 23)]
    );
    assert_eq!(
        s.period_of(date(2026, 1, 14)),
        Period {
            start: date(2026, 1, 5),
            end: date(2026, 1, 19)
        }
    );
    let weekly = Schedule::new(
        Cadence::Weekly(vec![Weekday::Sun]),
        time(8, 0),
        chrono_tz::UTC,
        date(2026, 1, 1),
    )
    .unwrap();
    assert_eq!(
        weekly.period_of(date(2026, 1, 1)),
        Period {
            start: date(2025, 12, 29),
            end: date(2026, 1, 5)
        }
    );
    assert_eq!(
        Schedule::new(
            Cadence::Weekly(vec![]),
            time(8, 0),
            chrono_tz::UTC,
            date(2026, 1, 1)
        ),
        Err(ScheduleError::NoDays)
    );
}

const ZONES: [Tz; 5] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Asia::Kolkata,
];

fn weekday(i: u8) -> Weekday {
    Weekday::try_from(i % 7).unwrap()
}

fn cadence() -> impl Strategy<Value = Cadence> {
    let days = proptest::collection::vec(0u8..7, 1..4)
        .prop_map(|v| v.into_iter().map(weekday).collect::<Vec<_>>());
    prop_oneof![
        Just(Cadence::Daily),
        Just(Cadence::Weekdays),
        days.clone().prop_map(Cadence::Weekly),
        (2u32..=4, days).prop_map(|(interval, days)| Cadence::EveryNWeeks { interval, days }),
        (1u32..=31).prop_map(|d| Cadence::Monthly(MonthDay::Day(d))),
        (0u8..5, 0u8..7).prop_map(|(n, w)| {
            let nth = [Nth::First, Nth::Second, Nth::Third, Nth::Fourth, Nth::Last][usize::from(n)];
            Cadence::Monthly(MonthDay::Nth(nth, weekday(w)))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Over a whole year in zones with 1-hour, 30-minute and 45-minute DST shifts (and none):
    /// occurrences strictly increase, never repeat, land on the requested local time whenever
    /// it exists, and a daily cadence never skips a local day.
    #[test]
    fn a_year_of_occurrences_keeps_the_time_rules(
        zone in 0usize..5,
        hour in 0u32..24,
        minute in prop_oneof![Just(0u32), Just(15), Just(30), Just(45), 0u32..60],
        start_day in 0i64..365,
        cadence in cadence(),
    ) {
        let tz = ZONES[zone];
        let starts_on = date(2026, 1, 1) + Duration::days(start_day);
        let schedule = Schedule::new(cadence.clone(), time(hour, minute), tz, starts_on).unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let until = from + Duration::days(365 + 366);
        let fired: Vec<Occurrence> = schedule.occurrences_after(from).take_while(|o| o.at < until).collect();
        prop_assert!(!fired.is_empty());
        for pair in fired.windows(2) {
            prop_assert!(pair[0].at < pair[1].at, "strictly increasing: {:?}", pair);
            prop_assert!(pair[0].date < pair[1].date, "one occurrence per local date: {:?}", pair);
            if cadence == Cadence::Daily {
                prop_assert_eq!(pair[1].date - pair[0].date, Duration::days(1), "a daily ritual skipped a day");
            }
        }
        for o in &fired {
            prop_assert!(schedule.occurs_on(o.date));
            prop_assert!(o.date >= starts_on);
            let local = tz.from_local_datetime(&o.date.and_time(schedule.local_time()));
            let fired_local = o.at.with_timezone(&tz).naive_local();
            match local {
                LocalResult::Single(t) => prop_assert_eq!(t.with_timezone(&Utc), o.at),
                LocalResult::Ambiguous(a, b) => prop_assert_eq!(a.min(b).with_timezone(&Utc), o.at),
                LocalResult::None => prop_assert!(
                    fired_local > o.date.and_time(schedule.local_time()),
                    "a skipped time fires later, not earlier"
                ),
            }
            prop_assert!(schedule.period_of(o.date).contains(o.date));
        }
    }
}
