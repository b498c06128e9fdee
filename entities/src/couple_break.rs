//! The `couple_breaks` table: structured breaks a member proposed and their partner agreed to
//! or declined, with each partner's private choice on the check-in date.

use chrono::{DateTime, NaiveDate, Utc};
use domain::breaks::{BreakChoice, BreakStatus};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use crate::BadRow;
use crate::stored::parse;

const TABLE: &str = "couple_breaks";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "couple_breaks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub couple_id: Uuid,
    pub proposed_by: Uuid,
    pub status: String,
    pub until: NaiveDate,
    pub check_in_on: NaiveDate,
    pub terms: String,
    pub contact_rules: String,
    pub proposer_choice: Option<String>,
    pub partner_choice: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn status_name(status: BreakStatus) -> &'static str {
    match status {
        BreakStatus::Proposed => "proposed",
        BreakStatus::Active => "active",
        BreakStatus::Declined => "declined",
        BreakStatus::Over => "over",
    }
}

impl Model {
    /// The stored status (an active break past its last day is still stored as active).
    pub fn status(&self) -> Result<BreakStatus, BadRow> {
        match self.status.as_str() {
            "proposed" => Ok(BreakStatus::Proposed),
            "active" => Ok(BreakStatus::Active),
            "declined" => Ok(BreakStatus::Declined),
            "over" => Ok(BreakStatus::Over),
            other => Err(BadRow::new(TABLE, self.id, "status", other)),
        }
    }

    /// Whether the break is on during the local date `today`: agreed and not past its last day.
    pub fn is_running(&self, today: NaiveDate) -> Result<bool, BadRow> {
        Ok(self.status()? == BreakStatus::Active && today <= self.until)
    }

    /// The choice of `user` on the check-in date, if they made it.
    pub fn choice_of(&self, user: Uuid) -> Result<Option<BreakChoice>, BadRow> {
        let stored = if user == self.proposed_by {
            &self.proposer_choice
        } else {
            &self.partner_choice
        };
        let column = if user == self.proposed_by {
            "proposer_choice"
        } else {
            "partner_choice"
        };
        stored
            .as_deref()
            .map(|raw| parse(TABLE, self.id, column, raw))
            .transpose()
    }

    /// How many of the two chose.
    pub fn choices_made(&self) -> u64 {
        u64::from(self.proposer_choice.is_some()) + u64::from(self.partner_choice.is_some())
    }
}

pub struct NewBreak {
    pub couple_id: Uuid,
    pub proposed_by: Uuid,
    pub until: NaiveDate,
    pub check_in_on: NaiveDate,
    pub terms: String,
    pub contact_rules: String,
}

pub async fn propose<C: ConnectionTrait>(
    db: &C,
    new: NewBreak,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(new.couple_id),
        proposed_by: Set(new.proposed_by),
        status: Set(status_name(BreakStatus::Proposed).into()),
        until: Set(new.until),
        check_in_on: Set(new.check_in_on),
        terms: Set(new.terms),
        contact_rules: Set(new.contact_rules),
        proposer_choice: Set(None),
        partner_choice: Set(None),
        created_at: Set(now),
        decided_at: Set(None),
    }
    .insert(db)
    .await
}

/// Whether a couple has a break on during the local date `today`.
pub async fn running<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    for row in for_couple(db, couple_id).await? {
        if row.is_running(today)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A couple's breaks, newest first.
pub async fn for_couple<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CoupleId.eq(couple_id))
        .order_by_desc(Column::Id)
        .all(db)
        .await
}

/// A break, if it is the couple's.
pub async fn find_in_couple<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    couple_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::CoupleId.eq(couple_id))
        .one(db)
        .await
}

/// Moves a proposed break to `status`; `false` when it was decided meanwhile.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: BreakStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status_name(status)))
        .col_expr(Column::DecidedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(status_name(BreakStatus::Proposed)))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records one partner's choice; `false` when they chose already.
pub async fn choose<C: ConnectionTrait>(
    db: &C,
    row: &Model,
    user: Uuid,
    choice: BreakChoice,
) -> Result<bool, DbErr> {
    let column = if user == row.proposed_by {
        Column::ProposerChoice
    } else {
        Column::PartnerChoice
    };
    let done = Entity::update_many()
        .col_expr(column, Expr::value(choice.as_str()))
        .filter(Column::Id.eq(row.id))
        .filter(column.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
