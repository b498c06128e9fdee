//! Organizations' API keys, made by their admins: shown once, stored hashed, scoped, expiring,
//! revocable, rate limited.

use rekindle_tests::builders::{CREATE_API_KEY, api_key, organization};
use rekindle_tests::coaching::{MY_ORG, data, setting};
use rekindle_tests::{TestApp, email, error_codes, uuid_of};
use serde_json::{Value, json};

#[actix_web::test]
async fn an_api_key_is_shown_once_stored_hashed_and_stops_when_revoked() {
    let app = TestApp::spawn().await;
    let s = setting(&app).await;
    let created = api_key(&app, &s.org_admin, &["PROGRESS", "PLANS"]).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let key_id = created["apiKey"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("rk_"), "{secret}");
    assert_eq!(created["apiKey"]["scopes"], json!(["PROGRESS", "PLANS"]));
    assert_eq!(created["apiKey"]["lastUsedAt"], Value::Null);

    // Only a digest is stored: the secret is nowhere in the row.
    let row = entities::api_key::find(&app.db, uuid_of(&key_id))
        .await
        .unwrap()
        .unwrap();
    let stored = serde_json::to_string(&row.secret_hash).unwrap();
    // The whole secret part (it may itself hold `_`, so not just the text after the last one).
    let secret_part = domain::organization::PresentedKey::parse(&secret)
        .unwrap()
        .secret;
    assert!(secret_part.len() >= 32);
    assert!(!stored.contains(secret_part));
    assert_ne!(row.secret_hash, secret_part);

    // The key calls as its organization, not as a person.
    let as_key = app.graphql_as(Some(&secret), MY_ORG, json!({})).await;
    assert_eq!(data(&as_key, "organization")["id"], s.org.as_str());
    assert_eq!(data(&as_key, "organization")["myRole"], Value::Null);
    let me = app
        .graphql_as(Some(&secret), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&me), vec!["FORBIDDEN"], "{me}");

    // The list shows it with its last use, never the secret.
    let list = app
        .graphql_as(
            s.org_admin.token(),
            "{ organization { apiKeys(first: 10) { totalCount edges { node { id name hint lastUsedAt revokedAt } } } } }",
            json!({}),
        )
        .await;
    let keys = &data(&list, "organization")["apiKeys"];
    assert_eq!(keys["totalCount"], 1);
    let listed = &keys["edges"][0]["node"];
    assert_ne!(listed["lastUsedAt"], Value::Null, "{list}");
    assert!(!list.to_string().contains(secret_part));

    // A wrong secret for a real key ID, or a key not of this shape, is refused.
    let wrong = format!("{}{}", &secret[..secret.len() - 4], "AAAA");
    for bad in [wrong.as_str(), "rk_nothing_here"] {
        let body = app.graphql_as(Some(bad), MY_ORG, json!({})).await;
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    }

    // Revoked: refused from the next request on; revoking again changes nothing.
    const REVOKE: &str =
        "mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { revokedAt } } }";
    let revoked = app
        .graphql_as(s.org_admin.token(), REVOKE, json!({ "id": key_id }))
        .await;
    let at = data(&revoked, "revokeApiKey")["apiKey"]["revokedAt"].clone();
    assert_ne!(at, Value::Null);
    let after = app.graphql_as(Some(&secret), MY_ORG, json!({})).await;
    assert_eq!(error_codes(&after), vec!["UNAUTHENTICATED"], "{after}");
    let again = app
        .graphql_as(s.org_admin.token(), REVOKE, json!({ "id": key_id }))
        .await;
    assert_eq!(data(&again, "revokeApiKey")["apiKey"]["revokedAt"], at);

    // Another organization's admin cannot see or revoke it: it looks missing.
    let (_, other_admin) = organization(&app, &s.admin, "Elsewhere").await;
    let foreign = app
        .graphql_as(other_admin.token(), REVOKE, json!({ "id": key_id }))
        .await;
    assert_eq!(error_codes(&foreign), vec!["NOT_FOUND"]);
    // A member cannot make keys.
    let by_member = app
        .graphql_as(
            s.ana.token(),
            CREATE_API_KEY,
            json!({ "name": "Mine", "scopes": ["PLANS"] }),
        )
        .await;
    assert_eq!(error_codes(&by_member), vec!["FORBIDDEN"]);
    // Bad input: no scopes, a blank name, an expiry in the past.
    for (name, scopes, expires) in [
        ("No scopes", json!([]), Value::Null),
        (" ", json!(["PLANS"]), Value::Null),
        ("Past", json!(["PLANS"]), json!("2020-01-01T00:00:00Z")),
    ] {
        let body = app
            .graphql_as(
                s.org_admin.token(),
                CREATE_API_KEY,
                json!({ "name": name, "scopes": scopes, "expires": expires }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{name}: {body}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn an_api_key_stops_at_its_expiry() {
    let start = rekindle_tests::wednesday_noon();
    let app = TestApp::spawn_at(start).await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    let body = app
        .graphql_as(
            org_admin.token(),
            CREATE_API_KEY,
            json!({ "name": "For a day", "scopes": ["PLANS"], "expires": start + chrono::Duration::days(1) }),
        )
        .await;
    let secret = data(&body, "createApiKey")["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.graphql_as(Some(&secret), MY_ORG, json!({})).await;
    assert!(error_codes(&before).is_empty(), "{before}");
    app.advance(chrono::Duration::days(1));
    let after = app.graphql_as(Some(&secret), MY_ORG, json!({})).await;
    assert_eq!(error_codes(&after), vec!["UNAUTHENTICATED"], "{after}");
    app.stop().await;
}

#[actix_web::test]
async fn each_api_key_has_its_own_rate_limit() {
    let app = TestApp::spawn_with(&[("REKINDLE_RATE_LIMIT_PER_API_KEY", "3")]).await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    let first = api_key(&app, &org_admin, &["PLANS"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = api_key(&app, &org_admin, &["PLANS"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = |secret: String| {
        let app = &app;
        async move {
            let auth = format!("Bearer {secret}");
            app.post_with(
                "/graphql",
                &[
                    ("content-type", "application/json"),
                    ("authorization", auth.as_str()),
                ],
                &json!({ "query": "{ organization { name } }" }).to_string(),
            )
            .await
        }
    };
    for _ in 0..3 {
        let (status, _, body) = call(first.clone()).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, headers, body) = call(first.clone()).await;
    assert_eq!(status, 429, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error_codes(&body), vec!["RATE_LIMITED"]);
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(headers.contains_key("retry-after"));
    // The other key has its own count; members are not limited by the key's.
    let (status, _, body) = call(second).await;
    assert_eq!(status, 200, "{body}");
    let me = app.graphql_as(org_admin.token(), MY_ORG, json!({})).await;
    assert!(error_codes(&me).is_empty());
    app.stop().await;
}
