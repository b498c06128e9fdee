//! An apalis-redis queue whose fetch moves due tasks in bounded chunks.
//!
//! apalis-redis 1.0.0 moves every due scheduled task to the ready list in one Lua call; past
//! about 8,000 due tasks Redis refuses the call ("too many results to unpack") and the worker
//! dies, and a restarted worker dies on the same backlog. Every push lands in the scheduled set,
//! so an outage or a busy minute is enough. [`BoundedRedis`] keeps apalis-redis for everything
//! else (registration, heartbeats, acknowledgements, recovery of a dead worker's tasks, the
//! storage layout) and replaces only the fetch, with `fetch.lua`: it moves at most
//! [`Tuning::chunk`] due tasks per call and hands out at most a batch.
//!
//! It also outlives Redis being away: a failed fetch is retried after a pause instead of ending
//! the worker, and a worker that does end (a failed heartbeat) is restarted by the monitor after
//! [`BoundedRedis::starting_after`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use apalis_core::backend::{Backend, BackendConfig, WireFormatBackend};
use apalis_core::worker::context::WorkerContext;
use apalis_redis::queries::deserialize_with_meta;
use apalis_redis::{ConnectionManager, RedisStorage, RedisTask};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use redis::{RedisError, Script};
use tokio::time::Sleep;

static FETCH: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("fetch.lua")));
static GIVE_BACK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("give_back.lua")));

/// How much one fetch moves and hands out.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Most due tasks moved from the scheduled set to the ready list per fetch. Far below the
    /// unpack limit, and large enough that promotion outpaces any worker.
    pub chunk: usize,
    /// Most tasks handed to this worker per fetch.
    pub batch: usize,
    /// Pause after a failed fetch before the next try.
    pub retry_after: Duration,
    /// While fetched tasks wait in the buffer, apalis's bookkeeping (acknowledgements, the
    /// heartbeat) runs at most this often, so the acknowledgements of many short tasks go to
    /// Redis in one call instead of one call per task. Far below the heartbeat interval.
    pub settle_every: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            chunk: 1_000,
            batch: 500,
            retry_after: Duration::from_secs(1),
            settle_every: Duration::from_millis(50),
        }
    }
}

type Fetch = BoxFuture<'static, Result<Vec<RedisTask>, RedisError>>;
type GiveBack = BoxFuture<'static, Result<usize, RedisError>>;

/// An apalis backend over an apalis-redis queue; see the module documentation.
pub struct BoundedRedis<Args> {
    inner: RedisStorage<Args>,
    conn: ConnectionManager,
    tuning: Tuning,
    start: Option<Pin<Box<Sleep>>>,
    pause: Option<Pin<Box<Sleep>>>,
    fetch: Option<Fetch>,
    give_back: Option<GiveBack>,
    buffer: VecDeque<RedisTask>,
    settled: Option<Instant>,
}

impl<Args> BoundedRedis<Args> {
    pub fn new(inner: RedisStorage<Args>, conn: ConnectionManager, tuning: Tuning) -> Self {
        Self {
            inner,
            conn,
            tuning,
            start: None,
            pause: None,
            fetch: None,
            give_back: None,
            buffer: VecDeque::new(),
            settled: None,
        }
    }

    /// Waits `delay` before registering: a restarted worker does not spin while Redis is away.
    pub fn starting_after(mut self, delay: Duration) -> Self {
        if !delay.is_zero() {
            self.start = Some(Box::pin(tokio::time::sleep(delay)));
        }
        self
    }

    fn fetch(&self, worker: &WorkerContext) -> Fetch {
        let config = self.inner.get_config();
        let mut invocation = FETCH.prepare_invoke();
        invocation
            .key(config.workers_set())
            .key(config.active_jobs_list())
            .key(config.inflight_set_for(worker))
            .key(config.job_data_hash())
            .key(config.job_meta_hash())
            .key(config.scheduled_jobs_set())
            .arg(unix_seconds())
            .arg(self.tuning.batch)
            .arg(worker.name())
            .arg(self.tuning.chunk);
        let mut conn = self.conn.clone();
        async move {
            let mut answer: Vec<redis::Value> = invocation.invoke_async(&mut conn).await?;
            // The third value is how many tasks were moved; apalis-redis reads the first two.
            answer.truncate(2);
            let tasks = deserialize_with_meta(answer)?;
            Ok(tasks.into_iter().map(|t| t.into_full_compact()).collect())
        }
        .boxed()
    }

