//! The unique constraints the application relies on, recognised by name. A violation is
//! reported as the constraint it broke, never guessed from its kind, so a new unique index
//! cannot be mistaken for an old one.

use sea_orm::{DbErr, SqlErr};

/// A unique constraint, with its name in PostgreSQL and the columns SQLite names instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// One account per (lower-cased) email.
    UserEmail,
    /// A user is in at most one couple at a time.
    ActiveMembership,
    /// A user joins a couple once.
    Membership,
    /// A couple has one active plan at a time.
    ActivePlan,
    /// A member logs an occurrence of an item once.
    CompletionOnce,
    /// Ritual keys are unique.
    RitualKey,
    /// An instrument's definition is stored once per version.
    InstrumentVersion,
    /// A member answers a day's check-in once (and may change it until both answered).
    CheckInAnswer,
    /// An idempotency key is claimed once per caller.
    IdempotencyKey,
}

impl Unique {
    const ALL: [Unique; 9] = [
        Unique::UserEmail,
        Unique::ActiveMembership,
        Unique::Membership,
        Unique::ActivePlan,
        Unique::CompletionOnce,
        Unique::RitualKey,
        Unique::InstrumentVersion,
        Unique::CheckInAnswer,
        Unique::IdempotencyKey,
    ];

    /// The constraint's (or unique index's) name in PostgreSQL.
    pub fn name(self) -> &'static str {
        match self {
            Unique::UserEmail => "users_email_key",
            Unique::ActiveMembership => "uq_couple_members_active_user",
            Unique::Membership => "couple_members_pkey",
            Unique::ActivePlan => "uq_plans_active_couple",
            Unique::CompletionOnce => "uq_completions_item_occurrence_user",
            Unique::RitualKey => "rituals_key_key",
            Unique::InstrumentVersion => "uq_instruments_key_version",
            Unique::CheckInAnswer => "uq_check_in_answers_couple_date_user",
            Unique::IdempotencyKey => "uq_idempotency_keys_owner_key",
        }
    }

    /// How SQLite reports it: "UNIQUE constraint failed: " and these columns.
    fn sqlite_columns(self) -> &'static str {
        match self {
            Unique::UserEmail => "users.email",
            Unique::ActiveMembership => "couple_members.user_id",
            Unique::Membership => "couple_members.couple_id, couple_members.user_id",
            Unique::ActivePlan => "plans.couple_id",
            Unique::CompletionOnce => {
                "completions.plan_item_id, completions.occurrence_date, completions.user_id"
            }
            Unique::RitualKey => "rituals.key",
            Unique::InstrumentVersion => "instruments.key, instruments.version",
            Unique::CheckInAnswer => {
                "check_in_answers.couple_id, check_in_answers.local_date, check_in_answers.user_id"
            }
            Unique::IdempotencyKey => "idempotency_keys.owner, idempotency_keys.key_hash",
        }
    }

    /// The constraint `err` violated, when it is a unique violation of one of these.
    pub fn violated_by(err: &DbErr) -> Option<Unique> {
        let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() else {
            return None;
        };
        Self::from_message(&message)
    }

    fn from_message(message: &str) -> Option<Unique> {
        Self::ALL.into_iter().find(|unique| {
            message.contains(&format!("\"{}\"", unique.name()))
                || message
                    .rsplit_once("UNIQUE constraint failed: ")
                    .is_some_and(|(_, columns)| columns.trim() == unique.sqlite_columns())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_are_known_by_name_not_by_kind() {
        assert_eq!(
            Unique::from_message(
                "duplicate key value violates unique constraint \"uq_plans_active_couple\""
            ),
            Some(Unique::ActivePlan)
        );
        assert_eq!(
            Unique::from_message("UNIQUE constraint failed: couple_members.user_id"),
            Some(Unique::ActiveMembership)
        );
        assert_eq!(
            Unique::from_message(
                "UNIQUE constraint failed: couple_members.couple_id, couple_members.user_id"
            ),
            Some(Unique::Membership)
        );
        assert_eq!(
            Unique::from_message("duplicate key value violates unique constraint \"uq_new\""),
            None,
            "an index nobody mapped is not taken for another"
        );
        assert_eq!(
            Unique::from_message("UNIQUE constraint failed: plans.couple_id, plans.name"),
            None
        );
    }
}
