//! The coach with a language model: a fake OpenAI-compatible server started here answers
//! streamed and whole replies, 429 and 500, stalls and slow streams; the model is told nothing
//! private; a failure is answered by the script, saying why.

use std::time::Duration;

use rekindle_tests::model_server::{Answer, DEFAULT_REPLY, FakeModel};
use rekindle_tests::{Account, Options, Stores, TestApp, eventually};
use serde_json::{Value, json};

use super::{send, start};
use crate::subscriptions::{connect_as, next_json, subscribe};

const REPLY: &str = "query($id: ID!) { node(id: $id) { ... on CoachMessage { text status engine fallbackReason } } }";

pub(super) async fn app_with(model: &FakeModel) -> TestApp {
    let stores = Stores::fresh().await;
    TestApp::spawn_on(
        &stores,
        Options {
            env: model.env(),
            ..Options::default()
        },
    )
    .await
}

/// The reply, once written.
pub(super) async fn written(app: &TestApp, who: &Account, reply: &str) -> Value {
    eventually("the reply is written", Duration::from_secs(20), || async {
        let body = app
            .graphql_as(who.token(), REPLY, json!({ "id": reply }))
            .await;
        let node = body["data"]["node"].clone();
        (node["status"] == "COMPLETE").then_some(node)
    })
    .await
}

