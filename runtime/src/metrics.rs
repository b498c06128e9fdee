//! A small Prometheus registry: counters and one latency histogram, rendered as text.
//!
//! One `Metrics` is made at start-up and handed to every part that records into it.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Upper bounds of the request latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Registry>>,
    /// Counted outside the lock: every SQL statement passes here.
    sql_statements: Arc<AtomicU64>,
}

#[derive(Default)]
struct Registry {
    http_requests: BTreeMap<(String, String, u16), u64>,
    http_latency: BTreeMap<String, Histogram>,
    graphql_operations: BTreeMap<(String, &'static str), u64>,
    /// The operation names kept as labels (at most [`MAX_OPERATION_NAMES`]).
    operation_labels: HashSet<String>,
    jobs: BTreeMap<(String, &'static str), u64>,
    password_hashes_running: usize,
    password_hashes_peak: usize,
}

/// Distinct operation names kept as labels; later names count as [`OTHER_OPERATION`].
pub const MAX_OPERATION_NAMES: usize = 200;
/// The label of operations whose names are not kept.
pub const OTHER_OPERATION: &str = "other";

/// Whether a client's operation name may become a label: a GraphQL name of at most 64
/// characters, or one of our own parenthesised markers.
fn is_operation_label(name: &str) -> bool {
    if matches!(name, "(anonymous)" | "(invalid)") {
        return true;
    }
    let mut chars = name.chars();
    name.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Default, Clone)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// How a GraphQL operation or a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
        }
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Registry) -> R) -> R {
        // A panic while holding the lock leaves counters that are still valid numbers.
        let mut registry = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut registry)
    }

    /// Records one HTTP request by route pattern (never the raw path), method and status.
    pub fn http_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.with(|r| {
            *r.http_requests
                .entry((route.to_owned(), method.to_owned(), status))
                .or_default() += 1;
            let h = r.http_latency.entry(route.to_owned()).or_default();
            let secs = elapsed.as_secs_f64();
            for (slot, bound) in h.buckets.iter_mut().zip(LATENCY_BUCKETS) {
                if secs <= bound {
                    *slot += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        });
    }

    /// Counts a GraphQL operation by name. Names come from clients, so only short, well-formed
    /// ones become labels, and only the first [`MAX_OPERATION_NAMES`]; the rest count as `other`.
    pub fn graphql_operation(&self, name: &str, outcome: Outcome) {
        self.with(|r| {
            let label = if r.operation_labels.contains(name) {
                name
            } else if is_operation_label(name) && r.operation_labels.len() < MAX_OPERATION_NAMES {
                r.operation_labels.insert(name.to_owned());
                name
            } else {
                OTHER_OPERATION
            };
            *r.graphql_operations
                .entry((label.to_owned(), outcome.as_str()))
                .or_default() += 1;
        });
    }

    /// Records the number of password hashes running now, and keeps the highest seen.
    pub fn password_hashes_running(&self, running: usize) {
        self.with(|r| {
            r.password_hashes_running = running;
            r.password_hashes_peak = r.password_hashes_peak.max(running);
        });
    }

    pub fn job(&self, queue: &str, outcome: Outcome) {
        self.with(|r| {
            *r.jobs
                .entry((queue.to_owned(), outcome.as_str()))
                .or_default() += 1;
        });
    }

    /// Counts one SQL statement sent to the database.
    pub fn sql_statement(&self) {
        self.sql_statements.fetch_add(1, Ordering::Relaxed);
    }

    /// SQL statements sent since start.
    pub fn sql_statements(&self) -> u64 {
        self.sql_statements.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of everything recorded so far.
    pub fn render(&self) -> String {
        self.with(|r| {
            let mut out = String::new();
            // Writing to a String cannot fail; the results are ignored on purpose.
            let _ = writeln!(out, "# HELP rekindle_http_requests_total HTTP requests by route, method and status.");
            let _ = writeln!(out, "# TYPE rekindle_http_requests_total counter");
            for ((route, method, status), n) in &r.http_requests {
                let _ = writeln!(
                    out,
                    "rekindle_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape(route),
                    escape(method)
                );
            }
            let _ = writeln!(out, "# HELP rekindle_http_request_duration_seconds HTTP request latency by route.");
            let _ = writeln!(out, "# TYPE rekindle_http_request_duration_seconds histogram");
            for (route, h) in &r.http_latency {
                let route = escape(route);
                for (bound, n) in LATENCY_BUCKETS.iter().zip(h.buckets) {
                    let _ = writeln!(
                        out,
                        "rekindle_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "rekindle_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "rekindle_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "rekindle_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
            let _ = writeln!(out, "# HELP rekindle_graphql_operations_total GraphQL operations by name and outcome.");
            let _ = writeln!(out, "# TYPE rekindle_graphql_operations_total counter");
            for ((name, outcome), n) in &r.graphql_operations {
                let _ = writeln!(
                    out,
                    "rekindle_graphql_operations_total{{operation=\"{}\",outcome=\"{outcome}\"}} {n}",
                    escape(name)
                );
            }
            let _ = writeln!(out, "# HELP rekindle_password_hashes_running Password hashes being computed now.");
            let _ = writeln!(out, "# TYPE rekindle_password_hashes_running gauge");
            let _ = writeln!(out, "rekindle_password_hashes_running {}", r.password_hashes_running);
            let _ = writeln!(out, "# HELP rekindle_password_hashes_peak The most password hashes computed at once since start.");
            let _ = writeln!(out, "# TYPE rekindle_password_hashes_peak gauge");
            let _ = writeln!(out, "rekindle_password_hashes_peak {}", r.password_hashes_peak);
            let _ = writeln!(out, "# HELP rekindle_jobs_total Jobs run by queue and outcome.");
            let _ = writeln!(out, "# TYPE rekindle_jobs_total counter");
            for ((queue, outcome), n) in &r.jobs {
                let _ = writeln!(
                    out,
                    "rekindle_jobs_total{{queue=\"{}\",outcome=\"{outcome}\"}} {n}",
                    escape(queue)
                );
            }
            let _ = writeln!(out, "# HELP rekindle_sql_statements_total SQL statements sent to the database.");
            let _ = writeln!(out, "# TYPE rekindle_sql_statements_total counter");
            let _ = writeln!(out, "rekindle_sql_statements_total {}", self.sql_statements());
            out
        })
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::new();
        m.http_request("/graphql", "POST", 200, Duration::from_millis(3));
        m.http_request("/graphql", "POST", 200, Duration::from_millis(300));
        m.graphql_operation("Rituals", Outcome::Ok);
        m.job("rekindle:prune", Outcome::Error);
        let text = m.render();
        assert!(text.contains(
            "rekindle_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "rekindle_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "rekindle_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.5\"} 2"
        ));
        assert!(
            text.contains(
                "rekindle_graphql_operations_total{operation=\"Rituals\",outcome=\"ok\"} 1"
            )
        );
        assert!(text.contains("rekindle_jobs_total{queue=\"rekindle:prune\",outcome=\"error\"} 1"));
    }

    #[test]
    fn only_well_formed_operation_names_become_labels() {
        let m = Metrics::new();
        m.graphql_operation("a\"b", Outcome::Ok);
        m.graphql_operation(&"x".repeat(65), Outcome::Ok);
        let text = m.render();
        assert!(
            text.contains("operation=\"other\",outcome=\"ok\"} 2"),
            "{text}"
        );
        assert!(!text.contains("a\\\"b"));
    }

    #[test]
    fn operation_labels_stop_growing_at_the_cap() {
        let m = Metrics::new();
        for i in 0..(MAX_OPERATION_NAMES + 50) {
            m.graphql_operation(&format!("Op{i}"), Outcome::Ok);
        }
        m.graphql_operation("Op0", Outcome::Error);
        let text = m.render();
        let lines = text
            .lines()
            .filter(|l| l.starts_with("rekindle_graphql_operations_total{"))
            .count();
        assert_eq!(
            lines,
            MAX_OPERATION_NAMES + 2,
            "the cap, `other`, and Op0's error"
        );
        assert!(text.contains("operation=\"other\",outcome=\"ok\"} 50"));
    }
}
