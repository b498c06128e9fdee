//! The IDs a webhook payload carries lead somewhere: the organization's coaches and API keys
//! refetch them with `node(id:)`, within the scopes the couple granted (and a key's own), and
//! get null outside them, as for a missing object.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use rekindle_tests::builders::{api_key, grant, pair, plan_with_item};
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{TestApp, email, error_codes, eventually};
use serde_json::{Value, json};

use super::{body, scene, with_endpoint};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id ... on CoachedCouple { scopes } ... on PlanItem { ritual { key } } ... on WeeklySummary { weekStart } } }";

/// `node(id:)` as the holder of `token`: the node, or null.
async fn node(app: &TestApp, token: &str, id: &Value) -> Value {
    let body = app.graphql_as(Some(token), NODE, json!({ "id": id })).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["node"].clone()
}

#[actix_web::test]
async fn coaches_and_keys_refetch_the_ids_webhooks_carry_within_their_scopes() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let app = &s.app;
    let receiver = Receiver::start(0).await;
    let (org, org_admin, _) = with_endpoint(app, &receiver.url).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
    let (_, item) = plan_with_item(app, &ana, "EITHER").await;
    for member in [&ana, &ben] {
        grant(app, member, &org, &["PROGRESS", "PLANS"]).await;
    }
    let secret = |payload: Value| payload["secret"].as_str().unwrap_or_default().to_owned();
    let full = secret(api_key(app, &org_admin, &["PROGRESS", "PLANS"]).await);
    let plans_only = secret(api_key(app, &org_admin, &["PLANS"]).await);
    let coach = org_admin.access_token.clone();

    // A ritual logged, then a week over: two payloads with the IDs to refetch.
    let logged = rekindle_tests::builders::complete(app, &ana, &item, json!({})).await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    s.end_the_week_of_june_8().await;
    let of_type = |kind: &'static str| {
        let receiver = &receiver;
        async move {
            eventually(kind, Duration::from_secs(60), || async {
                receiver
                    .received()
                    .into_iter()
                    .map(|r| body(&r))
                    .find(|b| b["type"] == kind)
            })
            .await["data"]
                .clone()
        }
    };
    let completed = of_type("ritual.completed").await;
    let summary = of_type("weekly_summary.ready").await;

    // The couple, as the organization coaches it.
    for token in [&coach, &full, &plans_only] {
        let couple = node(app, token, &completed["coupleId"]).await;
        assert_eq!(couple["__typename"], "CoachedCouple", "{couple}");
        assert_eq!(couple["id"], completed["coupleId"]);
    }
    // The item, with PLANS.
    for token in [&coach, &full, &plans_only] {
        let found = node(app, token, &completed["planItemId"]).await;
        assert_eq!(found["ritual"]["key"], "six_second_kiss", "{found}");
    }
    // The summary, with PROGRESS only: the PLANS-only key gets null.
    for token in [&coach, &full] {
        let found = node(app, token, &summary["summaryId"]).await;
        assert_eq!(found["weekStart"], "2026-06-08", "{found}");
    }
    assert_eq!(
        node(app, &plans_only, &summary["summaryId"]).await,
        Value::Null
    );

    // Once a member takes access back, every one of them is null.
    app.graphql_as(
        ben.token(),
        "mutation($o: ID!) { revokeOrganizationAccess(input: { organizationId: $o }) { access { scopes } } }",
        json!({ "o": org }),
    )
    .await;
    for token in [&coach, &full] {
        for id in [
            &completed["coupleId"],
            &completed["planItemId"],
            &summary["summaryId"],
        ] {
            assert_eq!(node(app, token, id).await, Value::Null, "{id}");
        }
    }
    s.worker.stop().await;
    s.app.stop().await;
}