#[actix_web::test]
async fn a_model_reply_streams_over_the_socket_as_it_is_written_then_is_stored() {
    let model = FakeModel::start().await;
    model.script([Answer::Stream {
        pieces: vec![
            "That sounds hard. ".into(),
            "Try a short evening check-in tonight. ".into(),
            "Ask about the toughest part of the day, ".into(),
            "and just listen.".into(),
        ],
        pause: Duration::from_millis(250),
    }]);
    let app = app_with(&model).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let sent = start(&app, &ana, "We barely talk in the evenings").await;
    let reply = sent["reply"]["id"].as_str().unwrap();
    assert_eq!(sent["reply"]["status"], "WRITING");
    assert_eq!(sent["reply"]["engine"], Value::Null);

    let mut socket = connect_as(&app, ana.token()).await;
    let query = format!(
        "subscription {{ coachReply(messageId: \"{reply}\") {{ delta text done message {{ id engine status text }} }} }}"
    );
    subscribe(&mut socket, "1", &query).await;
    let mut deltas = Vec::new();
    let last = loop {
        let frame = next_json(&mut socket).await;
        assert_eq!(frame["type"], "next", "{frame}");
        let event = frame["payload"]["data"]["coachReply"].clone();
        if event["done"] == true {
            break event;
        }
        deltas.push(event);
    };
    assert!(!deltas.is_empty(), "pieces came before the whole reply");
    for pair in deltas.windows(2) {
        let (a, b) = (
            pair[0]["text"].as_str().unwrap(),
            pair[1]["text"].as_str().unwrap(),
        );
        assert!(
            b.starts_with(a) && b.len() > a.len(),
            "the text grows: {a:?} then {b:?}"
        );
    }
    let text = last["text"].as_str().unwrap();
    assert!(
        text.contains("automated coach"),
        "the first reply says so: {text}"
    );
    assert!(text.ends_with(DEFAULT_REPLY), "{text}");
    assert_eq!(last["message"]["engine"], "MODEL");
    assert_eq!(last["message"]["status"], "COMPLETE");
    assert_eq!(last["message"]["text"], text);
    assert_eq!(next_json(&mut socket).await["type"], "complete");

    let stored = written(&app, &ana, reply).await;
    assert_eq!(stored["text"], text);
    assert_eq!(stored["fallbackReason"], Value::Null);
    let metrics = app.metrics.render();
    assert!(
        metrics.contains("rekindle_coach_replies_total{engine=\"model\",outcome=\"answered\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rekindle_coach_tokens_total{direction=\"in\"} 120"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn when_the_model_fails_or_misbehaves_the_script_answers_and_says_why() {
    let model = FakeModel::start().await;
    let app = app_with(&model).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let conversation = start(&app, &ana, "hello").await;
    written(&app, &ana, conversation["reply"]["id"].as_str().unwrap()).await;
    let conversation = conversation["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let slow = Answer::Stream {
        pieces: (0..12).map(|i| format!("word{i} ")).collect(),
        pause: Duration::from_millis(600),
    };
    let cases: Vec<(&str, Vec<Answer>, &str, Option<&str>)> = vec![
        (
            "500 on every try",
            vec![Answer::Status(500); 3],
            "SCRIPTED",
            Some("server_error"),
        ),
        (
            "429 then an answer",
            vec![Answer::Status(429), Answer::streamed("Keep going. ")],
            "MODEL",
            None,
        ),
        (
            "a whole JSON answer",
            vec![Answer::Json("A whole reply. ".into())],
            "MODEL",
            None,
        ),
        (
            "a stalled stream",
            vec![Answer::Stall(vec!["Hello there. ".into()])],
            "SCRIPTED",
            Some("stalled"),
        ),
        (
            "a stream slower than allowed",
            vec![slow],
            "SCRIPTED",
            Some("timeout"),
        ),
        (
            "a 401",
            vec![Answer::Status(401)],
            "SCRIPTED",
            Some("refused"),
        ),
        (
            "an unsafe reply",
            vec![Answer::streamed("Honestly, you should kill yourself. ")],
            "SCRIPTED",
            Some("withheld"),
        ),
    ];
    for (what, answers, engine, reason) in cases {
        model.script(answers);
        let sent = send(&app, &ana, &conversation, "we keep fighting about chores").await;
        let reply = written(&app, &ana, sent["reply"]["id"].as_str().unwrap()).await;
        assert_eq!(reply["engine"], engine, "{what}: {reply}");
        assert_eq!(reply["fallbackReason"].as_str(), reason, "{what}: {reply}");
        let text = reply["text"].as_str().unwrap();
        if reason.is_some() {
            assert!(
                text.contains("written guidance"),
                "{what}: the reply says so: {text}"
            );
            assert!(!text.contains("kill yourself"), "{what}: {text}");
        }
    }
    let metrics = app.metrics.render();
    for outcome in ["server_error", "stalled", "timeout", "withheld"] {
        assert!(
            metrics.contains(&format!("engine=\"scripted\",outcome=\"{outcome}\"}} 1")),
            "{outcome}: {metrics}"
        );
    }
}

#[actix_web::test]
async fn a_message_the_gate_stops_never_reaches_the_model_and_the_conversation_stays_scripted() {
    let model = FakeModel::start().await;
    let app = app_with(&model).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let first = start(&app, &ana, "He hit me last night and I'm scared of him.").await;
    assert_eq!(first["message"]["safetyConcern"], "VIOLENCE");
    assert_eq!(first["reply"]["status"], "COMPLETE");
    assert_eq!(first["reply"]["fallbackReason"], "safety");
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let next = send(&app, &ana, conversation, "Any ideas for this weekend?").await;
    assert_eq!(next["reply"]["status"], "COMPLETE");
    assert_eq!(next["reply"]["engine"], "SCRIPTED");
    assert_eq!(next["reply"]["fallbackReason"], "safety");
    assert!(model.bodies().is_empty(), "{:?}", model.bodies());
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_redis,
    ignore = "needs TEST_REDIS_URL: two api instances meet over Redis"
)]
async fn a_reply_written_on_one_instance_streams_to_a_socket_on_another() {
    let model = FakeModel::start().await;
    model.script([Answer::Stream {
        pieces: (0..8).map(|i| format!("Sentence number {i}. ")).collect(),
        pause: Duration::from_millis(250),
    }]);
    let stores = Stores::fresh().await;
    let options = || Options {
        env: model.env(),
        ..Options::default()
    };
    let writing = TestApp::spawn_on(&stores, options()).await;
    let listening = if stores.redis_url.is_some() {
        Some(TestApp::spawn_on(&stores, options()).await)
    } else {
        rekindle_tests::skip(
            "a_reply_written_on_one_instance_streams_to_a_socket_on_another",
            "without TEST_REDIS_URL one instance serves both sides",
        );
        None
    };
    let listening = listening.as_ref().unwrap_or(&writing);
    let ana = writing.register(&rekindle_tests::email("ana"), "Ana").await;
    let sent = start(&writing, &ana, "We barely talk in the evenings").await;
    let reply = sent["reply"]["id"].as_str().unwrap();
    let mut socket = connect_as(listening, ana.token()).await;
    let query = format!(
        "subscription {{ coachReply(messageId: \"{reply}\") {{ delta text done message {{ engine }} }} }}"
    );
    subscribe(&mut socket, "1", &query).await;
    let mut deltas = 0;
    let last = loop {
        let frame = next_json(&mut socket).await;
        let event = frame["payload"]["data"]["coachReply"].clone();
        if event["done"] == true {
            break event;
        }
        deltas += 1;
    };
    assert!(deltas > 0, "pieces crossed between the instances");
    assert!(
        last["text"]
            .as_str()
            .unwrap()
            .ends_with("Sentence number 7."),
        "{last}"
    );
    assert_eq!(last["message"]["engine"], "MODEL");
}
