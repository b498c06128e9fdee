use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// Each couple's versions: numbers the database itself raises, in the writing transaction,
/// whenever anything a part of the couple's reads shows changes. An api instance keeps a
/// couple's rows stamped with the versions they were read at, and each request reads the
/// current versions in its one statement: equal stamps mean the kept rows are exact.
///
/// Raised by triggers, not by the code that writes, so no write path can forget: a new
/// mutation, a worker job, an operator's fix made by hand in `psql` all raise them alike.
///
/// | version | raised by a change to |
/// | --- | --- |
/// | `members_version` | the couple's memberships, and its members' accounts (names, time zones) |
/// | `plans_version` | its plans, their items and their pauses |
/// | `completions_version` | completions of its items |
#[derive(DeriveMigrationName)]
pub struct Migration;

/// One part of a couple's reads: its version column, and the tables whose rows change it with
/// how a row (`R`, the new or the old row) names its couple.
struct Part {
    column: &'static str,
    sources: &'static [(&'static str, &'static str)],
}

const PARTS: [Part; 3] = [
    Part {
        column: "members_version",
        sources: &[
            ("couple_members", "R.couple_id"),
            (
                "users",
                "SELECT couple_id FROM couple_members WHERE user_id = R.id",
            ),
        ],
    },
    Part {
        column: "plans_version",
        sources: &[
            ("plans", "R.couple_id"),
            (
                "plan_items",
                "SELECT couple_id FROM plans WHERE id = R.plan_id",
            ),
            (
                "plan_pauses",
                "SELECT couple_id FROM plans WHERE id = R.plan_id",
            ),
        ],
    },
    Part {
        column: "completions_version",
        sources: &[(
            "completions",
            "SELECT p.couple_id FROM plan_items i JOIN plans p ON p.id = i.plan_id WHERE i.id = R.plan_item_id",
        )],
    },
];

/// The statement raising `column` for the couples a row names.
fn bump(column: &str, couples: &str, row: &str) -> String {
    let couples = couples.replace("R.", &format!("{row}."));
    format!("UPDATE couples SET {column} = {column} + 1 WHERE id IN ({couples});")
}

fn trigger_name(table: &str) -> String {
    format!("rekindle_version_{table}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for part in &PARTS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("couples"))
                        .add_column(
                            ColumnDef::new(Alias::new(part.column))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for part in &PARTS {
            for (table, couples) in part.sources {
                let name = trigger_name(table);
                if postgres {
                    let old = bump(part.column, couples, "OLD");
                    let new = bump(part.column, couples, "NEW");
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN
                           IF TG_OP <> 'INSERT' THEN {old} END IF;
                           IF TG_OP <> 'DELETE' THEN {new} END IF;
                           RETURN NULL;
                         END $$"
                    ))
                    .await?;
                    // An account's insert names no couple yet; its rows' own triggers cover
                    // its memberships.
                    let events = if *table == "users" {
                        "UPDATE OR DELETE"
                    } else {
                        "INSERT OR UPDATE OR DELETE"
                    };
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {events} ON {table}
                         FOR EACH ROW EXECUTE FUNCTION {name}()"
                    ))
                    .await?;
                } else {
                    for (event, rows) in [
                        ("INSERT", &["NEW"][..]),
                        ("UPDATE", &["OLD", "NEW"][..]),
                        ("DELETE", &["OLD"][..]),
                    ] {
                        if *table == "users" && event == "INSERT" {
                            continue;
                        }
                        let body: String = rows
                            .iter()
                            .map(|row| bump(part.column, couples, row))
                            .collect();
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {name}_{event} AFTER {event} ON {table}
                             FOR EACH ROW BEGIN {body} END",
                            event = event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for part in &PARTS {
            for (table, _) in part.sources {
                let name = trigger_name(table);
                if postgres {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                        .await?;
                    db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                        .await?;
                } else {
                    for event in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}_{event}"))
                            .await?;
                    }
                }
            }
        }
        for part in &PARTS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("couples"))
                        .drop_column(Alias::new(part.column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
