//! What is announced, to whom: a shared result (its band only, within scope) and a finished
//! week (to organizations granted progress).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use rekindle_tests::assessments::take_yes_no;
use rekindle_tests::builders::{grant, pair, plan_with_item};
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{email, error_codes, eventually};
use serde_json::{Value, json};

use super::{body, deliveries, scene, verified, with_endpoint};

#[actix_web::test]
async fn a_shared_result_is_announced_with_its_band_only_and_only_within_scope() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(0).await;
    let (org, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;
    grant(&s.app, &ana, &org, &["PROGRESS", "ASSESSMENT_RESULTS"]).await;
    grant(&s.app, &ben, &org, &["PROGRESS"]).await;
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1, "consent");
    let share = "mutation($id: ID!) { shareAssessmentResult(input: { assessmentId: $id }) { assessment { shared } } }";

    // Not shared: nothing. Shared, but the couple did not grant assessment_results: nothing.
    let (first, _) = take_yes_no(&s.app, &ana, "signs_of_progress", &["look_forward"]).await;
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1);
    let shared = s
        .app
        .graphql_as(ana.token(), share, json!({ "id": first }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1);

    // Within scope: announced with the instrument and band, and nothing of the answers.
    grant(&s.app, &ben, &org, &["PROGRESS", "ASSESSMENT_RESULTS"]).await;
    let (second, result) = take_yes_no(
        &s.app,
        &ana,
        "signs_of_progress",
        &[
            "look_forward",
            "shorter_arguments",
            "touch_welcome",
            "new_memories",
        ],
    )
    .await;
    let shared = s
        .app
        .graphql_as(ana.token(), share, json!({ "id": second }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    let got = eventually("the result announced", Duration::from_secs(20), || async {
        receiver
            .received()
            .into_iter()
            .find(|r| body(r)["type"] == "assessment.completed")
    })
    .await;
    verified(&secret, &got);
    let sent = body(&got);
    assert_eq!(
        sent["data"],
        json!({
            "coupleId": couple,
            "instrumentKey": "signs_of_progress",
            "band": result["band"]["key"],
        }),
        "{sent}"
    );
    let events: Vec<Value> = deliveries(&s.app, &org_admin)
        .await
        .iter()
        .map(|d| d["event"].clone())
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "ASSESSMENT_COMPLETED")
            .count(),
        1,
        "{events:?}"
    );
}

#[actix_web::test]
async fn a_finished_week_is_announced_to_organizations_granted_progress() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(0).await;
    let (org, _, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;
    plan_with_item(&s.app, &ana, "EITHER").await;
    grant(&s.app, &ana, &org, &["PROGRESS"]).await;
    grant(&s.app, &ben, &org, &["PROGRESS"]).await;

    s.end_the_week_of_june_8().await;
    let got = eventually("the week announced", Duration::from_secs(60), || async {
        receiver
            .received()
            .into_iter()
            .find(|r| body(r)["type"] == "weekly_summary.ready")
    })
    .await;
    verified(&secret, &got);
    // The payload names the summary the couple reads, by the ID node(id:) refetches.
    let summaries = s
        .app
        .graphql_as(
            ana.token(),
            "{ me { couple { weeklySummaries(first: 1) { edges { node { id weekStart } } } } } }",
            json!({}),
        )
        .await;
    let summary = &summaries["data"]["me"]["couple"]["weeklySummaries"]["edges"][0]["node"];
    assert_eq!(summary["weekStart"], "2026-06-08", "{summaries}");
    assert_eq!(
        body(&got)["data"],
        json!({ "coupleId": couple, "summaryId": summary["id"], "weekStart": "2026-06-08" })
    );
}
