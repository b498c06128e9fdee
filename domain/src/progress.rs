//! Progress: per-item and couple streaks, weekly completion rates and the balance across the
//! dimensions of intimacy, all computed from a plan's history.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::catalog::RitualCategory;
use crate::plan::{Assignee, LATE_WINDOW_HOURS};
use crate::schedule::{Schedule, week_start};
use crate::streak::{PeriodOutcome, Streak, StreakRules, streak};

/// Everything about one plan item that progress depends on.
#[derive(Debug, Clone)]
pub struct ItemHistory {
    pub schedule: Schedule,
    pub assignee: Assignee,
    /// The couple's current members.
    pub members: Vec<Uuid>,
    /// Completions as (occurrence date, member, closeness 1-5).
    pub completions: Vec<(NaiveDate, Uuid, u8)>,
    /// Paused stretches, `[from, until)`.
    pub pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// When the item left the plan, if it did: nothing is due after.
    pub ended_at: Option<DateTime<Utc>>,
    pub category: Option<RitualCategory>,
    /// The first local date anything of this item could have been logged: its plan's creation
    /// less the late window. Streaks and progress never walk further back, whatever the
    /// schedule's first day says.
    pub history_from: NaiveDate,
}

/// Stops runaway loops over absurd histories (about 13 years of daily periods).
const MAX_PERIODS: usize = 5_000;

impl ItemHistory {
    fn is_paused(&self, at: DateTime<Utc>) -> bool {
        self.pauses
            .iter()
            .any(|(from, until)| *from <= at && at < *until)
    }

    /// Whether the occurrence of `date` was due: scheduled, not paused, not after the item ended.
    pub fn is_due(&self, date: NaiveDate) -> bool {
        if date < self.history_from || !self.schedule.occurs_on(date) {
            return false;
        }
        let at = self.schedule.instant_on(date);
        !self.is_paused(at) && self.ended_at.is_none_or(|end| at < end)
    }

    /// Who logged the occurrence of `date`.
    pub fn logged_by(&self, date: NaiveDate) -> Vec<Uuid> {
        self.completions
            .iter()
            .filter(|(d, _, _)| *d == date)
            .map(|(_, member, _)| *member)
            .collect()
    }

    pub fn is_complete(&self, date: NaiveDate) -> bool {
        self.assignee
            .is_complete(&self.logged_by(date), &self.members)
    }

    /// The history's first day: the schedule's first, or [`Self::history_from`] if later.
    pub fn first_day(&self) -> NaiveDate {
        self.schedule.starts_on().max(self.history_from)
    }

    /// Each period from the item's start to now, with how it ended.
    pub fn periods(&self, now: DateTime<Utc>) -> Vec<(NaiveDate, PeriodOutcome)> {
        let today = self.schedule.local_date(now);
        let current = self.schedule.period_of(today);
        let first = self.first_day();
        let mut period = self.schedule.period_of(first);
        let mut out = Vec::new();
        while period.start <= current.start && out.len() < MAX_PERIODS {
            let due: Vec<NaiveDate> = self
                .schedule
                .dates_between(period.start.max(first), period.end)
                .into_iter()
                .filter(|d| self.is_due(*d))
                .collect();
            let outcome = if due.is_empty() {
                PeriodOutcome::Skipped
            } else if due.iter().all(|d| self.is_complete(*d)) {
                PeriodOutcome::Done
            } else if period == current
                || due.iter().any(|d| {
                    !self.is_complete(*d)
                        && now <= self.schedule.instant_on(*d) + Duration::hours(LATE_WINDOW_HOURS)
                })
            {
                PeriodOutcome::Open
            } else {
                PeriodOutcome::Missed
            };
            out.push((period.start, outcome));
            period = self.schedule.period_of(period.end);
        }
        out
    }

    pub fn streak(&self, now: DateTime<Utc>, rules: &StreakRules) -> Streak {
        streak(&self.periods(now), rules)
    }
}

/// One ISO week of a couple's progress, in the couple's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekProgress {
    pub week_start: NaiveDate,
    /// Occurrences due that week.
    pub planned: u32,
    /// Of those, how many are complete (a BOTH occurrence once both members logged it).
    pub completed: u32,
    /// The mean closeness of that week's logs, if any.
    pub average_closeness: Option<f64>,
}

impl WeekProgress {
    /// Completed over planned; 0 when nothing was planned.
    pub fn rate(&self) -> f64 {
        if self.planned == 0 {
            0.0
        } else {
            f64::from(self.completed) / f64::from(self.planned)
        }
    }
}

