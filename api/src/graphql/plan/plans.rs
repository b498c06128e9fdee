//! The `Plan` object: a couple's plan of rituals.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use super::items::PlanItem;
use crate::auth::policy::{CoupleAccess, PlanAccess};
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loaders::Loaders;
use crate::state::AppState;

/// A couple's plan of rituals.
pub struct Plan(PlanAccess);

impl Plan {
    pub fn new(access: PlanAccess) -> Self {
        Self(access)
    }
}

/// A couple's plan of rituals.
#[Object]
impl Plan {
    /// The plan's global, opaque ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Plan, self.0.plan().id)
    }

    /// The plan's name, 1 to 80 characters.
    async fn name(&self) -> &str {
        &self.0.plan().name
    }

    /// Whether this is the couple's active plan (false once archived).
    async fn active(&self) -> Result<bool, ApiError> {
        Ok(self.0.plan().is_active()?)
    }

    /// While paused (a holiday, an illness), nothing is due and no streak breaks.
    async fn paused_until(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>, ApiError> {
        let now = ctx.data::<AppState>()?.clock.now();
        Ok(self.0.plan().paused_until.filter(|until| *until > now))
    }

    /// When the plan was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.plan().created_at
    }

    /// The rituals on the plan, in the order they were added.
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<PlanItem>, ApiError> {
        let items = Loaders::of(ctx)?.items(self.0.plan().id).await?;
        let mut out = Vec::new();
        for item in items.iter() {
            if item.is_active()?
                && let Some(access) = self.0.item(item.clone())
            {
                out.push(PlanItem::new(access));
            }
        }
        Ok(out)
    }
}

/// A couple's active plan, if it has one, as the decision lets the caller see it.
pub async fn active_plan(
    ctx: &Context<'_>,
    couple: &CoupleAccess,
) -> Result<Option<Plan>, ApiError> {
    let plans = Loaders::of(ctx)?.plans(couple.id()).await?;
    for plan in plans.iter() {
        if plan.is_active()? {
            return Ok(couple.plan(plan.clone()).map(Plan::new));
        }
    }
    Ok(None)
}
