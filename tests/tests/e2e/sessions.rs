//! Access tokens under attack, refresh-token rotation and reuse, logout and password changes.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rekindle_tests::{Account, TEST_JWT_SECRET, TestApp, email, error_codes};
use runtime::config::Secret;
use serde_json::{Value, json};

const ME: &str = "{ me { id } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken accessTokenExpiresAt user { id email } } }";

async fn me_codes(app: &TestApp, token: &str) -> Vec<String> {
    error_codes(&app.graphql_as(Some(token), ME, json!({})).await)
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn forge(claims: &Value, alg: Algorithm, secret: &str, kid: Option<String>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid;
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn test_kid() -> Option<String> {
    Some(api::auth::jwt::key_id(&Secret::new(TEST_JWT_SECRET)))
}

#[actix_web::test]
async fn access_tokens_carry_the_expected_claims_and_expire_in_15_minutes() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let claims = claims_of(&ana.access_token);
    for claim in ["sub", "role", "iat", "exp", "iss", "aud", "jti", "sid"] {
        assert!(claims.get(claim).is_some(), "missing {claim}: {claims}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert_eq!(claims["role"], "member");
    assert!(me_codes(&app, &ana.access_token).await.is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn forged_tampered_and_expired_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let claims = claims_of(&ana.access_token);
    let with = |key: &str, value: Value| {
        let mut c = claims.clone();
        c[key] = value;
        c
    };
    let now = chrono::Utc::now().timestamp();

    // Sanity: a token we sign exactly like the server does is accepted.
    let faithful = forge(&claims, Algorithm::HS256, TEST_JWT_SECRET, test_kid());
    assert!(
        me_codes(&app, &faithful).await.is_empty(),
        "the forging helper is faithful"
    );

    let unsigned = {
        use base64::Engine;
        let enc =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            enc(&json!({ "alg": "none", "typ": "JWT" })),
            enc(&claims)
        )
    };
    let mut tampered = ana.access_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let admin_claims = forge(
        &with("role", json!("admin")),
        Algorithm::HS256,
        "some-other-secret-0123456789abcdef",
        test_kid(),
    );

    let attacks = [
        ("alg none", unsigned),
        (
            "HS512",
            forge(&claims, Algorithm::HS512, TEST_JWT_SECRET, test_kid()),
        ),
        (
            "HS384",
            forge(&claims, Algorithm::HS384, TEST_JWT_SECRET, test_kid()),
        ),
        (
            "wrong audience",
            forge(
                &with("aud", json!("someone-else")),
                Algorithm::HS256,
                TEST_JWT_SECRET,
                test_kid(),
            ),
        ),
        (
            "wrong issuer",
            forge(
                &with("iss", json!("evil")),
                Algorithm::HS256,
                TEST_JWT_SECRET,
                test_kid(),
            ),
        ),
        (
            "expired",
            forge(
                &with("exp", json!(now - 120)),
                Algorithm::HS256,
                TEST_JWT_SECRET,
                test_kid(),
            ),
        ),
        (
            "no key id",
            forge(&claims, Algorithm::HS256, TEST_JWT_SECRET, None),
        ),
        (
            "unknown key id",
            forge(
                &claims,
                Algorithm::HS256,
                TEST_JWT_SECRET,
                Some("0000".into()),
            ),
        ),
        ("wrong secret", admin_claims),
        ("tampered signature", tampered),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in attacks {
        assert_eq!(
            me_codes(&app, &token).await,
            vec!["UNAUTHENTICATED"],
            "{name}"
        );
    }
    let body = app.graphql_as(None, ME, json!({})).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "anonymous");
    app.stop().await;
}

#[actix_web::test]
async fn refresh_rotates_the_token_and_reuse_revokes_the_whole_session() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;

    let first = app
        .graphql(REFRESH, json!({ "t": ana.refresh_token }))
        .await;
    let rotated = Account::from_tokens(&first["data"]["refreshSession"], &ana.email, &ana.password)
        .unwrap_or_else(|| panic!("{first}"));
    assert_ne!(rotated.refresh_token, ana.refresh_token);
    assert!(me_codes(&app, &rotated.access_token).await.is_empty());

    // The old token again: theft. Every token of this session dies.
    let reuse = app
        .graphql(REFRESH, json!({ "t": ana.refresh_token }))
        .await;
    assert_eq!(error_codes(&reuse), vec!["UNAUTHENTICATED"]);
    let after = app
        .graphql(REFRESH, json!({ "t": rotated.refresh_token }))
        .await;
    assert_eq!(
        error_codes(&after),
        vec!["UNAUTHENTICATED"],
        "the newest token is revoked too"
    );
    assert_eq!(
        me_codes(&app, &rotated.access_token).await,
        vec!["UNAUTHENTICATED"]
    );

    // Another sign-in of the same account is a different family and lives on.
    let other = app.login(&ana.email, &ana.password).await;
    assert!(me_codes(&app, &other.access_token).await.is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn logout_ends_the_session_and_its_tokens() {
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let logout = "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }";
    let body = app.graphql(logout, json!({ "t": ana.refresh_token })).await;
    assert_eq!(body["data"]["logout"]["revoked"], true);
    assert_eq!(
        me_codes(&app, &ana.access_token).await,
        vec!["UNAUTHENTICATED"]
    );
    let refresh = app
        .graphql(REFRESH, json!({ "t": ana.refresh_token }))
        .await;
    assert_eq!(error_codes(&refresh), vec!["UNAUTHENTICATED"]);
    let again = app.graphql(logout, json!({ "t": ana.refresh_token })).await;
    assert_eq!(
        again["data"]["logout"]["revoked"], false,
        "logout is idempotent"
    );
    app.stop().await;
}

#[actix_web::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = TestApp::spawn().await;
    let phone = app.register(&email("ana"), "Ana").await;
    let laptop = app.login(&phone.email, &phone.password).await;
    let change = "mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) { revokedSessions } }";
    let wrong = app
        .graphql_as(
            phone.token(),
            change,
            json!({ "c": "not my password", "n": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(error_codes(&wrong), vec!["FORBIDDEN"]);
    let weak = app
        .graphql_as(
            phone.token(),
            change,
            json!({ "c": phone.password, "n": "password123" }),
        )
        .await;
    assert_eq!(error_codes(&weak), vec!["BAD_USER_INPUT"]);
    let body = app
        .graphql_as(
            phone.token(),
            change,
            json!({ "c": phone.password, "n": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(
        body["data"]["changePassword"]["revokedSessions"], 1,
        "{body}"
    );
    assert!(
        me_codes(&app, &phone.access_token).await.is_empty(),
        "the current session stays"
    );
    assert_eq!(
        me_codes(&app, &laptop.access_token).await,
        vec!["UNAUTHENTICATED"]
    );
    let refresh = app
        .graphql(REFRESH, json!({ "t": laptop.refresh_token }))
        .await;
    assert_eq!(error_codes(&refresh), vec!["UNAUTHENTICATED"]);
    app.login(&phone.email, "a brand new passphrase").await;
    app.stop().await;
}

#[actix_web::test]
async fn sessions_are_listed_and_one_can_be_revoked() {
    let app = TestApp::spawn().await;
    let phone = app.register(&email("ana"), "Ana").await;
    let laptop = app.login(&phone.email, &phone.password).await;
    let list =
        "{ sessions { totalCount edges { node { id current createdAt lastUsedAt userAgent } } } }";
    let body = app.graphql_as(phone.token(), list, json!({})).await;
    assert_eq!(body["data"]["sessions"]["totalCount"], 2, "{body}");
    let edges = body["data"]["sessions"]["edges"].as_array().unwrap();
    let current: Vec<bool> = edges
        .iter()
        .map(|e| e["node"]["current"].as_bool().unwrap())
        .collect();
    assert_eq!(
        current,
        vec![true, false],
        "oldest first; the phone's session is current"
    );
    let laptop_id = edges[1]["node"]["id"].clone();

    let revoke = "mutation($id: ID!) { revokeSession(input: { sessionId: $id }) { session { id revokedAt } } }";
    let body = app
        .graphql_as(phone.token(), revoke, json!({ "id": laptop_id }))
        .await;
    assert!(
        body["data"]["revokeSession"]["session"]["revokedAt"].is_string(),
        "{body}"
    );
    assert_eq!(
        me_codes(&app, &laptop.access_token).await,
        vec!["UNAUTHENTICATED"]
    );
    let body = app.graphql_as(phone.token(), list, json!({})).await;
    assert_eq!(body["data"]["sessions"]["totalCount"], 1);

    // Someone else's session answers like a missing one.
    let bea = app.register(&email("bea"), "Bea").await;
    let bea_sessions = app.graphql_as(bea.token(), list, json!({})).await;
    let bea_session = bea_sessions["data"]["sessions"]["edges"][0]["node"]["id"].clone();
    let body = app
        .graphql_as(phone.token(), revoke, json!({ "id": bea_session }))
        .await;
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"]);
    assert!(me_codes(&app, &bea.access_token).await.is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn websocket_clients_authenticate_in_connection_init() {
    use crate::subscriptions::{connect_as, next_json, subscribe};
    let app = TestApp::spawn().await;
    let ana = app.register(&email("ana"), "Ana").await;
    let mut socket = connect_as(&app, ana.token()).await;
    subscribe(&mut socket, "1", "{ me { id } }").await;
    let message = next_json(&mut socket).await;
    assert_eq!(
        message["payload"]["data"]["me"]["id"],
        ana.id.as_str(),
        "{message}"
    );
    let mut anonymous = connect_as(&app, None).await;
    subscribe(&mut anonymous, "1", "{ me { id } }").await;
    let message = next_json(&mut anonymous).await;
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{message}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_token_signed_with_the_previous_key_verifies_during_a_rotation() {
    use rekindle_tests::{Options, Stores};
    let stores = Stores::fresh().await;
    let before = TestApp::spawn_on(&stores, Options::default()).await;
    let ana = before.register(&email("ana"), "Ana").await;
    before.stop().await;

    let new_secret = "the-next-signing-secret-0123456789abcdef";
    let rotating = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![
                ("REKINDLE_JWT_SECRET".into(), new_secret.into()),
                (
                    "REKINDLE_JWT_PREVIOUS_SECRET".into(),
                    TEST_JWT_SECRET.into(),
                ),
            ],
            ..Options::default()
        },
    )
    .await;
    assert!(me_codes(&rotating, &ana.access_token).await.is_empty());
    let fresh = rotating.login(&ana.email, &ana.password).await;
    let kid = serde_json::to_value(
        jsonwebtoken::decode_header(&fresh.access_token)
            .unwrap()
            .kid,
    )
    .unwrap();
    assert_eq!(
        kid,
        json!(api::auth::jwt::key_id(&Secret::new(new_secret))),
        "new tokens use the new key"
    );
    rotating.stop().await;

    let after = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_JWT_SECRET".into(), new_secret.into())],
            ..Options::default()
        },
    )
    .await;
    assert_eq!(
        me_codes(&after, &ana.access_token).await,
        vec!["UNAUTHENTICATED"]
    );
    assert!(me_codes(&after, &fresh.access_token).await.is_empty());
    after.stop().await;
}
