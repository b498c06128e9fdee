//! The assessment instruments in use, held in memory. The built-in definitions ship with the
//! binary; at start each version is stored (once, whichever instance gets there first), so a
//! result always names the stored version it was scored with.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::instrument::{Instrument, builtin_instruments};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A definition with the ID of its stored version.
#[derive(Debug)]
pub struct StoredInstrument {
    pub id: Uuid,
    pub definition: Instrument,
}

impl StoredInstrument {
    /// A stored version as the engine reads it.
    pub fn from_row(row: &entities::instrument::Model) -> Result<Self, entities::BadRow> {
        Ok(Self {
            id: row.id,
            definition: row.instrument()?,
        })
    }
}

/// The current version of every instrument, by key and by stored ID.
#[derive(Debug, Default)]
pub struct Instruments {
    /// Ordered by key.
    all: Vec<Arc<StoredInstrument>>,
    by_key: HashMap<String, Arc<StoredInstrument>>,
    by_id: HashMap<Uuid, Arc<StoredInstrument>>,
}

impl Instruments {
    /// Checks the built-in definitions and stores any version not stored yet.
    pub async fn load<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> anyhow::Result<Self> {
        let definitions = builtin_instruments().context("the built-in instruments are invalid")?;
        let mut stored = Vec::with_capacity(definitions.len());
        for definition in definitions {
            let row = entities::instrument::ensure_stored(db, &definition, now)
                .await
                .with_context(|| format!("storing the built-in instrument `{}`", definition.key))?;
            stored.push(StoredInstrument {
                id: row.id,
                definition,
            });
        }
        Ok(Self::from_stored(stored))
    }

    fn from_stored(mut stored: Vec<StoredInstrument>) -> Self {
        stored.sort_by(|a, b| a.definition.key.cmp(&b.definition.key));
        let all: Vec<Arc<StoredInstrument>> = stored.into_iter().map(Arc::new).collect();
        Self {
            by_key: all
                .iter()
                .map(|i| (i.definition.key.clone(), i.clone()))
                .collect(),
            by_id: all.iter().map(|i| (i.id, i.clone())).collect(),
            all,
        }
    }

    /// Every instrument, ordered by key.
    pub fn all(&self) -> &[Arc<StoredInstrument>] {
        &self.all
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<StoredInstrument>> {
        self.by_key.get(key).cloned()
    }

    pub fn by_id(&self, id: Uuid) -> Option<Arc<StoredInstrument>> {
        self.by_id.get(&id).cloned()
    }

    /// Any stored version by ID: from memory, or from the store for a version no longer
    /// current or an organization's. `None` when nothing is stored under `id`.
    pub async fn stored<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> Result<Option<Arc<StoredInstrument>>, crate::error::ApiError> {
        if let Some(found) = self.by_id(id) {
            return Ok(Some(found));
        }
        use sea_orm::EntityTrait;
        match entities::instrument::Entity::find_by_id(id).one(db).await? {
            Some(row) => Ok(Some(Arc::new(StoredInstrument::from_row(&row)?))),
            None => Ok(None),
        }
    }
}
