//! A worker process's parts, started in this process on the given stores as `rekindle-worker`
//! would run them.

use apalis::prelude::Monitor;
use domain::clock::Clock;
use runtime::{JobQueue, Metrics};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use worker::jobs::Queues;

use crate::stores::{Stores, settings_from};

/// A worker running on the given stores as `rekindle-worker` would: its own connections,
/// its own identity.
pub struct TestWorker {
    pub worker_id: uuid::Uuid,
    /// Where the worker serves /healthz and /metrics, as `rekindle-worker` does with
    /// REKINDLE_WORKER_BIND.
    pub metrics_address: String,
    server: actix_web::dev::ServerHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    /// Keeps the stores until the worker is gone.
    _stores: Stores,
}

/// Registers more queues on a test worker's monitor (job kinds a test defines).
pub type Extend = Box<dyn FnOnce(Monitor, &Queues) -> Monitor + Send>;

impl TestWorker {
    pub async fn spawn_on(stores: &Stores) -> Self {
        Self::spawn_with(stores, Clock::system(), Box::new(|monitor, _| monitor)).await
    }

    /// A worker telling time by `clock` (the one a [`crate::TestApp`] was started with, say).
    pub async fn spawn_at(stores: &Stores, clock: Clock) -> Self {
        Self::spawn_with(stores, clock, Box::new(|monitor, _| monitor)).await
    }

    /// A worker on `clock` with these settings added to the stores' (a model, say).
    pub async fn spawn_configured(
        stores: &Stores,
        clock: Clock,
        extra: &[(String, String)],
    ) -> Self {
        Self::spawn_from(stores, clock, Box::new(|monitor, _| monitor), extra).await
    }

    /// A worker on `clock` that also consumes the queues `extend` registers.
    pub async fn spawn_with(stores: &Stores, clock: Clock, extend: Extend) -> Self {
        Self::spawn_from(stores, clock, extend, &[]).await
    }

    async fn spawn_from(
        stores: &Stores,
        clock: Clock,
        extend: Extend,
        extra: &[(String, String)],
    ) -> Self {
        let mut env = stores.env();
        env.extend(extra.iter().cloned());
        let settings = settings_from(&env);
        let db = runtime::store::connect_database(&settings).await.unwrap();
        runtime::store::migrate(&db).await.unwrap();
        let queue = JobQueue::connect(&settings).await.unwrap();
        let identity = worker::WorkerIdentity::new(clock.now());
        let worker_id = identity.worker_id;
        let metrics = Metrics::new();
        let (server, port) = worker::http::serve(
            "127.0.0.1:0",
            metrics.clone(),
            Some(worker::http::Depths {
                queue: queue.clone(),
                db: db.clone(),
                clock: clock.clone(),
            }),
        )
        .unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        let notifications = runtime::Fanout::for_settings(&settings, domain::notification::TOPIC)
            .await
            .unwrap();
        let state = worker::JobState::new(
            &settings,
            db,
            queue,
            metrics,
            notifications,
            identity,
            clock,
        )
        .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            worker::run_extended(
                &settings,
                state,
                async move {
                    let _ = stopped.await;
                },
                extend,
            )
            .await
        });
        Self {
            worker_id,
            metrics_address: format!("http://127.0.0.1:{port}"),
            server: handle,
            stop: Some(stop),
            task: Some(task),
            _stores: stores.clone(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("worker task")
                .expect("worker stopped cleanly");
        }
        self.server.stop(true).await;
    }

    /// Runs of `queue`'s jobs that ended well, as the worker's /metrics counts them.
    pub async fn jobs_done(&self, queue: &str) -> u64 {
        jobs_done(&self.metrics().await, queue)
    }

    /// The worker's /metrics text.
    pub async fn metrics(&self) -> String {
        let mut res = awc::Client::default()
            .get(format!("{}/metrics", self.metrics_address))
            .send()
            .await
            .expect("metrics answered");
        assert_eq!(res.status().as_u16(), 200);
        String::from_utf8_lossy(&res.body().await.expect("metrics body")).into_owned()
    }
}

/// `rekindle-worker` as a process of its own, on the given stores, to be killed like a real one.
pub struct WorkerProcess {
    child: std::process::Child,
}

impl WorkerProcess {
    /// Starts the binary at `program` (the e2e tests pass
    /// `env!("CARGO_BIN_EXE_rekindle-worker-under-test")`) with the stores' settings and `extra`.
    pub fn spawn(program: &str, stores: &Stores, extra: &[(&str, String)]) -> Self {
        let mut command = std::process::Command::new(program);
        command
            .envs(stores.env())
            .env("REKINDLE_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit());
        for (key, value) in extra {
            command.env(key, value);
        }
        Self {
            child: command.spawn().expect("the worker process starts"),
        }
    }

    /// Kills the process at once (SIGKILL): no job it holds gets to finish or go back.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL the worker");
        self.child.wait().expect("the killed worker is reaped");
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        // A test that fails midway leaves no worker behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs of `queue`'s jobs that ended well, read from a /metrics text.
pub fn jobs_done(metrics: &str, queue: &str) -> u64 {
    let counted = format!("rekindle_jobs_total{{queue=\"{queue}\",outcome=\"ok\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(counted.as_str()))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// `rekindle-api` as a process of its own on the given stores, listening on a free port of
/// loopback, its embedded worker off unless `extra` says otherwise; killed when dropped.
pub struct ApiProcess {
    pub child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub client: awc::Client,
}

impl ApiProcess {
    /// Starts the binary at `program` (the e2e tests pass
    /// `env!("CARGO_BIN_EXE_rekindle-api-under-test")`) and waits until it answers.
    pub async fn start(program: &str, stores: &Stores, extra: &[(&str, &str)]) -> Self {
        let port = crate::free_port();
        let mut command = std::process::Command::new(program);
        command
            .envs(stores.env())
            .env("REKINDLE_BIND", format!("127.0.0.1:{port}"))
            .env("REKINDLE_EMBEDDED_WORKER", "false")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit());
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.spawn().expect("the api process starts");
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish();
        let base = format!("http://127.0.0.1:{port}");
        crate::api_up(&client, &base).await;
        Self {
            child,
            base,
            client,
        }
    }
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
