//! The first statement of authenticated requests, shared by requests that arrive together.
//!
//! Every authenticated request needs its session, account, membership and couple's versions
//! read after it arrived. Requests that are waiting at the same moment are read by one
//! statement (`WHERE s.id IN (...)`): a batch is sent only once its requests are all here, so
//! each still gets rows no older than the database after it arrived, and a statement's fixed
//! cost (the round trip, waking tasks, PostgreSQL's per-statement work) is paid once for all.
//! While [`IN_FLIGHT`] batches are out, new requests gather for the next one; a lone request
//! is sent at once.

use std::collections::HashMap;
use std::sync::Arc;

use entities::request::Found;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::{Semaphore, mpsc, oneshot};
use uuid::Uuid;

/// Batches read at once; more requests wait for one of them to finish.
const IN_FLIGHT: usize = 4;
/// Sessions read by one statement at most.
const BATCH: usize = 64;

type Answer = Result<Option<Found>, Arc<DbErr>>;

/// Where requests ask for their session's rows.
#[derive(Clone)]
pub struct SessionReads {
    asks: mpsc::UnboundedSender<(Uuid, oneshot::Sender<Answer>)>,
}

impl SessionReads {
    /// Starts the reader on the current runtime (the database pool's); it stops when the last
    /// handle is dropped.
    pub fn start(db: DatabaseConnection) -> Self {
        let (asks, waiting) = mpsc::unbounded_channel();
        tokio::spawn(read_batches(db, waiting));
        Self { asks }
    }

    /// The session `id`'s rows, read after this call began.
    pub async fn find(&self, id: Uuid) -> Result<Option<Found>, Arc<DbErr>> {
        let (answer, answered) = oneshot::channel();
        let stopped = || Arc::new(DbErr::Custom("the session reader has stopped".into()));
        self.asks.send((id, answer)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn read_batches(
    db: DatabaseConnection,
    mut waiting: mpsc::UnboundedReceiver<(Uuid, oneshot::Sender<Answer>)>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = waiting.recv().await {
        // Wait for a free slot before gathering, so requests pile up while all are out.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match waiting.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let db = db.clone();
        tokio::spawn(async move {
            let _slot = slot;
            answer(&db, batch).await;
        });
    }
}

async fn answer(db: &DatabaseConnection, batch: Vec<(Uuid, oneshot::Sender<Answer>)>) {
    let mut ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    match entities::request::find_many(db, &ids).await {
        Ok(rows) => {
            let by_id: HashMap<Uuid, Found> = rows
                .into_iter()
                .map(|found| (found.session.id, found))
                .collect();
            for (id, reply) in batch {
                // The request may have gone (its client hung up): nothing to tell.
                let _ = reply.send(Ok(by_id.get(&id).cloned()));
            }
        }
        Err(err) => {
            let err = Arc::new(err);
            for (_, reply) in batch {
                let _ = reply.send(Err(err.clone()));
            }
        }
    }
}