    fn give_back(&mut self, worker: &WorkerContext) -> Option<GiveBack> {
        let ids: Vec<String> = self
            .buffer
            .drain(..)
            .filter_map(|task| task.ctx().task_id().map(|id| id.to_string()))
            .collect();
        if ids.is_empty() {
            return None;
        }
        let config = self.inner.get_config();
        let mut invocation = GIVE_BACK.prepare_invoke();
        invocation
            .key(config.inflight_set_for(worker))
            .key(config.active_jobs_list());
        for id in &ids {
            invocation.arg(id);
        }
        let mut conn = self.conn.clone();
        Some(async move { invocation.invoke_async(&mut conn).await }.boxed())
    }
}

fn unix_seconds() -> u64 {
    // apalis-redis scores scheduled tasks in wall-clock seconds; the fetch must read the same
    // clock, not the application's injected one.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl<Args> Backend for BoundedRedis<Args> {
    type Task = RedisTask;
    type Error = apalis_redis::Error;

    fn poll_ready(
        &mut self,
        cx: &mut Context<'_>,
        worker: &WorkerContext,
    ) -> Poll<Result<(), Self::Error>> {
        if let Some(start) = self.start.as_mut() {
            if start.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.start = None;
        }
        let recently = self
            .settled
            .is_some_and(|at| at.elapsed() < self.tuning.settle_every);
        if recently && !self.buffer.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let ready = self.inner.poll_ready(cx, worker);
        if matches!(ready, Poll::Ready(Ok(()))) {
            self.settled = Some(Instant::now());
        }
        ready
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        worker: &WorkerContext,
    ) -> Poll<Option<Result<Self::Task, Self::Error>>> {
        loop {
            if let Some(task) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(task)));
            }
            if let Some(pause) = self.pause.as_mut() {
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.pause = None;
            }
            if worker.is_shutting_down() {
                return Poll::Pending;
            }
            let fetch = match self.fetch.as_mut() {
                Some(fetch) => fetch,
                None => self.fetch.insert(self.fetch(worker)),
            };
            match fetch.poll_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(tasks)) => {
                    self.fetch = None;
                    if tasks.is_empty() {
                        // The poll strategy wraps this backend and wakes it on its interval.
                        return Poll::Pending;
                    }
                    self.buffer.extend(tasks);
                }
                Poll::Ready(Err(error)) => {
                    self.fetch = None;
                    tracing::warn!(
                        worker = worker.name(),
                        error = %error,
                        "fetching from Redis failed; trying again shortly"
                    );
                    self.pause = Some(Box::pin(tokio::time::sleep(self.tuning.retry_after)));
                }
            }
        }
    }

    fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        worker: &WorkerContext,
    ) -> Poll<Result<(), Self::Error>> {
        if self.give_back.is_none() {
            self.give_back = self.give_back(worker);
        }
        if let Some(give_back) = self.give_back.as_mut() {
            match give_back.poll_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(count)) => {
                    tracing::debug!(count, "gave unstarted tasks back to the queue");
                }
                Poll::Ready(Err(error)) => {
                    // They stay in this worker's in-flight set; the heartbeat sweep of another
                    // worker puts them back once this one is silent.
                    tracing::warn!(error = %error, "could not give unstarted tasks back");
                }
            }
            self.give_back = None;
        }
        self.inner.poll_close(cx, worker)
    }
}

impl<Args> BackendConfig for BoundedRedis<Args> {
    type Args = Args;
    type Id = <RedisStorage<Args> as BackendConfig>::Id;
    type Kind = <RedisStorage<Args> as BackendConfig>::Kind;
    type Config = <RedisStorage<Args> as BackendConfig>::Config;
    type Layer = <RedisStorage<Args> as BackendConfig>::Layer;

    fn config(&self) -> &Self::Config {
        self.inner.config()
    }

    fn middleware(&mut self, worker: &mut WorkerContext) -> Self::Layer {
        self.inner.middleware(worker)
    }
}

impl<Args> WireFormatBackend for BoundedRedis<Args> {
    type Codec = <RedisStorage<Args> as WireFormatBackend>::Codec;
    type Compact = <RedisStorage<Args> as WireFormatBackend>::Compact;

    fn codec(&self) -> &Self::Codec {
        self.inner.codec()
    }
}