/// The couple-week an item's occurrence belongs to.
fn couple_week(item: &ItemHistory, date: NaiveDate, couple_tz: Tz) -> NaiveDate {
    let at = item.schedule.instant_on(date).with_timezone(&couple_tz);
    week_start(at.date_naive())
}

/// Weekly progress for the weeks from `first_week` to the current one, oldest first.
fn weeks_from(
    items: &[ItemHistory],
    couple_tz: Tz,
    first_week: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<WeekProgress> {
    let current_week = week_start(now.with_timezone(&couple_tz).date_naive());
    let mut weeks: BTreeMap<NaiveDate, (u32, u32, u32, u32)> = BTreeMap::new();
    let mut week = first_week;
    while week <= current_week && weeks.len() < MAX_PERIODS {
        weeks.insert(week, (0, 0, 0, 0));
        week += Duration::weeks(1);
    }
    // Item dates are local to the item; a day's margin catches occurrences that cross into the
    // couple's week from another time zone.
    let from = first_week - Duration::days(2);
    let to = current_week + Duration::days(9);
    for item in items {
        for date in item.schedule.dates_between(from, to) {
            if !item.is_due(date) {
                continue;
            }
            let Some(entry) = weeks.get_mut(&couple_week(item, date, couple_tz)) else {
                continue;
            };
            entry.0 += 1;
            if item.is_complete(date) {
                entry.1 += 1;
            }
            for (d, _, closeness) in &item.completions {
                if *d == date {
                    entry.2 += u32::from(*closeness);
                    entry.3 += 1;
                }
            }
        }
    }
    weeks
        .into_iter()
        .map(
            |(week_start, (planned, completed, sum, logs))| WeekProgress {
                week_start,
                planned,
                completed,
                average_closeness: (logs > 0).then(|| f64::from(sum) / f64::from(logs)),
            },
        )
        .collect()
}

/// The last `weeks` ISO weeks (the current one included), oldest first.
pub fn weekly_progress(
    items: &[ItemHistory],
    couple_tz: Tz,
    weeks: u32,
    now: DateTime<Utc>,
) -> Vec<WeekProgress> {
    let current_week = week_start(now.with_timezone(&couple_tz).date_naive());
    let first = current_week - Duration::weeks(i64::from(weeks.max(1)) - 1);
    weeks_from(items, couple_tz, first, now)
}

/// The couple's streak, counted in weeks: a week with something due is kept when at least one
/// of its occurrences was completed. Weeks with nothing due (all paused) are skipped.
pub fn couple_streak(
    items: &[ItemHistory],
    couple_tz: Tz,
    now: DateTime<Utc>,
    rules: &StreakRules,
) -> Streak {
    let Some(first) = items.iter().map(ItemHistory::first_day).min() else {
        return Streak::default();
    };
    let current_week = week_start(now.with_timezone(&couple_tz).date_naive());
    let periods: Vec<(NaiveDate, PeriodOutcome)> =
        weeks_from(items, couple_tz, week_start(first), now)
            .into_iter()
            .map(|w| {
                let outcome = if w.planned == 0 {
                    PeriodOutcome::Skipped
                } else if w.completed > 0 {
                    PeriodOutcome::Done
                } else if w.week_start == current_week {
                    PeriodOutcome::Open
                } else {
                    PeriodOutcome::Missed
                };
                (w.week_start, outcome)
            })
            .collect();
    streak(&periods, rules)
}

/// The dimensions of intimacy the guide names: a good week's suggestion is the one done least.
pub const BALANCED: [RitualCategory; 4] = [
    RitualCategory::Emotional,
    RitualCategory::Intellectual,
    RitualCategory::Physical,
    RitualCategory::Novelty,
];

/// How completed occurrences from `from` on spread across every category the catalog has (in
/// [`RitualCategory::ALL`]'s order); shares sum to 1 when anything was completed, else all are 0.
pub fn balance(
    items: &[ItemHistory],
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(RitualCategory, f64)> {
    let mut counts = vec![0u32; RitualCategory::ALL.len()];
    for item in items {
        let Some(index) = item
            .category
            .and_then(|c| RitualCategory::ALL.iter().position(|b| *b == c))
        else {
            continue;
        };
        let start = item.schedule.local_date(from);
        let end = item.schedule.local_date(now) + Duration::days(1);
        for date in item.schedule.dates_between(start, end) {
            if item.is_due(date) && item.is_complete(date) {
                counts[index] += 1;
            }
        }
    }
    let total: u32 = counts.iter().sum();
    RitualCategory::ALL
        .iter()
        .zip(counts)
        .map(|(category, n)| {
            let share = if total == 0 {
                0.0
            } else {
                f64::from(n) / f64::from(total)
            };
            (*category, share)
        })
        .collect()
}

#[cfg(test)]
mod tests;
