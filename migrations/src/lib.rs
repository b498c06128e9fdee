//! Rekindle's schema and built-in content, as an ordered list of migrations.
//!
//! A migration never changes once it has landed: add a new one instead (see README).

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_rituals;
mod m20261127_000002_seed_builtin_rituals;
mod m20261127_000003_create_worker_heartbeats;
mod m20261127_000004_create_users;
mod m20261127_000005_create_sessions;
mod m20261127_000006_create_refresh_tokens;
mod m20261127_000007_create_couples;
mod m20261127_000008_create_couple_members;
mod m20261127_000009_create_invites;
mod m20261127_000010_add_couple_id_to_rituals;
mod m20261127_000011_create_plans;
mod m20261127_000012_create_plan_pauses;
mod m20261127_000013_create_plan_items;
mod m20261127_000014_create_completions;
mod m20261127_000015_create_instruments;
mod m20261127_000016_create_assessments;
mod m20261127_000017_create_check_in_answers;
mod m20261127_000018_create_couple_breaks;
mod m20261127_000019_create_dead_jobs;
mod m20261127_000020_create_notifications;
mod m20261127_000021_create_weekly_summaries;
mod m20261127_000022_add_shared_data_deleted_at;
mod m20261127_000023_index_plans_by_couple;
mod m20261128_000024_create_organizations;
mod m20261128_000025_create_webhooks;
mod m20261128_000026_create_email_tokens;
mod m20261128_000027_create_coach_invites;
mod m20261128_000028_create_organization_content;
mod m20261128_000029_create_idempotency_keys;
mod m20261128_000030_create_changes;
mod m20261128_000031_create_operations;
mod m20261128_000032_create_data_rights;
mod m20261205_000033_create_outbox;
mod m20261205_000034_rotate_webhook_secrets;
mod m20261205_000035_create_push_devices;
mod m20261205_000036_create_coach_conversations;
mod m20261205_000037_couple_versions;
mod m20261205_000038_create_queue_throughput;
mod m20261206_000039_add_user_locale;

pub mod content;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_rituals::Migration),
            Box::new(m20261127_000002_seed_builtin_rituals::Migration),
            Box::new(m20261127_000003_create_worker_heartbeats::Migration),
            Box::new(m20261127_000004_create_users::Migration),
            Box::new(m20261127_000005_create_sessions::Migration),
            Box::new(m20261127_000006_create_refresh_tokens::Migration),
            Box::new(m20261127_000007_create_couples::Migration),
            Box::new(m20261127_000008_create_couple_members::Migration),
            Box::new(m20261127_000009_create_invites::Migration),
            Box::new(m20261127_000010_add_couple_id_to_rituals::Migration),
            Box::new(m20261127_000011_create_plans::Migration),
            Box::new(m20261127_000012_create_plan_pauses::Migration),
            Box::new(m20261127_000013_create_plan_items::Migration),
            Box::new(m20261127_000014_create_completions::Migration),
            Box::new(m20261127_000015_create_instruments::Migration),
            Box::new(m20261127_000016_create_assessments::Migration),
            Box::new(m20261127_000017_create_check_in_answers::Migration),
            Box::new(m20261127_000018_create_couple_breaks::Migration),
            Box::new(m20261127_000019_create_dead_jobs::Migration),
            Box::new(m20261127_000020_create_notifications::Migration),
            Box::new(m20261127_000021_create_weekly_summaries::Migration),
            Box::new(m20261127_000022_add_shared_data_deleted_at::Migration),
            Box::new(m20261127_000023_index_plans_by_couple::Migration),
            Box::new(m20261128_000024_create_organizations::Migration),
            Box::new(m20261128_000025_create_webhooks::Migration),
            Box::new(m20261128_000026_create_email_tokens::Migration),
            Box::new(m20261128_000027_create_coach_invites::Migration),
            Box::new(m20261128_000028_create_organization_content::Migration),
            Box::new(m20261128_000029_create_idempotency_keys::Migration),
            Box::new(m20261128_000030_create_changes::Migration),
            Box::new(m20261128_000031_create_operations::Migration),
            Box::new(m20261128_000032_create_data_rights::Migration),
            Box::new(m20261205_000033_create_outbox::Migration),
            Box::new(m20261205_000034_rotate_webhook_secrets::Migration),
            Box::new(m20261205_000035_create_push_devices::Migration),
            Box::new(m20261205_000036_create_coach_conversations::Migration),
            Box::new(m20261205_000037_couple_versions::Migration),
            Box::new(m20261205_000038_create_queue_throughput::Migration),
            Box::new(m20261206_000039_add_user_locale::Migration),
        ]
    }
}
