//! The `couples` table, with its members (`couple_members`) and the queries over both.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

use crate::couple_member;
use crate::stored::{self, BadRow, stored_names};

stored_names!(
    /// Whether a couple is together in Rekindle.
    pub enum Status {
        Active => "active",
        /// A member left; the shared data is kept read-only until it is deleted.
        Archived => "archived",
    }
);

const TABLE: &str = "couples";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "couples")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub status: String,
    pub relationship_start: Option<NaiveDate>,
    /// A JSON array of strings.
    pub goals: Json,
    /// A JSON array of distraction names (`smartphones`, `work_stress`, ...).
    pub distractions: Json,
    pub timezone: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    /// When an archived couple's shared data is deleted.
    pub shared_data_delete_after: Option<DateTimeUtc>,
    /// When the shared data was deleted (by the worker, after `shared_data_delete_after`).
    pub shared_data_deleted_at: Option<DateTimeUtc>,
    /// Raised by the database whenever the couple's memberships or members' accounts change
    /// (see the migration `couple_versions`); never written by this code.
    pub members_version: i64,
    /// Raised whenever its plans, their items or their pauses change.
    pub plans_version: i64,
    /// Raised whenever completions of its items change.
    pub completions_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "crate::couple_member::Entity")]
    Member,
}

impl Related<crate::couple_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn status(&self) -> Result<Status, BadRow> {
        stored::parse(TABLE, self.id, "status", &self.status)
    }

    pub fn is_active(&self) -> Result<bool, BadRow> {
        Ok(self.status()? == Status::Active)
    }

    /// The time zone couple-level days and weeks are counted in.
    pub fn timezone(&self) -> Result<chrono_tz::Tz, BadRow> {
        stored::parse(TABLE, self.id, "timezone", &self.timezone)
    }

    pub fn goals(&self) -> Result<Vec<String>, BadRow> {
        stored::strings(TABLE, self.id, "goals", &self.goals)
    }

    pub fn distractions(&self) -> Result<Vec<domain::couple::Distraction>, BadRow> {
        stored::strings(TABLE, self.id, "distractions", &self.distractions)?
            .iter()
            .map(|d| stored::parse(TABLE, self.id, "distractions", d))
            .collect()
    }
}

/// A couple's profile, as created or updated.
#[derive(Debug, Clone)]
pub struct Profile {
    pub relationship_start: Option<NaiveDate>,
    pub goals: Vec<String>,
    pub distractions: Vec<String>,
    pub timezone: String,
}

/// Creates a couple with `founder` as its first member.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    founder: Uuid,
    profile: Profile,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let couple = ActiveModel {
        id: Set(Uuid::now_v7()),
        status: Set(Status::Active.as_str().to_owned()),
        relationship_start: Set(profile.relationship_start),
        goals: Set(Json::from(profile.goals)),
        distractions: Set(Json::from(profile.distractions)),
        timezone: Set(profile.timezone),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        shared_data_delete_after: Set(None),
        shared_data_deleted_at: Set(None),
        members_version: Set(0),
        plans_version: Set(0),
        completions_version: Set(0),
    }
    .insert(db)
    .await?;
    couple_member::join(db, couple.id, founder, now).await?;
    Ok(couple)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    couple: Model,
    profile: Profile,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = couple.into();
    row.relationship_start = Set(profile.relationship_start);
    row.goals = Set(Json::from(profile.goals));
    row.distractions = Set(Json::from(profile.distractions));
    row.timezone = Set(profile.timezone);
    row.updated_at = Set(now);
    row.update(db).await
}

/// Archives an active couple and records when its shared data is to be deleted.
pub async fn archive<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    delete_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Archived))
        .col_expr(Column::ArchivedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::SharedDataDeleteAfter, Expr::value(delete_after))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(Status::Active))
        .exec(db)
        .await?;
    Ok(())
}

/// Uncouples: every current member leaves, open invites are revoked, and the couple is archived
/// with its shared data due for deletion at `delete_after`. Answers who its current members
/// were (each to be told on their own). Run it in a write transaction.
pub async fn uncouple<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    delete_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    use crate::{couple_member, invite};
    let current: Vec<Uuid> = couple_member::Entity::find()
        .filter(couple_member::Column::CoupleId.eq(id))
        .filter(couple_member::Column::LeftAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    couple_member::leave_all(db, id, now).await?;
    invite::revoke_open(db, id, now).await?;
    archive(db, id, delete_after, now).await?;
    Ok(current)
}

/// Active couples in ID order, `limit` at a time after `after` (to walk them all in pages).
pub async fn active_page<C: ConnectionTrait>(
    db: &C,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut query = Entity::find().filter(Column::Status.eq(Status::Active));
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query.order_by_asc(Column::Id).limit(limit).all(db).await
}

/// Archived couples whose shared data is due for deletion at `now` and not yet deleted.
pub async fn due_for_deletion<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    Entity::find()
        .filter(Column::Status.eq(Status::Archived))
        .filter(Column::SharedDataDeleteAfter.lte(now))
        .filter(Column::SharedDataDeletedAt.is_null())
        .order_by_asc(Column::SharedDataDeleteAfter)
        .limit(limit)
        .all(db)
        .await
}

/// Deletes what an archived couple shared: plans (with their items, completions, pauses and
/// reminders), custom rituals, check-in answers, breaks, weekly summaries, invites and coaches'
/// suggestions; takes
/// back the members' shared results (each keeps their own); clears the couple's profile; and
/// records when. Run in one transaction; running it again deletes nothing more.
pub async fn delete_shared_data<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::{assessment, check_in, couple_break, invite, plan, ritual, weekly_summary};
    // Plans first: their items point at the custom rituals.
    plan::Entity::delete_many()
        .filter(plan::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    ritual::Entity::delete_many()
        .filter(ritual::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    check_in::Entity::delete_many()
        .filter(check_in::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    couple_break::Entity::delete_many()
        .filter(couple_break::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    weekly_summary::Entity::delete_many()
        .filter(weekly_summary::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    invite::Entity::delete_many()
        .filter(invite::Column::CoupleId.eq(id))
        .exec(db)
        .await?;
    crate::suggestion::delete_of_couple(db, id).await?;
    assessment::Entity::update_many()
        .col_expr(
            assessment::Column::SharedWithCouple,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            assessment::Column::SharedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(assessment::Column::SharedWithCouple.eq(id))
        .exec(db)
        .await?;
    Entity::update_many()
        .col_expr(
            Column::RelationshipStart,
            Expr::value(Option::<chrono::NaiveDate>::None),
        )
        .col_expr(Column::Goals, Expr::value(serde_json::json!([])))
        .col_expr(Column::Distractions, Expr::value(serde_json::json!([])))
        .col_expr(Column::SharedDataDeletedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
