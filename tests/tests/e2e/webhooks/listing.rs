//! Listing an endpoint's deliveries and sending it a sample of any event.

use std::time::Duration;

use chrono::Utc;
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{error_codes, eventually};
use serde_json::{Value, json};

use super::{body, endpoint_id, ping, scene, verified, with_endpoint};

#[actix_web::test]
async fn deliveries_are_listed_newest_first_and_filtered_by_status_and_event() {
    let s = scene(Utc::now()).await;
    let receiver = Receiver::start(1).await;
    let (_, org_admin, _) = with_endpoint(&s.app, &receiver.url).await;
    let endpoint = endpoint_id(&s.app, &org_admin).await;
    // Three pings one after the other: the first is refused (and waits for its retry).
    let mut pinged = Vec::new();
    for n in 1..=3 {
        pinged.push(ping(&s.app, &org_admin, &endpoint).await["deliveryId"].clone());
        eventually("the attempt", Duration::from_secs(10), || async {
            (receiver.received().len() == n).then_some(())
        })
        .await;
    }
    let list = |args: &'static str| {
        let app = &s.app;
        let token = org_admin.token();
        async move {
            let query = format!(
                "{{ organization {{ webhookEndpoints {{ deliveries({args}) {{ totalCount edges {{ node {{ id status }} }} }} }} }} }}"
            );
            let body = app.graphql_as(token, &query, json!({})).await;
            assert!(error_codes(&body).is_empty(), "{body}");
            let ids: Vec<Value> = body["data"]["organization"]["webhookEndpoints"][0]["deliveries"]
                ["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone())
                .collect();
            ids
        }
    };
    eventually("two delivered", Duration::from_secs(10), || async {
        (list("status: DELIVERED").await.len() == 2).then_some(())
    })
    .await;
    let newest_first: Vec<Value> = pinged.iter().rev().cloned().collect();
    assert_eq!(list("first: 10").await, newest_first);
    assert_eq!(list("event: PING").await, newest_first);
    assert_eq!(list("status: DELIVERED").await, newest_first[..2]);
    assert_eq!(list("status: PENDING").await, [pinged[0].clone()]);
    assert!(list("event: CONSENT_GRANTED").await.is_empty());
    // Pages go on to older ones.
    let first_page = list("first: 1").await;
    assert_eq!(first_page, [pinged[2].clone()]);
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn a_sample_of_any_event_is_sent_on_request() {
    let s = scene(Utc::now()).await;
    let receiver = Receiver::start(0).await;
    let (_, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let endpoint = endpoint_id(&s.app, &org_admin).await;
    let auth = format!("Bearer {}", org_admin.access_token);
    let send = |event: &'static str| {
        let (app, auth, endpoint) = (&s.app, auth.clone(), endpoint.clone());
        async move {
            app.post_with(
                &format!("/webhooks/{endpoint}/ping?event={event}"),
                &[("authorization", auth.as_str())],
                "",
            )
            .await
        }
    };
    let (status, _, answer) = send("weekly_summary.ready").await;
    assert_eq!(status, 202, "{answer}");
    let got = eventually("the sample", Duration::from_secs(10), || async {
        receiver.received().into_iter().next()
    })
    .await;
    verified(&secret, &got);
    let sent = body(&got);
    assert_eq!(sent["type"], "weekly_summary.ready");
    assert_eq!(sent["data"]["sample"], true);
    for field in ["coupleId", "summaryId", "weekStart"] {
        assert!(sent["data"][field].is_string(), "{sent}");
    }
    let (status, _, answer) = send("ritual.finished").await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("BAD_USER_INPUT") && answer.contains("ritual.completed"),
        "{answer}"
    );
    s.worker.stop().await;
    s.app.stop().await;
}
