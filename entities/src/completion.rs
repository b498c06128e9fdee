//! The `completions` table: a member logging a plan item's occurrence as done.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set, TransactionTrait};

use crate::constraint::Unique;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "completions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub closeness: i16,
    /// Private to its author unless `note_shared`.
    pub note: Option<String>,
    pub note_shared: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// How close it felt, 1 to 5.
    pub fn closeness(&self) -> Result<u8, crate::BadRow> {
        u8::try_from(self.closeness)
            .ok()
            .filter(|c| (1..=5).contains(c))
            .ok_or_else(|| crate::BadRow::new("completions", self.id, "closeness", self.closeness))
    }

    /// What the member said when logging it.
    pub fn log(&self) -> Result<domain::plan::Log, crate::BadRow> {
        Ok(domain::plan::Log {
            closeness: self.closeness()?,
            note: self.note.clone(),
            note_shared: self.note_shared,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewCompletion {
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub log: domain::plan::Log,
}

/// Inserts the completion, or answers the one already stored for the same (item, occurrence,
/// member), with `false` meaning "already there", whichever request got there first.
pub async fn insert_once<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewCompletion,
    now: DateTime<Utc>,
) -> Result<(Model, bool), DbErr> {
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_item_id: Set(new.plan_item_id),
        occurrence_date: Set(new.occurrence_date),
        user_id: Set(new.user_id),
        closeness: Set(i16::from(new.log.closeness)),
        note: Set(new.log.note.clone()),
        note_shared: Set(new.log.note_shared),
        created_at: Set(now),
    };
    match crate::try_insert(db, row).await? {
        Ok(model) => Ok((model, true)),
        Err(err) if Unique::violated_by(&err) == Some(Unique::CompletionOnce) => {
            let existing = find_one(db, new.plan_item_id, new.occurrence_date, new.user_id)
                .await?
                .ok_or(err)?;
            Ok((existing, false))
        }
        Err(err) => Err(err),
    }
}

pub async fn find_one<C: ConnectionTrait>(
    db: &C,
    plan_item_id: Uuid,
    occurrence_date: NaiveDate,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanItemId.eq(plan_item_id))
        .filter(Column::OccurrenceDate.eq(occurrence_date))
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The completions of several items, in logging order.
pub async fn for_items<C: ConnectionTrait>(db: &C, item_ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::PlanItemId.is_in(item_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The completions of every item of every plan of a couple, in logging order, in one
/// statement.
pub async fn for_couple<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Vec<Model>, DbErr> {
    use crate::plan_item;
    let items = sea_orm::sea_query::Query::select()
        .column(plan_item::Column::Id)
        .from(plan_item::Entity)
        .and_where(plan_item::Column::PlanId.in_subquery(crate::plan::ids_of_couple(couple_id)))
        .to_owned();
    Entity::find()
        .filter(Column::PlanItemId.in_subquery(items))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// One item's completions, a page at a time in logging order.
/// The completions of several items for occurrences dated `from` to `to`, inclusive.
pub async fn for_items_between<C: ConnectionTrait>(
    db: &C,
    item_ids: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Model>, DbErr> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::PlanItemId.is_in(item_ids.iter().copied()))
        .filter(Column::OccurrenceDate.gte(from))
        .filter(Column::OccurrenceDate.lte(to))
        .all(db)
        .await
}

pub async fn page_for_item<C: ConnectionTrait>(
    db: &C,
    plan_item_id: Uuid,
    page: &crate::page::PageRequest,
) -> Result<crate::page::Page<Model>, DbErr> {
    let query = Entity::find().filter(Column::PlanItemId.eq(plan_item_id));
    crate::page::by_uuid(db, query, Column::Id, page).await
}
