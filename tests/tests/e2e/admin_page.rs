//! The operators' page at /admin, in headless Chromium: an operator signs in, sees health,
//! stats with the chart, queues, a failed job and workers, retries the job (and the worker
//! really runs it again), finds an account and disables it. A member cannot get in.

use std::time::Duration;

use domain::jobs::Job;
use fantoccini::{Client, Locator};
use rekindle_tests::browser::Browser;
use rekindle_tests::builders::{pair, plan_with_item};
use rekindle_tests::{Account, Stores, TestApp, email, error_codes, eventually};
use serde_json::json;
use uuid::Uuid;

use crate::queue::{Flaky, flaky_worker, runs_of};

const WAIT: Duration = Duration::from_secs(30);

pub(crate) async fn find(page: &Client, css: &str) -> fantoccini::elements::Element {
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never showed: {e}"))
}

/// The text of `css` once it satisfies `ok`, or the test fails after the deadline.
async fn text_when(page: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    eventually(css, WAIT, || async {
        let element = page.find(Locator::Css(css)).await.ok()?;
        let text = element.text().await.ok()?;
        ok(&text).then_some(text)
    })
    .await
}

async fn rows(page: &Client, css: &str) -> usize {
    page.find_all(Locator::Css(css))
        .await
        .map_or(0, |r| r.len())
}

pub(crate) async fn sign_in(page: &Client, email: &str, password: &str) {
    let (address, secret) = (find(page, "#email").await, find(page, "#password").await);
    address.clear().await.unwrap();
    address.send_keys(email).await.unwrap();
    secret.clear().await.unwrap();
    secret.send_keys(password).await.unwrap();
    find(page, "#signin-button").await.click().await.unwrap();
}

/// Waits until the account with `address` has `n` live sessions, as operators see it.
async fn live_sessions_become(app: &TestApp, admin: &Account, address: &str, n: u64) {
    eventually("the live sessions", WAIT, || async {
        let found = app
            .graphql_as(
                admin.token(),
                "query($s: String) { admin { users(search: $s) { edges { node { liveSessions } } } } }",
                json!({ "s": address }),
            )
            .await;
        (found["data"]["admin"]["users"]["edges"][0]["node"]["liveSessions"] == n).then_some(())
    })
    .await;
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_browser,
    ignore = "needs Chromium and chromedriver (apt-get install chromium chromium-driver), or REKINDLE_REQUIRE_BROWSER"
)]
async fn an_operator_runs_the_service_from_the_admin_page() {
    let Some(browser) = Browser::start("admin_page").await else {
        return;
    };
    let stores = Stores::fresh().await;
    let worker = flaky_worker(&stores).await;
    let app = TestApp::spawn_driven(&stores, chrono::Utc::now(), &[]).await;
    let admin = app.create_with_role(&email("op"), "admin").await;
    let (ana, ben) = (
        app.register(&email("ana"), "Ana").await,
        app.register(&email("ben"), "Ben").await,
    );
    pair(&app, &ana, &ben).await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;
    let done = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5 }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    assert!(error_codes(&done).is_empty(), "{done}");
    let zed = app.register(&email("zed"), "Zed").await;
    let job = Uuid::new_v4();
    app.queue
        .push(Flaky {
            id: job,
            failures: 3,
        })
        .await
        .unwrap();
    eventually("the job dead-lettered", Duration::from_secs(60), || async {
        let dead = entities::dead_job::waiting(&app.db).await.unwrap();
        (!dead.is_empty()).then_some(())
    })
    .await;

    let page = &browser.client;
    page.goto(&format!("{}/admin", app.address)).await.unwrap();

    // A member is turned away, and nothing of the dashboard shows.
    sign_in(page, &ana.email, &ana.password).await;
    text_when(page, "#signin-error", |t| t.contains("administrators only")).await;
    assert_eq!(rows(page, "#dashboard:not([hidden])").await, 0);
    // The session that sign-in made was ended again: Ana keeps only her own.
    live_sessions_become(&app, &admin, &ana.email, 1).await;

    sign_in(page, &admin.email, &admin.password).await;
    find(page, "#dashboard:not([hidden])").await;
    text_when(page, "#health-status", |t| t.starts_with("ok")).await;
    text_when(page, "#ready-status", |t| t.starts_with("ready")).await;
    text_when(page, "#stat-users", |t| t == "4").await;
    assert_eq!(find(page, "#stat-couples").await.text().await.unwrap(), "1");
    // One bar per day of the last 30, and the day of Ana's ritual is the tall one.
    assert_eq!(rows(page, "#chart rect.bar").await, 30);
    let bars = page
        .find_all(Locator::Css("#chart rect.bar[data-count='1']"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 1);
    assert_eq!(
        rows(page, "#queue-rows tr").await,
        domain::jobs::QUEUES.len()
    );
    assert!(
        rows(page, "#worker-rows tr").await >= 1,
        "the test worker beats"
    );

    // The failed job: retried from the page, the worker runs it a fourth time.
    let failed = text_when(page, "#failed-rows tr", |t| t.contains(Flaky::QUEUE)).await;
    assert!(failed.contains("flaky failure 3 of 3"), "{failed}");
    find(page, "#failed-rows tr button.retry")
        .await
        .click()
        .await
        .unwrap();
    eventually("the retried job's run", Duration::from_secs(60), || async {
        (runs_of(job).len() == 4).then_some(())
    })
    .await;
    text_when(page, "#message", |t| t.contains("sent back to its queue")).await;
    eventually("the failed list emptied", WAIT, || async {
        (rows(page, "#failed-rows tr").await == 0).then_some(())
    })
    .await;
    assert!(
        find(page, "#failed-empty")
            .await
            .is_displayed()
            .await
            .unwrap()
    );

    // Find Zed, disable the account: his session ends at once.
    let query = find(page, "#user-query").await;
    query.send_keys(&zed.email).await.unwrap();
    find(page, "#user-search-button")
        .await
        .click()
        .await
        .unwrap();
    let row = format!("#user-rows tr[data-user='{}']", zed.id);
    text_when(page, &format!("{row} td.state"), |t| t == "active").await;
    // The page opened on every account: the search's answer replaces that list.
    eventually("only Zed matches", WAIT, || async {
        (rows(page, "#user-rows tr").await == 1).then_some(())
    })
    .await;
    find(page, &format!("{row} button.disable"))
        .await
        .click()
        .await
        .unwrap();
    text_when(page, &format!("{row} td.state"), |t| t == "disabled").await;
    let me = app
        .graphql_as(zed.token(), "{ me { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&me), vec!["UNAUTHENTICATED"], "{me}");

    // Signing out ends the page's session.
    find(page, "#signout").await.click().await.unwrap();
    find(page, "#signin:not([hidden])").await;
    live_sessions_become(&app, &admin, &admin.email, 1).await;

    // Both actions are in the audit log, as the operator's.
    let log = app
        .graphql_as(
            admin.token(),
            "{ admin { auditLog { edges { node { action actorId } } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = log["data"]["admin"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["user.disable", "failed_job.retry"], "{log}");

    browser.stop().await;
    worker.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn the_admin_page_is_served_with_a_strict_content_policy() {
    let app = TestApp::spawn().await;
    let (status, headers, body) = app.get("/admin").await;
    assert_eq!(status, 200);
    assert!(body.contains("/admin/app.js"));
    let policy = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    for (path, kind) in [
        ("/admin/app.js", "text/javascript"),
        ("/admin/app.css", "text/css"),
    ] {
        let (status, headers, _) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        let served = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(served.starts_with(kind), "{path}: {served}");
    }
    app.stop().await;
}
