//! GraphiQL in development: served whole from the binary, so it works in a browser with no
//! network; and the introspection query such tools send passes the document limits.

use std::time::Duration;

use fantoccini::Locator;
use rekindle_tests::browser::Browser;
use rekindle_tests::{TestApp, error_codes, eventually};
use serde_json::{Value, json};

/// The introspection query GraphiQL, graphql-codegen and Apollo's tools send (graphql-js's,
/// with every option on), its type references nested nine deep.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) {
    name description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}
"#;

#[actix_web::test]
async fn the_standard_introspection_query_passes_the_limits_in_development() {
    // A depth limit far below the introspection query's own nesting (15).
    let app = TestApp::spawn_with(&[("REKINDLE_GRAPHQL_MAX_DEPTH", "4")]).await;
    let body = app.graphql(INTROSPECTION, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    assert!(
        types.iter().any(|t| t["name"] == "Ritual"),
        "the schema's types are answered"
    );
    // The limit still holds for everything that is not introspection.
    let body = app
        .graphql(
            "{ me { couple { activePlan { items { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too deep: 5 levels"),
        "{body}"
    );
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_browser,
    ignore = "needs Chromium and chromedriver (apt-get install chromium chromium-driver), or REKINDLE_REQUIRE_BROWSER"
)]
async fn graphiql_runs_a_query_in_a_browser_with_no_network() {
    const TEST: &str = "graphiql_runs_a_query_in_a_browser_with_no_network";
    let app = TestApp::spawn().await;
    let Some(browser) = Browser::start_offline(TEST).await else {
        app.stop().await;
        return;
    };
    let page = &browser.client;
    let wait = Duration::from_secs(30);

    // The browser reaches nothing beyond this machine.
    page.goto("about:blank").await.unwrap();
    let outside = page
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('https://unpkg.com/graphiql/package.json', { mode: 'no-cors' })
               .then(() => done('reached'), () => done('blocked'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outside, json!("blocked"));

    page.goto(&format!("{}/graphiql", app.address))
        .await
        .unwrap();
    page.wait()
        .at_most(wait)
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("GraphiQL starts");
    // The schema arrived by introspection: the documentation explorer shows its root types.
    page.find(Locator::Css(
        "button[aria-label='Show Documentation Explorer']",
    ))
    .await
    .expect("the documentation button")
    .click()
    .await
    .unwrap();
    eventually("the documentation explorer", wait, || async {
        let text = page
            .find(Locator::Css(".graphiql-doc-explorer"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("Mutation").then_some(())
    })
    .await;
    // The default query asks for three rituals.
    page.find(Locator::Css(".graphiql-execute-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let answer = eventually("the query's answer", wait, || async {
        let text = page
            .find(Locator::Css(".result-window"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("durationMinutes").then_some(text)
    })
    .await;
    assert!(!answer.contains("\"errors\""), "{answer}");

    // Everything the page loaded came from the server itself.
    let loaded: Value = page
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    let loaded = loaded.as_array().unwrap();
    assert!(loaded.len() >= 5, "{loaded:?}");
    for url in loaded {
        assert!(
            url.as_str().unwrap().starts_with(&app.address),
            "{url} is not this server"
        );
    }
    browser.stop().await;
    app.stop().await;
}
