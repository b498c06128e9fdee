//! Faults injected into the database a test's app writes to: triggers that refuse inserts into
//! a table (on SQLite and PostgreSQL alike), and a fingerprint of every table's rows to show
//! that a refused write left nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use serde_json::Value;

use crate::TestApp;

/// A connection of its own for schema changes: on SQLite, the app's pooled connections may
/// hold a schema read before the last change, and a `CREATE` parsed against it can wrongly
/// find its trigger still there. The app's statements notice a changed schema by themselves.
async fn ddl_connection(app: &TestApp) -> DatabaseConnection {
    runtime::store::connect_database(&app.settings)
        .await
        .unwrap()
}

/// Makes every insert into `table` of the app's database fail, as a failing statement would.
pub async fn refuse_inserts(app: &TestApp, table: &str) {
    let db = &ddl_connection(app).await;
    let statements = match db.get_database_backend() {
        DbBackend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )],
        _ => vec![
            "CREATE OR REPLACE FUNCTION rekindle_injected_fault() RETURNS trigger \
             LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION rekindle_injected_fault()"
            ),
        ],
    };
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
    db.close_by_ref().await.unwrap();
}

/// Lets inserts into `table` through again.
pub async fn allow_inserts(app: &TestApp, table: &str) {
    let db = &ddl_connection(app).await;
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => format!("DROP TRIGGER refuse_{table}"),
        _ => format!("DROP TRIGGER refuse_{table} ON {table}"),
    };
    db.execute_unprepared(&sql).await.unwrap();
    db.close_by_ref().await.unwrap();
}

/// Every table's rows (as JSON, sorted), by table name.
pub async fn fingerprint(db: &DatabaseConnection) -> BTreeMap<String, Vec<String>> {
    let backend = db.get_database_backend();
    let list = match backend {
        DbBackend::Sqlite => {
            "SELECT name AS name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()",
    };
    let tables = Value::find_by_statement(Statement::from_string(backend, list))
        .all(db)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let name = table["name"].as_str().unwrap().to_owned();
        let rows = Value::find_by_statement(Statement::from_string(
            backend,
            format!("SELECT * FROM \"{name}\""),
        ))
        .all(db)
        .await
        .unwrap();
        let mut rows: Vec<String> = rows.iter().map(Value::to_string).collect();
        rows.sort();
        out.insert(name, rows);
    }
    out
}

/// The tables whose rows differ between two fingerprints.
pub fn differences(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect()
}
