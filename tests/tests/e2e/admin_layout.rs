//! The operators' page as a person sees it, at the two most common laptop and desktop widths:
//! nothing sticks out of its card, the chart has axes, the operator's own account offers no
//! Disable, and a reload keeps the session instead of making a new one. Screenshots of each
//! state are written to `$CARGO_TARGET_TMPDIR/admin-page/` for review.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::admin_page::{find, sign_in};
use rekindle_tests::browser::Browser;
use rekindle_tests::builders::{pair, plan_with_item};
use rekindle_tests::{TestApp, email, eventually};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// Every element that reaches past the right edge of its card (a `section`, the sign-in form or
/// the header), and every card whose content is wider than the card itself.
const OVERFLOWING: &str = r#"
const found = [];
for (const card of document.querySelectorAll('header, section, form#signin')) {
  if (card.offsetParent === null && card.tagName !== 'HEADER') continue;
  if (card.scrollWidth > card.clientWidth + 1) {
    found.push(`${card.id || card.tagName}: content ${card.scrollWidth}px wide in ${card.clientWidth}px`);
  }
  const edge = card.getBoundingClientRect().right;
  const past = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.right > edge + 1; };
  for (const el of card.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    // The outermost element that sticks out names the problem; its children follow it.
    if (past(el) && !(el.parentElement !== card && past(el.parentElement))) {
      found.push(`${card.id || card.tagName} > ${el.tagName}.${el.className || ''}: ${Math.round(box.right - edge)}px past the edge`);
    }
  }
}
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  found.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`);
}
return found;
"#;

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("admin-page");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shoot(page: &Client, name: &str) {
    let png = page.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

async fn nothing_overflows(page: &Client, state: &str) {
    let found: Value = page.execute(OVERFLOWING, vec![]).await.unwrap();
    assert_eq!(found, json!([]), "{state}: elements overflow their card");
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_browser,
    ignore = "needs Chromium and chromedriver (apt-get install chromium chromium-driver), or REKINDLE_REQUIRE_BROWSER"
)]
async fn the_admin_page_fits_its_cards_at_1366_and_1920_pixels() {
    let Some(browser) = Browser::start("admin_layout").await else {
        return;
    };
    let app = TestApp::spawn().await;
    let admin = app
        .create_with_role("operations.lead@example.com", "admin")
        .await;
    let (ana, ben) = (
        app.register(
            &email("ana-with-a-rather-long-address"),
            "Ana Maria de los Santos",
        )
        .await,
        app.register(&email("ben"), "Ben").await,
    );
    pair(&app, &ana, &ben).await;
    plan_with_item(&app, &ana, "EITHER").await;
    let long_error = "connection refused while delivering to https://hooks.example.com/a/very/long/path/that/does/not/break?with=query&and=more ".repeat(3);
    entities::dead_job::record(
        &app.db,
        entities::dead_job::NewDeadJob {
            queue: "deliver_webhook",
            payload: json!({ "deliveryId": uuid::Uuid::new_v4() }),
            attempts: 8,
            last_error: &long_error,
        },
        app.now(),
    )
    .await
    .unwrap();

    let page = &browser.client;
    for (width, height) in [(1366, 768), (1920, 1080)] {
        page.set_window_size(width, height).await.unwrap();
        page.goto(&format!("{}/admin", app.address)).await.unwrap();
        find(page, "#signin:not([hidden])").await;
        shoot(page, &format!("{width}-signed-out")).await;
        nothing_overflows(page, &format!("{width} signed out")).await;

        sign_in(page, &admin.email, &admin.password).await;
        find(page, "#dashboard:not([hidden])").await;
        eventually("the dashboard filled", WAIT, || async {
            let rows = page.find_all(Locator::Css("#user-rows tr")).await.ok()?;
            let failed = page.find_all(Locator::Css("#failed-rows tr")).await.ok()?;
            (rows.len() == 3 && failed.len() == 1).then_some(())
        })
        .await;
        shoot(page, &format!("{width}-dashboard")).await;
        nothing_overflows(page, &format!("{width} dashboard")).await;

        // The chart has axes: the most in a day, zero, and the first and last dates.
        let labels = page
            .find_all(Locator::Css("#chart text.axis-label"))
            .await
            .unwrap();
        assert!(labels.len() >= 4, "the chart's axes are labelled");
        // The operator's own row offers nothing to do to their own account.
        let own = find(page, "#user-rows tr.me").await;
        assert!(own.find(Locator::Css("button")).await.is_err());
        let others = page
            .find_all(Locator::Css("#user-rows tr:not(.me) button.disable"))
            .await
            .unwrap();
        assert_eq!(others.len(), 2);
        if width == 1366 {
            // Signing out forgets the kept session: the next visit asks again.
            find(page, "#signout").await.click().await.unwrap();
            find(page, "#signin:not([hidden])").await;
        }
    }

    // A reload keeps the page's session: it refreshes it rather than signing in anew.
    let sessions = || async {
        let body = app
            .graphql_as(
                admin.token(),
                "query($s: String) { admin { users(search: $s) { edges { node { liveSessions } } } } }",
                json!({ "s": admin.email }),
            )
            .await;
        body["data"]["admin"]["users"]["edges"][0]["node"]["liveSessions"].as_u64()
    };
    let before = sessions().await;
    page.refresh().await.unwrap();
    find(page, "#dashboard:not([hidden])").await;
    assert_eq!(sessions().await, before, "no new session on reload");
    browser.stop().await;
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_browser,
    ignore = "needs Chromium and chromedriver (apt-get install chromium chromium-driver), or REKINDLE_REQUIRE_BROWSER"
)]
async fn the_admin_page_renews_a_lapsed_token_once_for_all_its_requests() {
    let Some(browser) = Browser::start("admin_layout_renewal").await else {
        return;
    };
    // Access tokens that lapse within seconds (5 s of leeway on top).
    let app = TestApp::spawn_with(&[("REKINDLE_ACCESS_TOKEN_TTL_SECS", "1")]).await;
    let admin = app.create_with_role(&email("op"), "admin").await;
    let page = &browser.client;
    page.goto(&format!("{}/admin", app.address)).await.unwrap();
    sign_in(page, &admin.email, &admin.password).await;
    find(page, "#dashboard:not([hidden])").await;
    // Wait until a token made after the page's no longer works: the page's has lapsed too.
    let marker = app.login(&admin.email, &admin.password).await;
    eventually("the access token lapsed", WAIT, || async {
        let me = app
            .graphql_as(marker.token(), "{ me { id } }", json!({}))
            .await;
        (me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED").then_some(())
    })
    .await;
    // Another sign-in of the same account, so the page's fresh count differs from the last.
    let fresh = app.login(&admin.email, &admin.password).await;
    // Refresh sends several queries at once: all find the token lapsed, one renewal serves them
    // (a refresh token presented twice would end the page's session).
    find(page, "#refresh").await.click().await.unwrap();
    let row = "#user-rows tr.me td.num";
    eventually("the page's fresh answer", WAIT, || async {
        let cell = page.find(Locator::Css(row)).await.ok()?;
        (cell.text().await.ok()? == "4").then_some(())
    })
    .await;
    // Sessions: the test's first sign-in, the page's, the marker's, the fresh one and this
    // check's (tokens lapse within seconds here, so it signs in once more).
    drop(fresh);
    let checker = app.login(&admin.email, &admin.password).await;
    let body = app
        .graphql_as(
            checker.token(),
            "query($s: String) { admin { users(search: $s) { edges { node { liveSessions } } } } }",
            json!({ "s": admin.email }),
        )
        .await;
    assert_eq!(
        body["data"]["admin"]["users"]["edges"][0]["node"]["liveSessions"], 5,
        "the page's session lives on: {body}"
    );
    assert!(
        page.find(Locator::Css("#dashboard:not([hidden])"))
            .await
            .is_ok(),
        "the page is still signed in"
    );
    browser.stop().await;
    app.stop().await;
}
