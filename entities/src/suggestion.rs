//! The `suggestions` table: a ritual or an instrument a coach put to a couple that granted
//! their organization access, and whether a member accepted or ignored it.

use chrono::{DateTime, Utc};
use domain::organization::SuggestionStatus;
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Query, SelectStatement};

use crate::page::{Page, PageRequest, by_uuid};
use crate::stored::{self, BadRow};

const TABLE: &str = "suggestions";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suggestions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub couple_id: Uuid,
    pub suggested_by: Option<Uuid>,
    pub ritual_id: Option<Uuid>,
    pub instrument_id: Option<Uuid>,
    pub message: Option<String>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Ritual(Uuid),
    Instrument(Uuid),
}

impl Model {
    pub fn status(&self) -> Result<SuggestionStatus, BadRow> {
        stored::parse(TABLE, self.id, "status", &self.status)
    }

    pub fn subject(&self) -> Result<Subject, BadRow> {
        match (self.ritual_id, self.instrument_id) {
            (Some(ritual), None) => Ok(Subject::Ritual(ritual)),
            (None, Some(instrument)) => Ok(Subject::Instrument(instrument)),
            _ => Err(BadRow::new(
                TABLE,
                self.id,
                "ritual_id",
                "names neither or both of a ritual and an instrument",
            )),
        }
    }
}

/// A suggestion to store.
pub struct NewSuggestion {
    pub organization_id: Uuid,
    pub couple_id: Uuid,
    pub suggested_by: Option<Uuid>,
    pub subject: Subject,
    pub message: Option<String>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewSuggestion,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let (ritual_id, instrument_id) = match new.subject {
        Subject::Ritual(id) => (Some(id), None),
        Subject::Instrument(id) => (None, Some(id)),
    };
    ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(new.organization_id),
        couple_id: Set(new.couple_id),
        suggested_by: Set(new.suggested_by),
        ritual_id: Set(ritual_id),
        instrument_id: Set(instrument_id),
        message: Set(new.message),
        status: Set(SuggestionStatus::Open.as_str().to_owned()),
        created_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Records a member's answer to a suggestion that is still open; `None` when it no longer is
/// (another answer got there first).
pub async fn answer<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: SuggestionStatus,
    member: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let updated = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::DecidedAt, Expr::value(now))
        .col_expr(Column::DecidedBy, Expr::value(member))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(SuggestionStatus::Open.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    find(db, id).await
}

/// One page of a couple's suggestions, oldest first, optionally of one status.
pub async fn page_of_couple<C: ConnectionTrait>(
    db: &C,
    couple: Uuid,
    organization: Option<Uuid>,
    status: Option<SuggestionStatus>,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    let mut query = Entity::find().filter(Column::CoupleId.eq(couple));
    if let Some(organization) = organization {
        query = query.filter(Column::OrganizationId.eq(organization));
    }
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    by_uuid(db, query, Column::Id, page).await
}

fn accepted(couple: Uuid, column: Column) -> SelectStatement {
    Query::select()
        .column(column)
        .from(Entity)
        .and_where(Column::CoupleId.eq(couple))
        .and_where(Column::Status.eq(SuggestionStatus::Accepted.as_str()))
        .and_where(column.is_not_null())
        .to_owned()
}

/// The IDs of the rituals `couple` accepted from organizations, as a subquery.
pub fn accepted_rituals(couple: Uuid) -> SelectStatement {
    accepted(couple, Column::RitualId)
}

/// Whether `couple` accepted the instrument version `instrument`, or another version of the
/// same instrument.
pub async fn accepted_instrument<C: ConnectionTrait>(
    db: &C,
    couple: Uuid,
    instrument_key: &str,
) -> Result<bool, DbErr> {
    let versions = Query::select()
        .column(crate::instrument::Column::Id)
        .from(crate::instrument::Entity)
        .and_where(crate::instrument::Column::Key.eq(instrument_key))
        .to_owned();
    let found = Entity::find()
        .filter(Column::CoupleId.eq(couple))
        .filter(Column::Status.eq(SuggestionStatus::Accepted.as_str()))
        .filter(Column::InstrumentId.in_subquery(versions))
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// Forgets every suggestion made to `couple` (its shared data is being deleted).
pub async fn delete_of_couple<C: ConnectionTrait>(db: &C, couple: Uuid) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::CoupleId.eq(couple))
        .exec(db)
        .await?
        .rows_affected)
}
