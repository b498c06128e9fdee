//! sea-orm entities (one module per table) and the queries the api and worker share.

pub mod access;
pub mod api_key;
pub mod assessment;
pub mod audit;
pub mod change;
pub mod check_in;
pub mod coach_conversation;
pub mod coach_message;
pub mod completion;
pub mod constraint;
pub mod couple;
pub mod couple_break;
pub mod couple_member;
pub mod data_export;
pub mod data_rights;
pub mod dead_job;
pub mod email_token;
pub mod history;
pub mod idempotency_key;
pub mod instrument;
pub mod invite;
pub mod job_retry;
pub mod notification;
pub mod notification_settings;
pub mod organization;
pub mod outbox;
pub mod page;
pub mod plan;
pub mod plan_item;
pub mod push_device;
pub mod queue_throughput;
pub mod refresh_token;
pub mod reminder;
pub mod request;
pub mod ritual;
pub mod session;
pub mod stats;
pub mod stored;
pub mod suggestion;
pub mod user;
pub mod webhook;
pub mod weekly_summary;
pub mod worker_heartbeat;

pub use sea_orm;
pub use stored::BadRow;

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionSession, TransactionTrait,
};

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes cannot wait for a
/// concurrent writer and fails with "database is locked", while one that begins as a writer
/// waits its turn (busy timeout). PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Inserts `row` in a savepoint of `db`: a refused insert (a unique key taken, say) answers
/// `Ok(Err(refusal))` and leaves the caller's transaction usable, where on PostgreSQL the
/// failed statement would have aborted it.
pub async fn try_insert<C, A>(
    db: &C,
    row: A,
) -> Result<Result<<A::Entity as sea_orm::EntityTrait>::Model, DbErr>, DbErr>
where
    C: sea_orm::ConnectionTrait + TransactionTrait,
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    let savepoint = db.begin().await?;
    match row.insert(&savepoint).await {
        Ok(model) => {
            savepoint.commit().await?;
            Ok(Ok(model))
        }
        Err(refusal) => {
            savepoint.rollback().await?;
            Ok(Err(refusal))
        }
    }
}

/// How many of `query`'s rows share each value of the text column `by` (rows counted by `id`).
pub(crate) async fn count_by<E, C>(
    db: &C,
    query: sea_orm::Select<E>,
    by: E::Column,
    id: E::Column,
) -> Result<std::collections::HashMap<String, u64>, DbErr>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QuerySelect};
    let rows: Vec<(String, i64)> = query
        .select_only()
        .column(by)
        .column_as(id.count(), "n")
        .group_by(by)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(value, n)| (value, u64::try_from(n).unwrap_or(0)))
        .collect())
}
