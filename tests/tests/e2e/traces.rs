//! Optional OpenTelemetry export: with `REKINDLE_OTLP_ENDPOINT` set, the api sends its spans to
//! the collector over OTLP/HTTP, a request carrying W3C `traceparent` joins its caller's trace,
//! and the request's log lines carry that trace id. The api runs as its own process here: the
//! logging and tracing set-up is global to a process.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use rekindle_tests::builders::CREATE_ORGANIZATION;
use rekindle_tests::{Options, Stores, TestApp, api_up, email, eventually, free_port};
use serde_json::json;

const API: &str = env!("CARGO_BIN_EXE_rekindle-api-under-test");

type Bodies = Arc<Mutex<Vec<Vec<u8>>>>;

/// A stand-in OTLP/HTTP collector: keeps every trace export it is sent.
async fn collector() -> (u16, Bodies, actix_web::dev::ServerHandle) {
    let bodies: Bodies = Arc::default();
    let kept = bodies.clone();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        App::new().route(
            "/v1/traces",
            web::post().to(move |body: web::Bytes| {
                let kept = kept.clone();
                async move {
                    kept.lock().unwrap().push(body.to_vec());
                    // An empty ExportTraceServiceResponse: everything accepted.
                    HttpResponse::Ok()
                        .content_type("application/x-protobuf")
                        .finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (port, bodies, handle)
}

/// Starts `program` on `stores`, exporting to the collector on `collector_port`, its JSON log
/// lines written to a file; answers the process and the file.
fn traced(
    program: &str,
    stores: &Stores,
    collector_port: u16,
    extra: &[(&str, String)],
) -> (std::process::Child, std::path::PathBuf) {
    std::fs::create_dir_all(&stores.data_dir).unwrap();
    let log = stores
        .data_dir
        .join(format!("{}.log", uuid::Uuid::new_v4()));
    let mut command = Command::new(program);
    command
        .envs(stores.env())
        .env("REKINDLE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env(
            "REKINDLE_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{collector_port}"),
        )
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::inherit());
    for (key, value) in extra {
        command.env(key, value);
    }
    (command.spawn().expect("the process starts"), log)
}

/// A trace id's 16 bytes, as OTLP's protobuf carries them, from its 32 hex digits.
fn trace_bytes(hex: &str) -> Vec<u8> {
    (0..16)
        .map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap())
        .collect()
}

/// The first line of the log file at `log` that contains `text`, once there is one.
async fn log_line(log: &std::path::Path, text: &str) -> serde_json::Value {
    let line = eventually(
        &format!("the log line `{text}`"),
        Duration::from_secs(60),
        || async {
            let all = std::fs::read_to_string(log).ok()?;
            all.lines().find(|l| l.contains(text)).map(str::to_owned)
        },
    )
    .await;
    serde_json::from_str(&line).unwrap()
}

#[actix_web::test]
async fn spans_reach_the_collector_and_log_lines_carry_the_trace_id() {
    let (collector_port, bodies, collector_handle) = collector().await;
    let stores = Stores::fresh().await;
    // Accounts made through an in-process app on the same stores.
    let setup = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
            ..Options::default()
        },
    )
    .await;
    let admin = setup.create_with_role(&email("op"), "admin").await;
    let coach = setup.create_with_role(&email("coach"), "coach").await;
    setup.stop().await;

    let port = free_port();
    let (mut api, log) = traced(
        API,
        &stores,
        collector_port,
        &[
            ("REKINDLE_BIND", format!("127.0.0.1:{port}")),
            ("REKINDLE_EMBEDDED_WORKER", "false".into()),
        ],
    );
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let base = format!("http://127.0.0.1:{port}");
    api_up(&client, &base).await;

    // The caller's trace: a request that logs (an organization created) joins it.
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let mut res = client
        .post(format!("{base}/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {}", admin.access_token)))
        .insert_header(("traceparent", format!("00-{trace}-00f067aa0ba902b7-01")))
        .send_json(&json!({
            "query": CREATE_ORGANIZATION,
            "variables": { "name": "Traced", "owner": coach.email },
        }))
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");

    // Spans of that trace arrive at the collector (OTLP protobuf carries the 16 raw bytes),
    // named for the service.
    let trace_bytes = trace_bytes(trace);
    eventually("the trace exported", Duration::from_secs(30), || async {
        let bodies = bodies.lock().unwrap();
        let traced = bodies
            .iter()
            .any(|b| b.windows(16).any(|w| w == trace_bytes.as_slice()));
        let named = bodies
            .iter()
            .any(|b| b.windows(12).any(|w| w == b"rekindle-api"));
        (traced && named).then_some(())
    })
    .await;

    // The request's log line carries the trace id.
    let parsed = log_line(&log, "organization created").await;
    let line = parsed.to_string();
    let spans = parsed["spans"].as_array().cloned().unwrap_or_default();
    assert!(
        spans.iter().any(|s| s["trace_id"] == trace),
        "no trace_id {trace} on {line}"
    );

    let _ = api.kill();
    let _ = api.wait();
    collector_handle.stop(true).await;
}

