//! Deliveries verify with the Standard Webhooks reference library (PyPI `standardwebhooks`,
//! installed by `.ci/run`), not only with our own code; a rotated secret keeps verifying for
//! its overlap, then stops. Without the library the test is skipped, unless
//! `REKINDLE_REQUIRE_REFERENCE_LIBRARIES` is set (CI sets it).

use std::io::Write as _;
use std::process::{Command, Stdio};

use rekindle_tests::receiver::{Received, Receiver};
use rekindle_tests::{Account, Options, Stores, TestApp, email, error_codes};
use serde_json::{Value, json};

use super::{endpoint, ping, requests, verified};

/// Verifies `request` with the reference library for Python: true when it verifies with
/// `secret`, false when the library refuses it.
fn reference_verifies(secret: &str, request: &Received) -> bool {
    const SCRIPT: &str = r#"
import json, sys
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
given = json.load(sys.stdin)
try:
    Webhook(given["secret"]).verify(bytes.fromhex(given["body"]), given["headers"])
except WebhookVerificationError as refused:
    print(refused, file=sys.stderr)
    sys.exit(3)
"#;
    let input = json!({
        "secret": secret,
        "headers": request.headers,
        "body": hex::encode(&request.body),
    });
    let mut python = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (.ci/run installs the standardwebhooks package with pip)");
    python
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let done = python.wait_with_output().unwrap();
    match done.status.code() {
        Some(0) => true,
        Some(3) => false,
        _ => panic!(
            "the reference library did not run (pip install standardwebhooks, as .ci/run does): {}",
            String::from_utf8_lossy(&done.stderr)
        ),
    }
}

/// Pings the endpoint and answers the request the receiver got.
async fn pinged(
    app: &TestApp,
    org_admin: &Account,
    endpoint: &str,
    receiver: &Receiver,
) -> Received {
    let before = receiver.received().len();
    ping(app, org_admin, endpoint).await;
    requests(receiver, before + 1).await[before].clone()
}

async fn rotate(app: &TestApp, org_admin: &Account, endpoint: &str, overlap: i32) -> Value {
    let body = app
        .graphql_as(
            org_admin.token(),
            "mutation($id: ID!, $o: Int) { rotateWebhookSecret(input: { endpointId: $id, overlapSeconds: $o }) { secret endpoint { previousSecretExpiresAt } } }",
            json!({ "id": endpoint, "o": overlap }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["rotateWebhookSecret"].clone()
}

/// Whether python3 can import the reference library.
fn reference_library_present() -> bool {
    Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_standardwebhooks,
    ignore = "needs python3 with standardwebhooks (pip install standardwebhooks), or REKINDLE_REQUIRE_REFERENCE_LIBRARIES"
)]
async fn deliveries_verify_with_the_reference_library_through_a_secret_rotation() {
    const TEST: &str = "deliveries_verify_with_the_reference_library_through_a_secret_rotation";
    if !reference_library_present() {
        assert!(
            std::env::var_os("REKINDLE_REQUIRE_REFERENCE_LIBRARIES").is_none(),
            "{TEST}: REKINDLE_REQUIRE_REFERENCE_LIBRARIES is set but python3 cannot import standardwebhooks"
        );
        rekindle_tests::skip(
            TEST,
            "python3 cannot import standardwebhooks (pip install standardwebhooks)",
        );
        return;
    }
    // The system's clock: the library refuses a timestamp five minutes from its own.
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "true".into())],
            ..Options::default()
        },
    )
    .await;
    let receiver = Receiver::start(0).await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = rekindle_tests::builders::organization(&app, &admin, "Harbor").await;
    let made = endpoint(&app, &org_admin, &receiver.url).await;
    let first_secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["endpoint"]["id"].as_str().unwrap().to_owned();

    let first = pinged(&app, &org_admin, &id, &receiver).await;
    assert_eq!(
        first.headers["webhook-id"],
        serde_json::from_slice::<Value>(&first.body).unwrap()["id"]
    );
    assert!(reference_verifies(&first_secret, &first));
    assert!(!reference_verifies(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        &first
    ));
    verified(&first_secret, &first);

    // Rotated with an hour's overlap: signed with both, each verifies.
    let rotated = rotate(&app, &org_admin, &id, 3600).await;
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert!(rotated["endpoint"]["previousSecretExpiresAt"].is_string());
    let second = pinged(&app, &org_admin, &id, &receiver).await;
    assert_eq!(second.headers["webhook-signature"].split(' ').count(), 2);
    assert!(reference_verifies(&first_secret, &second));
    assert!(reference_verifies(&second_secret, &second));

    // Rotated with no overlap: only the newest secret verifies.
    let rotated = rotate(&app, &org_admin, &id, 0).await;
    let third_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert!(rotated["endpoint"]["previousSecretExpiresAt"].is_null());
    let third = pinged(&app, &org_admin, &id, &receiver).await;
    assert_eq!(third.headers["webhook-signature"].split(' ').count(), 1);
    assert!(reference_verifies(&third_secret, &third));
    assert!(!reference_verifies(&second_secret, &third));
    assert!(!reference_verifies(&first_secret, &third));
    app.stop().await;
}
