//! When a member is reminded of a plan item, as pure functions of (schedule, member's time
//! zone, quiet hours, window).
//!
//! A ritual's occurrence belongs to a local date of its schedule and has a local time of day.
//! A schedule with a time zone is one instant for both members: each is reminded then, wherever
//! they are. A floating schedule is each member's local time in *their own* time zone, so a
//! member who travels is reminded at 21:00 where they are and their later reminders follow
//! them. DESIGN.md's DST rules apply (a missing local time fires at the next valid instant, an
//! ambiguous one at the earlier), and a reminder inside the member's quiet hours (in their own
//! zone, whatever the schedule) moves to the end of them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::account::QuietHours;
use crate::plan::Assignee;
use crate::schedule::{Schedule, resolve_local};

/// How far ahead of its instant the planner schedules a reminder.
pub const PLAN_AHEAD: Duration = Duration::minutes(10);
/// How far back a planner run still picks up reminders missed while no worker ran (they go
/// out at once, late).
pub const CATCH_UP: Duration = Duration::hours(1);

/// One reminder to plan: an occurrence's date and its instant in the member's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Due {
    pub date: NaiveDate,
    /// The occurrence's local time, in the member's zone.
    pub due_at: DateTime<Utc>,
    /// When the reminder goes out: `due_at`, or the end of quiet hours it fell into.
    pub fire_at: DateTime<Utc>,
}

/// The instant a schedule's occurrence on `date` falls at for a member in `tz`: the schedule's
/// own instant, or, when it floats, its local time in `tz`.
pub fn member_instant(schedule: &Schedule, date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let zone = schedule.in_zone(tz).tz();
    resolve_local(zone, date.and_time(schedule.local_time()))
}

/// `at`, or the end of the quiet hours it falls into, in the member's zone.
pub fn after_quiet_hours(at: DateTime<Utc>, tz: Tz, quiet: Option<QuietHours>) -> DateTime<Utc> {
    let Some(quiet) = quiet else {
        return at;
    };
    let local = at.with_timezone(&tz).naive_local();
    if !quiet.contains(local.time()) {
        return at;
    }
    // The window ends today if it has not yet, or tomorrow when it runs past midnight.
    let end_date = if local.time() < quiet.end {
        local.date()
    } else {
        local.date() + Duration::days(1)
    };
    resolve_local(tz, end_date.and_time(quiet.end)).max(at)
}

/// The member's reminders whose due instant lies in `[from, to)`, in order.
pub fn due_between(
    schedule: &Schedule,
    tz: Tz,
    quiet: Option<QuietHours>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Due> {
    // A local date may sit up to 26 hours from UTC in either direction and a DST gap may push
    // an instant past midnight: look a couple of days either side and filter by instant.
    let first = from.date_naive() - Duration::days(2);
    let last = to.date_naive() + Duration::days(2);
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| schedule.occurs_on(*d))
        .filter_map(|date| {
            let due_at = member_instant(schedule, date, tz);
            (from <= due_at && due_at < to).then(|| Due {
                date,
                due_at,
                fire_at: after_quiet_hours(due_at, tz, quiet),
            })
        })
        .collect()
}

