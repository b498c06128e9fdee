//! The worker: heartbeats, queued jobs, several workers at once, graceful stop.

use std::time::Duration;

use chrono::Utc;
use domain::jobs::PruneWorkerHeartbeats;
use entities::worker_heartbeat;
use rekindle_tests::{Options, Stores, TestApp, TestWorker, eventually};
use uuid::Uuid;

async fn heartbeat_of(app: &TestApp, worker_id: Uuid) -> Option<worker_heartbeat::Model> {
    worker_heartbeat::list(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.worker_id == worker_id)
}

#[actix_web::test]
async fn the_embedded_worker_beats_on_its_schedule() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![
                ("REKINDLE_EMBEDDED_WORKER".into(), "true".into()),
                // Every second, so the test sees a second beat without waiting 15 s for it.
                ("REKINDLE_WORKER_HEARTBEAT_SECS".into(), "1".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    let first = eventually("the first heartbeat", Duration::from_secs(10), || async {
        worker_heartbeat::list(&app.db)
            .await
            .unwrap()
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(first.version, env!("CARGO_PKG_VERSION"));
    assert!(!first.host.is_empty());
    let later = eventually("a later heartbeat", Duration::from_secs(10), || async {
        heartbeat_of(&app, first.worker_id)
            .await
            .filter(|w| w.last_seen_at > first.last_seen_at)
    })
    .await;
    assert_eq!(later.started_at, first.started_at);
    app.stop().await;
}

#[actix_web::test]
async fn separate_workers_beat_and_share_the_queue_the_api_pushes_to() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
            ..Options::default()
        },
    )
    .await;
    let one = TestWorker::spawn_on(&stores).await;
    let two = TestWorker::spawn_on(&stores).await;
    for worker in [&one, &two] {
        eventually(
            "each worker's heartbeat",
            Duration::from_secs(10),
            || async { heartbeat_of(&app, worker.worker_id).await },
        )
        .await;
    }

    let stale = worker_heartbeat::Model {
        worker_id: Uuid::new_v4(),
        host: "gone".into(),
        version: "0.0.0".into(),
        started_at: Utc::now() - chrono::Duration::days(3),
        last_seen_at: Utc::now() - chrono::Duration::days(2),
    };
    worker_heartbeat::beat(&app.db, &stale).await.unwrap();
    app.queue
        .push(PruneWorkerHeartbeats {
            retention_secs: 24 * 60 * 60,
        })
        .await
        .unwrap();
    eventually(
        "the stale worker to be pruned",
        Duration::from_secs(20),
        || async {
            heartbeat_of(&app, stale.worker_id)
                .await
                .is_none()
                .then_some(())
        },
    )
    .await;
    // The hourly tick may queue a prune of its own meanwhile: count at least the one pushed.
    eventually(
        "the job counted on a worker's /metrics",
        Duration::from_secs(10),
        || async {
            let queue = "prune_worker_heartbeats";
            let total = one.jobs_done(queue).await + two.jobs_done(queue).await;
            (total >= 1).then_some(())
        },
    )
    .await;
    assert!(
        heartbeat_of(&app, one.worker_id).await.is_some(),
        "live workers stay"
    );
    assert!(
        heartbeat_of(&app, two.worker_id).await.is_some(),
        "live workers stay"
    );

    one.stop().await;
    two.stop().await;
    app.stop().await;
}
