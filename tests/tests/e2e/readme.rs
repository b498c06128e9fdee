//! The README's GraphQL examples, run as pasted against the real server, in README order, so the
//! docs cannot drift from the API.
//!
//! How an example is read: an operation is sent as the person its comment names first (Ana, Ben,
//! Cleo the coach, or an administrator), else as whoever sent the one before (anonymously at
//! first); `register` signs its new member in. A string shown as `"<plan id>"` (or
//! `"<invite code, such as …>"`) is filled with the latest answer whose path ends in those
//! words (`createPlan.plan.id`), and so is a variable (`$replyId` ← `reply.id`); the few values
//! no answer gives (a device token, a browser's subscription) come from [`sample`]. Every
//! operation must answer data and no error.

mod examples;

use std::collections::HashMap;

use rekindle_tests::TestApp;
use rekindle_tests::push_services::{Browser, FakePushService};
use serde_json::{Value, json};

use crate::subscriptions::{connect_as, next_json, send};
use examples::{Answers, Operation};

const README: &str = include_str!("../../../README.md");

/// Who sends the examples: the members register in them, the staff exist beforehand (as
/// `rekindle-api user create` makes them).
struct Cast {
    tokens: HashMap<&'static str, String>,
    current: Option<&'static str>,
}

const NAMES: [&str; 4] = ["Ana", "Ben", "Cleo", "administrator"];

impl Cast {
    /// The person a comment names first, if any.
    fn named_in(comment: &str) -> Option<&'static str> {
        NAMES
            .iter()
            .filter_map(|name| {
                comment
                    .match_indices(name)
                    .find(|(at, _)| {
                        let after = comment[at + name.len()..].chars().next();
                        !after.is_some_and(char::is_alphanumeric)
                    })
                    .map(|(at, _)| (at, *name))
            })
            .min()
            .map(|(_, name)| name)
    }

    fn token(&self) -> Option<&str> {
        self.current
            .and_then(|name| self.tokens.get(name))
            .map(String::as_str)
    }
}

/// Values no earlier answer gives.
fn sample(key: &str, web_push: &FakePushService, browser: &Browser) -> Option<Value> {
    Some(match key {
        "device token" => json!(crate::push::APNS_TOKEN),
        "registration token" => json!(crate::push::FCM_TOKEN),
        "subscription" => json!({
            "endpoint": format!("{}/push/ana-browser", web_push.url),
            "keys": browser.keys(),
        }),
        _ => return None,
    })
}

#[actix_web::test]
async fn every_graphql_example_in_the_readme_runs_as_pasted() {
    let operations = examples::operations(README);
    assert!(
        operations.len() > 30,
        "the README's examples were found ({} operations)",
        operations.len()
    );

    // Push through fake services, so the push examples register real devices.
    let scene = crate::push::scene(&[]).await;
    let (app, web) = (&scene.app, &scene.web);
    let browser = Browser::new();
    let mut cast = Cast {
        tokens: HashMap::new(),
        current: None,
    };
    let admin = app.create_with_role("admin@example.com", "admin").await;
    let cleo = app.create_with_role("cleo@example.com", "coach").await;
    cast.tokens
        .insert("administrator", admin.token().unwrap().to_owned());
    cast.tokens.insert("Cleo", cleo.token().unwrap().to_owned());

    let mut answers = Answers::default();
    for operation in &operations {
        if let Some(name) = Cast::named_in(&operation.comment) {
            cast.current = Some(name);
        }
        let (text, variables) = filled(operation, &answers, web, &browser);
        let registering = text.contains("register(input");
        let token = if registering { None } else { cast.token() };
        let data = if examples::is_subscription(&text) {
            first_event(app, token, &text, variables, operation).await
        } else {
            let body = app.graphql_as(token, &text, variables).await;
            answered(&body, operation)
        };
        if registering {
            let name = NAMES
                .into_iter()
                .find(|name| text.contains(&format!("displayName: \"{name}\"")))
                .unwrap_or_else(|| panic!("README line {}: who registers", operation.line));
            let token = data["register"]["accessToken"].as_str().unwrap();
            cast.tokens.insert(name, token.to_owned());
            cast.current = Some(name);
        }
        answers.record(&data);
    }
    scene.app.stop().await;
}

/// The operation's text with its placeholders filled, and its variables.
fn filled(
    operation: &Operation,
    answers: &Answers,
    web: &FakePushService,
    browser: &Browser,
) -> (String, Value) {
    let find = |key: &str| {
        answers
            .find(key)
            .cloned()
            .or_else(|| sample(key, web, browser))
            .unwrap_or_else(|| {
                panic!(
                    "README line {}: no earlier example answers `{key}`",
                    operation.line
                )
            })
    };
    let mut text = operation.text.clone();
    for (literal, key) in examples::placeholders(&operation.text) {
        text = text.replace(&literal, &find(&key).to_string());
    }
    let variables: serde_json::Map<String, Value> = examples::variables(&operation.text)
        .into_iter()
        .map(|name| {
            let value = find(&name);
            (name, value)
        })
        .collect();
    (text, Value::Object(variables))
}

/// The answer's data, after checking it holds no error.
fn answered(body: &Value, operation: &Operation) -> Value {
    assert!(
        body.get("errors").is_none() && body["data"].is_object(),
        "README line {} fails as pasted:\n{}\nanswer: {body}",
        operation.line,
        operation.text
    );
    body["data"].clone()
}

/// Subscribes over WebSocket and answers the first event's data.
async fn first_event(
    app: &TestApp,
    token: Option<&str>,
    text: &str,
    variables: Value,
    operation: &Operation,
) -> Value {
    use futures_util::SinkExt;
    let mut socket = connect_as(app, token).await;
    socket
        .send(send(json!({
            "id": "readme", "type": "subscribe",
            "payload": { "query": text, "variables": variables }
        })))
        .await
        .unwrap();
    let message = next_json(&mut socket).await;
    assert_eq!(
        message["type"], "next",
        "README line {}: {message}",
        operation.line
    );
    answered(&message["payload"], operation)
}

#[actix_web::test]
async fn the_curl_quick_start_runs_as_pasted() {
    let script = examples::block_after(README, "### Five minutes with curl", "sh")
        .expect("the README has a curl quick-start");
    let default = "API=http://127.0.0.1:8080/graphql";
    assert!(script.contains(default), "{script}");
    let app = TestApp::spawn().await;
    let script = script.replace(default, &format!("API={}/graphql", app.address));
    let output = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("JSON: {line}")))
        .collect();
    assert_eq!(answers.len(), 3, "{stdout}");
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    assert_eq!(
        answers[0]["data"]["rituals"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(answers[1]["data"]["me"]["displayName"], "Ana");
    assert!(answers[2]["data"]["createCouple"]["invite"]["code"].is_string());
    app.stop().await;
}
