//! Loads what progress and streaks are computed from: an item's schedule, assignee,
//! completions and its plan's pauses, as `domain::progress::ItemHistory`.

use chrono::{DateTime, Utc};
use domain::catalog::RitualCategory;
use domain::plan::{Assignee, ScheduleSpec};
use domain::progress::ItemHistory;
use domain::schedule::Schedule;
use entities::{completion, couple, plan, plan_item, ritual};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::ApiError;

/// The stored schedule of an item; a row that no longer parses is an internal error.
pub fn schedule_of(item: &plan_item::Model) -> Result<Schedule, ApiError> {
    let spec: ScheduleSpec = serde_json::from_value(item.schedule.clone()).map_err(|e| {
        ApiError::internal(&format!("plan item {} has a bad schedule: {e}", item.id))
    })?;
    spec.to_schedule()
        .map_err(|e| ApiError::internal(&format!("plan item {} has a bad schedule: {e}", item.id)))
}

pub fn assignee_of(item: &plan_item::Model) -> Result<Assignee, ApiError> {
    Assignee::from_parts(&item.assignee, item.assignee_user_id)
        .ok_or_else(|| ApiError::internal(&format!("plan item {} has a bad assignee", item.id)))
}

/// The members whose completions count: the current ones, or all for an archived couple.
pub async fn counted_members<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<Vec<Uuid>, ApiError> {
    let members = couple::members(db, couple_id).await?;
    let current: Vec<Uuid> = members
        .iter()
        .filter(|(m, _)| m.is_current())
        .map(|(m, _)| m.user_id)
        .collect();
    Ok(if current.is_empty() {
        members.iter().map(|(m, _)| m.user_id).collect()
    } else {
        current
    })
}

/// Pauses of a plan as [from, until) instants.
pub async fn pauses_of<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, ApiError> {
    Ok(plan::pause::for_plan(db, plan_id)
        .await?
        .into_iter()
        .map(|p| (p.starts_at, p.ends_at))
        .collect())
}

/// One item's full history; `pauses` are its plan's, from [`pauses_of`].
pub async fn item_history<C: ConnectionTrait>(
    db: &C,
    item: &plan_item::Model,
    plan: &plan::Model,
    members: &[Uuid],
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<ItemHistory, ApiError> {
    let completions = completion::for_item(db, item.id)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.occurrence_date,
                c.user_id,
                u8::try_from(c.closeness).unwrap_or(0),
            )
        })
        .collect();
    let category = ritual::Entity::find_by_id(item.ritual_id)
        .one(db)
        .await?
        .and_then(|r| r.category.parse::<RitualCategory>().ok());
    let schedule = schedule_of(item)?;
    let history_from = schedule
        .local_date(plan.created_at - chrono::Duration::hours(domain::plan::LATE_WINDOW_HOURS));
    Ok(ItemHistory {
        history_from,
        schedule,
        assignee: assignee_of(item)?,
        members: members.to_vec(),
        completions,
        pauses: pauses.to_vec(),
        ended_at: item.removed_at.or(plan.archived_at),
        category,
    })
}
