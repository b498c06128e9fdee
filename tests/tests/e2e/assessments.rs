//! Assessments end to end: the instruments, taking one in parts, results and their history,
//! and stored versions. Privacy and the safety path are in `assessment_privacy.rs`.

use rekindle_tests::assessments::{START, SUBMIT, answer, start, take_yes_no};
use rekindle_tests::{TestApp, email, error_codes};
use serde_json::json;

#[actix_web::test]
async fn the_guides_instruments_are_listed_with_their_items_and_bands() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ instruments(first: 10) { totalCount edges { node { id key version items { key kind choices { key value } } bands { key from fromInclusive to toInclusive } } } } }",
            json!({}),
        )
        .await;
    let list = &body["data"]["instruments"];
    assert_eq!(list["totalCount"], 6, "{body}");
    let keys: Vec<&str> = list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "burnout_boredom",
            "listening_attunement",
            "resentment_red_flags",
            "signs_of_progress",
            "time_to_let_go",
            "when_diy_is_not_enough"
        ]
    );
    let listening = &list["edges"][1]["node"];
    assert_eq!(listening["items"].as_array().unwrap().len(), 7);
    assert_eq!(listening["items"][0]["kind"], "LIKERT");
    assert_eq!(listening["bands"][0]["toInclusive"], false);
    assert_eq!(listening["bands"][1]["fromInclusive"], true);
    let node = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Instrument { key } } }",
            json!({ "id": listening["id"] }),
        )
        .await;
    assert_eq!(node["data"]["node"]["key"], "listening_attunement");
    let page = app
        .graphql(
            "{ instruments(first: 2) { edges { cursor } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["data"]["instruments"]["pageInfo"]["hasNextPage"], true);
    let missing = app
        .graphql("{ instrument(key: \"nope\") { key } }", json!({}))
        .await;
    assert!(missing["data"]["instrument"].is_null(), "{missing}");
}

#[actix_web::test]
async fn answers_save_in_parts_change_until_submitted_and_score_on_submit() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let id = start(&app, &ana, "listening_attunement").await;
    // A retried start answers the same unfinished assessment.
    assert_eq!(start(&app, &ana, "listening_attunement").await, id);

    let first = answer(
        &app,
        &ana,
        &id,
        json!([
            { "itemKey": "eye_contact", "choice": "sometimes" },
            { "itemKey": "summarize_feelings", "choice": "often" }
        ]),
    )
    .await;
    assert!(error_codes(&first).is_empty(), "{first}");
    let early = app
        .graphql_as(ana.token(), SUBMIT, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&early), vec!["BAD_USER_INPUT"], "{early}");
    let message = early["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("notice_mood_shifts") && !message.contains("eye_contact"),
        "{message}"
    );

    let rest = answer(
        &app,
        &ana,
        &id,
        json!([
            { "itemKey": "eye_contact", "choice": "always" },
            { "itemKey": "notice_mood_shifts", "choice": "sometimes" },
            { "itemKey": "waiting_to_reply", "choice": "never" },
            { "itemKey": "open_questions", "choice": "often" },
            { "itemKey": "planning_defence", "choice": "rarely" },
            { "itemKey": "validate_feelings", "choice": "always" }
        ]),
    )
    .await;
    let saved = rest["data"]["answerAssessment"]["assessment"]["answers"]
        .as_array()
        .unwrap_or_else(|| panic!("{rest}"));
    assert_eq!(saved.len(), 7);
    assert!(saved.contains(&json!({ "itemKey": "eye_contact", "choice": "always", "yes": null })));

    let body = app
        .graphql_as(ana.token(), SUBMIT, json!({ "id": id }))
        .await;
    let result = &body["data"]["submitAssessment"]["result"];
    // 4 + 3 + 2 + (4 - 0) + 3 + (4 - 1) + 4: the two negatively worded items reversed.
    assert_eq!(result["total"], 23.0, "{body}");
    assert_eq!(result["band"]["key"], "tuned_in");
    assert!(result["change"].is_null(), "the first result has no change");
    assert!(result["safety"].is_null());
    assert_eq!(
        body["data"]["submitAssessment"]["assessment"]["status"],
        "SUBMITTED"
    );

    // Submitted answers are fixed; a retried submit answers the same result.
    let late = answer(
        &app,
        &ana,
        &id,
        json!([{ "itemKey": "eye_contact", "choice": "never" }]),
    )
    .await;
    assert_eq!(error_codes(&late), vec!["CONFLICT"], "{late}");
    let again = app
        .graphql_as(ana.token(), SUBMIT, json!({ "id": id }))
        .await;
    assert_eq!(again["data"]["submitAssessment"]["result"], *result);
    assert_ne!(
        start(&app, &ana, "listening_attunement").await,
        id,
        "a new one starts"
    );
}

