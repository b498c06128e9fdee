//! What a model is told, and what the logs hold: nothing private of either partner reaches
//! the fake model server (replies, starters), and no message or reply text reaches a log line.

use rekindle_tests::data_rights::{couple_with_everything, marks};
use rekindle_tests::model_server::{Answer, FakeModel};
use rekindle_tests::{Stores, TestApp, assessments, wednesday_noon};
use serde_json::json;

use super::model::{app_with, written};
use super::{send, start};

#[actix_web::test]
async fn the_model_is_told_nothing_private_of_either_partner() {
    let model = FakeModel::start().await;
    let stores = Stores::fresh().await;
    let env: Vec<(String, String)> = model.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_driven(&stores, wednesday_noon(), &env).await;
    let clock = app.clock.clone().unwrap();
    let (ana, ben, _) = couple_with_everything(&app, &clock).await;
    // A safety result of Ana's: it must not reach a model either.
    assessments::take_yes_no(&app, &ana, "when_diy_is_not_enough", &["abuse"]).await;
    for who in [&ana, &ben] {
        let first = start(&app, who, "How are we doing with our plan?").await;
        written(&app, who, first["reply"]["id"].as_str().unwrap()).await;
        let conversation = first["conversation"]["id"].as_str().unwrap();
        let next = send(&app, who, conversation, "Any ideas for something new?").await;
        written(&app, who, next["reply"]["id"].as_str().unwrap()).await;
    }
    let bodies = model.bodies();
    assert_eq!(bodies.len(), 4, "each message went to the model");
    assert!(
        bodies.iter().all(|b| b.contains("Six-second kiss")),
        "the plan is told: {bodies:?}"
    );
    // Every private field of both partners, Ana's safety result, and their emails.
    let others = [
        "When doing it yourselves is not enough",
        "safety",
        ana.email.as_str(),
        ben.email.as_str(),
    ];
    let markers: Vec<&str> = marks::ALL.into_iter().chain(others).collect();
    for body in &bodies {
        for marker in &markers {
            assert!(
                !body.contains(marker),
                "{marker} was sent to the model: {body}"
            );
        }
    }
}

#[actix_web::test]
async fn with_a_model_starters_are_reworded_from_what_both_see_and_fall_back_to_the_bank() {
    let model = FakeModel::start().await;
    model.script([
        Answer::streamed("1. First, reworded.\n2. Second, reworded.\n3. Third, reworded."),
        Answer::streamed("Here are some ideas without numbers."),
    ]);
    let stores = Stores::fresh().await;
    let env: Vec<(String, String)> = model.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_driven(&stores, wednesday_noon(), &env).await;
    let clock = app.clock.clone().unwrap();
    let (ana, ben, _) = couple_with_everything(&app, &clock).await;
    let query = "{ me { couple { conversationStarters(first: 3) { text source about engine } } } }";
    let reworded = app.graphql_as(ana.token(), query, json!({})).await;
    let starters = reworded["data"]["me"]["couple"]["conversationStarters"]
        .as_array()
        .unwrap_or_else(|| panic!("{reworded}"))
        .clone();
    let texts: Vec<&str> = starters
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["First, reworded.", "Second, reworded.", "Third, reworded."]
    );
    assert!(starters.iter().all(|s| s["engine"] == "MODEL"));
    assert!(
        starters.iter().all(|s| s["source"] != "GENERAL"),
        "{starters:?}"
    );

    let fallen_back = app.graphql_as(ben.token(), query, json!({})).await;
    let starters = fallen_back["data"]["me"]["couple"]["conversationStarters"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(starters.len(), 3);
    assert!(
        starters.iter().all(|s| s["engine"] == "SCRIPTED"),
        "{starters:?}"
    );

    let bodies = model.bodies();
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        for marker in marks::ALL.into_iter().chain([
            "Is it time to let go",
            ana.email.as_str(),
            ben.email.as_str(),
        ]) {
            assert!(
                !body.contains(marker),
                "{marker} was sent to the model: {body}"
            );
        }
    }
}

#[actix_web::test]
async fn no_message_or_reply_text_reaches_a_log_line() {
    rekindle_tests::logs::start();
    let model = FakeModel::start().await;
    let reply_mark = format!("reply-mark-{}", uuid::Uuid::new_v4().simple());
    model.script([
        Answer::streamed(&format!("A reply with {reply_mark} in it.")),
        Answer::Status(500),
        Answer::Status(500),
        Answer::Status(500),
    ]);
    let app = app_with(&model).await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let message_mark = format!("message-mark-{}", uuid::Uuid::new_v4().simple());
    let first = start(&app, &ana, &format!("We argue about {message_mark}")).await;
    written(&app, &ana, first["reply"]["id"].as_str().unwrap()).await;
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let next = send(&app, &ana, conversation, &format!("Still {message_mark}")).await;
    written(&app, &ana, next["reply"]["id"].as_str().unwrap()).await;
    let flagged = send(
        &app,
        &ana,
        conversation,
        &format!("I want to die {message_mark}"),
    )
    .await;
    assert_eq!(flagged["message"]["safetyConcern"], "SUICIDE");
    app.stop().await;

    let captured = rekindle_tests::logs::captured();
    assert!(
        captured.contains("the model did not answer"),
        "the capture works"
    );
    assert!(
        !captured.contains(&message_mark),
        "a message reached the logs"
    );
    assert!(!captured.contains(&reply_mark), "a reply reached the logs");
}
