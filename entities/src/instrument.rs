//! The `instruments` table: every version of every assessment definition results were scored
//! with. A stored version never changes; a changed definition is a new version.

use chrono::{DateTime, Utc};
use domain::instrument::Instrument;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use crate::constraint::Unique;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instruments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub key: String,
    pub version: i32,
    pub definition: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored definition, as the engine reads it.
    pub fn instrument(&self) -> Result<Instrument, crate::BadRow> {
        serde_json::from_value(self.definition.clone())
            .map_err(|e| crate::BadRow::new("instruments", self.id, "definition", e))
    }
}

async fn find_version<C: ConnectionTrait>(
    db: &C,
    key: &str,
    version: i32,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Key.eq(key))
        .filter(Column::Version.eq(version))
        .one(db)
        .await
}

/// Stores `instrument` unless its version is stored already, and answers the stored row. The
/// same version stored with a different definition is an error: results scored with the old
/// one would no longer mean what they said.
pub async fn ensure_stored<C: ConnectionTrait>(
    db: &C,
    instrument: &Instrument,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let definition = serde_json::to_value(instrument).map_err(|e| DbErr::Custom(format!("{e}")))?;
    let version = i32::try_from(instrument.version).map_err(|_| {
        DbErr::Custom(format!(
            "instrument {} has a version too large",
            instrument.key
        ))
    })?;
    let stored = match find_version(db, &instrument.key, version).await? {
        Some(found) => found,
        None => {
            let row = ActiveModel {
                id: Set(Uuid::now_v7()),
                key: Set(instrument.key.clone()),
                version: Set(version),
                definition: Set(definition.clone()),
                created_at: Set(now),
            };
            match row.insert(db).await {
                Ok(model) => model,
                // Another instance stored it first.
                Err(err) if Unique::violated_by(&err) == Some(Unique::InstrumentVersion) => {
                    find_version(db, &instrument.key, version)
                        .await?
                        .ok_or(err)?
                }
                Err(err) => return Err(err),
            }
        }
    };
    if stored.definition != definition {
        return Err(DbErr::Custom(format!(
            "instrument `{}` version {} is stored with a different definition: a changed definition needs a new version",
            instrument.key, instrument.version
        )));
    }
    Ok(stored)
}

/// Every stored version of an instrument, oldest first.
pub async fn versions<C: ConnectionTrait>(db: &C, key: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Key.eq(key))
        .order_by_asc(Column::Version)
        .all(db)
        .await
}
