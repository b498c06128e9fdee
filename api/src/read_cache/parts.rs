//! The three parts of a couple's rows, each read in as few statements as it can be.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use entities::{completion, couple_member, plan, plan_item, user};
use sea_orm::{AccessMode, DatabaseConnection, DbBackend, DbErr, IsolationLevel, TransactionTrait};
use uuid::Uuid;

use crate::graphql::loaders::group;

/// About how many bytes a part's rows take in memory.
pub(crate) trait Weigh {
    fn weigh(&self) -> usize;
}

fn text(s: &str) -> usize {
    s.len()
}

fn maybe(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, text)
}

/// Every member the couple had (current and former) with their accounts, in joining order.
pub struct MembersPart {
    pub rows: Arc<[(couple_member::Model, user::Model)]>,
}

impl MembersPart {
    /// One statement.
    pub(super) async fn load(db: &DatabaseConnection, couple: Uuid) -> Result<Self, DbErr> {
        let rows = couple_member::with_users(db, &[couple])
            .await?
            .into_iter()
            .map(|(member, mut account)| {
                // Nothing a read shows needs it; it is not kept past the statement.
                account.password_hash = String::new();
                (member, account)
            })
            .collect();
        Ok(Self { rows })
    }
}

impl Weigh for MembersPart {
    fn weigh(&self) -> usize {
        self.rows
            .iter()
            .map(|(_, u)| {
                size_of::<(couple_member::Model, user::Model)>()
                    + text(&u.email)
                    + text(&u.display_name)
                    + text(&u.timezone)
                    + text(&u.role)
                    + maybe(&u.quiet_hours_start)
                    + maybe(&u.quiet_hours_end)
            })
            .sum()
    }
}

/// Every plan the couple had, oldest first, with each plan's items (removed ones too, in the
/// order they were added) and pauses.
pub struct PlansPart {
    pub plans: Arc<[plan::Model]>,
    pub items: HashMap<Uuid, Arc<[plan_item::Model]>>,
    pub pauses: HashMap<Uuid, Arc<[plan::pause::Model]>>,
    /// Where each item is: its plan's index in `plans`, its own in that plan's items.
    index: HashMap<Uuid, (usize, usize)>,
}

impl PlansPart {
    /// Three statements in one read-only transaction, so the three see one snapshot
    /// (`REPEATABLE READ` on PostgreSQL; a read transaction is one on SQLite).
    pub(super) async fn load(db: &DatabaseConnection, couple: Uuid) -> Result<Self, DbErr> {
        let txn = match db.get_database_backend() {
            DbBackend::Postgres => {
                db.begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
            }
            // SQLite has neither setting (sea-orm warns of each); its transactions read one
            // snapshot from their first read.
            _ => db.begin().await?,
        };
        let plans = plan::for_couples(&txn, &[couple]).await?;
        let items = plan_item::for_couple(&txn, couple).await?;
        let pauses = plan::pause::for_couple(&txn, couple).await?;
        txn.commit().await?;
        Ok(Self::new(plans, items, pauses))
    }

    fn new(
        plans: Vec<plan::Model>,
        items: Vec<plan_item::Model>,
        pauses: Vec<plan::pause::Model>,
    ) -> Self {
        let items = group(items, |i| i.plan_id);
        let mut index = HashMap::new();
        for (p, plan) in plans.iter().enumerate() {
            for (i, item) in items
                .get(&plan.id)
                .into_iter()
                .flat_map(|v| v.iter())
                .enumerate()
            {
                index.insert(item.id, (p, i));
            }
        }
        Self {
            plans: plans.into(),
            items: shared(items),
            pauses: shared(group(pauses, |p| p.plan_id)),
            index,
        }
    }

    /// Whether the plan is one of the couple's.
    pub fn has_plan(&self, plan_id: Uuid) -> bool {
        self.plans.iter().any(|p| p.id == plan_id)
    }

    /// An item of one of the couple's plans, with its plan.
    pub fn item(&self, item_id: Uuid) -> Option<(&plan::Model, &plan_item::Model)> {
        let (p, i) = *self.index.get(&item_id)?;
        let plan = self.plans.get(p)?;
        Some((plan, self.items.get(&plan.id)?.get(i)?))
    }

    /// Whether the item is on one of the couple's plans.
    pub fn has_item(&self, item_id: Uuid) -> bool {
        self.index.contains_key(&item_id)
    }
}

impl Weigh for PlansPart {
    fn weigh(&self) -> usize {
        let plans: usize = self
            .plans
            .iter()
            .map(|p| size_of::<plan::Model>() + text(&p.name) + text(&p.status))
            .sum();
        let items: usize = self
            .items
            .values()
            .flat_map(|items| items.iter())
            .map(|i| {
                // The schedule's JSON as kept: about its text's length, twice over for the
                // map's own structure.
                size_of::<plan_item::Model>()
                    + 2 * i.schedule.to_string().len()
                    + text(&i.assignee)
                    + text(&i.status)
                    + 3 * size_of::<(Uuid, (usize, usize))>()
            })
            .sum();
        let pauses: usize =
            self.pauses.values().map(|p| p.len()).sum::<usize>() * size_of::<plan::pause::Model>();
        plans + items + pauses
    }
}

/// The completions of the couple's items (removed items' too), by item, in logging order.
pub struct CompletionsPart {
    pub by_item: HashMap<Uuid, Arc<[completion::Model]>>,
}

impl CompletionsPart {
    /// One statement.
    pub(super) async fn load(db: &DatabaseConnection, couple: Uuid) -> Result<Self, DbErr> {
        let rows = completion::for_couple(db, couple).await?;
        Ok(Self {
            by_item: shared(group(rows, |c| c.plan_item_id)),
        })
    }
}

impl Weigh for CompletionsPart {
    fn weigh(&self) -> usize {
        self.by_item
            .values()
            .flat_map(|rows| rows.iter())
            .map(|c| size_of::<completion::Model>() + maybe(&c.note))
            .sum::<usize>()
            + self.by_item.len() * size_of::<(Uuid, Arc<[completion::Model]>)>() * 2
    }
}

/// Grouped rows, each group made shareable with the requests that read it.
fn shared<T>(grouped: HashMap<Uuid, Vec<T>>) -> HashMap<Uuid, Arc<[T]>> {
    grouped.into_iter().map(|(k, v)| (k, v.into())).collect()
}
