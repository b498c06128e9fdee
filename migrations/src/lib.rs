//! Rekindle's schema and built-in content, as an ordered list of migrations.
//!
//! A migration never changes once it has landed: add a new one instead (see README).

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_rituals;
mod m20261127_000002_seed_builtin_rituals;
mod m20261127_000003_create_worker_heartbeats;

pub mod content;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_rituals::Migration),
            Box::new(m20261127_000002_seed_builtin_rituals::Migration),
            Box::new(m20261127_000003_create_worker_heartbeats::Migration),
        ]
    }
}
