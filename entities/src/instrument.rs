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
    /// The organization that wrote it; none for the built-ins.
    pub organization_id: Option<Uuid>,
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

/// The stored row of `instrument`'s `version`: the one found, or one stored now for
/// `organization` (none for a built-in). When another instance stores it first, theirs. Its
/// definition may differ from `definition`: the callers decide what that means.
async fn find_or_store<C: ConnectionTrait>(
    db: &C,
    instrument: &Instrument,
    version: i32,
    definition: &Json,
    organization: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    if let Some(found) = find_version(db, &instrument.key, version).await? {
        return Ok(found);
    }
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        key: Set(instrument.key.clone()),
        version: Set(version),
        definition: Set(definition.clone()),
        created_at: Set(now),
        organization_id: Set(organization),
    };
    match row.insert(db).await {
        Ok(model) => Ok(model),
        Err(err) if Unique::violated_by(&err) == Some(Unique::InstrumentVersion) => {
            find_version(db, &instrument.key, version).await?.ok_or(err)
        }
        Err(err) => Err(err),
    }
}

fn definition_of(instrument: &Instrument) -> Result<Json, DbErr> {
    serde_json::to_value(instrument).map_err(|e| DbErr::Custom(format!("{e}")))
}

/// Stores `instrument` unless its version is stored already, and answers the stored row. The
/// same version stored with a different definition is an error: results scored with the old
/// one would no longer mean what they said.
pub async fn ensure_stored<C: ConnectionTrait>(
    db: &C,
    instrument: &Instrument,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let definition = definition_of(instrument)?;
    let version = i32::try_from(instrument.version).map_err(|_| {
        DbErr::Custom(format!(
            "instrument {} has a version too large",
            instrument.key
        ))
    })?;
    let stored = find_or_store(db, instrument, version, &definition, None, now).await?;
    if stored.definition != definition {
        return Err(DbErr::Custom(format!(
            "instrument `{}` version {} is stored with a different definition: a changed definition needs a new version",
            instrument.key, instrument.version
        )));
    }
    Ok(stored)
}

/// Why an organization's instrument could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum OrgStoreError {
    /// The key belongs to a built-in or to another organization.
    #[error("the key `{0}` is taken")]
    KeyTaken(String),
    /// This version is stored already with another definition.
    #[error("version {1} of `{0}` is stored with a different definition: give it a new version")]
    VersionTaken(String, u32),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Stores a version of an instrument `organization` wrote (checked by the engine beforehand).
/// Storing the same definition again answers the stored row.
pub async fn store_for_organization<C: ConnectionTrait>(
    db: &C,
    organization: Uuid,
    instrument: &Instrument,
    now: DateTime<Utc>,
) -> Result<Model, OrgStoreError> {
    let taken = || OrgStoreError::KeyTaken(instrument.key.clone());
    let version_taken = || OrgStoreError::VersionTaken(instrument.key.clone(), instrument.version);
    let others = Entity::find()
        .filter(Column::Key.eq(instrument.key.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(Column::OrganizationId.is_null())
                .add(Column::OrganizationId.ne(organization)),
        )
        .one(db)
        .await?;
    if others.is_some() || domain::instrument::is_builtin_key(&instrument.key) {
        return Err(taken());
    }
    let definition = definition_of(instrument)?;
    let version = i32::try_from(instrument.version).map_err(|_| version_taken())?;
    let stored = find_or_store(
        db,
        instrument,
        version,
        &definition,
        Some(organization),
        now,
    )
    .await?;
    if stored.organization_id != Some(organization) {
        Err(taken())
    } else if stored.definition != definition {
        Err(version_taken())
    } else {
        Ok(stored)
    }
}

/// The newest version of an organization's instrument by key; none for a built-in's key.
pub async fn latest_of_organization_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Key.eq(key))
        .filter(Column::OrganizationId.is_not_null())
        .order_by_desc(Column::Version)
        .one(db)
        .await
}

/// One page of the instrument versions an organization stored, by ID (oldest first).
pub async fn page_of_organization<C: ConnectionTrait>(
    db: &C,
    organization: Uuid,
    page: &crate::page::PageRequest,
) -> Result<crate::page::Page<Model>, DbErr> {
    crate::page::by_uuid(
        db,
        Entity::find().filter(Column::OrganizationId.eq(organization)),
        Column::Id,
        page,
    )
    .await
}
