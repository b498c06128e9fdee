//! Pushes as each service receives them, and what the services answer acted on.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rekindle_tests::push_services::{
    APNS_KEY_ID, APNS_TEAM_ID, Answer, Browser, FCM_ACCOUNT, FCM_PROJECT, FCM_PUBLIC_KEY,
    es256_claims,
};
use rekindle_tests::{error_codes, eventually};
use serde_json::{Value, json};

use super::{APNS_TOKEN, FCM_TOKEN, couple_with_item, devices, pushes, register_all, scene};

const COMPLETE: &str = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5, note: \"our secret words\" }) { completion { id } } }";

#[actix_web::test]
async fn a_partners_ritual_is_pushed_through_every_service_with_nothing_private() {
    let s = scene(&[]).await;
    let (ana, ben, item) = couple_with_item(&s.app).await;
    let browser = Browser::new();
    register_all(&s, &ben, &browser).await;
    let body = s
        .app
        .graphql_as(ana.token(), COMPLETE, json!({ "id": item }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let expected_title = "Ana did Six-second kiss";

    // Web Push: encrypted for Ben's browser only, authorized with the server's VAPID key.
    let web = super::pushes(&s.web, 1).await;
    let push = &web[0];
    assert_eq!(push.path, "/push/ben-browser");
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert!(push.headers["ttl"].parse::<u64>().unwrap() > 0);
    let topic = &push.headers["topic"];
    assert_eq!(topic.len(), 32, "{topic}");
    let plain = browser
        .decrypt(&push.body)
        .expect("Ben's browser decrypts it");
    assert!(
        Browser::new().decrypt(&push.body).is_none(),
        "no one else does"
    );
    let message: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(message["kind"], "PARTNER_COMPLETED");
    assert_eq!(message["title"], expected_title);
    assert!(message["notificationId"].is_string());
    assert!(message["planItemId"].is_string());
    let settings = s
        .app
        .graphql("{ pushSettings { webPushPublicKey } }", json!({}))
        .await;
    let public = settings["data"]["pushSettings"]["webPushPublicKey"]
        .as_str()
        .unwrap();
    let vapid = &push.headers["authorization"];
    let (token, k) = vapid
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("a VAPID authorization");
    assert_eq!(k, public);
    let key = p256::PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(public).unwrap()).unwrap();
    let (_, claims) = es256_claims(token, &key);
    assert_eq!(claims["aud"], s.web.url.as_str());
    assert_eq!(claims["sub"], "mailto:ops@rekindle.test");

    // FCM: an access token got with the service account's signed assertion, then the message.
    let fcm = super::pushes(&s.fcm, 1).await;
    let assertion = s
        .fcm
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("an OAuth2 token request");
    let form = String::from_utf8(assertion.body.clone()).unwrap();
    let jwt = form
        .split('&')
        .find_map(|p| p.strip_prefix("assertion="))
        .expect("the assertion");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[format!("{}/token", s.fcm.url)]);
    let decoded = jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_rsa_pem(FCM_PUBLIC_KEY.as_bytes()).unwrap(),
        &validation,
    )
    .expect("the assertion is signed with the service account's key");
    assert_eq!(decoded.claims["iss"], FCM_ACCOUNT);
    assert_eq!(
        decoded.claims["scope"],
        "https://www.googleapis.com/auth/firebase.messaging"
    );
    let sent = &fcm[0];
    assert_eq!(
        sent.path,
        format!("/v1/projects/{FCM_PROJECT}/messages:send")
    );
    assert_eq!(sent.headers["authorization"], "Bearer fake-access-token");
    let message = sent.json()["message"].clone();
    assert_eq!(message["token"], FCM_TOKEN);
    assert_eq!(message["notification"]["title"], expected_title);
    assert_eq!(message["data"]["kind"], "PARTNER_COMPLETED");
    assert_eq!(message["android"]["collapse_key"], topic.as_str());

    // APNs: HTTP/2 over TLS, a provider token signed with the .p8 key, the device's topic.
    let apns = super::pushes(&s.apns, 1).await;
    let sent = &apns[0];
    assert_eq!(sent.version, "HTTP/2.0");
    assert_eq!(sent.path, format!("/3/device/{APNS_TOKEN}"));
    assert_eq!(sent.headers["apns-topic"], "app.rekindle.ios");
    assert_eq!(sent.headers["apns-push-type"], "alert");
    assert_eq!(sent.headers["apns-collapse-id"], topic.as_str());
    let provider = sent.headers["authorization"]
        .strip_prefix("Bearer ")
        .unwrap();
    let (header, claims) = es256_claims(provider, &s.apns_key.public_key());
    assert_eq!(header["kid"], APNS_KEY_ID);
    assert_eq!(claims["iss"], APNS_TEAM_ID);
    let payload = sent.json();
    assert_eq!(payload["aps"]["alert"]["title"], expected_title);
    assert_eq!(payload["kind"], "PARTNER_COMPLETED");

    // Nothing private went anywhere; Ana, who logged it, got no push.
    for request in s
        .web
        .requests()
        .iter()
        .chain(&s.fcm.requests())
        .chain(&s.apns.requests())
    {
        let text =
            String::from_utf8_lossy(&request.body).to_string() + &format!("{:?}", request.headers);
        assert!(!text.contains("secret words"), "{text}");
        assert!(!text.contains("closeness"), "{text}");
    }
    assert_eq!(
        s.web.pushes().len() + s.fcm.pushes().len() + s.apns.pushes().len(),
        3
    );
    let noted = eventually(
        "every device noted pushed",
        std::time::Duration::from_secs(30),
        || async {
            let seen = devices(&s.app, &ben).await;
            seen.iter()
                .all(|d| d["lastPushedAt"].is_string())
                .then_some(seen)
        },
    )
    .await;
    assert_eq!(noted.len(), 3);
    s.app.stop().await;
}

