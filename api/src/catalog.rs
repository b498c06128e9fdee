//! The built-in ritual catalog, held in memory. Built-in rituals change only with a deploy
//! (a migration seeds them), so every process reads them once at start and answers lookups
//! by key or ID without the database; a couple's own rituals are always read from it.

use std::collections::HashMap;
use std::sync::Arc;

use entities::ritual;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// The built-in rituals by key and by ID.
#[derive(Debug, Default)]
pub struct Catalog {
    by_key: HashMap<String, Arc<ritual::Model>>,
    by_id: HashMap<Uuid, Arc<ritual::Model>>,
}

impl Catalog {
    /// Reads every built-in ritual.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        Ok(Self::from_rows(ritual::built_in(db).await?))
    }

    fn from_rows(rows: Vec<ritual::Model>) -> Self {
        let mut catalog = Self::default();
        for row in rows
            .into_iter()
            .filter(|r| r.couple_id.is_none() && r.organization_id.is_none())
        {
            let row = Arc::new(row);
            catalog.by_id.insert(row.id, row.clone());
            catalog.by_key.insert(row.key.clone(), row);
        }
        catalog
    }

    /// A built-in ritual by key.
    pub fn by_key(&self, key: &str) -> Option<Arc<ritual::Model>> {
        self.by_key.get(key).cloned()
    }

    /// A built-in ritual by ID.
    pub fn by_id(&self, id: Uuid) -> Option<Arc<ritual::Model>> {
        self.by_id.get(&id).cloned()
    }

    /// Every built-in ritual, ordered by key.
    pub fn all(&self) -> Vec<Arc<ritual::Model>> {
        let mut all: Vec<Arc<ritual::Model>> = self.by_key.values().cloned().collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        all
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, couple: Option<Uuid>) -> ritual::Model {
        ritual::Model {
            id: Uuid::now_v7(),
            key: key.into(),
            title: key.into(),
            summary: "s".into(),
            why_it_helps: "w".into(),
            category: "emotional".into(),
            default_cadence: "daily".into(),
            duration_minutes: 5,
            steps: serde_json::json!([]),
            built_in: couple.is_none(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            couple_id: couple,
            organization_id: None,
        }
    }

    #[test]
    fn only_built_in_rituals_are_held() {
        let kiss = row("six_second_kiss", None);
        let ours = row("custom_ours", Some(Uuid::now_v7()));
        let catalog = Catalog::from_rows(vec![kiss.clone(), ours.clone()]);
        assert_eq!(catalog.len(), 1);
        assert_eq!(catalog.by_key("six_second_kiss").unwrap().id, kiss.id);
        assert_eq!(catalog.by_id(kiss.id).unwrap().key, "six_second_kiss");
        assert!(catalog.by_key("custom_ours").is_none());
        assert!(catalog.by_id(ours.id).is_none());
    }
}
