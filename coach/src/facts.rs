//! What a language model may be told about a member: the allow-list, as a type.
//!
//! [`Facts`] is the only thing of a member's that reaches a model's prompt. Its parts are built
//! from stored rows by constructors that take only what is allowed: a ritual's key, title and
//! cadence; the member's own streak and counts; a band of a non-safety instrument (never an
//! answer); a break's status and end date; the member's locale, the language they asked
//! Rekindle to use (a validated BCP 47 tag such as `es-MX`). No part holds a name, an email, a note, an answer or
//! anything of a safety result, and none can be made from free text:
//!
//! ```compile_fail
//! let band = rekindle_coach::facts::Band {
//!     instrument_key: "x".into(),
//!     instrument: "x".into(),
//!     band: "an answer".into(),
//! };
//! ```

use chrono::NaiveDate;
use domain::breaks::BreakStatus;
use domain::instrument::Instrument;
use domain::schedule::{Cadence, MonthDay};
use domain::streak::Streak;
use entities::{assessment, couple_break, plan_item, ritual};
use serde::Serialize;

/// Everything a model may know of the member it talks to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Facts {
    locale: String,
    plan: Vec<PlanRitual>,
    streak: Option<Streaks>,
    bands: Vec<Band>,
    on_break: Option<BreakState>,
}

impl Default for Facts {
    fn default() -> Self {
        Self {
            locale: domain::messages::DEFAULT_LOCALE.to_owned(),
            plan: Vec::new(),
            streak: None,
            bands: Vec::new(),
            on_break: None,
        }
    }
}

impl Facts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The member's locale, as `users.locale` holds it (a canonical BCP 47 tag).
    pub fn with_locale(mut self, locale: &str) -> Self {
        locale.clone_into(&mut self.locale);
        self
    }

    pub fn locale(&self) -> &str {
        &self.locale
    }

    pub fn with_plan(mut self, plan: Vec<PlanRitual>) -> Self {
        self.plan = plan;
        self
    }

    pub fn with_streak(mut self, streak: Streaks) -> Self {
        self.streak = Some(streak);
        self
    }

    pub fn with_bands(mut self, bands: Vec<Band>) -> Self {
        self.bands = bands;
        self
    }

    pub fn with_break(mut self, state: Option<BreakState>) -> Self {
        self.on_break = state;
        self
    }

    pub fn plan(&self) -> &[PlanRitual] {
        &self.plan
    }

    pub fn streak(&self) -> Option<&Streaks> {
        self.streak.as_ref()
    }

    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    pub fn on_break(&self) -> Option<&BreakState> {
        self.on_break.as_ref()
    }

    /// The facts as a model reads them (JSON).
    pub fn to_prompt(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A ritual of the member's active plan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlanRitual {
    key: String,
    title: String,
    cadence: String,
}

impl PlanRitual {
    /// An active item of the member's plan and its ritual; `None` for an item that is not
    /// active or whose schedule cannot be read.
    pub fn of(item: &plan_item::Model, ritual: &ritual::Model) -> Option<Self> {
        if item.ritual_id != ritual.id || !item.is_active().ok()? {
            return None;
        }
        let schedule = item.schedule().ok()?;
        Some(Self {
            key: ritual.key.clone(),
            title: ritual.title.clone(),
            cadence: cadence_words(schedule.cadence()),
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn title(&self) -> &str {
        &self.title
    }
}

fn cadence_words(cadence: &Cadence) -> String {
    let days = |days: &[chrono::Weekday]| {
        days.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match cadence {
        Cadence::Daily => "daily".into(),
        Cadence::Weekdays => "on weekdays".into(),
        Cadence::Weekly(d) => format!("weekly on {}", days(d)),
        Cadence::EveryNWeeks { interval, days: d } => {
            format!("every {interval} weeks on {}", days(d))
        }
        Cadence::Monthly(MonthDay::Day(n)) => format!("monthly on day {n}"),
        Cadence::Monthly(MonthDay::Nth(..)) => "monthly".into(),
    }
}

/// The member's streak and how much they did lately.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Streaks {
    current: u32,
    longest: u32,
    completions_last_7_days: u32,
}

impl Streaks {
    pub fn of(streak: Streak, completions_last_7_days: u32) -> Self {
        Self {
            current: streak.current,
            longest: streak.longest,
            completions_last_7_days,
        }
    }

    pub fn current(&self) -> u32 {
        self.current
    }

    pub fn longest(&self) -> u32 {
        self.longest
    }
}

/// The band of the member's latest result of an instrument that can raise no safety concern.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Band {
    instrument_key: String,
    instrument: String,
    band: String,
}

impl Band {
    /// The band of a submitted result of `instrument`, owned by `owner`; `None` for someone
    /// else's result, an instrument with a safety flag, a result that raised one, or no band.
    pub fn of(
        owner: uuid::Uuid,
        result: &assessment::Model,
        instrument: &Instrument,
    ) -> Option<Self> {
        if result.user_id != owner {
            return None;
        }
        Some(Self {
            instrument_key: instrument.key.clone(),
            instrument: instrument.title.clone(),
            band: safe_band(result, instrument)?,
        })
    }

    pub fn instrument(&self) -> &str {
        &self.instrument
    }

    pub fn label(&self) -> &str {
        &self.band
    }

    /// Whether it is the band of the instrument with this key.
    pub fn is_of(&self, instrument_key: &str) -> bool {
        self.instrument_key == instrument_key
    }
}

/// The label of a result's band (its outcome's, when the instrument names outcomes), for a
/// result of `instrument` that can tell nothing of safety: `None` for an instrument with a
/// safety flag, a result that raised one, an unreadable result, or no band.
pub(crate) fn safe_band(result: &assessment::Model, instrument: &Instrument) -> Option<String> {
    if result.instrument_key != instrument.key
        || result.safety
        || instrument.flags.iter().any(|f| f.safety)
    {
        return None;
    }
    let record = result.record().ok()??;
    if record.scored.safety() {
        return None;
    }
    Some(record.scored.outcome.or(record.scored.band)?.label)
}

/// Whether the couple is on a break, and until when.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct BreakState {
    status: &'static str,
    until: NaiveDate,
}

impl BreakState {
    /// A break that is proposed or running on `today`; `None` for one declined or over.
    pub fn of(row: &couple_break::Model, today: NaiveDate) -> Option<Self> {
        let status = match row.status().ok()? {
            BreakStatus::Proposed => "proposed",
            BreakStatus::Active if row.until >= today => "running",
            _ => return None,
        };
        Some(Self {
            status,
            until: row.until,
        })
    }

    pub fn is_running(&self) -> bool {
        self.status == "running"
    }

    pub fn until(&self) -> NaiveDate {
        self.until
    }
}
