//! The `idempotency_keys` table: one row per (caller, key) a mutation was sent with, holding
//! the request's fingerprint and, once it finished, its answer (sealed by the api: only a
//! client holding the key can have it opened). Rows expire and are pruned by the worker.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue, Condition, Set};

use crate::constraint::Unique;

const RUNNING: &str = "running";
const DONE: &str = "done";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner: String,
    pub key_hash: String,
    pub fingerprint: String,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub answer: Option<String>,
    pub created_at: DateTimeUtc,
    pub locked_until: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A request claiming its key.
#[derive(Debug, Clone)]
pub struct NewClaim<'a> {
    pub owner: &'a str,
    pub key_hash: &'a str,
    pub fingerprint: &'a str,
    /// How long the attempt holds the key while it runs.
    pub lock_for: chrono::Duration,
    /// How long the answer is kept.
    pub keep_for: chrono::Duration,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's (new, expired, or abandoned by a process that died): run it,
    /// then [`finish`] or [`release`] the row with this ID.
    Run(Uuid),
    /// The key was sent with a different request.
    Mismatch,
    /// Another attempt with the key is running.
    Running,
    /// An earlier attempt finished: its sealed answer.
    Done(String),
}

/// Claims `claim.key_hash` for `claim.owner` at `now`. Two requests claiming the same key at
/// once cannot both run: the unique index lets one row in, and taking over an expired or
/// abandoned row is a guarded update only one of them wins.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    claim: &NewClaim<'_>,
    now: DateTime<Utc>,
) -> Result<Claim, DbErr> {
    let id = Uuid::now_v7();
    let inserted = ActiveModel {
        id: Set(id),
        owner: Set(claim.owner.to_owned()),
        key_hash: Set(claim.key_hash.to_owned()),
        fingerprint: Set(claim.fingerprint.to_owned()),
        status: Set(RUNNING.to_owned()),
        answer: Set(None),
        created_at: Set(now),
        locked_until: Set(now + claim.lock_for),
        expires_at: Set(now + claim.keep_for),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => return Ok(Claim::Run(id)),
        Err(err) if Unique::violated_by(&err) == Some(Unique::IdempotencyKey) => {}
        Err(err) => return Err(err),
    }
    let Some(row) = Entity::find()
        .filter(Column::Owner.eq(claim.owner))
        .filter(Column::KeyHash.eq(claim.key_hash))
        .one(db)
        .await?
    else {
        // Pruned between the insert and the read: the next attempt inserts.
        return Ok(Claim::Running);
    };
    let expired = row.expires_at <= now;
    let abandoned = row.status == RUNNING && row.locked_until <= now;
    if !expired && row.fingerprint != claim.fingerprint {
        return Ok(Claim::Mismatch);
    }
    if expired || abandoned {
        // Only the update that still finds the row expired or abandoned takes it over.
        let taken = Entity::update_many()
            .col_expr(Column::Fingerprint, Expr::value(claim.fingerprint))
            .col_expr(Column::Status, Expr::value(RUNNING))
            .col_expr(Column::Answer, Expr::value(Option::<String>::None))
            .col_expr(Column::CreatedAt, Expr::value(now))
            .col_expr(Column::LockedUntil, Expr::value(now + claim.lock_for))
            .col_expr(Column::ExpiresAt, Expr::value(now + claim.keep_for))
            .filter(Column::Id.eq(row.id))
            .filter(
                Condition::any().add(Column::ExpiresAt.lte(now)).add(
                    Condition::all()
                        .add(Column::Status.eq(RUNNING))
                        .add(Column::LockedUntil.lte(now)),
                ),
            )
            .exec(db)
            .await?;
        return Ok(if taken.rows_affected == 1 {
            Claim::Run(row.id)
        } else {
            Claim::Running
        });
    }
    Ok(match (row.status.as_str(), row.answer) {
        (DONE, Some(answer)) => Claim::Done(answer),
        _ => Claim::Running,
    })
}

/// Keeps a finished attempt's sealed answer for the retries.
pub async fn finish<C: ConnectionTrait>(db: &C, id: Uuid, answer: String) -> Result<(), DbErr> {
    let row = ActiveModel {
        id: ActiveValue::Unchanged(id),
        status: Set(DONE.to_owned()),
        answer: Set(Some(answer)),
        ..Default::default()
    };
    Entity::update(row).exec(db).await.map(|_| ())
}

/// Lets go of a key whose attempt answered nothing worth keeping: a retry runs again.
pub async fn release<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(RUNNING))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets every key that expired at `now`; answers how many.
pub async fn prune<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Entity::delete_many()
        .filter(Column::ExpiresAt.lte(now))
        .exec(db)
        .await
        .map(|done| done.rows_affected)
}
