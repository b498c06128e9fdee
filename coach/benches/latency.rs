//! The coach's own latency on top of a model: a fake OpenAI-compatible server in this process
//! answers every request after a fixed delay with a streamed reply; each reply of the model engine is timed
//! from asking to its last word, and the delay taken off. Run through `bench/coach.sh latency`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use rekindle_coach::facts::Facts;
use rekindle_coach::model::ModelConfig;
use rekindle_coach::scripted::{Guide, GuideRitual};
use rekindle_coach::{Ask, Coach};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const DELAY: Duration = Duration::from_millis(100);
const PIECES: [&str; 6] = [
    "That sounds hard. ",
    "Try a short evening check-in tonight. ",
    "Ask about the toughest part ",
    "of the day, ",
    "and just listen. ",
    "Small and regular beats big and rare.",
];

/// Answers every request after [`DELAY`] with the pieces as server-sent events, all at once.
async fn fake_model() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let mut body = String::new();
    for piece in PIECES {
        let chunk = serde_json::json!({ "choices": [{ "delta": { "content": piece } }] });
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let body = body.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buffer = [0u8; 16384];
                // The request: headers, then as many bytes as content-length says.
                loop {
                    let n = stream.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&seen).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                tokio::time::sleep(DELAY).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
            });
        }
    });
    url
}

fn guide() -> Guide {
    let rituals: Vec<domain::catalog::Ritual> = serde_json::from_str(include_str!(
        "../../migrations/src/content/builtin_rituals_v1.json"
    ))
    .unwrap();
    Guide {
        rituals: rituals
            .into_iter()
            .map(|r| {
                let ritual = GuideRitual {
                    title: r.title,
                    summary: r.summary,
                    steps: r.steps,
                };
                (r.key.as_str().to_owned(), ritual)
            })
            .collect(),
        instruments: domain::instrument::builtin_instruments()
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect(),
    }
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let concurrency: usize = std::env::var("CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let url = fake_model().await;
        let config = ModelConfig {
            base_url: url,
            api_key: Some("sk-bench".into()),
            model: "fake".into(),
            timeout: Duration::from_secs(30),
            stall: Duration::from_secs(10),
            retries: 0,
            backoff: Duration::from_millis(100),
            max_tokens: 400,
        };
        let coach = std::sync::Arc::new(Coach::new(guide(), Some(config), concurrency).unwrap());
        let started = Instant::now();
        let mut tasks = Vec::new();
        let per_task = n / concurrency;
        for _ in 0..concurrency {
            let coach = coach.clone();
            tasks.push(tokio::spawn(async move {
                let mut overheads = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let asked = Instant::now();
                    let facts = Facts::new();
                    let ask = Ask {
                        facts: &facts,
                        history: &[],
                        message: "We keep having the same argument about chores",
                    };
                    let finished = coach.engine().write(ask, &mut |_: &str| {}).await;
                    assert!(finished.fallback.is_none(), "{finished:?}");
                    overheads.push(asked.elapsed().saturating_sub(DELAY));
                }
                overheads
            }));
        }
        let mut overheads = Vec::new();
        for task in tasks {
            overheads.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        overheads.sort();
        let at = |q: f64| overheads[((overheads.len() as f64 * q) as usize).min(overheads.len() - 1)];
        println!(
            "coach latency over a model answering in {} ms: {} replies, {} at once, {:.0} replies/s",
            DELAY.as_millis(),
            overheads.len(),
            concurrency,
            overheads.len() as f64 / elapsed.as_secs_f64()
        );
        println!(
            "  added by the coach (client, stream reading, safety gate): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            overheads[overheads.len() - 1].as_secs_f64() * 1e3
        );
    });
}
