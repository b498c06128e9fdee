//! Delivering: signatures, retries with growing pauses, giving up and sending again, the
//! test ping, and the addresses an endpoint may not have.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rekindle_tests::builders::{grant, organization, pair, plan_with_item};
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{TestApp, email, error_codes, eventually};
use serde_json::{Value, json};

use super::{
    CREATE_ENDPOINT, body, deliveries, endpoint, endpoint_id, ping, requests, scene, settled,
    verified, with_endpoint,
};

#[actix_web::test]
async fn deliveries_are_signed_and_retried_with_growing_pauses_until_accepted() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(2).await;
    let (org, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;

    // One member's grant tells the organization nothing; both: consent.granted.
    grant(&s.app, &ana, &org, &["PLANS", "PROGRESS"]).await;
    grant(&s.app, &ben, &org, &["PLANS"]).await;
    let first = requests(&receiver, 1).await;
    assert_eq!(first.len(), 1, "one event so far");
    assert_eq!(first[0].status, 500);
    let t = verified(&secret, &first[0]);
    assert_eq!(t, start.timestamp(), "signed at the clock's time");
    let sent = body(&first[0]);
    assert_eq!(sent["type"], "consent.granted");
    assert_eq!(sent["data"]["coupleId"], couple.as_str());
    assert_eq!(sent["data"]["scopes"], json!(["PLANS"]));
    assert_eq!(first[0].headers["webhook-id"], sent["id"].as_str().unwrap());

    // Pending, to be tried again later (15 to 30 s after a first failure).
    let pending = settled(&s.app, &org_admin, 1).await;
    assert_eq!(pending[0]["status"], "PENDING");
    assert_eq!(pending[0]["attempts"], 1);
    let next: DateTime<Utc> = pending[0]["nextAttemptAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next >= start + chrono::Duration::seconds(15), "{next}");
    assert!(next <= start + chrono::Duration::seconds(30), "{next}");
    // Not due yet: a tick now sends nothing.
    s.tick_after(chrono::Duration::seconds(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);

    // Due: tried again (fails), then again after a longer pause (accepted), byte for byte.
    s.tick_after(chrono::Duration::seconds(30)).await;
    s.attempt_made(&receiver, 2).await;
    settled(&s.app, &org_admin, 2).await;
    s.tick_after(chrono::Duration::minutes(2)).await;
    let all = s.attempt_made(&receiver, 3).await;
    assert_eq!(
        all.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    assert!(all.iter().all(|r| r.body == all[0].body));
    for request in &all {
        verified(&secret, request);
    }
    let done = eventually("the delivery settled", Duration::from_secs(10), || async {
        let rows = deliveries(&s.app, &org_admin).await;
        (rows[0]["status"] == "DELIVERED").then_some(rows)
    })
    .await;
    let log = done[0]["log"].as_array().unwrap();
    assert_eq!(
        log.iter()
            .map(|a| a["statusCode"].clone())
            .collect::<Vec<_>>(),
        vec![json!(500), json!(500), json!(200)]
    );
    assert!(log.iter().all(|a| a["latencyMs"].as_i64().unwrap() >= 0));
    assert_eq!(log[0]["error"], "answered 500 Internal Server Error");

    // A ritual logged with a shared note: the organization hears which ritual, never the note.
    let (_, item) = plan_with_item(&s.app, &ana, "EITHER").await;
    let logged = s
        .app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, occurrence: \"2026-06-10\", closeness: 5, note: \"words only we know\", noteShared: true }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    let all = requests(&receiver, 4).await;
    let completed = body(&all[3]);
    assert_eq!(completed["type"], "ritual.completed");
    assert_eq!(completed["data"]["ritualKey"], "six_second_kiss");
    assert_eq!(completed["data"]["coupleId"], couple.as_str());
    assert!(!String::from_utf8_lossy(&all[3].body).contains("words only"));

    // Revoked by one: consent.revoked, and nothing more is told of the couple.
    s.app
        .graphql_as(
            ben.token(),
            "mutation($o: ID!) { revokeOrganizationAccess(input: { organizationId: $o }) { access { scopes } } }",
            json!({ "o": org }),
        )
        .await;
    let all = requests(&receiver, 5).await;
    assert_eq!(body(&all[4])["type"], "consent.revoked");
    assert_eq!(body(&all[4])["data"]["scopes"], json!([]));
    s.app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, occurrence: \"2026-06-10\", closeness: 5 }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        5,
        "a revoked organization hears nothing"
    );
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn a_delivery_never_accepted_is_given_up_after_three_days_and_can_be_sent_again() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(usize::MAX).await;
    let (_, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let listed = deliveries(&s.app, &org_admin).await;
    assert!(listed.is_empty());
    let endpoint = endpoint_id(&s.app, &org_admin).await;

    // The test ping, over REST.
    let delivery_id = ping(&s.app, &org_admin, &endpoint).await["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = requests(&receiver, 1).await;
    assert_eq!(body(&first[0])["type"], "ping");
    assert_eq!(body(&first[0])["id"], delivery_id.as_str());
    verified(&secret, &first[0]);
    settled(&s.app, &org_admin, 1).await;

    // Every six hours the due attempt is made, until three days after the ping it is dead.
    let mut made: usize = 1;
    for _ in 0..40 {
        let rows = deliveries(&s.app, &org_admin).await;
        if rows[0]["status"] == "DEAD" {
            break;
        }
        s.tick_after(chrono::Duration::hours(6)).await;
        made += 1;
        s.attempt_made(&receiver, made).await;
        settled(&s.app, &org_admin, made as i64).await;
    }
    let rows = deliveries(&s.app, &org_admin).await;
    assert_eq!(rows[0]["status"], "DEAD", "{rows:?}");
    assert_eq!(rows[0]["nextAttemptAt"], Value::Null);
    let attempts = rows[0]["attempts"].as_i64().unwrap();
    assert!((12..=40).contains(&attempts), "{attempts} attempts");
    assert_eq!(rows[0]["log"].as_array().unwrap().len() as i64, attempts);
    // Nothing more happens by itself.
    s.tick_after(chrono::Duration::days(1)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len() as i64, attempts);

    // Sent again on request: now the receiver accepts it.
    receiver.fail_next(0);
    let again = s
        .app
        .graphql_as(
            org_admin.token(),
            "mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { status } } }",
            json!({ "id": delivery_id }),
        )
        .await;
    assert_eq!(
        again["data"]["redeliverWebhook"]["delivery"]["status"], "PENDING",
        "{again}"
    );
    eventually("redelivered", Duration::from_secs(10), || async {
        let rows = deliveries(&s.app, &org_admin).await;
        (rows[0]["status"] == "DELIVERED").then_some(())
    })
    .await;
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn the_ping_is_for_the_organizations_admins_only() {
    let s = scene(Utc::now()).await;
    let app = &s.app;
    let receiver = Receiver::start(0).await;
    let (_, org_admin, _) = with_endpoint(app, &receiver.url).await;
    let endpoint = endpoint_id(app, &org_admin).await;
    let admin = app.create_with_role(&email("admin2"), "admin").await;
    let (_, other_admin) = organization(app, &admin, "Elsewhere").await;
    let member = app.register(&email("ana"), "Ana").await;
    let path = format!("/webhooks/{endpoint}/ping");
    for (token, expected) in [
        (None, 401),
        (Some(member.access_token.as_str()), 403),
        (Some(other_admin.access_token.as_str()), 404),
        (Some(org_admin.access_token.as_str()), 202),
    ] {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();
        let (status, _, answer) = app.post_with(&path, &headers, "").await;
        assert_eq!(status, expected, "{answer}");
    }
    requests(&receiver, 1).await;
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn endpoints_inside_the_network_or_without_https_are_refused() {
    let app = TestApp::spawn_with(&[
        ("REKINDLE_WEBHOOK_ALLOW_INTERNAL", "false"),
        ("REKINDLE_WEBHOOK_REQUIRE_HTTPS", "true"),
    ])
    .await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    for url in [
        "https://127.0.0.1:9/hooks",
        "https://localhost/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hooks",
        "https://[::1]/hooks",
        "http://hooks.example.com/x",
        "not a url",
        // What the HTTP client's own (WHATWG) parser reads as an internal address.
        "https://2130706433/hooks",
        "https://0x7f000001/hooks",
        "https://0177.0.0.1/hooks",
        "https://127.1/hooks",
        "https://127.0.0.1./hooks",
        "https://0/hooks",
        "https://%31%32%37.0.0.1/hooks",
        "https://\u{ff11}\u{ff12}\u{ff17}.0.0.1/hooks",
        "https://127\u{3002}0\u{3002}0\u{3002}1/hooks",
        "https://127.0.0.1:8443\\@hooks.example.com/",
        "https://[::127.0.0.1]/hooks",
        "https://[64:ff9b::7f00:1]/hooks",
        "https://[2002:7f00:1::]/hooks",
        "https://[fe80::1%25lo]/hooks",
        "https://2852039166/latest/meta-data",
        "https://user:secret@hooks.example.com/x",
        "https://intranet/hooks",
    ] {
        let body = app
            .graphql_as(
                org_admin.token(),
                CREATE_ENDPOINT,
                json!({ "url": url, "events": ["RITUAL_COMPLETED"] }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{url}: {body}");
    }
    let fine = app
        .graphql_as(
            org_admin.token(),
            CREATE_ENDPOINT,
            json!({ "url": "https://hooks.example.com/rekindle", "events": ["RITUAL_COMPLETED"] }),
        )
        .await;
    assert!(error_codes(&fine).is_empty(), "{fine}");
    assert!(
        fine["data"]["createWebhookEndpoint"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    // Subscribing to nothing (or to pings, which every endpoint gets) is refused.
    for events in [json!([]), json!(["PING"])] {
        let body = app
            .graphql_as(
                org_admin.token(),
                CREATE_ENDPOINT,
                json!({ "url": "https://hooks.example.com/x", "events": events }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_failed_attempt_does_not_tell_a_closed_port_from_a_port_that_is_not_http() {
    let s = scene(Utc::now()).await;
    let app = &s.app;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let not_http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let not_http_port = not_http.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = not_http.accept().await {
            let _ = socket.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
        }
    });
    let (_, org_admin, _) = with_endpoint(app, &format!("http://127.0.0.1:{closed}/")).await;
    endpoint(
        app,
        &org_admin,
        &format!("http://127.0.0.1:{not_http_port}/"),
    )
    .await;
    let listed = app
        .graphql_as(
            org_admin.token(),
            "{ organization { webhookEndpoints { id } } }",
            json!({}),
        )
        .await;
    let auth = format!("Bearer {}", org_admin.access_token);
    for endpoint in listed["data"]["organization"]["webhookEndpoints"]
        .as_array()
        .unwrap()
    {
        let path = format!("/webhooks/{}/ping", endpoint["id"].as_str().unwrap());
        let (status, _, answer) = app
            .post_with(&path, &[("authorization", auth.as_str())], "")
            .await;
        assert_eq!(status, 202, "{answer}");
    }
    const LOGS: &str = "{ organization { webhookEndpoints { url deliveries(first: 5) { edges { node { log { statusCode latencyMs error } } } } } } }";
    let logs = eventually("both attempts logged", Duration::from_secs(20), || async {
        let body = app.graphql_as(org_admin.token(), LOGS, json!({})).await;
        let logs: Vec<Value> = body["data"]["organization"]["webhookEndpoints"]
            .as_array()?
            .iter()
            .map(|e| e["deliveries"]["edges"][0]["node"]["log"][0].clone())
            .collect();
        (logs.len() == 2 && logs.iter().all(|l| !l.is_null())).then_some(logs)
    })
    .await;
    assert_eq!(logs[0], logs[1], "the two failures read differently");
    assert_eq!(logs[0]["statusCode"], Value::Null);
    assert_eq!(logs[0]["latencyMs"], 0);
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn a_failed_attempt_is_tried_again_when_its_retry_falls_due() {
    // The real clock and the embedded worker: the retry is due 15 to 30 s after the first
    // attempt, and runs then rather than at the next once-a-minute scan.
    let app = TestApp::spawn_with(&[("REKINDLE_EMBEDDED_WORKER", "true")]).await;
    let receiver = Receiver::start(1).await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Prompt Coaching").await;
    let made = endpoint(&app, &org_admin, &receiver.url).await;
    let endpoint_id = made["endpoint"]["id"].as_str().unwrap().to_owned();
    ping(&app, &org_admin, &endpoint_id).await;
    eventually("the first attempt", Duration::from_secs(30), || async {
        (receiver.received().len() == 1).then_some(())
    })
    .await;
    let first = std::time::Instant::now();
    eventually("the retry", Duration::from_secs(55), || async {
        (receiver.received().len() == 2).then_some(())
    })
    .await;
    let waited = first.elapsed();
    assert!(
        waited >= Duration::from_secs(14) && waited <= Duration::from_secs(40),
        "the retry came {waited:?} after the first attempt"
    );
    assert_eq!(receiver.received()[1].status, 200);
    app.stop().await;
}
