//! Pushes through one worker to a fake Web Push service in this process (run by
//! `bench/push.sh`, never in CI). Each prints its figures.
//!
//! `push throughput N`  N members with a browser subscribed, each with one notification to push:
//!                      pushes per second, from the first job queued to the service receiving
//!                      the last
//! `push lateness N`    N reminders falling due over one minute, each member with a browser:
//!                      the service receiving the push minus the reminder's due instant,
//!                      p50/p99/max
//!
//! Settings as for `rekindle-worker` (an empty PostgreSQL database, Redis); Web Push signs with
//! a VAPID key made for the run. Every push is really encrypted (RFC 8291) and signed (VAPID).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use common::{count, rekindle_worker_jobs_done, seed, start_worker, wait_for};
use domain::clock::Clock;
use domain::jobs::{Queued, SendPush, SendReminders};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use runtime::{JobQueue, Settings, store};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// When each push arrived, by the path's last segment (the member's ID).
type Arrivals = Arc<Mutex<HashMap<String, DateTime<Utc>>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let mut settings = Settings::from_env()?;
    let key_dir = std::env::temp_dir().join(format!("rekindle-bench-push-{}", std::process::id()));
    settings.push.vapid_key_file = Some(key_dir.join("vapid.pem"));
    settings.push.vapid_key_generated = true;
    settings.push.allow_internal = true;
    let db = store::connect_database(&settings).await?;
    store::migrate(&db).await?;
    let queue = JobQueue::connect(&settings).await?;
    let (url, arrivals) = fake_service().await;
    let result = match args.first().map(String::as_str) {
        Some("throughput") => throughput(&settings, db, queue, n, &url, arrivals).await,
        Some("lateness") => lateness(&settings, db, queue, n, &url, arrivals).await,
        Some("crypto") => {
            crypto(n);
            Ok(())
        }
        _ => Err(anyhow::anyhow!("usage: push throughput|lateness [N]")),
    };
    let _ = std::fs::remove_dir_all(key_dir);
    result
}

