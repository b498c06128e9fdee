use super::*;

#[test]
fn renders_counters_and_cumulative_buckets() {
    let m = Metrics::new();
    m.http_request("/graphql", "POST", 200, Duration::from_millis(3));
    m.http_request("/graphql", "POST", 200, Duration::from_millis(300));
    m.graphql_operation("Rituals", Outcome::Ok, true);
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
        text.contains("rekindle_graphql_operations_total{operation=\"Rituals\",outcome=\"ok\"} 1")
    );
    assert!(text.contains("rekindle_jobs_total{queue=\"rekindle:prune\",outcome=\"error\"} 1"));
}

#[test]
fn renders_job_durations_and_reminder_lateness() {
    let m = Metrics::new();
    m.job_duration("send_reminder", Duration::from_millis(30));
    m.job("send_reminder", Outcome::Retried);
    m.reminder_lateness(Duration::from_millis(1500));
    m.reminder_lateness(Duration::from_secs(30));
    let text = m.render();
    for line in [
        "rekindle_job_duration_seconds_bucket{queue=\"send_reminder\",le=\"0.01\"} 0",
        "rekindle_job_duration_seconds_bucket{queue=\"send_reminder\",le=\"0.05\"} 1",
        "rekindle_job_duration_seconds_count{queue=\"send_reminder\"} 1",
        "rekindle_jobs_total{queue=\"send_reminder\",outcome=\"retried\"} 1",
        "rekindle_reminder_lateness_seconds_bucket{le=\"1\"} 0",
        "rekindle_reminder_lateness_seconds_bucket{le=\"2\"} 1",
        "rekindle_reminder_lateness_seconds_bucket{le=\"+Inf\"} 2",
        "rekindle_reminder_lateness_seconds_sum 31.5",
        "rekindle_reminder_lateness_seconds_count 2",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}

#[test]
fn only_well_formed_operation_names_become_labels() {
    let m = Metrics::new();
    m.graphql_operation("a\"b", Outcome::Ok, true);
    m.graphql_operation(&"x".repeat(65), Outcome::Ok, true);
    let text = m.render();
    assert!(
        text.contains("operation=\"other\",outcome=\"ok\"} 2"),
        "{text}"
    );
    assert!(!text.contains("a\\\"b"));
}

#[test]
fn only_known_callers_and_registered_operations_make_labels() {
    let m = Metrics::new();
    m.label_operations(["Home"]);
    for i in 0..(MAX_OPERATION_NAMES + 10) {
        m.graphql_operation(&format!("Squat{i}"), Outcome::Ok, false);
    }
    m.graphql_operation("Home", Outcome::Ok, false);
    m.graphql_operation("Progress", Outcome::Ok, true);
    let text = m.render();
    assert!(!text.contains("Squat"), "{text}");
    assert!(
        text.contains("operation=\"Home\",outcome=\"ok\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("operation=\"Progress\",outcome=\"ok\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "operation=\"other\",outcome=\"ok\"}} {}",
            MAX_OPERATION_NAMES + 10
        )),
        "{text}"
    );
}

#[test]
fn operation_labels_stop_growing_at_the_cap() {
    let m = Metrics::new();
    for i in 0..(MAX_OPERATION_NAMES + 50) {
        m.graphql_operation(&format!("Op{i}"), Outcome::Ok, true);
    }
    m.graphql_operation("Op0", Outcome::Error, true);
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
