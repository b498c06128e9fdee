//! The `couples` table, with its members (`couple_members`) and the queries over both.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

use crate::{couple_member, user};

pub const ACTIVE: &str = "active";
pub const ARCHIVED: &str = "archived";

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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_active(&self) -> bool {
        self.status == ACTIVE
    }

    /// Strings of a JSON array column; anything else reads as empty.
    pub fn strings(value: &Json) -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
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
) -> Result<Model, DbErr> {
    let now = Utc::now();
    let couple = ActiveModel {
        id: Set(Uuid::now_v7()),
        status: Set(ACTIVE.to_owned()),
        relationship_start: Set(profile.relationship_start),
        goals: Set(Json::from(profile.goals)),
        distractions: Set(Json::from(profile.distractions)),
        timezone: Set(profile.timezone),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
        shared_data_delete_after: Set(None),
    }
    .insert(db)
    .await?;
    couple_member::join(db, couple.id, founder).await?;
    Ok(couple)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn update_profile<C: ConnectionTrait>(
    db: &C,
    couple: Model,
    profile: Profile,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = couple.into();
    row.relationship_start = Set(profile.relationship_start);
    row.goals = Set(Json::from(profile.goals));
    row.distractions = Set(Json::from(profile.distractions));
    row.timezone = Set(profile.timezone);
    row.updated_at = Set(Utc::now());
    row.update(db).await
}

/// Archives an active couple and records when its shared data is to be deleted.
pub async fn archive<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    delete_after: DateTime<Utc>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(ARCHIVED))
        .col_expr(Column::ArchivedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .col_expr(Column::SharedDataDeleteAfter, Expr::value(delete_after))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(ACTIVE))
        .exec(db)
        .await?;
    Ok(())
}

/// The couple a user is an active member of, if any.
pub async fn active_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    match couple_member::active_for_user(db, user_id).await? {
        Some(member) => find(db, member.couple_id).await,
        None => Ok(None),
    }
}

/// Every member row of a couple (current and former) with its user, in joining order.
pub async fn members<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<Vec<(couple_member::Model, user::Model)>, DbErr> {
    let members = couple_member::Entity::find()
        .filter(couple_member::Column::CoupleId.eq(couple_id))
        .order_by_asc(couple_member::Column::JoinedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        if let Some(user) = user::find_by_id(db, member.user_id).await? {
            out.push((member, user));
        }
    }
    Ok(out)
}