#[actix_web::test]
async fn gone_devices_are_forgotten_and_busy_services_are_tried_again() {
    let s = scene(&[]).await;
    let (ana, ben, item) = couple_with_item(&s.app).await;
    let browser = Browser::new();
    register_all(&s, &ben, &browser).await;
    // The browser unsubscribed; the Android app was uninstalled; APNs is busy once.
    s.web.answer_next([Answer::status(410)]);
    s.fcm.answer_next([Answer::json(
        404,
        json!({ "error": { "code": 404, "status": "NOT_FOUND", "message": "Requested entity was not found.",
            "details": [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED" }] } }),
    )]);
    s.apns.answer_next([
        Answer::json(429, json!({ "reason": "TooManyRequests" })).header("retry-after", "1")
    ]);
    let body = s
        .app
        .graphql_as(ana.token(), COMPLETE, json!({ "id": item }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");

    let remaining = eventually(
        "the gone devices forgotten",
        std::time::Duration::from_secs(30),
        || async {
            let left = devices(&s.app, &ben).await;
            (left.len() == 1).then_some(left)
        },
    )
    .await;
    assert_eq!(remaining[0]["platform"], "APNS");
    // APNs is tried again after the wait it asked for, with the same collapse ID, and accepts.
    let apns = pushes(&s.apns, 2).await;
    assert_eq!(
        apns[0].headers["apns-collapse-id"],
        apns[1].headers["apns-collapse-id"]
    );
    eventually(
        "the retried push noted",
        std::time::Duration::from_secs(30),
        || async {
            let left = devices(&s.app, &ben).await;
            left[0]["lastPushedAt"].is_string().then_some(())
        },
    )
    .await;
    assert_eq!(
        s.web.pushes().len(),
        1,
        "a gone subscription is not tried again"
    );
    assert_eq!(s.fcm.pushes().len(), 1, "a gone token is not tried again");

    // An iPhone whose app was deleted: APNs answers 410, and the device is forgotten.
    super::register(
        &s.app,
        &ana,
        json!({ "platform": "APNS", "token": "f".repeat(64), "appId": "app.rekindle.ios" }),
    )
    .await;
    s.apns.answer_next([Answer::json(
        410,
        json!({ "reason": "Unregistered", "timestamp": 1 }),
    )]);
    let body = s
        .app
        .graphql_as(ben.token(), COMPLETE, json!({ "id": item }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let apns = pushes(&s.apns, 3).await;
    assert_eq!(apns[2].path, format!("/3/device/{}", "f".repeat(64)));
    eventually(
        "the unregistered iPhone forgotten",
        std::time::Duration::from_secs(30),
        || async { devices(&s.app, &ana).await.is_empty().then_some(()) },
    )
    .await;
    s.app.stop().await;
}

#[actix_web::test]
async fn expired_credentials_are_renewed_and_the_push_made_again() {
    let s = scene(&[]).await;
    let (ana, ben, item) = couple_with_item(&s.app).await;
    super::register(
        &s.app,
        &ben,
        json!({ "platform": "FCM", "token": FCM_TOKEN }),
    )
    .await;
    super::register(
        &s.app,
        &ben,
        json!({ "platform": "APNS", "token": APNS_TOKEN, "appId": "app.rekindle.ios" }),
    )
    .await;
    // FCM refuses the access token once; APNs says the provider token expired.
    s.fcm.answer_next([Answer::json(
        401,
        json!({ "error": { "code": 401, "status": "UNAUTHENTICATED" } }),
    )]);
    s.apns.answer_next([Answer::json(
        403,
        json!({ "reason": "ExpiredProviderToken" }),
    )]);
    let body = s
        .app
        .graphql_as(ana.token(), COMPLETE, json!({ "id": item }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    pushes(&s.fcm, 2).await;
    pushes(&s.apns, 2).await;
    let tokens = s
        .fcm
        .requests()
        .iter()
        .filter(|r| r.path == "/token")
        .count();
    assert_eq!(tokens, 2, "a new FCM access token was asked for");
    eventually(
        "both devices noted pushed",
        std::time::Duration::from_secs(30),
        || async {
            let seen = devices(&s.app, &ben).await;
            seen.iter()
                .all(|d| d["lastPushedAt"].is_string())
                .then_some(())
        },
    )
    .await;
    s.app.stop().await;
}