/// What one push costs in encryption alone, on one core: a new sender key, ECDH with the
/// browser's key, HKDF and AES-128-GCM of a typical message (and checking the browser's key).
fn crypto(n: u64) {
    let browser = runtime::push::random_key();
    let public = browser.public_key().to_encoded_point(false);
    let message = br#"{"notificationId":"Tm90aWZpY2F0aW9uOjAxOTMwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA","kind":"PARTNER_COMPLETED","title":"Your partner did Six-second kiss","body":"Tap to see","planItemId":"UGxhbkl0ZW06MDE5MzAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"}"#;
    let started = Instant::now();
    for _ in 0..n {
        let body = rekindle_worker::push::web_push::encrypt(
            public.as_bytes(),
            &[9u8; 16],
            message,
            [1u8; 16],
        )
        .unwrap();
        std::hint::black_box(body);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "crypto: {n} Web Push messages encrypted on one core in {secs:.2} s: {:.0}/s ({:.0} µs each)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}

/// A Web Push service on loopback that answers 201 and notes when each push arrived.
async fn fake_service() -> (String, Arrivals) {
    let arrivals: Arrivals = Arc::default();
    let noted = arrivals.clone();
    let server = HttpServer::new(move || {
        let noted = noted.clone();
        App::new().route(
            "/push/{member}",
            web::post().to(move |member: web::Path<String>, _body: web::Bytes| {
                let noted = noted.clone();
                async move {
                    noted
                        .lock()
                        .unwrap()
                        .insert(member.into_inner(), Clock::system().now());
                    HttpResponse::Created().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}/push"), arrivals)
}

/// One browser subscription (the same keys for every member: the encryption is still done per
/// push) for every seeded member.
async fn subscribe_everyone(db: &DatabaseConnection, url: &str) {
    let browser = runtime::push::random_key();
    let p256dh = URL_SAFE_NO_PAD.encode(browser.public_key().to_encoded_point(false).as_bytes());
    let auth = URL_SAFE_NO_PAD.encode([9u8; 16]);
    let sql = format!(
        "INSERT INTO push_devices (id, user_id, platform, token, token_hash, p256dh, auth, created_at) \
         SELECT md5('d' || u.id)::uuid, u.id, 'WEB_PUSH', '{url}/' || u.id, md5('{url}/' || u.id), '{p256dh}', '{auth}', now() \
         FROM users u"
    );
    db.execute_unprepared(&sql).await.unwrap();
    db.execute_unprepared("ANALYZE").await.unwrap();
}

async fn throughput(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
    url: &str,
    arrivals: Arrivals,
) -> anyhow::Result<()> {
    seed(&db, n / 2, "12:00", false).await;
    subscribe_everyone(&db, url).await;
    db.execute_unprepared(
        "INSERT INTO notifications (id, user_id, kind, title, body, data, dedupe_key, created_at) \
         SELECT md5('n' || u.id)::uuid, u.id, 'partner_completed', 'Your partner did Six-second kiss', \
                'Tap to see', '{}'::json, 'bench:' || u.id, now() FROM users u",
    )
    .await?;
    let ids: Vec<uuid::Uuid> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM notifications".to_owned(),
        ))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    let worker = start_worker(settings, db.clone(), queue.clone()).await;
    let started = Instant::now();
    // As writes queue them: jobs of SendPush::BATCH notifications.
    queue
        .push_many(
            ids.chunks(SendPush::BATCH)
                .map(|chunk| SendPush::of(chunk.to_vec()))
                .collect(),
        )
        .await?;
    let total = n as usize;
    wait_for("every push", Duration::from_secs(1800), async || {
        arrivals.lock().unwrap().len() >= total
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "throughput: {n} pushes (one device each, encrypted and signed) received in {secs:.1} s: {:.0}/s (send_push runs {})",
        n as f64 / secs,
        rekindle_worker_jobs_done(&worker.metrics, "send_push")
    );
    Ok(())
}

async fn lateness(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
    url: &str,
    arrivals: Arrivals,
) -> anyhow::Result<()> {
    seed(&db, n / 2, "00:00", false).await;
    subscribe_everyone(&db, url).await;
    // Due over one minute starting 20 s from now: one instant per second, as the planner
    // leaves them (each member's reminder at second `k mod 60`).
    let now = Clock::system().now();
    let base = now + chrono::Duration::seconds(20)
        - chrono::Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
    let sql = format!(
        "INSERT INTO reminders (id, plan_item_id, occurrence_date, user_id, due_at, fire_at, status, queued_at) \
         SELECT md5('r' || c || '-' || k)::uuid, md5('i' || c)::uuid, current_date, md5('u' || (2 * c - k))::uuid, \
                '{base}'::timestamptz + ((2 * c - k) % 60) * interval '1 second', \
                '{base}'::timestamptz + ((2 * c - k) % 60) * interval '1 second', 'scheduled', now() \
         FROM generate_series(1, {}) AS c, generate_series(0, 1) AS k",
        n / 2
    );
    db.execute_unprepared(&sql).await?;
    db.execute_unprepared("ANALYZE").await?;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id, fire_at, user_id FROM reminders ORDER BY fire_at".to_owned(),
        ))
        .await?;
    let mut by_instant: Vec<(DateTime<Utc>, Vec<uuid::Uuid>)> = Vec::new();
    let mut due: HashMap<String, DateTime<Utc>> = HashMap::new();
    for row in rows {
        let id: uuid::Uuid = row.try_get_by_index(0).unwrap();
        let fire_at: DateTime<Utc> = row.try_get_by_index(1).unwrap();
        let user: uuid::Uuid = row.try_get_by_index(2).unwrap();
        due.insert(user.to_string(), fire_at);
        match by_instant.last_mut() {
            Some((at, ids)) if *at == fire_at => ids.push(id),
            _ => by_instant.push((fire_at, vec![id])),
        }
    }
    // As the planner queues them: one job per instant and batch.
    for (fire_at, ids) in &by_instant {
        let delay = (*fire_at - Clock::system().now())
            .to_std()
            .unwrap_or_default();
        for chunk in ids.chunks(SendReminders::BATCH) {
            let job = SendReminders {
                fire_at: *fire_at,
                reminder_ids: chunk.to_vec(),
            };
            queue.push_after(Queued::first(job), delay).await?;
        }
    }
    let worker = start_worker(settings, db.clone(), queue).await;
    let total = n as usize;
    wait_for("every push", Duration::from_secs(600), async || {
        arrivals.lock().unwrap().len() >= total
    })
    .await;
    let mut late: Vec<f64> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(member, at)| due.get(member).map(|d| (*at - *d).as_seconds_f64()))
        .collect();
    late.sort_by(f64::total_cmp);
    let at = |q: f64| late[((late.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "lateness: {n} reminders due over one minute, pushed: due to received p50 {:.2} s, p99 {:.2} s, max {:.2} s (sent {}, notifications {})",
        at(0.5),
        at(0.99),
        at(1.0),
        rekindle_worker_jobs_done(&worker.metrics, "send_push"),
        count(&db, "SELECT count(*) FROM notifications").await
    );
    Ok(())
}
