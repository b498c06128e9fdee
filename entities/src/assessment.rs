//! The `assessments` table: one member taking one instrument, from the first answer to a
//! submitted result. Answers are the member's alone; a result is shared with their couple only
//! when they say so, and a result that raised a safety concern never is.

use chrono::{DateTime, Utc};
use domain::instrument::{Answers, ResultRecord};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use crate::page::{Page, PageRequest, by_uuid};

const TABLE: &str = "assessments";
pub const IN_PROGRESS: &str = "in_progress";
pub const SUBMITTED: &str = "submitted";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The stored instrument version the answers belong to.
    pub instrument_id: Uuid,
    pub instrument_key: String,
    pub status: String,
    pub answers: Json,
    pub result: Option<Json>,
    pub total: Option<f64>,
    pub safety: bool,
    pub shared_with_couple: Option<Uuid>,
    pub shared_at: Option<DateTimeUtc>,
    pub started_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_submitted(&self) -> Result<bool, crate::BadRow> {
        match self.status.as_str() {
            IN_PROGRESS => Ok(false),
            SUBMITTED => Ok(true),
            other => Err(crate::BadRow::new(TABLE, self.id, "status", other)),
        }
    }

    pub fn answers(&self) -> Result<Answers, crate::BadRow> {
        serde_json::from_value(self.answers.clone())
            .map_err(|e| crate::BadRow::new(TABLE, self.id, "answers", e))
    }

    /// The scored result, once submitted.
    pub fn record(&self) -> Result<Option<ResultRecord>, crate::BadRow> {
        self.result
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| crate::BadRow::new(TABLE, self.id, "result", e))
    }
}

fn json_of(value: &impl serde::Serialize) -> Result<Json, DbErr> {
    serde_json::to_value(value).map_err(|e| DbErr::Custom(format!("{e}")))
}

/// Starts an assessment with no answers.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    instrument_id: Uuid,
    instrument_key: &str,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        instrument_id: Set(instrument_id),
        instrument_key: Set(instrument_key.to_owned()),
        status: Set(IN_PROGRESS.into()),
        answers: Set(json_of(&Answers::new())?),
        result: Set(None),
        total: Set(None),
        safety: Set(false),
        shared_with_couple: Set(None),
        shared_at: Set(None),
        started_at: Set(now),
        updated_at: Set(now),
        submitted_at: Set(None),
    }
    .insert(db)
    .await
}

/// An assessment by ID, whoever owns it (callers decide through the policy).
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The assessment, if `user_id` took it: nobody else's is ever read through here.
pub async fn find_owned<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// The member's assessments of an instrument in `status`.
fn of_instrument(user_id: Uuid, key: &str, status: &str) -> Select<Entity> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::InstrumentKey.eq(key))
        .filter(Column::Status.eq(status))
}

/// The member's newest assessment of an instrument in `status`.
async fn newest<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
    status: &str,
) -> Result<Option<Model>, DbErr> {
    of_instrument(user_id, key, status)
        .order_by_desc(Column::Id)
        .one(db)
        .await
}

/// The member's unfinished assessment of an instrument, if any (the newest).
pub async fn in_progress<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    newest(db, user_id, key, IN_PROGRESS).await
}

/// Replaces the answers of an unfinished assessment; `false` when it was submitted meanwhile.
pub async fn save_answers<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Answers, Expr::value(json_of(answers)?))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(IN_PROGRESS))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records the result of an unfinished assessment; `false` when it was submitted already.
pub async fn submit<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    record: &ResultRecord,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Status, Expr::value(SUBMITTED))
        .col_expr(Column::Result, Expr::value(json_of(record)?))
        .col_expr(Column::Total, Expr::value(record.scored.total))
        .col_expr(Column::Safety, Expr::value(record.scored.safety()))
        .col_expr(Column::SubmittedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(IN_PROGRESS))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The member's latest submitted result of an instrument.
pub async fn latest_submitted<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    newest(db, user_id, key, SUBMITTED).await
}

/// Shares a submitted result with a couple, or (with `None`) takes it back.
pub async fn set_shared<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    couple: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let shared_at = couple.map(|_| now);
    ActiveModel {
        id: Set(id),
        shared_with_couple: Set(couple),
        shared_at: Set(shared_at),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await
}

/// One page of the member's submitted results of an instrument, oldest first.
pub async fn page_history<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    by_uuid(db, of_instrument(user_id, key, SUBMITTED), Column::Id, page).await
}

/// Results shared with a couple and never a safety one, oldest first.
fn shared_with(couple_id: Uuid) -> Select<Entity> {
    Entity::find()
        .filter(Column::SharedWithCouple.eq(couple_id))
        .filter(Column::Status.eq(SUBMITTED))
        .filter(Column::Safety.eq(false))
}

/// One page of the results shared with a couple, by either member.
pub async fn page_shared<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    by_uuid(db, shared_with(couple_id), Column::Id, page).await
}

/// Each member's latest result of an instrument shared with the couple.
pub async fn latest_shared<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    key: &str,
) -> Result<Vec<Model>, DbErr> {
    let rows = shared_with(couple_id)
        .filter(Column::InstrumentKey.eq(key))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    let mut latest: Vec<Model> = Vec::new();
    for row in rows {
        if !latest.iter().any(|r| r.user_id == row.user_id) {
            latest.push(row);
        }
    }
    Ok(latest)
}

/// Keeps the first row of each instrument from rows ordered newest first.
fn newest_per_instrument(rows: Vec<Model>) -> Vec<Model> {
    let mut seen = std::collections::HashSet::new();
    rows.into_iter()
        .filter(|row| seen.insert(row.instrument_key.clone()))
        .collect()
}

/// The member's latest submitted result of each instrument they took.
pub async fn latest_results<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    let rows = Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Status.eq(SUBMITTED))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    Ok(newest_per_instrument(rows))
}

/// The latest result of each instrument that someone other than `user_id` shared with the
/// couple (never a safety one).
pub async fn latest_shared_by_others<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    let rows = shared_with(couple_id)
        .filter(Column::UserId.ne(user_id))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    Ok(newest_per_instrument(rows))
}

/// The member's first and latest submitted results of an instrument (the same row when there is
/// one), for the trend across their history.
pub async fn first_and_latest<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    key: &str,
) -> Result<Option<(Model, Model)>, DbErr> {
    let first = of_instrument(user_id, key, SUBMITTED)
        .order_by_asc(Column::Id)
        .one(db)
        .await?;
    let latest = newest(db, user_id, key, SUBMITTED).await?;
    Ok(first.zip(latest))
}

/// When results were shared with each of several couples in `[from, to)`, as (couple, when);
/// a safety result never is.
pub async fn shared_with_couples<C: ConnectionTrait>(
    db: &C,
    couple_ids: &[Uuid],
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(Uuid, chrono::DateTime<chrono::Utc>)>, DbErr> {
    if couple_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::SharedWithCouple.is_in(couple_ids.iter().copied()))
        .filter(Column::Safety.eq(false))
        .filter(Column::SharedAt.gte(from))
        .filter(Column::SharedAt.lt(to))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.shared_with_couple?, row.shared_at?)))
        .collect())
}
