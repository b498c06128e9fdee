//! Building and running the application: stores, schema, HTTP server and, in embedded mode,
//! the worker in the same process.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use domain::clock::Clock;
use runtime::config::QueueTarget;
use runtime::{JobQueue, Metrics, Settings, store};
use tokio::sync::watch;
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::Keys;
use crate::auth::password::{HashSlots, Hasher};
use crate::auth::rate_limit::RateLimiter;
use crate::auth::session_events::{self, SessionEvents};
use crate::graphql;
use crate::graphql::parsed::ParsedDocuments;
use crate::http;
use crate::state::AppState;
use domain::notification;
use runtime::Fanout;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    /// The private /metrics server, when REKINDLE_METRICS_BIND is set, and its port.
    metrics_server: Option<(Server, u16)>,
}

impl Application {
    /// Connects to the stores (migrating when configured), binds the listener and builds the
    /// server. Binding port 0 picks a free port: see [`Application::port`].
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// [`Application::build`] on a clock of the caller's (tests set and advance time).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        if settings.jwt_secret_generated() {
            tracing::warn!(
                "REKINDLE_JWT_SECRET is not set: using a random secret, so sessions end when the process stops"
            );
        }
        let mut db = store::connect_database(&settings).await?;
        store::prepare(&db, &settings).await?;
        // Lookups that miss the catalog go to the database, so an empty one is only slower.
        let catalog = crate::catalog::Catalog::load(&db).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "the built-in catalog could not be read: rituals are read from the database");
            crate::catalog::Catalog::default()
        });
        let instruments = crate::instruments::Instruments::load(&db, clock.now())
            .await
            .context("loading the assessment instruments (are the migrations applied?)")?;
        let safety_resources = match &settings.safety_resources_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!(
                        "reading {} (REKINDLE_SAFETY_RESOURCES_FILE)",
                        path.display()
                    )
                })?;
                domain::safety::SafetyResources::load(&path.display().to_string(), &text)?
            }
            None => domain::safety::SafetyResources::builtin()?,
        };
        let metrics = Metrics::new();
        let counter = metrics.clone();
        db.set_metric_callback(move |_| counter.sql_statement());
        let queue = JobQueue::connect(&settings).await?;
        let limiter = match &settings.queue {
            QueueTarget::Redis(url) => RateLimiter::redis(
                settings.rate_limits.clone(),
                &settings.queue_prefix,
                url.expose(),
            )
            .await
            .context("connecting the rate limiter to Redis")?,
            QueueTarget::SqliteFile(_) => {
                RateLimiter::in_memory(settings.rate_limits.clone(), &settings.queue_prefix)
            }
        };
        let session_events = SessionEvents::for_settings(&settings, session_events::TOPIC)
            .await
            .context("connecting session events to Redis")?;
        let notifications = Fanout::for_settings(&settings, notification::TOPIC)
            .await
            .context("connecting notification events to Redis")?;
        let coach_replies = Fanout::for_settings(&settings, coach::REPLY_TOPIC)
            .await
            .context("connecting coach reply events to Redis")?;
        let coach = crate::coaching_engine::build(&settings, &catalog, &instruments)?;
        let slots = HashSlots::new(
            settings.password_hash_concurrency,
            settings.password_hash_wait,
            metrics.clone(),
        );
        let persisted = crate::graphql::persisted::PersistedQueries::load(&settings.clients)?;
        metrics.label_operations(persisted.operation_names().iter().map(String::as_str));
        let state = AppState {
            keys: Arc::new(Keys::new(&settings.auth)),
            hasher: Hasher::new(&settings.auth, slots)?,
            limiter,
            session_events,
            notifications,
            draining: Arc::default(),
            runtime: tokio::runtime::Handle::current(),
            documents: Arc::new(ParsedDocuments::new(settings.graphql.document_cache_bytes)),
            persisted: Arc::new(persisted),
            sockets: Default::default(),
            writer: runtime::Writer::new(db.clone(), queue.clone(), settings.fault),
            session_reads: crate::auth::session_reads::SessionReads::start(db.clone()),
            read_cache: Arc::new(crate::read_cache::ReadCache::new(
                db.clone(),
                metrics.clone(),
                &settings.read_cache,
            )),
            push: runtime::push::PushKeys::load(&settings.push)?,
            settings: Arc::new(settings),
            db,
            queue,
            metrics,
            catalog: Arc::new(catalog),
            instruments: Arc::new(instruments),
            safety_resources: Arc::new(safety_resources),
            coach: Arc::new(coach),
            coach_replies,
            resources: Arc::new(domain::resources::Resources::builtin()?),
            clock,
        };
        Self::with_state(state)
    }

    /// Builds the server around stores that are already open.
    pub fn with_state(state: AppState) -> anyhow::Result<Self> {
        let settings = &state.settings;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {} (REKINDLE_BIND)", settings.bind))?;
        let port = listener.local_addr()?.port();
        let schema = graphql::build_schema(&state);
        let graphiql = !settings.is_production();
        let admin_page = settings.admin_page;
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(app_state.clone()))
                .app_data(web::Data::new(schema.clone()))
                // Inside `observe`, so preflights are counted and marked too.
                .wrap(from_fn(http::cors::cors))
                .wrap(from_fn(http::observe::observe))
                .wrap(TracingLogger::<http::spans::RequestSpans>::new())
                .configure(|cfg| http::routes(cfg, graphiql, admin_page))
        })
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        // Signals are handled in `run_until_stopped`, so the worker stops with the server.
        .disable_signals()
        .listen(listener)?
        .run();
        let metrics_server = match &settings.metrics.bind {
            Some(bind) => Some(worker::http::serve(
                bind,
                state.metrics.clone(),
                Some(worker::http::Depths {
                    queue: state.queue.clone(),
                    db: state.db.clone(),
                    clock: state.clock.clone(),
                }),
            )?),
            None => None,
        };
        Ok(Self {
            port,
            server,
            state,
            metrics_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the private /metrics server, if one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops taking connections, lets in-flight
    /// requests finish, and stops the embedded worker (which lets its jobs finish too).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            server,
            state,
            metrics_server,
            ..
        } = self;
        let metrics_handle = metrics_server.map(|(server, _)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let (stop_worker, worker_stopped) = watch::channel(false);
        let worker = if state.settings.embedded_worker {
            let job_state = worker::JobState::new(
                &state.settings,
                state.db.clone(),
                state.queue.clone(),
                state.metrics.clone(),
                state.notifications.clone(),
                worker::WorkerIdentity::new(state.clock.now()),
                state.clock.clone(),
            )?;
            let settings = Arc::clone(&state.settings);
            let mut stopped = worker_stopped;
            Some(tokio::spawn(async move {
                worker::run(&settings, job_state, async move {
                    // An error means the sender is gone, which also means stop.
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
            }))
        } else {
            None
        };
        let handle = server.handle();
        let serving = tokio::spawn(server);
        shutdown.await;
        // Readiness fails first, so a load balancer stops sending before the listener closes.
        state
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if !state.settings.shutdown_drain.is_zero() {
            tracing::info!(
                seconds = state.settings.shutdown_drain.as_secs(),
                "stopping: readiness is 503 while load balancers drain this instance"
            );
            tokio::time::sleep(state.settings.shutdown_drain).await;
        }
        tracing::info!("stopping: finishing in-flight requests");
        handle.stop(true).await;
        if let Some(metrics) = metrics_handle {
            metrics.stop(true).await;
        }
        let served = serving.await.context("the HTTP server task failed")?;
        // Nobody may still be listening; a closed channel is fine.
        let _ = stop_worker.send(true);
        if let Some(worker) = worker {
            worker.await.context("the embedded worker task failed")??;
        }
        served.context("the HTTP server stopped with an error")
    }
}

/// `rekindle-api serve`: logs (and traces, where configured) set up, then the server until
/// `stop` resolves; the spans still buffered are sent before it returns.
pub async fn serve(
    settings: Settings,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let traces = runtime::telemetry::init_with_traces(
        settings.log_format,
        settings.otlp_endpoint.as_deref(),
        "rekindle-api",
    )?;
    let app = Application::build(settings).await?;
    let bind = app.state().settings.bind.clone();
    let host = bind
        .rsplit_once(':')
        .map_or(bind.as_str(), |(host, _)| host);
    let base = format!("http://{host}:{}", app.port());
    tracing::info!(url = %format!("{base}/graphql"), "serving");
    // People get the addresses on a line of their own; in JSON mode the log line above is all.
    if app.state().settings.log_format == runtime::config::LogFormat::Pretty {
        println!("Rekindle is serving GraphQL at {base}/graphql");
        if !app.state().settings.is_production() {
            println!("GraphiQL: {base}/graphiql");
        }
    }
    let result = app.run_until_stopped(stop).await;
    traces.shutdown();
    result
}
