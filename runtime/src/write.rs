//! The one write path. A write's own rows, the changes-feed rows that describe them, the
//! webhook deliveries it announces and the jobs it causes are all written in one database
//! transaction: they are all there after it commits, or none is. The jobs (webhook deliveries
//! among them) go into the outbox table; after the commit they are handed to the queue at
//! once, and whatever a crash kept from being handed over, the worker's relay sends within
//! seconds. A job carries its outbox row's ID and a run takes that row first, so a job handed
//! over twice runs once.
//!
//! ```text
//! let mut write = state.writer.begin(now).await?;
//! entities::plan::create(&*write, ...).await?;
//! write.change(made);
//! write.job(SomeJob { .. })?;
//! write.announce(couple_id, Scope::Plans, EventType::PlanCreated, data).await?;
//! write.commit().await?;
//! ```

use std::collections::BTreeMap;
use std::ops::Deref;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::clock::{SystemClock, TimeSource};
use domain::jobs::{DeliverWebhook, Job, Queued};
use domain::organization::Scope;
use domain::webhook::{self, EventType};
use entities::change::{self, NewChange};
use entities::outbox::{self, NewEntry};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use uuid::Uuid;

use crate::JobQueue;

/// A fault the write path injects on purpose (`REKINDLE_FAULT`), so tests can show what a
/// crash at that point leaves. Refused in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The process exits right after a write commits, before its jobs are handed over.
    ExitAfterCommit,
    /// Writes commit and hand nothing over (as if every hand-over were lost).
    SkipHandOff,
}

impl Fault {
    pub fn parse(name: &str) -> anyhow::Result<Self> {
        match name {
            "exit-after-commit" => Ok(Fault::ExitAfterCommit),
            "skip-hand-off" => Ok(Fault::SkipHandOff),
            other => anyhow::bail!(
                "REKINDLE_FAULT must be `exit-after-commit` or `skip-hand-off`, not `{other}`"
            ),
        }
    }
}

/// What a process writes through: its database, its queue, and any injected fault. Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct Writer {
    db: DatabaseConnection,
    queue: JobQueue,
    fault: Option<Fault>,
}

impl Writer {
    pub fn new(db: DatabaseConnection, queue: JobQueue, fault: Option<Fault>) -> Self {
        Self { db, queue, fault }
    }

    /// Begins a write at `now` (on SQLite it takes the write lock at once: see
    /// [`entities::begin_write`]).
    pub async fn begin(&self, now: DateTime<Utc>) -> Result<Write, DbErr> {
        Ok(Write {
            txn: entities::begin_write(&self.db).await?,
            now,
            changes: Vec::new(),
            jobs: Vec::new(),
            writer: self.clone(),
        })
    }

    /// Hands stored jobs to their queues (`now`: the system's time), then notes them handed
    /// over. A failure leaves them
    /// to the relay (a job handed over and not noted is handed over again, and runs once).
    pub async fn hand_off(&self, entries: Vec<Stored>, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut by_queue: BTreeMap<String, Vec<(serde_json::Value, Duration)>> = BTreeMap::new();
        let mut ids = Vec::with_capacity(entries.len());
        for entry in entries {
            let delay = (entry.run_at - now).to_std().unwrap_or_default();
            by_queue
                .entry(entry.queue)
                .or_default()
                .push((entry.payload, delay));
            ids.push(entry.id);
        }
        for (queue, payloads) in by_queue {
            self.queue.push_stored(&queue, payloads).await?;
        }
        outbox::mark_handed(&self.db, &ids, now).await?;
        Ok(())
    }
}

/// The system's time, which the outbox and the queue keep.
pub fn wall_now() -> DateTime<Utc> {
    SystemClock.now()
}

/// A job as the outbox keeps it, ready to hand over.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub id: Uuid,
    pub queue: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
}

impl Stored {
    /// A row read back from the outbox; `None` when its payload is not JSON (never written
    /// so by this code).
    pub fn from_row(row: &outbox::Model) -> Option<Self> {
        Some(Self {
            id: row.id,
            queue: row.queue.clone(),
            payload: serde_json::from_str(&row.payload).ok()?,
            run_at: row.run_at,
        })
    }
}

/// One write in progress: its transaction (reach it through `&*write`) and what it will tell.
/// Dropped without [`Write::commit`], everything is rolled back.
pub struct Write {
    txn: DatabaseTransaction,
    now: DateTime<Utc>,
    changes: Vec<NewChange>,
    jobs: Vec<Pending>,
    writer: Writer,
}

