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

/// The statement's text up to its `WHERE`, the same for every batch.
fn select(backend: DatabaseBackend) -> &'static str {
    static POSTGRES: OnceLock<String> = OnceLock::new();
    static SQLITE: OnceLock<String> = OnceLock::new();
    let cell = match backend {
        DatabaseBackend::Postgres => &POSTGRES,
        _ => &SQLITE,
    };
    cell.get_or_init(|| {
        format!(
            "SELECT {}, {}, {}, {} FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             LEFT JOIN couple_members m ON m.user_id = s.user_id AND m.left_at IS NULL \
             LEFT JOIN couples c ON c.id = m.couple_id \
             WHERE s.id IN (",
            columns::<session::Entity>("s", "s_"),
            columns::<user::Entity>("u", "u_"),
            columns::<couple_member::Entity>("m", "m_"),
            columns::<couple::Entity>("c", "c_"),
        )
    })
}

/// The sessions `ids` with their accounts, memberships and couples, in one statement; a
/// session that does not exist is left out.
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Found>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut sql = String::from(select(backend));
    for n in 1..=ids.len() {
        if n > 1 {
            sql.push_str(", ");
        }
        match backend {
            DatabaseBackend::Postgres => sql.push_str(&format!("${n}")),
            _ => sql.push('?'),
        }
    }
    sql.push(')');
    let values = ids.iter().map(|id| (*id).into());
    let statement = Statement::from_sql_and_values(backend, sql, values);
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(decode)
        .collect()
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
