//! What a notification says. A notification to a partner carries what happened and never the
//! content: no note, no closeness, no answer, nothing of a safety result.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::messages::Messages;

/// The kinds of notification, as stored and as the API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A plan item of yours is due.
    RitualReminder,
    /// Your partner logged a ritual.
    PartnerCompleted,
    /// Your partner answered today's check-in.
    PartnerCheckedIn,
    /// Your couple's weekly summary is ready.
    WeeklySummaryReady,
    /// The export of your data you asked for is ready to download.
    DataExportReady,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::RitualReminder,
        Kind::PartnerCompleted,
        Kind::PartnerCheckedIn,
        Kind::WeeklySummaryReady,
        Kind::DataExportReady,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RitualReminder => "ritual_reminder",
            Kind::PartnerCompleted => "partner_completed",
            Kind::PartnerCheckedIn => "partner_checked_in",
            Kind::WeeklySummaryReady => "weekly_summary_ready",
            Kind::DataExportReady => "data_export_ready",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("not a notification kind: {s}"))
    }
}

/// The topic [`Added`] events travel on between processes.
pub const TOPIC: &str = "notifications:added";

/// A notification was stored for `user_id`: open subscriptions of that member fetch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Added {
    pub user_id: Uuid,
    pub notification_id: Uuid,
}

/// A notification about to be stored for one member; `dedupe_key` makes a retried job's
/// notification the same one.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub user_id: Uuid,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub data: Value,
    pub dedupe_key: String,
}

/// Whom a notification is for, and the messages to word it with in their locale.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub user_id: Uuid,
    pub locale: &'a str,
    pub messages: &'a Messages,
}

impl Recipient<'_> {
    fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.messages.text(self.locale, key, args)
    }
}

/// The reminder of a plan item's occurrence.
pub fn ritual_reminder(
    to: Recipient<'_>,
    reminder_id: Uuid,
    ritual_title: &str,
    plan_item_id: Uuid,
    occurrence_date: chrono::NaiveDate,
) -> Draft {
    Draft {
        user_id: to.user_id,
        kind: Kind::RitualReminder,
        title: to.say("ritual-reminder-title", &[("ritual", ritual_title)]),
        body: to.say("ritual-reminder-body", &[]),
        data: json!({
            "planItemId": plan_item_id,
            "occurrenceDate": occurrence_date,
        }),
        dedupe_key: format!("reminder:{reminder_id}"),
    }
}

/// Tells `partner` that `who` logged a ritual: the ritual and the day, never the note or how
/// close it felt.
pub fn partner_completed(
    to: Recipient<'_>,
    completion_id: Uuid,
    who: &str,
    ritual_title: &str,
    plan_item_id: Uuid,
    occurrence_date: chrono::NaiveDate,
) -> Draft {
    let partner = to.user_id;
    Draft {
        user_id: partner,
        kind: Kind::PartnerCompleted,
        title: to.say(
            "partner-completed-title",
            &[("who", who), ("ritual", ritual_title)],
        ),
        body: to.say("partner-completed-body", &[]),
        data: json!({
            "planItemId": plan_item_id,
            "occurrenceDate": occurrence_date,
        }),
        dedupe_key: format!("completion:{completion_id}:{partner}"),
    }
}

/// Tells `partner` that `who` answered the day's check-in, never what they answered; a
/// partner who already answered is told the answers are open to both.
pub fn partner_checked_in(
    to: Recipient<'_>,
    couple_id: Uuid,
    who: &str,
    local_date: chrono::NaiveDate,
    partner_answered: bool,
) -> Draft {
    let body = if partner_answered {
        "partner-checked-in-body-both"
    } else {
        "partner-checked-in-body-yours"
    };
    let partner = to.user_id;
    Draft {
        user_id: partner,
        kind: Kind::PartnerCheckedIn,
        title: to.say("partner-checked-in-title", &[("who", who)]),
        body: to.say(body, &[]),
        data: json!({ "date": local_date }),
        dedupe_key: format!("check_in:{couple_id}:{local_date}:{partner}"),
    }
}

/// Tells a member their couple's summary of the week starting `week_start` is ready.
pub fn weekly_summary_ready(
    to: Recipient<'_>,
    couple_id: Uuid,
    week_start: chrono::NaiveDate,
) -> Draft {
    let member = to.user_id;
    Draft {
        user_id: member,
        kind: Kind::WeeklySummaryReady,
        title: to.say("weekly-summary-title", &[]),
        body: to.say("weekly-summary-body", &[]),
        data: json!({ "weekStart": week_start }),
        dedupe_key: format!("summary:{couple_id}:{week_start}:{member}"),
    }
}