#[actix_web::test]
async fn a_workers_job_is_a_trace_of_its_own_on_its_log_lines() {
    let (collector_port, bodies, collector_handle) = collector().await;
    let stores = Stores::fresh().await;
    // A worker silent for two days, for the job to prune (an idle run logs nothing at info).
    let settings = rekindle_tests::settings_from(&stores.env());
    let db = runtime::store::connect_database(&settings).await.unwrap();
    runtime::store::migrate(&db).await.unwrap();
    let long_ago = chrono::Utc::now() - chrono::Duration::days(2);
    entities::worker_heartbeat::beat(
        &db,
        &entities::worker_heartbeat::Model {
            worker_id: uuid::Uuid::new_v4(),
            host: "gone".into(),
            version: "0".into(),
            started_at: long_ago,
            last_seen_at: long_ago,
        },
    )
    .await
    .unwrap();
    // The queue is set up before the worker starts: two processes making the embedded queue's
    // tables at once would race.
    let queue = runtime::JobQueue::connect(&settings).await.unwrap();
    let (mut worker, log) = traced(
        env!("CARGO_BIN_EXE_rekindle-worker-under-test"),
        &stores,
        collector_port,
        &[],
    );
    // A job that logs what it did.
    queue
        .push(domain::jobs::PruneWorkerHeartbeats {
            retention_secs: 24 * 60 * 60,
        })
        .await
        .unwrap();

    let parsed = log_line(&log, "pruned silent workers").await;
    let line = parsed.to_string();
    let job = parsed["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|s| s["name"] == "job"))
        .unwrap_or_else(|| panic!("no job span on {line}"))
        .clone();
    assert_eq!(job["job.queue"], "prune_worker_heartbeats", "{line}");
    let trace = job["trace_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no trace_id on {line}"))
        .to_owned();
    assert_eq!(trace.len(), 32, "{trace}");
    let trace_bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&trace[i * 2..i * 2 + 2], 16).unwrap())
        .collect();
    eventually(
        "the job's trace exported",
        Duration::from_secs(30),
        || async {
            let bodies = bodies.lock().unwrap();
            bodies
                .iter()
                .any(|b| {
                    b.windows(16).any(|w| w == trace_bytes.as_slice())
                        && b.windows(15).any(|w| w == b"rekindle-worker")
                })
                .then_some(())
        },
    )
    .await;

    let _ = worker.kill();
    let _ = worker.wait();
    collector_handle.stop(true).await;
}

#[actix_web::test]
async fn without_export_log_lines_carry_no_trace_id() {
    rekindle_tests::logs::start();
    let app = TestApp::spawn().await;
    let admin = app.create_with_role(&email("op"), "admin").await;
    let coach = app.create_with_role(&email("coach"), "coach").await;
    let name = format!("Untraced {}", uuid::Uuid::new_v4().simple());
    let body = app
        .graphql_as(
            admin.token(),
            CREATE_ORGANIZATION,
            json!({ "name": name, "owner": coach.email }),
        )
        .await;
    let id = body["data"]["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let uuid = rekindle_tests::uuid_of(&id).to_string();
    let line = eventually("the log line", Duration::from_secs(10), || async {
        rekindle_tests::logs::captured()
            .lines()
            .find(|l| l.contains("organization created") && l.contains(&uuid))
            .map(str::to_owned)
    })
    .await;
    assert!(
        line.contains("request_id"),
        "the request's span is on it: {line}"
    );
    assert!(!line.contains("trace_id"), "{line}");
    app.stop().await;
}
