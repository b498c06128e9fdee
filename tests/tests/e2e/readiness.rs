//! /readyz follows the stores: 503 while one is gone, 200 again once it is back, no restart.
//! The store is taken away through a proxy, so the real servers other tests use stay up.

use std::time::Duration;

use rekindle_tests::proxy::Proxy;
use rekindle_tests::{
    Options, Stores, TestApp, eventually, skip, test_database_url, test_redis_url, url_target,
    url_via_port,
};
use serde_json::Value;

async fn readiness(app: &TestApp) -> (u16, Value) {
    let (status, _, body) = app.get("/readyz").await;
    (status, serde_json::from_str(&body).unwrap())
}

async fn cut_and_restore(app: &TestApp, proxy: &mut Proxy, check: &str) {
    assert_eq!(readiness(app).await.0, 200);
    proxy.cut();
    let body = eventually("/readyz to answer 503", Duration::from_secs(30), || async {
        let (status, body) = readiness(app).await;
        (status == 503).then_some(body)
    })
    .await;
    assert_eq!(body["checks"][check], "down", "{body}");
    assert_eq!(body["status"], "unavailable");
    proxy.restore().await;
    eventually(
        "/readyz to answer 200 again",
        Duration::from_secs(60),
        || async { (readiness(app).await.0 == 200).then_some(()) },
    )
    .await;
}

#[actix_web::test]
#[cfg_attr(rekindle_no_postgres, ignore = "needs TEST_DATABASE_URL")]
async fn readyz_answers_503_while_the_database_is_down_and_200_once_it_is_back() {
    if test_database_url().is_none() {
        return skip("readyz database outage", "TEST_DATABASE_URL is not set");
    }
    let stores = Stores::fresh().await;
    let url = stores.database_url.clone().unwrap();
    let mut proxy = Proxy::start(url_target(&url, 5432)).await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![(
                "REKINDLE_DATABASE_URL".into(),
                url_via_port(&url, proxy.port),
            )],
            ..Options::default()
        },
    )
    .await;
    cut_and_restore(&app, &mut proxy, "database").await;
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(rekindle_no_redis, ignore = "needs TEST_REDIS_URL")]
async fn readyz_answers_503_while_redis_is_down_and_200_once_it_is_back() {
    let Some(url) = test_redis_url() else {
        return skip("readyz queue outage", "TEST_REDIS_URL is not set");
    };
    let stores = Stores::fresh().await;
    let mut proxy = Proxy::start(url_target(&url, 6379)).await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_REDIS_URL".into(), url_via_port(&url, proxy.port))],
            ..Options::default()
        },
    )
    .await;
    cut_and_restore(&app, &mut proxy, "queue").await;
    app.stop().await;
}
