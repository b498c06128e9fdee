//! A fake OpenAI-compatible chat-completions server for the coach's tests: plain HTTP/1.1 on
//! loopback, one request per connection, recording every request body and answering what the
//! test scripted (a streamed reply by default).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Server-sent events: each piece one chunk, `pause` between them, then usage and [DONE].
    Stream {
        pieces: Vec<String>,
        pause: Duration,
    },
    /// One JSON completion (a server that ignores `stream: true`).
    Json(String),
    /// This status with an error body.
    Status(u16),
    /// Sends these pieces, then goes silent with the connection open.
    Stall(Vec<String>),
    /// Waits this long before answering anything.
    Sleep(Duration),
}

impl Answer {
    /// A reply streamed in pieces of a few words, 5 ms apart.
    pub fn streamed(text: &str) -> Self {
        let words: Vec<&str> = text.split_inclusive(' ').collect();
        Answer::Stream {
            pieces: words.chunks(3).map(|c| c.concat()).collect(),
            pause: Duration::from_millis(5),
        }
    }
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Answer>,
    bodies: Vec<String>,
    /// What to answer once the script ran out.
    otherwise: Option<Answer>,
}

#[derive(Clone)]
pub struct FakeModel {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

pub const DEFAULT_REPLY: &str = "That sounds hard. Try a short evening check-in tonight. Ask about the toughest part of the day, and just listen.";

impl FakeModel {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let serving = shared.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, serving.clone()));
            }
        });
        Self { url, shared }
    }

    /// Answers these, in order, before the default.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.shared.lock().unwrap().script.extend(answers);
    }

    /// What to answer when nothing is scripted (a streamed [`DEFAULT_REPLY`] unless set).
    pub fn otherwise(&self, answer: Answer) {
        self.shared.lock().unwrap().otherwise = Some(answer);
    }

    /// Every request body received so far.
    pub fn bodies(&self) -> Vec<String> {
        self.shared.lock().unwrap().bodies.clone()
    }

    /// The settings that point the coach here.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("REKINDLE_COACH_BASE_URL".into(), self.url.clone()),
            ("REKINDLE_COACH_MODEL".into(), "fake-coach-1".into()),
            ("REKINDLE_COACH_API_KEY".into(), "sk-test-coach-key".into()),
            ("REKINDLE_COACH_TIMEOUT_SECS".into(), "4".into()),
            ("REKINDLE_COACH_STALL_SECS".into(), "1".into()),
            ("REKINDLE_COACH_RETRY_BACKOFF_MS".into(), "20".into()),
        ]
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let Some(body) = read_request(&mut stream).await else {
        return;
    };
    let answer = {
        let mut shared = shared.lock().unwrap();
        shared.bodies.push(body);
        shared
            .script
            .pop_front()
            .or_else(|| shared.otherwise.clone())
            .unwrap_or_else(|| Answer::streamed(DEFAULT_REPLY))
    };
    let _ = answer_with(&mut stream, answer).await;
}

async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&buffer[header_end..header_end + length]).into_owned())
}

fn chunk(content: &str) -> String {
    let chunk = serde_json::json!({
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": "fake-coach-1",
        "choices": [{ "index": 0, "delta": { "content": content } }]
    });
    format!("data: {chunk}\n\n")
}

async fn answer_with(stream: &mut TcpStream, answer: Answer) -> std::io::Result<()> {
    match answer {
        Answer::Sleep(pause) => {
            tokio::time::sleep(pause).await;
            stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await
        }
        Answer::Status(code) => {
            let body = r#"{"error":{"message":"scripted failure"}}"#;
            let head = format!(
                "HTTP/1.1 {code} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await
        }
        Answer::Json(text) => {
            let body = serde_json::json!({
                "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-coach-1",
                "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }],
                "usage": { "prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150 }
            })
            .to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await
        }
        Answer::Stream { pieces, pause } => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
                .await?;
            for piece in pieces {
                stream.write_all(chunk(&piece).as_bytes()).await?;
                stream.flush().await?;
                tokio::time::sleep(pause).await;
            }
            let usage = serde_json::json!({
                "id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [],
                "usage": { "prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150 }
            });
            stream
                .write_all(format!("data: {usage}\n\ndata: [DONE]\n\n").as_bytes())
                .await
        }
        Answer::Stall(pieces) => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
                .await?;
            for piece in pieces {
                stream.write_all(chunk(&piece).as_bytes()).await?;
            }
            stream.flush().await?;
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
    }
}
