//! Reads every value of every table as text, on either backend: for tests that must prove what
//! a database does (or no longer does) hold, whatever the table.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

/// Tables the migration tool keeps for itself.
const BOOKKEEPING: [&str; 1] = ["seaql_migrations"];

/// The application's tables, by name, sorted.
pub async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        _ => {
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    column_of(db, sql)
        .await
        .into_iter()
        .filter(|t| !BOOKKEEPING.contains(&t.as_str()))
        .collect()
}

async fn column_of(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// One stored value, as text (SQLite's `quote()`: blobs as `X'..'`; PostgreSQL's `::text`).
#[derive(Debug, Clone)]
pub struct Cell {
    pub table: String,
    pub column: String,
    pub text: String,
}

/// Every non-null value in the database.
pub async fn cells(db: &DatabaseConnection) -> Vec<Cell> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for table in tables(db).await {
        let columns = match backend {
            DatabaseBackend::Sqlite => {
                column_of(
                    db,
                    &format!("SELECT name FROM pragma_table_info('{table}')"),
                )
                .await
            }
            _ => {
                column_of(
                    db,
                    &format!(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = '{table}'"
                    ),
                )
                .await
            }
        };
        let selected: Vec<String> = columns
            .iter()
            .map(|c| match backend {
                DatabaseBackend::Sqlite => format!("quote(\"{c}\")"),
                _ => format!("\"{c}\"::text"),
            })
            .collect();
        let sql = format!("SELECT {} FROM \"{table}\"", selected.join(", "));
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            for (i, column) in columns.iter().enumerate() {
                let text: Option<String> = row.try_get_by_index(i).unwrap();
                match text {
                    Some(text) if text != "NULL" || backend != DatabaseBackend::Sqlite => {
                        out.push(Cell {
                            table: table.clone(),
                            column: column.clone(),
                            text,
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether `cell` holds the UUID `id` in any of the forms a backend stores one in (text with
/// or without hyphens, a blob's hex, inside JSON).
pub fn holds_uuid(cell: &Cell, id: uuid::Uuid) -> bool {
    cell.text
        .to_lowercase()
        .replace('-', "")
        .contains(&id.simple().to_string())
}
