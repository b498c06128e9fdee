//! A small Prometheus registry: counters and one latency histogram, rendered as text.
//!
//! One `Metrics` is made at start-up and handed to every part that records into it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Upper bounds of the request latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Default)]
struct Registry {
    http_requests: BTreeMap<(String, String, u16), u64>,
    http_latency: BTreeMap<String, Histogram>,
    graphql_operations: BTreeMap<(String, &'static str), u64>,
    jobs: BTreeMap<(String, &'static str), u64>,
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

    pub fn graphql_operation(&self, name: &str, outcome: Outcome) {
        self.with(|r| {
            *r.graphql_operations
                .entry((name.to_owned(), outcome.as_str()))
                .or_default() += 1;
        });
    }

    pub fn job(&self, queue: &str, outcome: Outcome) {
        self.with(|r| {
            *r.jobs
                .entry((queue.to_owned(), outcome.as_str()))
                .or_default() += 1;
        });
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
            let _ = writeln!(out, "# HELP rekindle_jobs_total Jobs run by queue and outcome.");
            let _ = writeln!(out, "# TYPE rekindle_jobs_total counter");
            for ((queue, outcome), n) in &r.jobs {
                let _ = writeln!(
                    out,
                    "rekindle_jobs_total{{queue=\"{}\",outcome=\"{outcome}\"}} {n}",
                    escape(queue)
                );
            }
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
    fn label_values_are_escaped() {
        let m = Metrics::new();
        m.graphql_operation("a\"b", Outcome::Ok);
        assert!(m.render().contains("operation=\"a\\\"b\""));
    }
}
