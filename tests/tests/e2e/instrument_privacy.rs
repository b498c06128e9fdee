//! An organization's instrument is refused when what a partner, a coach or a webhook sees of a
//! shared result would always give an answer away, or when it asks about abuse or danger
//! without the safety path.

use rekindle_tests::builders::organization;
use rekindle_tests::{TestApp, email, error_codes};
use serde_json::{Value, json};

const CREATE_INSTRUMENT: &str = "mutation($d: String!) { createOrganizationInstrument(input: { definition: $d }) { instrument { key } } }";

fn three_questions(weights: [i32; 3], first_prompt: &str) -> Value {
    let item = |key: &str, prompt: &str, yes: i32| json!({ "key": key, "prompt": prompt, "response": { "kind": "yes_no", "yes": yes, "no": 0 } });
    json!({
        "key": "harbor_check", "version": 1, "title": "Check", "description": "A check.",
        "items": [
            item("affair", first_prompt, weights[0]),
            item("worried", "I worry about where we are heading.", weights[1]),
            item("leaving", "I am thinking of leaving.", weights[2]),
        ],
        "scoring": "sum", "higher_is": "worse"
    })
}

#[actix_web::test]
async fn an_instrument_whose_shared_result_gives_answers_away_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, coach) = organization(&app, &admin, "Harbor Coaching").await;
    let create = |definition: Value| {
        let app = &app;
        let token = coach.access_token.clone();
        async move {
            app.graphql_as(
                Some(token.as_str()),
                CREATE_INSTRUMENT,
                json!({ "d": definition.to_string() }),
            )
            .await
        }
    };
    let message = |body: &Value| {
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };

    // Weights 1, 2 and 4: the total alone is a code for every answer.
    let coded = create(three_questions([1, 2, 4], "One of us is having an affair.")).await;
    assert_eq!(error_codes(&coded), vec!["BAD_USER_INPUT"], "{coded}");
    assert!(message(&coded).contains("always tells"), "{coded}");

    // Asking about fear of the partner needs the private safety path.
    let unsafe_one = create(three_questions([1, 1, 1], "I am afraid of my partner.")).await;
    assert_eq!(
        error_codes(&unsafe_one),
        vec!["BAD_USER_INPUT"],
        "{unsafe_one}"
    );
    assert!(message(&unsafe_one).contains("safety"), "{unsafe_one}");

    // Equal weights keep every answer private.
    let fine = create(three_questions([1, 1, 1], "One of us is having an affair.")).await;
    assert!(error_codes(&fine).is_empty(), "{fine}");
    app.stop().await;
}