/// Who is still to be reminded of an occurrence: the members the item expects, less those who
/// logged it; nobody once anyone logged an either-member item.
pub fn to_remind(assignee: Assignee, members: &[Uuid], logged_by: &[Uuid]) -> Vec<Uuid> {
    if assignee == Assignee::Either && !logged_by.is_empty() {
        return Vec::new();
    }
    members
        .iter()
        .copied()
        .filter(|m| assignee.includes(*m) && !logged_by.contains(m))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone, Weekday};

    use super::*;
    use crate::schedule::Cadence;

    fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn daily(time: &str, tz: Tz) -> Schedule {
        Schedule::new(
            Cadence::Daily,
            NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            tz,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
        .unwrap()
    }

    const LONDON: Tz = chrono_tz::Europe::London;
    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn a_schedule_with_a_zone_is_one_instant_for_both_members_across_either_zones_dst() {
        let schedule = daily("21:00", LONDON);
        // New York springs forward on 8 March, London on 29 March; a week apart either way.
        for (m, d) in [
            (3, 7),
            (3, 8),
            (3, 28),
            (3, 29),
            (10, 24),
            (10, 25),
            (11, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(2026, m, d).unwrap();
            let london = at(LONDON, 2026, m, d, 21, 0);
            assert_eq!(member_instant(&schedule, date, LONDON), london);
            assert_eq!(member_instant(&schedule, date, NEW_YORK), london, "{date}");
        }
        // Quiet hours are the member's own: 16:00 in New York is inside a nap from 15:30.
        let nap = QuietHours::parse("15:30", "16:30").unwrap();
        let found = due_between(
            &schedule,
            NEW_YORK,
            Some(nap),
            at(LONDON, 2026, 6, 10, 20, 0),
            at(LONDON, 2026, 6, 10, 22, 0),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].due_at, at(LONDON, 2026, 6, 10, 21, 0));
        assert_eq!(found[0].fire_at, at(NEW_YORK, 2026, 6, 10, 16, 30));
    }

    #[test]
    fn a_floating_schedule_reminds_each_member_at_the_local_time_in_their_own_zone() {
        let schedule = daily("21:00", LONDON).floating(true);
        let date = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        assert_eq!(
            member_instant(&schedule, date, LONDON),
            at(LONDON, 2026, 6, 10, 21, 0)
        );
        assert_eq!(
            member_instant(&schedule, date, NEW_YORK),
            at(NEW_YORK, 2026, 6, 10, 21, 0)
        );
    }

    #[test]
    fn floating_reminders_keep_their_local_time_across_dst_in_both_directions() {
        let schedule = daily("21:00", LONDON).floating(true);
        // London springs forward on 29 March 2026; New York on 8 March.
        for (tz, before, after) in [
            (LONDON, (3, 28), (3, 29)),
            (NEW_YORK, (3, 7), (3, 8)),
            // And back: London on 25 October, New York on 1 November.
            (LONDON, (10, 24), (10, 25)),
            (NEW_YORK, (10, 31), (11, 1)),
        ] {
            for (m, d) in [before, after] {
                let date = NaiveDate::from_ymd_opt(2026, m, d).unwrap();
                let instant = member_instant(&schedule, date, tz);
                let local = instant.with_timezone(&tz);
                assert_eq!(local.date_naive(), date);
                assert_eq!(local.time(), NaiveTime::from_hms_opt(21, 0, 0).unwrap());
            }
        }
    }

    #[test]
    fn a_missing_local_time_fires_at_the_next_valid_instant() {
        let schedule = daily("01:30", LONDON);
        let date = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(
            member_instant(&schedule, date, LONDON),
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
        );
    }

    #[test]
    fn quiet_hours_move_a_reminder_to_their_end_even_past_midnight() {
        let night = QuietHours::parse("22:00", "07:00").unwrap();
        let late = at(LONDON, 2026, 6, 10, 23, 15);
        assert_eq!(
            after_quiet_hours(late, LONDON, Some(night)),
            at(LONDON, 2026, 6, 11, 7, 0)
        );
        let early = at(LONDON, 2026, 6, 11, 6, 59);
        assert_eq!(
            after_quiet_hours(early, LONDON, Some(night)),
            at(LONDON, 2026, 6, 11, 7, 0)
        );
        let awake = at(LONDON, 2026, 6, 11, 7, 0);
        assert_eq!(after_quiet_hours(awake, LONDON, Some(night)), awake);
        assert_eq!(after_quiet_hours(late, LONDON, None), late);
        let nap = QuietHours::parse("13:00", "14:00").unwrap();
        assert_eq!(
            after_quiet_hours(at(LONDON, 2026, 6, 11, 13, 30), LONDON, Some(nap)),
            at(LONDON, 2026, 6, 11, 14, 0)
        );
    }

    #[test]
    fn the_window_holds_exactly_the_instants_inside_it() {
        let schedule = Schedule::new(
            Cadence::Weekly(vec![Weekday::Wed]),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            LONDON,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
        .unwrap()
        .floating(true);
        let due = at(NEW_YORK, 2026, 6, 10, 9, 0);
        let found = due_between(&schedule, NEW_YORK, None, due, due + Duration::minutes(1));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].due_at, due);
        assert_eq!(found[0].date, NaiveDate::from_ymd_opt(2026, 6, 10).unwrap());
        assert!(
            due_between(
                &schedule,
                NEW_YORK,
                None,
                due + Duration::seconds(1),
                due + Duration::days(6)
            )
            .is_empty()
        );
        assert!(due_between(&schedule, NEW_YORK, None, due - Duration::days(6), due).is_empty());
    }

    #[test]
    fn completed_occurrences_remind_nobody_who_logged_them() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(to_remind(Assignee::Both, &[a, b], &[]), vec![a, b]);
        assert_eq!(to_remind(Assignee::Both, &[a, b], &[a]), vec![b]);
        assert_eq!(to_remind(Assignee::Either, &[a, b], &[]), vec![a, b]);
        assert!(to_remind(Assignee::Either, &[a, b], &[b]).is_empty());
        assert_eq!(to_remind(Assignee::One(b), &[a, b], &[]), vec![b]);
        assert!(to_remind(Assignee::One(b), &[a, b], &[b]).is_empty());
    }
}
