//! Every password check counts against the limits (changePassword, aliases and batches
//! included); failures count per account and address, so a stranger cannot lock the owner out
//! from elsewhere, under a higher ceiling per account; addresses come from trusted proxies
//! only; the role and the disabled flag come from the database, not the token; hashing is
//! bounded.

use rekindle_tests::{Options, Stores, TestApp, email, error_codes, skip, test_redis_url};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }";

/// Limits counted over a day: no test straddles a window boundary by luck.
async fn app_with(env: &[(&str, &str)]) -> TestApp {
    let mut all = vec![("REKINDLE_RATE_LIMIT_WINDOW_SECS", "86400")];
    all.extend_from_slice(env);
    TestApp::spawn_with(&all).await
}

async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Value {
    let (_, _, text) = app
        .post_with(
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("x-forwarded-for", address),
            ],
            &json!({ "query": LOGIN, "variables": { "e": email, "p": password } }).to_string(),
        )
        .await;
    serde_json::from_str(&text).unwrap()
}

#[actix_web::test]
async fn change_password_is_limited_even_through_aliases_and_batches() {
    let app = app_with(&[("REKINDLE_RATE_LIMIT_PER_ACCOUNT", "3")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let mut aliased = String::from("mutation {");
    for i in 0..12 {
        aliased.push_str(&format!(
            " g{i}: changePassword(input: {{ currentPassword: \"guess number {i}\", newPassword: \"a brand new passphrase\" }}) {{ revokedSessions }}"
        ));
    }
    aliased.push('}');
    let body = app.graphql_as(ana.token(), &aliased, json!({})).await;
    let codes = error_codes(&body);
    assert_eq!(
        codes.iter().filter(|c| *c == "FORBIDDEN").count(),
        3,
        "{body}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        9,
        "{body}"
    );
    // Now even the right password waits for the window.
    let body = app
        .graphql_as(
            ana.token(),
            "mutation($c: String!) { changePassword(input: { currentPassword: $c, newPassword: \"a brand new passphrase\" }) { revokedSessions } }",
            json!({ "c": ana.password }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["RATE_LIMITED"], "{body}");

    // A batch counts each of its operations, too.
    let bea = app.register(&email("bea"), "Bea").await;
    let guess = json!({ "query": "mutation { changePassword(input: { currentPassword: \"a wrong guess\", newPassword: \"a brand new passphrase\" }) { revokedSessions } }" });
    let batch = json!([guess, guess, guess, guess, guess]);
    let (_, _, text) = app
        .post_with(
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {}", bea.access_token)),
            ],
            &batch.to_string(),
        )
        .await;
    let answers: Vec<Value> = serde_json::from_str(&text).unwrap();
    // The operations of a batch may run concurrently: count them, in any order.
    let mut codes: Vec<String> = answers.iter().flat_map(error_codes).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "FORBIDDEN",
            "FORBIDDEN",
            "FORBIDDEN",
            "RATE_LIMITED",
            "RATE_LIMITED"
        ],
        "{text}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_stranger_guessing_cannot_lock_the_owner_out_from_elsewhere_up_to_a_ceiling() {
    let app = app_with(&[
        ("REKINDLE_TRUSTED_PROXIES", "127.0.0.1, ::1"),
        ("REKINDLE_RATE_LIMIT_PER_ACCOUNT", "3"),
        ("REKINDLE_RATE_LIMIT_PER_ACCOUNT_CEILING", "7"),
    ])
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    for _ in 0..3 {
        let body = login_from(&app, "203.0.113.7", &ana.email, "not the password").await;
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    }
    let body = login_from(&app, "203.0.113.7", &ana.email, &ana.password).await;
    assert_eq!(
        error_codes(&body),
        vec!["RATE_LIMITED"],
        "the guessing address is stopped"
    );
    let body = login_from(&app, "198.51.100.2", &ana.email, &ana.password).await;
    assert!(
        body["errors"].is_null(),
        "the owner still signs in from home: {body}"
    );
    // Successes are no failures: signing in again and again never locks anyone out.
    for _ in 0..5 {
        let body = login_from(&app, "198.51.100.2", &ana.email, &ana.password).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // Guesses spread over many addresses meet the ceiling for the account.
    for i in 0..4 {
        let body = login_from(
            &app,
            &format!("203.0.113.{}", 20 + i),
            &ana.email,
            "nope nope",
        )
        .await;
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    }
    let body = login_from(&app, "198.51.100.99", &ana.email, &ana.password).await;
    assert_eq!(error_codes(&body), vec!["RATE_LIMITED"], "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = app_with(&[("REKINDLE_RATE_LIMIT_PER_IP", "2")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    for i in 0..2 {
        let body = login_from(&app, &format!("192.0.2.{i}"), &ana.email, &ana.password).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = login_from(&app, "192.0.2.200", &ana.email, &ana.password).await;
    assert_eq!(
        error_codes(&body),
        vec!["RATE_LIMITED"],
        "a forged header picks no address"
    );
    app.stop().await;

    let app = app_with(&[
        ("REKINDLE_RATE_LIMIT_PER_IP", "2"),
        ("REKINDLE_TRUSTED_PROXIES", "127.0.0.0/8,::1"),
    ])
    .await;
    let ana = app.register(&email("ana"), "Ana").await;
    for i in 0..4 {
        let body = login_from(&app, &format!("192.0.2.{i}"), &ana.email, &ana.password).await;
        assert!(
            body["errors"].is_null(),
            "behind a trusted proxy each client has its own limit: {body}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(rekindle_no_redis, ignore = "needs TEST_REDIS_URL")]
async fn a_limited_address_writes_no_counter_for_oversized_emails() {
    let Some(redis_url) = test_redis_url() else {
        skip(
            "a_limited_address_writes_no_counter_for_oversized_emails",
            "needs TEST_REDIS_URL",
        );
        return;
    };
    let stores = Stores::fresh().await;
    let prefix = stores.queue_prefix.clone();
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_RATE_LIMIT_PER_IP".into(), "2".into())],
            ..Options::default()
        },
    )
    .await;
    let client = redis::Client::open(redis_url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let count_keys = |mut conn: redis::aio::MultiplexedConnection, prefix: String| async move {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}:ratelimit:*"))
            .query_async(&mut conn)
            .await
            .unwrap();
        (keys.len(), keys.iter().map(String::len).max().unwrap_or(0))
    };
    for _ in 0..2 {
        app.graphql(
            LOGIN,
            json!({ "e": "nobody@example.com", "p": "whatever it is" }),
        )
        .await;
    }
    let (before, _) = count_keys(conn.clone(), prefix.clone()).await;
    for i in 0..20 {
        let huge = format!("{i}{}@example.com", "a".repeat(60_000));
        let body = app
            .graphql(LOGIN, json!({ "e": huge, "p": "whatever it is" }))
            .await;
        assert!(!error_codes(&body).is_empty());
    }
    let (after, longest) = count_keys(conn.clone(), prefix.clone()).await;
    assert_eq!(before, after, "no key per oversized email");
    assert!(longest < 200, "keys hold a digest, never an email");
    let _: () = redis::cmd("PING").query_async(&mut conn).await.unwrap();
    app.stop().await;
}

#[actix_web::test]
async fn role_and_disabled_come_from_the_database_and_disabling_ends_sessions() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let bea = app.register(&email("bea"), "Bea").await;
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let seen = app
        .graphql_as(ana.token(), node, json!({ "id": bea.id }))
        .await;
    assert_eq!(
        seen["data"]["node"],
        Value::Null,
        "a member cannot see another user"
    );
    let backend = app.db.get_database_backend();
    let set_role = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE users SET role = 'admin' WHERE email = $1",
        _ => "UPDATE users SET role = 'admin' WHERE email = ?",
    };
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            set_role,
            [ana.email.clone().into()],
        ))
        .await
        .unwrap();
    let seen = app
        .graphql_as(ana.token(), node, json!({ "id": bea.id }))
        .await;
    assert_eq!(
        seen["data"]["node"]["id"],
        bea.id.as_str(),
        "the stored role, not the token's: {seen}"
    );

    let ana_id = entities::user::find_by_email(&app.db, &ana.email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let events = api::auth::session_events::SessionEvents::in_process();
    assert!(
        api::auth::sessions::disable_user(&app.db, &events, ana_id, chrono::Utc::now(), None)
            .await
            .unwrap()
            .is_some()
    );
    let me = app
        .graphql_as(ana.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&me), vec!["UNAUTHENTICATED"], "{me}");
    let body = app
        .graphql(
            "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken } }",
            json!({ "t": ana.refresh_token }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn tokens_from_the_future_or_outliving_the_ttl_are_refused() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let header = jsonwebtoken::decode_header(&ana.access_token).unwrap();
    let claims: Value = {
        use base64::Engine;
        let payload = ana.access_token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let key = jsonwebtoken::EncodingKey::from_secret(rekindle_tests::TEST_JWT_SECRET.as_bytes());
    let now = chrono::Utc::now().timestamp();
    for (iat, exp) in [(now + 3_600, now + 3_600 + 900), (now, now + 30 * 86_400)] {
        let mut forged = claims.clone();
        forged["iat"] = json!(iat);
        forged["exp"] = json!(exp);
        let token = jsonwebtoken::encode(&header, &forged, &key).unwrap();
        let me = app
            .graphql_as(Some(&token), "{ me { id } }", json!({}))
            .await;
        assert_eq!(
            error_codes(&me),
            vec!["UNAUTHENTICATED"],
            "iat {iat} exp {exp}: {me}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn password_hashes_run_no_more_than_the_configured_slots_at_once() {
    let app = app_with(&[("REKINDLE_PASSWORD_HASH_CONCURRENCY", "2")]).await;
    let registrations = (0..24).map(|i| {
        let app = &app;
        async move { app.register(&email(&format!("many{i}")), "Many").await }
    });
    let accounts = futures_util::future::join_all(registrations).await;
    assert_eq!(accounts.len(), 24);
    let (_, _, text) = app.get("/metrics").await;
    let peak: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("rekindle_password_hashes_peak "))
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&peak), "peak {peak}");
    app.stop().await;

    // With no slot free for the whole wait, the answer is RATE_LIMITED, not a pile-up.
    let app = app_with(&[
        ("REKINDLE_PASSWORD_HASH_CONCURRENCY", "1"),
        ("REKINDLE_PASSWORD_HASH_WAIT_SECS", "0"),
        ("REKINDLE_ARGON2_MEMORY_KIB", "32768"),
        ("REKINDLE_ARGON2_ITERATIONS", "4"),
    ])
    .await;
    let logins = (0..6).map(|_| {
        let app = &app;
        async move {
            app.graphql(
                LOGIN,
                json!({ "e": "nobody@example.com", "p": "whatever it is" }),
            )
            .await
        }
    });
    let bodies = futures_util::future::join_all(logins).await;
    let busy = bodies
        .iter()
        .filter(|b| error_codes(b) == vec!["RATE_LIMITED"])
        .count();
    assert!(busy >= 1, "{bodies:?}");
    app.stop().await;
}
