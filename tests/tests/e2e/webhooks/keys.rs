//! An organization's API key with the WEBHOOKS scope manages its webhook endpoints and pings
//! them, as an admin would; a key without it is refused; no couple can grant it.

use std::time::Duration;

use chrono::Utc;
use rekindle_tests::builders::{api_key, organization, pair};
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{TestApp, email, error_codes, eventually, input_errors};
use serde_json::{Value, json};

use super::{CREATE_ENDPOINT, scene};

/// A key's secret, made by the organization's admin with `scopes`.
async fn key(app: &TestApp, org_admin: &rekindle_tests::Account, scopes: &[&str]) -> String {
    api_key(app, org_admin, scopes).await["secret"]
        .as_str()
        .expect("a key secret")
        .to_owned()
}

#[actix_web::test]
async fn a_key_with_the_webhooks_scope_manages_and_pings_endpoints_and_one_without_cannot() {
    let s = scene(Utc::now()).await;
    let app = &s.app;
    let receiver = Receiver::start(0).await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, org_admin) = organization(app, &admin, "Keyed Coaching").await;
    let hooks = key(app, &org_admin, &["WEBHOOKS"]).await;
    let reader = key(app, &org_admin, &["PLANS"]).await;

    // The key makes an endpoint, lists it, pings it over REST, rotates its secret.
    let made = app
        .graphql_as(
            Some(&hooks),
            CREATE_ENDPOINT,
            json!({ "url": receiver.url, "events": ["RITUAL_COMPLETED"] }),
        )
        .await;
    assert!(error_codes(&made).is_empty(), "{made}");
    let id = made["data"]["createWebhookEndpoint"]["endpoint"]["id"]
        .as_str()
        .expect("an endpoint")
        .to_owned();
    let listed = app
        .graphql_as(
            Some(&hooks),
            "{ organization { webhookEndpoints { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["organization"]["webhookEndpoints"][0]["id"],
        id.as_str(),
        "{listed}"
    );
    let ping = |secret: String| {
        let path = format!("/webhooks/{id}/ping");
        async move {
            let auth = format!("Bearer {secret}");
            app.post_with(&path, &[("authorization", auth.as_str())], "")
                .await
        }
    };
    let (status, _, answer) = ping(hooks.clone()).await;
    assert_eq!(status, 202, "{answer}");
    eventually("the key's ping", Duration::from_secs(10), || async {
        receiver.received().into_iter().next()
    })
    .await;
    let rotated = app
        .graphql_as(
            Some(&hooks),
            "mutation($id: ID!) { rotateWebhookSecret(input: { endpointId: $id, overlapSeconds: 0 }) { secret } }",
            json!({ "id": id }),
        )
        .await;
    assert!(error_codes(&rotated).is_empty(), "{rotated}");
    let node = app
        .graphql_as(
            Some(&hooks),
            "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["data"]["node"]["id"], id.as_str(), "{node}");

    // A key without the scope can do none of it, and sees no endpoint through node.
    let refused = app
        .graphql_as(
            Some(&reader),
            CREATE_ENDPOINT,
            json!({ "url": receiver.url, "events": ["RITUAL_COMPLETED"] }),
        )
        .await;
    assert_eq!(error_codes(&refused), vec!["FORBIDDEN"], "{refused}");
    let hidden = app
        .graphql_as(
            Some(&reader),
            "{ organization { webhookEndpoints { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&hidden), vec!["FORBIDDEN"], "{hidden}");
    let (status, _, answer) = ping(reader.clone()).await;
    assert_eq!(status, 403, "{answer}");
    let node = app
        .graphql_as(
            Some(&reader),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["data"]["node"], Value::Null, "{node}");

    // A couple cannot grant it: it is not theirs to give.
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
    let granted = app
        .graphql_as(
            ana.token(),
            "mutation($o: ID!) { grantOrganizationAccess(input: { organizationId: $o, scopes: [PLANS, WEBHOOKS] }) { access { scopes } } }",
            json!({ "o": org }),
        )
        .await;
    assert_eq!(
        input_errors(&granted),
        [("input.scopes.1".to_owned(), "NOT_ONE_OF".to_owned())],
        "{granted}"
    );
    s.worker.stop().await;
    s.app.stop().await;
}
