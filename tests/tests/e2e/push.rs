//! Push notifications: members register their own devices (never seen by anyone else), and every
//! notification they get is pushed through each device's service (fake Web Push, FCM and APNs
//! services started here); what a service answers is acted on.

mod delivery;
mod timing;

use std::time::Duration;

use rekindle_tests::builders::{pair, plan_with_item};
use rekindle_tests::push_services::{Browser, FakePushService, push_env};
use rekindle_tests::{Account, Options, Stores, TestApp, email, error_codes, eventually};
use serde_json::{Value, json};

const REGISTER: &str = "mutation($input: RegisterPushDeviceInput!) { registerPushDevice(input: $input) { device { id platform tokenHint appId locale createdAt lastPushedAt } } }";
const UNREGISTER: &str =
    "mutation($id: ID!) { unregisterPushDevice(input: { deviceId: $id }) { deviceId } }";
const DEVICES: &str = "{ me { pushDevices(first: 10) { totalCount edges { node { id platform tokenHint appId lastPushedAt } } } } }";
pub const APNS_TOKEN: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
pub const FCM_TOKEN: &str = "fcm-device:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

/// The fake services and an app (with its embedded worker) pushing through them.
pub struct Scene {
    pub app: TestApp,
    pub web: FakePushService,
    pub fcm: FakePushService,
    pub apns: FakePushService,
    pub apns_key: p256::SecretKey,
}

pub async fn scene(extra: &[(&str, &str)]) -> Scene {
    let (web, fcm, apns) = (
        FakePushService::start().await,
        FakePushService::start().await,
        FakePushService::start_tls().await,
    );
    let stores = Stores::fresh().await;
    let (mut env, apns_key) = push_env(&stores.data_dir.join("push"), &fcm, &apns);
    env.push(("REKINDLE_EMBEDDED_WORKER".into(), "true".into()));
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env,
            ..Options::default()
        },
    )
    .await;
    Scene {
        app,
        web,
        fcm,
        apns,
        apns_key,
    }
}

