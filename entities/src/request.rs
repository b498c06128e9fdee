//! The one statement an authenticated request begins with: its session, the session's account,
//! the account's current couple membership and that couple (with its versions), read together.

use std::sync::OnceLock;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    QueryResult, Statement,
};
use uuid::Uuid;

use crate::{couple, couple_member, session, user};

/// What the statement found for a live or ended session (the caller decides which).
#[derive(Debug, Clone)]
pub struct Found {
    pub session: session::Model,
    pub user: user::Model,
    /// The account's current membership (not left) with its couple.
    pub current: Option<(couple_member::Model, couple::Model)>,
}

/// Each table's columns as `alias.column AS prefixcolumn`.
fn columns<E: EntityTrait>(alias: &str, prefix: &str) -> String {
    E::Column::iter()
        .map(|column| {
            let name = column.as_str();
            format!("{alias}.{name} AS {prefix}{name}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn sql(backend: DatabaseBackend) -> &'static str {
    static POSTGRES: OnceLock<String> = OnceLock::new();
    static SQLITE: OnceLock<String> = OnceLock::new();
    let (cell, placeholder) = match backend {
        DatabaseBackend::Postgres => (&POSTGRES, "$1"),
        _ => (&SQLITE, "?"),
    };
    cell.get_or_init(|| {
        format!(
            "SELECT {}, {}, {}, {} FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             LEFT JOIN couple_members m ON m.user_id = s.user_id AND m.left_at IS NULL \
             LEFT JOIN couples c ON c.id = m.couple_id \
             WHERE s.id = {placeholder}",
            columns::<session::Entity>("s", "s_"),
            columns::<user::Entity>("u", "u_"),
            columns::<couple_member::Entity>("m", "m_"),
            columns::<couple::Entity>("c", "c_"),
        )
    })
}

/// The session `id` with its account, membership and couple, in one statement; none when no
/// such session exists.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Found>, DbErr> {
    let backend = db.get_database_backend();
    let statement = Statement::from_sql_and_values(backend, sql(backend), [id.into()]);
    db.query_one_raw(statement)
        .await?
        .map(|row| decode(&row))
        .transpose()
}

fn decode(row: &QueryResult) -> Result<Found, DbErr> {
    let current =
        match row.try_get::<Option<Uuid>>("m_", couple_member::Column::CoupleId.as_str())? {
            Some(_) => Some((
                couple_member::Model::from_query_result(row, "m_")?,
                couple::Model::from_query_result(row, "c_")?,
            )),
            None => None,
        };
    Ok(Found {
        session: session::Model::from_query_result(row, "s_")?,
        user: user::Model::from_query_result(row, "u_")?,
        current,
    })
}
