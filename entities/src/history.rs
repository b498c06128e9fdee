//! What progress and streaks are computed from: an item's schedule, assignee, completions and
//! its plan's pauses, turned from stored rows into `domain::progress::ItemHistory`. The api and
//! the worker both read histories through here.

use domain::progress::ItemHistory;
use uuid::Uuid;

use crate::stored::BadRow;
use crate::{completion, couple_member, plan, plan_item, ritual};

/// The members whose completions count: the current ones, or all of them once the couple is
/// archived (nobody is current then).
pub fn counted_members<'a>(
    members: impl IntoIterator<Item = &'a couple_member::Model>,
) -> Vec<Uuid> {
    let (mut current, mut all) = (Vec::new(), Vec::new());
    for member in members {
        if member.is_current() {
            current.push(member.user_id);
        }
        all.push(member.user_id);
    }
    if current.is_empty() { all } else { current }
}

/// The stored rows one item's history is made of.
pub struct ItemRows<'a> {
    pub item: &'a plan_item::Model,
    pub plan: &'a plan::Model,
    pub ritual: &'a ritual::Model,
    /// The item's completions, in any order.
    pub completions: &'a [completion::Model],
    /// Its plan's pauses.
    pub pauses: &'a [plan::pause::Model],
    /// From [`counted_members`].
    pub members: &'a [Uuid],
}

impl ItemRows<'_> {
    /// The item's history; any stored value that does not read is a [`BadRow`].
    pub fn history(&self) -> Result<ItemHistory, BadRow> {
        let schedule = self.item.schedule()?;
        let history_from = schedule.local_date(
            self.plan.created_at - chrono::Duration::hours(domain::plan::LATE_WINDOW_HOURS),
        );
        let completions = self
            .completions
            .iter()
            .map(|c| Ok((c.occurrence_date, c.user_id, c.closeness()?)))
            .collect::<Result<_, BadRow>>()?;
        Ok(ItemHistory {
            history_from,
            schedule,
            assignee: self.item.assignee()?,
            members: self.members.to_vec(),
            completions,
            pauses: self
                .pauses
                .iter()
                .map(|p| (p.starts_at, p.ends_at))
                .collect(),
            ended_at: self.item.removed_at.or(self.plan.archived_at),
            category: Some(self.ritual.category()?),
        })
    }
}

impl From<BadRow> for sea_orm::DbErr {
    fn from(bad: BadRow) -> Self {
        sea_orm::DbErr::Custom(bad.to_string())
    }
}
