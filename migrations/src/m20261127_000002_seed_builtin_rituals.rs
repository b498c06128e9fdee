use sea_orm_migration::prelude::*;

use crate::content::builtin_rituals_v1;
use crate::m20261127_000001_create_rituals::Rituals;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let rituals = builtin_rituals_v1().map_err(DbErr::Migration)?;
        let now = chrono::Utc::now();
        let mut insert = Query::insert();
        insert.into_table(Rituals::Table).columns([
            Rituals::Id,
            Rituals::Key,
            Rituals::Title,
            Rituals::Summary,
            Rituals::WhyItHelps,
            Rituals::Category,
            Rituals::DefaultCadence,
            Rituals::DurationMinutes,
            Rituals::Steps,
            Rituals::BuiltIn,
            Rituals::CreatedAt,
        ]);
        for ritual in rituals {
            let steps = serde_json::Value::from(ritual.steps);
            insert.values_panic([
                uuid::Uuid::new_v4().into(),
                ritual.key.as_str().into(),
                ritual.title.into(),
                ritual.summary.into(),
                ritual.why_it_helps.into(),
                ritual.category.as_str().into(),
                ritual.default_cadence.as_str().into(),
                <i32 as TryFrom<u32>>::try_from(ritual.duration_minutes)
                    .map_err(|e| DbErr::Migration(e.to_string()))?
                    .into(),
                steps.into(),
                true.into(),
                now.into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(Rituals::Table)
                    .and_where(Expr::col(Rituals::BuiltIn).eq(true))
                    .to_owned(),
            )
            .await
    }
}
