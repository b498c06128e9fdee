//! A notification stored by the worker reaches a subscriber's socket on another api instance.

use super::*;

#[actix_web::test]
#[cfg_attr(
    rekindle_no_redis,
    ignore = "needs TEST_REDIS_URL: two api instances meet over Redis"
)]
async fn a_notification_reaches_a_socket_on_another_api_instance() {
    use crate::subscriptions::{connect_as, next_json, subscribe};
    let stores = Stores::fresh().await;
    let on_redis = stores.redis_url.is_some();
    // With Redis: the socket on one instance, the completion through another, the worker its
    // own process-like part; the event crosses over Redis. Embedded: one process for all.
    let separate = vec![("REKINDLE_EMBEDDED_WORKER".into(), (!on_redis).to_string())];
    let listening = TestApp::spawn_on(
        &stores,
        Options {
            env: separate.clone(),
            ..Options::default()
        },
    )
    .await;
    let writing = if on_redis {
        Some(
            TestApp::spawn_on(
                &stores,
                Options {
                    env: separate,
                    ..Options::default()
                },
            )
            .await,
        )
    } else {
        rekindle_tests::skip(
            "a_notification_reaches_a_socket_on_another_api_instance",
            "without TEST_REDIS_URL one instance serves both sides",
        );
        None
    };
    let worker = if on_redis {
        Some(rekindle_tests::TestWorker::spawn_on(&stores).await)
    } else {
        None
    };
    let via = writing.as_ref().unwrap_or(&listening);
    let (ana, ben, item) = couple_with_a_ritual(via).await;
    let mut socket = connect_as(&listening, ben.token()).await;
    subscribe(
        &mut socket,
        "n",
        "subscription { notificationAdded { id kind title read } }",
    )
    .await;
    // The subscription starts listening some time after `subscribe`: announce a probe until
    // it arrives, so the real event cannot be sent before anyone listens.
    let probe = entities::notification::insert_once(
        &listening.db,
        draft(uuid_of(&ben.id), 99),
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let events = listening.notifications.clone();
    let announcing = tokio::spawn(async move {
        loop {
            events
                .publish(domain::notification::Added {
                    user_id: probe.user_id,
                    notification_id: probe.id,
                })
                .await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let first = next_json(&mut socket).await;
    assert_eq!(
        first["payload"]["data"]["notificationAdded"]["title"], "Summary 99",
        "{first}"
    );
    announcing.abort();
    let log = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 3 }) { completion { id } } }";
    let body = via
        .graphql_as(ana.token(), log, json!({ "id": item }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    // Probes announced before the abort may still be on their way: skip them.
    let message = loop {
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        if message["payload"]["data"]["notificationAdded"]["title"] != "Summary 99" {
            break message;
        }
    };
    let added = &message["payload"]["data"]["notificationAdded"];
    assert_eq!(added["kind"], "PARTNER_COMPLETED", "{message}");
    assert_eq!(added["title"], "Ana did Six-second kiss");
    assert_eq!(added["read"], false);
    // It is the one stored in Ben's list (newest first).
    let stored = inbox(&listening, &ben, json!({})).await;
    assert_eq!(nodes(&stored)[0]["id"], added["id"]);
    assert_eq!(nodes(&stored)[0]["kind"], "PARTNER_COMPLETED");
    if let Some(worker) = worker {
        worker.stop().await;
    }
    if let Some(writing) = writing {
        writing.stop().await;
    }
    listening.stop().await;
}
