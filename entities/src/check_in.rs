//! The `check_in_answers` table: each member's answer to their couple's check-in of a day.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use crate::constraint::Unique;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_in_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub couple_id: Uuid,
    pub local_date: NaiveDate,
    pub user_id: Uuid,
    pub prompt_key: String,
    /// Hidden from the partner until both answered.
    pub answer: String,
    pub answered_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The answers given to a couple's check-in of a day, in answering order.
pub async fn for_day<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    date: NaiveDate,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::LocalDate.eq(date))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The answers of several couples' check-ins of the days from `from` up to `to`.
pub async fn for_couples_between<C: ConnectionTrait>(
    db: &C,
    couple_ids: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Model>, DbErr> {
    if couple_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::CoupleId.is_in(couple_ids.iter().copied()))
        .filter(Column::LocalDate.gte(from))
        .filter(Column::LocalDate.lt(to))
        .all(db)
        .await
}

/// A member's answer, new or replacing their earlier one.
pub struct NewAnswer<'a> {
    pub couple_id: Uuid,
    pub date: NaiveDate,
    pub user_id: Uuid,
    pub prompt_key: &'a str,
    pub answer: &'a str,
}

/// Stores the answer: inserted, or (when the member answered before) replaced. Answers the
/// answer's row ID.
pub async fn save<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    new: NewAnswer<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(new.couple_id),
        local_date: Set(new.date),
        user_id: Set(new.user_id),
        prompt_key: Set(new.prompt_key.to_owned()),
        answer: Set(new.answer.to_owned()),
        answered_at: Set(now),
        updated_at: Set(now),
    };
    match crate::try_insert(db, row).await? {
        Ok(row) => Ok(row.id),
        Err(err) if Unique::violated_by(&err) == Some(Unique::CheckInAnswer) => {
            Entity::update_many()
                .col_expr(Column::Answer, Expr::value(new.answer))
                .col_expr(Column::UpdatedAt, Expr::value(now))
                .filter(Column::CoupleId.eq(new.couple_id))
                .filter(Column::LocalDate.eq(new.date))
                .filter(Column::UserId.eq(new.user_id))
                .exec(db)
                .await?;
            Entity::find()
                .filter(Column::CoupleId.eq(new.couple_id))
                .filter(Column::LocalDate.eq(new.date))
                .filter(Column::UserId.eq(new.user_id))
                .one(db)
                .await?
                .map(|row| row.id)
                .ok_or(err)
        }
        Err(err) => Err(err),
    }
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
