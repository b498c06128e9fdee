//! What the API refuses at its edge: documents too costly once expanded, operations that run
//! too long, bodies browsers can forge, unbounded dates, text that hides what it says, and
//! errors without a code.

use std::time::{Duration, Instant};

use rekindle_tests::{TestApp, email, error_codes, input_errors};
use serde_json::{Value, json};

/// An anonymous document of under a kilobyte whose fragments each spread the previous one
/// twice: 2^20 selections once expanded.
fn fragment_bomb() -> String {
    let mut query = String::from("{...F0}");
    for i in 0..20 {
        query.push_str(&format!(
            "fragment F{i} on Query{{...F{n} ...F{n}}}",
            n = i + 1
        ));
    }
    query.push_str("fragment F20 on Query{__typename}");
    query
}

#[actix_web::test]
async fn a_document_too_large_once_expanded_is_refused_in_milliseconds() {
    let app = TestApp::spawn().await;
    let bomb = fragment_bomb();
    assert!(bomb.len() < 1024, "{} bytes", bomb.len());
    let started = Instant::now();
    let (first, second, health) = tokio::join!(
        app.graphql(&bomb, json!({})),
        app.graphql(&bomb, json!({})),
        async {
            let started = Instant::now();
            let (status, _, _) = app.get("/healthz").await;
            (status, started.elapsed())
        }
    );
    for body in [&first, &second] {
        assert_eq!(
            error_codes(body),
            vec!["GRAPHQL_VALIDATION_FAILED"],
            "{body}"
        );
        assert_eq!(body["data"], Value::Null);
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(health.0, 200);
    assert!(health.1 < Duration::from_secs(1));
    // Inline fragments and aliases count where they are used, too.
    let mut wide = String::from("{");
    for i in 0..25 {
        wide.push_str(&format!(" a{i}: rituals(first: 50) {{ edges {{ node {{ ... on Ritual {{ key title steps }} }} }} }}"));
    }
    wide.push('}');
    let body = app.graphql(&wide, json!({})).await;
    assert_eq!(
        error_codes(&body),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{body}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_operation_past_its_time_limit_is_stopped_with_a_code_and_the_process_stays_healthy() {
    // A deliberately slow password hash makes login a slow operation.
    let app = TestApp::spawn_with(&[
        ("REKINDLE_GRAPHQL_TIMEOUT_MS", "100"),
        ("REKINDLE_ARGON2_MEMORY_KIB", "65536"),
        ("REKINDLE_ARGON2_ITERATIONS", "8"),
    ])
    .await;
    let started = Instant::now();
    let body = app
        .graphql(
            "mutation { login(input: { email: \"ana@example.com\", password: \"whatever it is\" }) { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["INTERNAL_SERVER_ERROR"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 100 ms"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let (status, _, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query");
    app.stop().await;
}

#[actix_web::test]
async fn schedule_dates_have_a_range_and_progress_walks_only_the_plans_history() {
    let app = TestApp::spawn().await;
    let (ana, _) = rekindle_tests::builders::couple(&app).await;
    let (plan, _) = rekindle_tests::builders::plan_with_item(&app, &ana, "BOTH").await;
    let add = "mutation($input: AddPlanItemInput!) { addPlanItem(input: $input) { item { id nextOccurrences(first: 2) } } }";
    for far in ["0001-01-01", "9999-12-31"] {
        let body = app
            .graphql_as(
                ana.token(),
                add,
                json!({ "input": {
                    "planId": plan, "ritualKey": "morning_gratitude", "assignee": "EITHER",
                    "schedule": { "cadence": "DAILY", "localTime": "07:00", "startsOn": far }
                }}),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{far}: {body}");
    }
    let year_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(360)).to_string();
    let body = app
        .graphql_as(ana.token(), add, json!({ "input": {
            "planId": plan, "ritualKey": "morning_gratitude", "assignee": "EITHER",
            "schedule": { "cadence": "DAILY", "localTime": "07:00", "timezone": "UTC", "startsOn": year_ago }
        }}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for at in body["data"]["addPlanItem"]["item"]["nextOccurrences"]
        .as_array()
        .unwrap()
    {
        chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap()).expect("RFC 3339");
    }
    let body = app
        .graphql_as(
            ana.token(),
            "{ me { couple { progress(weeks: 52) { weeks { planned } streaks { items { streak { current longest } } } } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let weeks = body["data"]["me"]["couple"]["progress"]["weeks"]
        .as_array()
        .unwrap();
    let with_plans = weeks
        .iter()
        .filter(|w| w["planned"].as_u64() > Some(0))
        .count();
    assert!(
        with_plans <= 2,
        "only the weeks since the plan was made count, not the 52 a first day 360 days ago would: {weeks:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn only_json_bodies_are_accepted_and_answers_are_never_cached_or_sniffed() {
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, _, text) = app
            .post_with("/graphql", &[("content-type", content_type)], query)
            .await;
        assert_eq!(status, 415, "{content_type}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    }
    let (status, _, _) = app.post_with("/graphql", &[], query).await;
    assert_eq!(status, 415, "no content type at all");
    for content_type in [
        "application/json",
        "application/graphql-response+json; charset=utf-8",
    ] {
        let (status, headers, text) = app
            .post_with("/graphql", &[("content-type", content_type)], query)
            .await;
        assert_eq!(status, 200, "{content_type}: {text}");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    }
    let (_, headers, _) = app.get("/healthz").await;
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    app.stop().await;
}

#[actix_web::test]
async fn a_get_needs_a_header_a_browser_form_cannot_send() {
    let app = TestApp::spawn().await;
    let path = "/graphql?query=%7B__typename%7D";
    let (status, _, text) = app.get(path).await;
    assert_eq!(status, 400, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    let (status, _, _) = app.get_with(path, &[("content-type", "text/plain")]).await;
    assert_eq!(status, 400);
    for header in [
        ("apollo-require-preflight", "true"),
        ("x-apollo-operation-name", "Typename"),
        ("content-type", "application/json"),
    ] {
        let (status, headers, text) = app.get_with(path, &[header]).await;
        assert_eq!(status, 200, "{header:?}: {text}");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    }
    app.stop().await;
}

#[actix_web::test]
async fn every_error_has_a_code_and_get_runs_only_the_operation_it_names() {
    let app = TestApp::spawn().await;
    let two = "query A { __typename } query B { ritual(key: \"six_second_kiss\") { key } }";
    let body = app.graphql(two, json!({})).await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    assert_eq!(
        input_errors(&body),
        [("operationName".into(), "NOT_ONE_OF".into())]
    );
    let (_, body) = app
        .post_json("/graphql", &json!({ "query": two, "operationName": "C" }))
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    let (_, body) = app
        .post_json(
            "/graphql",
            &json!({ "query": "{ __typename }", "operationName": "X" }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    let preflight = [("apollo-require-preflight", "true")];
    let (status, _, text) = app
        .get_with(
            "/graphql?query=query%20B%20%7B%20__typename%20%7D&operationName=Nope",
            &preflight,
        )
        .await;
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn nul_bytes_and_disguising_characters_are_refused_and_cursors_not_echoed() {
    let app = TestApp::spawn().await;
    let register = "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }";
    let attempt = |name: &str, mail: String| json!({ "input": { "email": mail, "password": "a long passphrase", "displayName": name, "timezone": "UTC" } });
    for name in [
        "Ana\u{0}",
        "Ana\u{202E}gnp",
        "\u{200B}\u{200B}",
        "Ana\u{1b}[2J",
    ] {
        let body = app.graphql(register, attempt(name, email("ana"))).await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{name:?}: {body}"
        );
        assert!(body["data"].is_null() || body["data"]["register"].is_null());
    }
    // In a literal, too.
    let body = app
        .graphql(
            "mutation { register(input: { email: \"x\\u0000@example.com\", password: \"a long passphrase\", displayName: \"X\", timezone: \"UTC\" }) { user { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    for bad in [
        "ana@",
        "ana@@example.com",
        "ana@example",
        "a na@example.com",
    ] {
        let body = app.graphql(register, attempt("Ana", bad.to_owned())).await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{bad}: {body}");
    }
    // Notes keep line breaks but not terminal controls.
    let (ana, _) = rekindle_tests::builders::couple(&app).await;
    let (_, item) = rekindle_tests::builders::plan_with_item(&app, &ana, "EITHER").await;
    let complete = "mutation($input: CompleteRitualInput!) { completeRitual(input: $input) { completion { id } } }";
    let body = app
        .graphql_as(
            ana.token(),
            complete,
            json!({ "input": { "planItemId": item, "closeness": 4, "note": "red \u{1b}[31m" } }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    let body = app
        .graphql_as(ana.token(), complete, json!({ "input": { "planItemId": item, "closeness": 4, "note": "line one\nline two\ttabbed" } }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let long_cursor = "x".repeat(5_000);
    let body = app
        .graphql(
            "query($a: String) { rituals(first: 1, after: $a) { totalCount } }",
            json!({ "a": long_cursor }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    assert!(
        body.to_string().len() < 1_000,
        "the cursor is not echoed whole"
    );
    app.stop().await;
}

#[actix_web::test]
async fn every_graphql_answer_refusals_included_says_no_store() {
    let app = TestApp::spawn().await;
    let preflight = [("apollo-require-preflight", "true")];
    let gets = [
        ("/graphql?query=%7B__typename%7D", &[][..]),
        ("/graphql?query=mutation%7Blogout%7D", &preflight[..]),
        ("/graphql?query=%7B%20me%20%7B", &preflight[..]),
        ("/graphql?variables=%7Bnot-json", &preflight[..]),
    ];
    for (path, headers) in gets {
        let (status, answer, text) = app.get_with(path, headers).await;
        assert_eq!(
            answer.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "GET {path} answered {status} {text}"
        );
    }
    let big = format!("{{\"query\":\"{}\"}}", "a".repeat(200 * 1024));
    let posts = [
        ("text/plain", r#"{"query":"{ __typename }"}"#),
        ("application/json", "{not json"),
        ("application/json", r#"{"query":"{ me {"}"#),
        ("application/json", big.as_str()),
    ];
    for (content_type, body) in posts {
        let (status, answer, text) = app
            .post_with("/graphql", &[("content-type", content_type)], body)
            .await;
        assert_eq!(
            answer.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "POST {content_type} answered {status} {}",
            text.chars().take(200).collect::<String>()
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_body_sent_a_byte_at_a_time_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(&[("REKINDLE_BODY_TIMEOUT_SECS", "1")]).await;
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let body = r#"{"query":"{ __typename }"}"#;
    socket
        .write_all(
            format!(
                "POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // A byte every 300 ms would take about 8 s; the answer comes at the limit instead.
    let (mut reader, mut writer) = socket.into_split();
    tokio::spawn(async move {
        for byte in body.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        reader.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("BAD_USER_INPUT"), "{answer}");
    app.stop().await;
}
