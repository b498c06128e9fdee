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

/// Upper bounds of the job duration histogram, in seconds.
const JOB_BUCKETS: [f64; 10] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0];
mod read_cache;
pub use read_cache::ReadCacheCounters;

/// Upper bounds of the reminder lateness histogram (fire time minus due instant), in seconds.
const LATENESS_BUCKETS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0];

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Registry>>,
    /// Counted outside the lock: every SQL statement passes here.
    sql_statements: Arc<AtomicU64>,
    /// The api's couple read cache, counted outside the lock too.
    read_cache: Arc<ReadCacheCounters>,
}

#[derive(Default)]
struct Registry {
    http_requests: BTreeMap<(String, String, u16), u64>,
    http_latency: BTreeMap<String, Histogram>,
    job_durations: BTreeMap<String, Histogram>,
    reminder_lateness: Histogram,
    graphql_operations: BTreeMap<(String, &'static str), u64>,
    /// The operation names kept as labels (at most [`MAX_OPERATION_NAMES`]).
    operation_labels: HashSet<String>,
    jobs: BTreeMap<(String, &'static str), u64>,
    /// Pushes by platform and what their service made of them.
    pushes: BTreeMap<(String, &'static str), u64>,
    password_hashes_running: usize,
    password_hashes_peak: usize,
    /// Coach replies by engine and outcome (`answered`, or why the script stood in).
    coach_replies: BTreeMap<(&'static str, &'static str), u64>,
    coach_tokens_in: u64,
    coach_tokens_out: u64,
    /// How long model replies took, from asking to the last word.
    coach_latency: Histogram,
    /// Messages the safety gate stopped, by concern.
    coach_safety_stops: BTreeMap<&'static str, u64>,
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
    /// Observations at or under each bound, in the order of the bounds it is recorded with.
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], secs: f64) {
        self.buckets.resize(bounds.len(), 0);
        for (slot, bound) in self.buckets.iter_mut().zip(bounds) {
            if secs <= *bound {
                *slot += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }

    /// Writes the histogram's lines; `labels` is empty or ends with a comma.
    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let counts = self.buckets.iter().copied().chain(std::iter::repeat(0));
        for (bound, n) in bounds.iter().zip(counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", self.count);
        let bare = match labels.trim_end_matches(',') {
            "" => String::new(),
            some => format!("{{{some}}}"),
        };
        let _ = writeln!(out, "{name}_sum{bare} {}", self.sum);
        let _ = writeln!(out, "{name}_count{bare} {}", self.count);
    }
}

/// How a GraphQL operation or a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    /// A job's run failed and it was queued to run again.
    Retried,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Retried => "retried",
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
            r.http_latency
                .entry(route.to_owned())
                .or_default()
                .observe(&LATENCY_BUCKETS, elapsed.as_secs_f64());
        });
    }

    /// Makes these operation names labels from the start (registered persisted operations),
    /// within [`MAX_OPERATION_NAMES`].
    pub fn label_operations<'n>(&self, names: impl IntoIterator<Item = &'n str>) {
        self.with(|r| {
            for name in names {
                if is_operation_label(name) && r.operation_labels.len() < MAX_OPERATION_NAMES {
                    r.operation_labels.insert(name.to_owned());
                }
            }
        });
    }

    /// Counts a GraphQL operation by name. Names come from clients, so only short, well-formed
    /// ones become labels, only the first [`MAX_OPERATION_NAMES`], and only from callers the
    /// server `knows` (signed in) or registered ahead; the rest count as `other`, so anonymous
    /// traffic cannot take the labels real operations need.
    pub fn graphql_operation(&self, name: &str, outcome: Outcome, knows: bool) {
        self.with(|r| {
            let label = if r.operation_labels.contains(name) {
                name
            } else if (knows || matches!(name, "(anonymous)" | "(invalid)"))
                && is_operation_label(name)
                && r.operation_labels.len() < MAX_OPERATION_NAMES
            {
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

    /// Every run counted so far, by queue: finished, and failed (to be tried again or not).
    pub fn job_totals(&self) -> BTreeMap<String, (u64, u64)> {
        let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        self.with(|r| {
            for ((queue, outcome), n) in &r.jobs {
                let entry = totals.entry(queue.clone()).or_default();
                if *outcome == Outcome::Ok.as_str() {
                    entry.0 += n;
                } else {
                    entry.1 += n;
                }
            }
        });
        totals
    }

    /// Records how long one run of a queued job took.
    pub fn job_duration(&self, queue: &str, elapsed: Duration) {
        self.with(|r| {
            r.job_durations
                .entry(queue.to_owned())
                .or_default()
                .observe(&JOB_BUCKETS, elapsed.as_secs_f64());
        });
    }

    /// Counts one push by platform (`APNS`, `FCM`, `WEB_PUSH`) and outcome (`accepted`,
    /// `gone`, `later`, `refused`).
    pub fn push(&self, platform: &str, outcome: &'static str) {
        self.with(|r| *r.pushes.entry((platform.to_owned(), outcome)).or_default() += 1);
    }

    /// Counts one coach reply: its engine, why the script stood in for the model (if it did),
    /// the tokens it took and (for a model's) how long it took.
    pub fn coach_reply(
        &self,
        engine: &'static str,
        fallback: Option<&'static str>,
        tokens_in: u32,
        tokens_out: u32,
        elapsed: Duration,
    ) {
        self.with(|r| {
            *r.coach_replies
                .entry((engine, fallback.unwrap_or("answered")))
                .or_default() += 1;
            r.coach_tokens_in += u64::from(tokens_in);
            r.coach_tokens_out += u64::from(tokens_out);
            if !elapsed.is_zero() {
                r.coach_latency.observe(&JOB_BUCKETS, elapsed.as_secs_f64());
            }
        });
    }

    /// Counts one message the coach's safety gate stopped.
    pub fn coach_safety_stop(&self, concern: &'static str) {
        self.with(|r| *r.coach_safety_stops.entry(concern).or_default() += 1);
    }

    /// Records how late a reminder went out: when it was sent minus when it was due.
    pub fn reminder_lateness(&self, late: Duration) {
        self.with(|r| {
            r.reminder_lateness
                .observe(&LATENESS_BUCKETS, late.as_secs_f64())
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

    /// What the api's couple read cache records into.
    pub fn read_cache(&self) -> &ReadCacheCounters {
        &self.read_cache
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
                let labels = format!("route=\"{}\",", escape(route));
                h.render(&mut out, "rekindle_http_request_duration_seconds", &labels, &LATENCY_BUCKETS);
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
            let _ = writeln!(out, "# HELP rekindle_job_duration_seconds How long one run of a queued job took, by queue.");
            let _ = writeln!(out, "# TYPE rekindle_job_duration_seconds histogram");
            for (queue, h) in &r.job_durations {
                let labels = format!("queue=\"{}\",", escape(queue));
                h.render(&mut out, "rekindle_job_duration_seconds", &labels, &JOB_BUCKETS);
            }
            let _ = writeln!(out, "# HELP rekindle_pushes_total Pushes by platform and what the push service made of them.");
            let _ = writeln!(out, "# TYPE rekindle_pushes_total counter");
            for ((platform, outcome), n) in &r.pushes {
                let _ = writeln!(
                    out,
                    "rekindle_pushes_total{{platform=\"{}\",outcome=\"{outcome}\"}} {n}",
                    escape(platform)
                );
            }
            let _ = writeln!(out, "# HELP rekindle_reminder_lateness_seconds When a reminder went out minus when it was due.");
            let _ = writeln!(out, "# TYPE rekindle_reminder_lateness_seconds histogram");
            r.reminder_lateness.render(&mut out, "rekindle_reminder_lateness_seconds", "", &LATENESS_BUCKETS);
            let _ = writeln!(out, "# HELP rekindle_coach_replies_total Coach replies by engine and outcome (answered, or why the script stood in for the model).");
            let _ = writeln!(out, "# TYPE rekindle_coach_replies_total counter");
            for ((engine, outcome), n) in &r.coach_replies {
                let _ = writeln!(out, "rekindle_coach_replies_total{{engine=\"{engine}\",outcome=\"{outcome}\"}} {n}");
            }
            let _ = writeln!(out, "# HELP rekindle_coach_tokens_total Tokens of model calls, sent (in) and written (out).");
            let _ = writeln!(out, "# TYPE rekindle_coach_tokens_total counter");
            let _ = writeln!(out, "rekindle_coach_tokens_total{{direction=\"in\"}} {}", r.coach_tokens_in);
            let _ = writeln!(out, "rekindle_coach_tokens_total{{direction=\"out\"}} {}", r.coach_tokens_out);
            let _ = writeln!(out, "# HELP rekindle_coach_model_reply_seconds How long a model reply took, from asking to its last word.");
            let _ = writeln!(out, "# TYPE rekindle_coach_model_reply_seconds histogram");
            r.coach_latency.render(&mut out, "rekindle_coach_model_reply_seconds", "", &JOB_BUCKETS);
            let _ = writeln!(out, "# HELP rekindle_coach_safety_stops_total Messages the coach's safety gate stopped, by concern.");
            let _ = writeln!(out, "# TYPE rekindle_coach_safety_stops_total counter");
            for (concern, n) in &r.coach_safety_stops {
                let _ = writeln!(out, "rekindle_coach_safety_stops_total{{concern=\"{concern}\"}} {n}");
            }
            let _ = writeln!(out, "# HELP rekindle_sql_statements_total SQL statements sent to the database.");
            let _ = writeln!(out, "# TYPE rekindle_sql_statements_total counter");
            let _ = writeln!(out, "rekindle_sql_statements_total {}", self.sql_statements());
            self.read_cache.render(&mut out);
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
mod tests;
