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
    /// Completed occurrences across every catalog category, as shares summing to 1 (or all 0).
    pub balance: Vec<(RitualCategory, f64)>,
    /// The couple's streak in weeks, as the week closed.
    pub streak_weeks: u32,
    pub longest_streak_weeks: u32,
    pub suggestion: Suggestion,
    pub extras: Extras,
    /// A few warm sentences from the numbers above (never from notes or answers); absent from
    /// summaries stored before narratives existed, which [`narrative`] writes on reading.
    #[serde(default)]
    pub narrative: Option<String>,
}

/// The first instant of the local date `date` in `tz`.
pub fn start_of(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(NaiveTime::MIN))
}

/// The last week that is over at `now` in `tz`: the ISO week before the current one.
pub fn last_finished_week(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    week_start(now.with_timezone(&tz).date_naive()) - Duration::weeks(1)
}

/// The week to sum up for a couple formed at `formed`: the last finished week at `now` in
/// `tz`, unless it was over before the couple existed (nothing of theirs to tell).
pub fn week_to_sum_up(now: DateTime<Utc>, tz: Tz, formed: DateTime<Utc>) -> Option<NaiveDate> {
    let week = last_finished_week(now, tz);
    (start_of(week + Duration::weeks(1), tz) > formed).then_some(week)
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
        narrative: None,
    }
    .narrated()
}

impl WeeklySummary {
    /// The summary with its template narrative.
    fn narrated(mut self) -> Self {
        self.narrative = Some(narrative(&self));
        self
    }
}

/// The week in a few warm sentences, from its own numbers only.
pub fn narrative(summary: &WeeklySummary) -> String {
    let mut sentences = Vec::new();
    let (planned, completed) = (summary.planned, summary.completed);
    if planned == 0 {
        sentences.push(
            "This week had no rituals planned. A quiet week is allowed; one small ritual is \
             enough to pick things up again."
                .to_owned(),
        );
    } else {
        let rate = f64::from(completed) / f64::from(planned);
        let verdict = if rate >= 0.8 {
            "a strong week"
        } else if rate >= 0.5 {
            "steady progress"
        } else if completed > 0 {
            "a start worth building on"
        } else {
            "a week to begin again, gently"
        };
        sentences.push(format!(
            "You two completed {completed} of {planned} planned rituals: {verdict}."
        ));
    }
    match summary.trend {
        Trend::Closer => sentences.push("It felt closer than the week before.".into()),
        Trend::Steady => sentences.push("Closeness held steady.".into()),
        Trend::LessClose => sentences.push(
            "It felt a little less close than last week, which is worth a kind, honest \
             check-in."
                .into(),
        ),
        Trend::Unknown => {}
    }
    if summary.streak_weeks >= 2 {
        sentences.push(format!(
            "Your streak is {} weeks and counting.",
            summary.streak_weeks
        ));
    }
    match summary.extras.check_ins_both_answered {
        0 => {}
        1 => sentences.push("You both answered the check-in on one day.".into()),
        n => sentences.push(format!("You both answered the check-in on {n} days.")),
    }
    if !summary.suggestion.text.is_empty() {
        sentences.push(format!("For next week: {}", summary.suggestion.text));
    }
    sentences.join(" ")
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
        .filter(|(category, _)| BALANCED.contains(category))
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
mod tests;
