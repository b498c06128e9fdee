//! The `data_exports` table: a member's requests for an archive of their data. The archive is
//! built by a job, downloaded once through a link whose secret is stored only as a digest, and
//! dropped once downloaded or expired.

use chrono::{DateTime, Utc};
use domain::data_rights::ExportStatus;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub requested_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ready_at: Option<DateTimeUtc>,
    pub downloaded_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub archive: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn status(&self, now: DateTime<Utc>) -> ExportStatus {
        ExportStatus::of(
            self.ready_at.is_some(),
            self.downloaded_at.is_some(),
            self.expires_at,
            now,
        )
    }
}

/// Asks for an export of `user_id`'s data reachable with the link whose digest is
/// `token_hash`: the open export (pending or ready, not downloaded, not expired) if there is
/// one, now reached through the new link only, else a new one that expires at `expires_at`.
/// Run it in a write transaction.
pub async fn request<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let open = Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::DownloadedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .order_by_desc(Column::RequestedAt)
        .one(db)
        .await?;
    if let Some(open) = open {
        let mut row: ActiveModel = open.into();
        row.token_hash = Set(token_hash);
        return row.update(db).await;
    }
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        requested_at: Set(now),
        expires_at: Set(expires_at),
        ready_at: Set(None),
        downloaded_at: Set(None),
        archive: Set(None),
    };
    row.insert(db).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The member's most recent export, if they ever asked for one.
pub async fn latest_of<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::RequestedAt)
        .one(db)
        .await
}

/// Keeps a built archive, once: answers false when the export was already built, taken or
/// expired (a job run again changes nothing).
pub async fn store_archive<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    archive: String,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Archive, Expr::value(archive))
        .col_expr(Column::ReadyAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::ReadyAt.is_null())
        .filter(Column::DownloadedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What the download link finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// The archive: it is now taken, and gone from the store.
    Archive(String),
    /// Still being built.
    Pending,
    /// Downloaded already, or expired.
    Gone,
    /// No export has this link (or its link was replaced by a newer one).
    Unknown,
}

/// Takes the archive reached by the link whose digest is `token_hash`, at most once: of two
/// downloads at the same moment one gets the archive and the other `Gone`. Run it in a write
/// transaction.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Download, DbErr> {
    let Some(found) = Entity::find()
        .filter(Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(Download::Unknown);
    };
    match found.status(now) {
        ExportStatus::Pending => return Ok(Download::Pending),
        ExportStatus::Downloaded | ExportStatus::Expired => return Ok(Download::Gone),
        ExportStatus::Ready => {}
    }
    let Some(archive) = found.archive else {
        return Ok(Download::Gone);
    };
    let taken = Entity::update_many()
        .col_expr(Column::DownloadedAt, Expr::value(now))
        .col_expr(Column::Archive, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::DownloadedAt.is_null())
        .exec(db)
        .await?;
    Ok(if taken.rows_affected == 1 {
        Download::Archive(archive)
    } else {
        Download::Gone
    })
}

/// Drops the archives whose link expired at `now`; answers how many.
pub async fn drop_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let dropped = Entity::update_many()
        .col_expr(Column::Archive, Expr::value(Option::<String>::None))
        .filter(Column::ExpiresAt.lte(now))
        .filter(Column::Archive.is_not_null())
        .exec(db)
        .await?;
    Ok(dropped.rows_affected)
}