#[actix_web::test]
async fn bad_answers_are_refused_and_save_nothing_of_their_request() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let id = start(&app, &ana, "burnout_boredom").await;
    for bad in [
        json!([{ "itemKey": "drained", "choice": "very" }]),
        json!([{ "itemKey": "nope", "choice": "often" }]),
        json!([{ "itemKey": "drained", "yes": true }]),
        json!([{ "itemKey": "drained", "choice": "often", "yes": true }]),
        json!([{ "itemKey": "drained" }]),
        json!([{ "itemKey": "restless", "choice": "often" }, { "itemKey": "drained", "choice": "very" }]),
    ] {
        let body = answer(&app, &ana, &id, bad.clone()).await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{bad}: {body}");
    }
    let body = app
        .graphql_as(
            ana.token(),
            "query($id: ID!) { node(id: $id) { ... on Assessment { answers { itemKey } status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["answers"], json!([]), "{body}");
    assert_eq!(body["data"]["node"]["status"], "IN_PROGRESS");
    let unknown = app
        .graphql_as(ana.token(), START, json!({ "k": "nope" }))
        .await;
    assert_eq!(error_codes(&unknown), vec!["NOT_FOUND"]);
}

#[actix_web::test]
async fn history_shows_each_result_with_its_reliable_change() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let (_, first) = take_yes_no(&app, &ana, "signs_of_progress", &["look_forward"]).await;
    assert_eq!(first["band"]["key"], "early_days");
    assert!(
        first["recommendations"][0]["rituals"]
            .as_array()
            .unwrap()
            .contains(&json!({ "key": "six_second_kiss" })),
        "{first}"
    );
    let (_, second) = take_yes_no(
        &app,
        &ana,
        "signs_of_progress",
        &[
            "look_forward",
            "shorter_arguments",
            "touch_welcome",
            "new_memories",
            "curious_again",
            "forgive_easily",
        ],
    )
    .await;
    assert_eq!(
        second["change"],
        json!({ "delta": 5.0, "reliable": true, "direction": "BETTER" })
    );
    let (_, third) = take_yes_no(
        &app,
        &ana,
        "signs_of_progress",
        &[
            "look_forward",
            "shorter_arguments",
            "touch_welcome",
            "new_memories",
            "curious_again",
        ],
    )
    .await;
    assert_eq!(
        third["change"],
        json!({ "delta": -1.0, "reliable": false, "direction": "WORSE" })
    );

    let history = app
        .graphql_as(
            ana.token(),
            "{ assessmentHistory(instrumentKey: \"signs_of_progress\", last: 2) { totalCount trend { delta reliable direction } pageInfo { hasPreviousPage } edges { node { result { total change { delta } } } } } }",
            json!({}),
        )
        .await;
    let list = &history["data"]["assessmentHistory"];
    assert_eq!(list["totalCount"], 3, "{history}");
    assert_eq!(list["pageInfo"]["hasPreviousPage"], true);
    // From the first result (1) to the latest (5): four points, reliable, better news.
    assert_eq!(
        list["trend"],
        json!({ "delta": 4.0, "reliable": true, "direction": "BETTER" })
    );
    let totals: Vec<f64> = list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["result"]["total"].as_f64().unwrap())
        .collect();
    assert_eq!(totals, [6.0, 5.0], "oldest first, the newest two");
}

#[actix_web::test]
async fn coaches_and_administrators_take_no_assessments() {
    let app = TestApp::spawn().await;
    for role in ["coach", "admin"] {
        let account = app.create_with_role(&email(role), role).await;
        let body = app
            .graphql_as(
                account.token(),
                START,
                json!({ "k": "listening_attunement" }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{role}: {body}");
    }
    let anonymous = app
        .graphql(START, json!({ "k": "listening_attunement" }))
        .await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
}

#[actix_web::test]
async fn a_stored_version_keeps_its_definition_and_a_changed_one_needs_a_new_version() {
    use entities::instrument;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};

    let app = TestApp::spawn().await;
    let rows = instrument::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 6, "each built-in stored once");
    // A second instance against the same stores finds them stored and starts.
    let mut settings = app.settings.clone();
    settings.bind = "127.0.0.1:0".into();
    let second = api::startup::Application::build(settings.clone()).await;
    assert!(second.is_ok(), "the same definitions start again");
    drop(second);
    assert_eq!(
        instrument::Entity::find().all(&app.db).await.unwrap().len(),
        6
    );

    // Were the stored version's definition different, results scored with it would no longer
    // mean what they said: the instance refuses to start.
    let stored = rows
        .into_iter()
        .find(|r| r.key == "signs_of_progress")
        .unwrap();
    let mut definition = stored.definition.clone();
    definition["title"] = serde_json::json!("Edited in place");
    let mut changed: instrument::ActiveModel = stored.into();
    changed.definition = Set(definition);
    changed.update(&app.db).await.unwrap();
    let refused = api::startup::Application::build(settings).await;
    let err = format!(
        "{:#}",
        refused.err().expect("a changed definition is refused")
    );
    assert!(
        err.contains("signs_of_progress") && err.contains("new version"),
        "{err}"
    );
}