/// A job the write will store: its outbox ID, queue, payload and delay.
struct Pending {
    id: Uuid,
    queue: &'static str,
    payload: serde_json::Value,
    delay: Duration,
}

impl Deref for Write {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl Write {
    /// The instant the write happens at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records a change for the changes feed, with the write.
    pub fn change(&mut self, change: NewChange) {
        self.changes.push(change);
    }

    /// Records changes for the changes feed, with the write.
    pub fn changes(&mut self, changes: impl IntoIterator<Item = NewChange>) {
        self.changes.extend(changes);
    }

    /// Queues `job` with the write: stored with it, run once after it commits.
    pub fn job<J: Job>(&mut self, job: J) -> Result<(), DbErr> {
        self.job_after(job, Duration::ZERO)
    }

    /// Queues `job` with the write, to run `delay` after it commits.
    pub fn job_after<J: Job>(&mut self, job: J, delay: Duration) -> Result<(), DbErr> {
        let id = Uuid::now_v7();
        let queued = Queued {
            job,
            attempt: 1,
            outbox: Some(id),
        };
        let payload = serde_json::to_value(&queued)
            .map_err(|e| DbErr::Custom(format!("a {} job as JSON: {e}", J::QUEUE)))?;
        self.jobs.push(Pending {
            id,
            queue: J::QUEUE,
            payload,
            delay,
        });
        Ok(())
    }

    /// Tells the organizations that may read `scope` of the couple (as of this write) of
    /// `event`: a delivery for each subscribed endpoint, each sent after the commit.
    pub async fn announce(
        &mut self,
        couple_id: Uuid,
        scope: Scope,
        event: EventType,
        data: serde_json::Value,
    ) -> Result<(), DbErr> {
        let organizations =
            entities::access::organizations_seeing(&self.txn, couple_id, scope).await?;
        self.announce_to(&organizations, event, data).await
    }

    /// Tells `organizations` of `event`.
    pub async fn announce_to(
        &mut self,
        organizations: &[Uuid],
        event: EventType,
        data: serde_json::Value,
    ) -> Result<(), DbErr> {
        if organizations.is_empty() {
            return Ok(());
        }
        let now = self.now;
        let made = entities::webhook::enqueue(
            &self.txn,
            organizations,
            event,
            |id| webhook::body(id, event, now, &data),
            now,
        )
        .await?;
        self.deliver(made.iter().map(|d| d.id))
    }

    /// Sends these stored webhook deliveries after the commit.
    pub fn deliver(&mut self, deliveries: impl IntoIterator<Item = Uuid>) -> Result<(), DbErr> {
        for delivery_id in deliveries {
            self.job(DeliverWebhook { delivery_id })?;
        }
        Ok(())
    }

    /// Gives the write up: nothing of it is kept (as when it is dropped), and the database's
    /// write lock is free once this answers.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }

    /// Writes the outbox and the changes (last: see [`entities::change`] on commit order),
    /// commits, then hands the jobs over. The write stands once this answers `Ok`; a hand-over
    /// that fails is the relay's to finish and fails nothing.
    pub async fn commit(self) -> Result<(), DbErr> {
        let Write {
            txn,
            now,
            changes,
            jobs,
            writer,
        } = self;
        // The outbox keeps the queue's time, the system's (a test's clock may stand still).
        let wall = wall_now();
        let stored: Vec<Stored> = jobs
            .into_iter()
            .map(|job| Stored {
                id: job.id,
                queue: job.queue.to_owned(),
                payload: job.payload,
                run_at: wall + chrono::Duration::from_std(job.delay).unwrap_or_default(),
            })
            .collect();
        let entries: Vec<NewEntry> = stored
            .iter()
            .map(|job| NewEntry {
                id: job.id,
                queue: job.queue.clone(),
                payload: job.payload.to_string(),
                run_at: job.run_at,
            })
            .collect();
        outbox::insert(&txn, &entries, wall).await?;
        change::record(&txn, &changes, now).await?;
        txn.commit().await?;
        match writer.fault {
            Some(Fault::ExitAfterCommit) => {
                tracing::warn!("REKINDLE_FAULT=exit-after-commit: exiting before the hand-over");
                std::process::exit(86);
            }
            Some(Fault::SkipHandOff) => return Ok(()),
            None => {}
        }
        if stored.is_empty() {
            return Ok(());
        }
        if let Err(err) = writer.hand_off(stored, wall).await {
            tracing::warn!(error = %format!("{err:#}"), "a write's jobs are stored but not handed over; the relay will send them");
        }
        Ok(())
    }
}
