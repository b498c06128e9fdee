//! Every refusal answers with a code from DESIGN.md's set, never a 500 or internal detail.

use rekindle_tests::{Options, PRODUCTION_ENV, Stores, TestApp, error_codes, input_errors};
use serde_json::{Value, json};

fn assert_clean(body: &Value) {
    let text = body.to_string().to_lowercase();
    for leak in [
        "panicked",
        "stack backtrace",
        "sqlx",
        "sea_orm",
        "select ",
        "src/",
    ] {
        assert!(!text.contains(leak), "leaks `{leak}`: {body}");
    }
}

#[actix_web::test]
async fn a_malformed_json_body_is_a_parse_failure_not_a_500() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post_raw("/graphql", "{\"query\": \"{ rituals {").await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), vec!["GRAPHQL_PARSE_FAILED"]);
    assert_clean(&body);
    app.stop().await;
}

#[actix_web::test]
async fn a_query_that_does_not_parse_is_a_parse_failure() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ rituals { edges ", json!({})).await;
    assert_eq!(error_codes(&body), vec!["GRAPHQL_PARSE_FAILED"]);
    app.stop().await;
}

#[actix_web::test]
async fn an_unknown_field_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ rituals { edges { node { favouriteColour } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["GRAPHQL_VALIDATION_FAILED"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("favouriteColour")
    );
    assert_clean(&body);
    app.stop().await;
}

#[actix_web::test]
async fn a_query_past_the_depth_limit_is_refused() {
    let app = TestApp::spawn().await;
    let mut query = String::from("{ __schema { types { name } } }");
    for _ in 0..12 {
        query = query.replacen("name", "fields { type { name } }", 1);
    }
    let body = app.graphql(&query, json!({})).await;
    assert_eq!(
        error_codes(&body),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too deep")
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_query_past_the_alias_limit_is_refused() {
    let app = TestApp::spawn().await;
    let fields: Vec<String> = (0..31).map(|i| format!("a{i}: __typename")).collect();
    let body = app
        .graphql(&format!("{{ {} }}", fields.join(" ")), json!({}))
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{body}"
    );
    let fields: Vec<String> = (0..30).map(|i| format!("a{i}: __typename")).collect();
    let body = app
        .graphql(&format!("{{ {} }}", fields.join(" ")), json!({}))
        .await;
    assert_eq!(body["errors"], Value::Null, "30 aliases are fine: {body}");
    app.stop().await;
}

#[actix_web::test]
async fn a_query_past_the_complexity_limit_is_refused() {
    let app = TestApp::spawn().await;
    let page = "rituals(first: 100) { edges { node { key title summary whyItHelps steps } } }";
    let body = app
        .graphql(
            &format!("{{ a: {page} b: {page} c: {page} d: {page} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{body}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_mutation_over_get_is_refused_and_a_query_over_get_works() {
    let app = TestApp::spawn().await;
    let preflight = [("apollo-require-preflight", "true")];
    let (status, headers, text) = app
        .get_with(
            "/graphql?query=mutation%20%7B%20__typename%20%7D",
            &preflight,
        )
        .await;
    assert_eq!(status, 405);
    assert_eq!(headers.get("allow").unwrap(), "POST");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert_eq!(
        input_errors(&body),
        [("query".into(), "NOT_SUPPORTED".into())]
    );
    let (status, _, text) = app
        .get_with(
            "/graphql?query=%7B%20ritual(key%3A%20%22six_second_kiss%22)%20%7B%20key%20%7D%20%7D",
            &preflight,
        )
        .await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"]["ritual"]["key"], "six_second_kiss");
    app.stop().await;
}

#[actix_web::test]
async fn a_body_past_the_size_limit_is_refused_with_a_code() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_GRAPHQL_MAX_BODY_BYTES".into(), "1024".into())],
            ..Options::default()
        },
    )
    .await;
    let padding = " ".repeat(2048);
    let (status, body) = app
        .post_raw(
            "/graphql",
            &format!("{{\"query\": \"{{ __typename }}{padding}\"}}"),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert_eq!(input_errors(&body), [("body".into(), "TOO_LONG".into())]);
    app.stop().await;
}

#[actix_web::test]
async fn batches_are_answered_in_order_and_bounded() {
    let app = TestApp::spawn().await;
    let one = json!({ "query": "{ ritual(key: \"six_second_kiss\") { key } }" });
    let two = json!({ "query": "{ ritual(key: \"honesty_hour\") { key } }" });
    let (status, body) = app.post_json("/graphql", &json!([one, two])).await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["data"]["ritual"]["key"], "six_second_kiss");
    assert_eq!(body[1]["data"]["ritual"]["key"], "honesty_hour");
    let eleven: Vec<Value> = (0..11).map(|_| one.clone()).collect();
    let (status, body) = app.post_json("/graphql", &json!(eleven)).await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert_eq!(input_errors(&body), [("body".into(), "TOO_MANY".into())]);
    app.stop().await;
}

#[actix_web::test]
async fn a_variable_of_the_wrong_type_is_refused_with_a_code() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "query($n: Int) { rituals(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
        )
        .await;
    // As Apollo's servers answer a bad variable: bad input, naming the argument.
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    assert_eq!(input_errors(&body), [("first".into(), "WRONG_TYPE".into())]);
    app.stop().await;
}

#[actix_web::test]
async fn production_refuses_introspection_and_turns_suggestions_and_graphiql_off() {
    let app = TestApp::spawn_with(&PRODUCTION_ENV).await;
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Ritual\") { name } }",
        "{ ...F } fragment F on Query { __schema { queryType { name } } }",
    ] {
        let body = app.graphql(query, json!({})).await;
        assert_eq!(body["data"], Value::Null, "{query}: {body}");
        assert_eq!(
            error_codes(&body),
            ["GRAPHQL_VALIDATION_FAILED"],
            "{query}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["reason"], "INTROSPECTION_DISABLED",
            "{body}"
        );
    }
    let body = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
    let body = app
        .graphql("{ ritual(key: \"x\") { titel } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    for path in [
        "/graphiql",
        "/graphiql/graphiql.min.js",
        "/graphiql/page.js",
    ] {
        let (status, _, _) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn development_serves_graphiql() {
    let app = TestApp::spawn().await;
    let (status, _, page) = app.get("/graphiql").await;
    assert_eq!(status, 200);
    assert!(page.to_lowercase().contains("graphiql"));
    app.stop().await;
}