pub async fn register(app: &TestApp, who: &Account, input: Value) -> Value {
    let body = app
        .graphql_as(who.token(), REGISTER, json!({ "input": input }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["registerPushDevice"]["device"].clone()
}

pub async fn devices(app: &TestApp, who: &Account) -> Vec<Value> {
    let body = app.graphql_as(who.token(), DEVICES, json!({})).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["me"]["pushDevices"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Ben's three devices: a browser subscribed at the fake Web Push service, an Android phone
/// and an iPhone.
pub async fn register_all(s: &Scene, who: &Account, browser: &Browser) {
    register(
        &s.app,
        who,
        json!({ "platform": "WEB_PUSH", "subscription": { "endpoint": format!("{}/push/ben-browser", s.web.url), "keys": browser.keys() } }),
    )
    .await;
    register(
        &s.app,
        who,
        json!({ "platform": "FCM", "token": FCM_TOKEN, "locale": "en-GB" }),
    )
    .await;
    register(
        &s.app,
        who,
        json!({ "platform": "APNS", "token": APNS_TOKEN, "appId": "app.rekindle.ios" }),
    )
    .await;
}

/// Ana and Ben paired, with a daily ritual for both: answers them and the item's ID.
pub async fn couple_with_item(app: &TestApp) -> (Account, Account, String) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
    let (_, item) = plan_with_item(app, &ana, "BOTH").await;
    (ana, ben, item)
}

#[actix_web::test]
async fn devices_are_their_owners_alone_and_checked_per_platform() {
    let s = scene(&[]).await;
    let (ana, ben, _) = couple_with_item(&s.app).await;
    let browser = Browser::new();

    // What a client needs to register: the services in use and the VAPID key.
    let settings = s
        .app
        .graphql("{ pushSettings { platforms webPushPublicKey } }", json!({}))
        .await;
    assert_eq!(
        settings["data"]["pushSettings"]["platforms"],
        json!(["APNS", "FCM", "WEB_PUSH"]),
        "{settings}"
    );
    assert!(settings["data"]["pushSettings"]["webPushPublicKey"].is_string());

    register_all(&s, &ana, &browser).await;
    let mine = devices(&s.app, &ana).await;
    assert_eq!(mine.len(), 3, "{mine:?}");
    assert_eq!(mine[2]["tokenHint"], &APNS_TOKEN[APNS_TOKEN.len() - 6..]);
    assert_eq!(mine[2]["appId"], "app.rekindle.ios");
    assert!(
        !json!(mine).to_string().contains(APNS_TOKEN),
        "the token is never shown"
    );
    assert!(
        devices(&s.app, &ben).await.is_empty(),
        "Ben sees none of Ana's"
    );
    let id = mine[0]["id"].as_str().unwrap();
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let theirs = s
        .app
        .graphql_as(ben.token(), node, json!({ "id": id }))
        .await;
    assert!(theirs["data"]["node"].is_null(), "{theirs}");
    let own = s
        .app
        .graphql_as(ana.token(), node, json!({ "id": id }))
        .await;
    assert_eq!(own["data"]["node"]["id"], id, "{own}");

    // Ben cannot remove Ana's device; Ana can.
    let refused = s
        .app
        .graphql_as(ben.token(), UNREGISTER, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&refused), vec!["NOT_FOUND"], "{refused}");
    let removed = s
        .app
        .graphql_as(ana.token(), UNREGISTER, json!({ "id": id }))
        .await;
    assert!(error_codes(&removed).is_empty(), "{removed}");
    assert_eq!(devices(&s.app, &ana).await.len(), 2);

    // A phone that changed hands: the same token registered by Ben is his now.
    register(
        &s.app,
        &ben,
        json!({ "platform": "FCM", "token": FCM_TOKEN }),
    )
    .await;
    assert_eq!(devices(&s.app, &ana).await.len(), 1);
    assert_eq!(devices(&s.app, &ben).await.len(), 1);

    // Each platform's registration is checked.
    for (input, why) in [
        (
            json!({ "platform": "APNS", "token": "not-hex" }),
            "an APNs token is hex",
        ),
        (
            json!({ "platform": "FCM", "token": "has spaces in it" }),
            "an FCM token has no spaces",
        ),
        (
            json!({ "platform": "WEB_PUSH", "token": "x" }),
            "Web Push takes a subscription",
        ),
        (
            json!({ "platform": "WEB_PUSH", "subscription": { "endpoint": format!("{}/push/x", s.web.url), "keys": { "p256dh": "AAAA", "auth": "AAAA" } } }),
            "a subscription's keys are real keys",
        ),
        (
            json!({ "platform": "APNS", "token": APNS_TOKEN, "locale": "not a locale" }),
            "a locale is a language tag",
        ),
    ] {
        let body = s
            .app
            .graphql_as(ana.token(), REGISTER, json!({ "input": input }))
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{why}: {body}");
    }
    s.app.stop().await;
}

#[actix_web::test]
async fn a_subscription_may_not_point_inside_the_network_unless_allowed() {
    let web = FakePushService::start().await;
    let app = TestApp::spawn_with(&[("REKINDLE_EMBEDDED_WORKER", "true")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let browser = Browser::new();
    // Embedded mode: Web Push is on with a key the server made in its data directory.
    let settings = app
        .graphql("{ pushSettings { platforms webPushPublicKey } }", json!({}))
        .await;
    if settings["data"]["pushSettings"]["platforms"] == json!(["WEB_PUSH"]) {
        let body = app
            .graphql_as(
                ana.token(),
                REGISTER,
                json!({ "input": { "platform": "WEB_PUSH", "subscription": { "endpoint": format!("{}/push/x", web.url), "keys": browser.keys() } } }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
        assert!(body.to_string().contains("refused"), "{body}");
    } else {
        // On PostgreSQL and Redis nothing is configured: no service, every platform refused.
        assert_eq!(
            settings["data"]["pushSettings"],
            json!({ "platforms": [], "webPushPublicKey": null }),
            "{settings}"
        );
        let body = app
            .graphql_as(
                ana.token(),
                REGISTER,
                json!({ "input": { "platform": "APNS", "token": APNS_TOKEN } }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    }
    app.stop().await;
}

/// Waits until `service` has received `n` pushes; answers them.
pub async fn pushes(
    service: &FakePushService,
    n: usize,
) -> Vec<rekindle_tests::push_services::PushRequest> {
    eventually("pushes received", Duration::from_secs(30), || async {
        let got = service.pushes();
        (got.len() >= n).then_some(got)
    })
    .await
}