/// Tells a member the export of their data is ready (the link is only ever in the answer to
/// their request: a notification is stored, the link must not be).
pub fn data_export_ready(
    to: Recipient<'_>,
    export_id: Uuid,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Draft {
    Draft {
        user_id: to.user_id,
        kind: Kind::DataExportReady,
        title: to.say("data-export-title", &[]),
        body: to.say("data-export-body", &[]),
        data: json!({ "expiresAt": expires_at }),
        dedupe_key: format!("data_export:{export_id}"),
    }
}

/// What a partner was told about, read back from a notification's dedupe key (the keys
/// [`partner_completed`] and [`partner_checked_in`] make).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboutPartner {
    /// A completion they logged.
    Completion(Uuid),
    /// Their answer to a check-in of this couple.
    CheckIn(Uuid),
}

impl AboutPartner {
    pub fn of(dedupe_key: &str) -> Option<Self> {
        let mut parts = dedupe_key.split(':');
        let (kind, id) = (parts.next()?, Uuid::parse_str(parts.next()?).ok()?);
        match kind {
            "completion" => Some(Self::Completion(id)),
            "check_in" => Some(Self::CheckIn(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient<'a>(messages: &'a Messages, locale: &'a str) -> Recipient<'a> {
        Recipient {
            user_id: Uuid::from_u128(2),
            locale,
            messages,
        }
    }

    #[test]
    fn partner_notifications_say_what_they_were_about() {
        let messages = Messages::load().expect("the shipped messages load");
        let partner = recipient(&messages, "en");
        let id = Uuid::from_u128(9);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        let done = partner_completed(partner, id, "Sam", "Kiss", Uuid::from_u128(5), date);
        assert_eq!(
            AboutPartner::of(&done.dedupe_key),
            Some(AboutPartner::Completion(id))
        );
        let answered = partner_checked_in(partner, id, "Sam", date, false);
        assert_eq!(
            AboutPartner::of(&answered.dedupe_key),
            Some(AboutPartner::CheckIn(id))
        );
        assert!(answered.body.starts_with("Answer yours"));
        let both = partner_checked_in(partner, id, "Sam", date, true);
        assert!(!both.body.contains("Answer yours"), "{}", both.body);
        let summary = weekly_summary_ready(partner, id, date);
        assert_eq!(summary.title, "Your week together");
        assert_eq!(AboutPartner::of(&summary.dedupe_key), None);
        assert_eq!(AboutPartner::of("completion:not-a-uuid:x"), None);
    }

    #[test]
    fn kinds_read_back_from_their_stored_names() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
        }
        assert!("nudge".parse::<Kind>().is_err());
    }

    #[test]
    fn notifications_are_worded_in_the_recipients_locale() {
        let messages = Messages::load().expect("the shipped messages load");
        let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        let spanish = recipient(&messages, "es-AR");
        let reminder = ritual_reminder(
            spanish,
            Uuid::from_u128(1),
            "Beso",
            Uuid::from_u128(5),
            date,
        );
        assert_eq!(reminder.title, "Es hora de Beso");
        let done = partner_completed(
            spanish,
            Uuid::from_u128(9),
            "Sam",
            "Beso",
            Uuid::from_u128(5),
            date,
        );
        assert_eq!(done.title, "Sam hizo Beso");
        assert_eq!(done.body, "Tu pareja registró un ritual que comparten.");
        let expires = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000);
        let export = data_export_ready(spanish, Uuid::from_u128(3), expires);
        assert_eq!(export.title, "Tus datos están listos");
    }

    #[test]
    fn a_partner_notification_names_the_ritual_and_nothing_logged_with_it() {
        let messages = Messages::load().expect("the shipped messages load");
        let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        let draft = partner_completed(
            recipient(&messages, "en"),
            Uuid::from_u128(9),
            "Sam",
            "Gratitude at dinner",
            Uuid::from_u128(5),
            date,
        );
        assert_eq!(draft.title, "Sam did Gratitude at dinner");
        let data = draft.data.as_object().unwrap();
        let mut keys: Vec<_> = data.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["occurrenceDate", "planItemId"]);
        assert_eq!(
            draft.dedupe_key,
            format!("completion:{}:{}", Uuid::from_u128(9), Uuid::from_u128(2))
        );
    }
}
