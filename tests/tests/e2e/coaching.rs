//! Coaching platforms: organizations made by administrators (their API keys: `api_keys.rs`),
//! and consent: an organization sees a couple only while both members grant it, only the
//! scopes both granted, never a note, and a revocation takes effect on the next request.

use rekindle_tests::builders::{
    CREATE_ORGANIZATION, api_key, grant, organization, pair, plan_with_item,
};
use rekindle_tests::coaching::{MY_ORG, data, setting};
use rekindle_tests::{TestApp, email, error_codes};
use serde_json::{Value, json};

const COACH_COUPLES: &str = "{ coachCouples(first: 10) { totalCount edges { node { id scopes members { displayName } } } } }";
const ACCESS: &str = "{ me { couple { access { organizationId organizationName scopes grants { memberId scopes } events(first: 20) { totalCount edges { node { action memberId scopes } } } } } } }";
const REVOKE_ACCESS: &str = "mutation($org: ID!) { revokeOrganizationAccess(input: { organizationId: $org }) { access { organizationId scopes } } }";

fn coached(body: &Value) -> Vec<Value> {
    data(body, "coachCouples")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[actix_web::test]
async fn an_administrator_makes_an_organization_for_an_existing_coach() {
    let app = TestApp::spawn().await;
    let s = setting(&app).await;

    let mine = app.graphql_as(s.org_admin.token(), MY_ORG, json!({})).await;
    let org = data(&mine, "organization");
    assert_eq!(org["id"], s.org.as_str());
    assert_eq!(org["name"], "Harbor Coaching");
    assert_eq!(org["myRole"], "ADMIN");
    assert_eq!(org["coaches"][0]["role"], "ADMIN");

    // A member sees its name by ID (to know whom they grant) but not who coaches there.
    let by_id = app
        .graphql_as(
            s.ana.token(),
            "query($id: ID!) { organization(id: $id) { name myRole coaches { displayName } } }",
            json!({ "id": s.org }),
        )
        .await;
    assert_eq!(error_codes(&by_id), vec!["FORBIDDEN"], "{by_id}");
    assert!(
        by_id["data"]["organization"]["coaches"].is_null(),
        "{by_id}"
    );
    let name_only = app
        .graphql_as(
            s.ana.token(),
            "query($id: ID!) { organization(id: $id) { name myRole } }",
            json!({ "id": s.org }),
        )
        .await;
    assert_eq!(data(&name_only, "organization")["name"], "Harbor Coaching");
    assert_eq!(data(&name_only, "organization")["myRole"], Value::Null);
    // A member has no organization of their own.
    let none = app.graphql_as(s.ana.token(), MY_ORG, json!({})).await;
    assert_eq!(data(&none, "organization"), &Value::Null);

    // The owner must be a coach, in no organization yet; the name must be sensible.
    let member_owner = app
        .graphql_as(
            s.admin.token(),
            CREATE_ORGANIZATION,
            json!({ "name": "Other", "owner": s.ana.email }),
        )
        .await;
    assert_eq!(error_codes(&member_owner), vec!["BAD_USER_INPUT"]);
    let taken = app
        .graphql_as(
            s.admin.token(),
            CREATE_ORGANIZATION,
            json!({ "name": "Other", "owner": s.org_admin.email }),
        )
        .await;
    assert_eq!(error_codes(&taken), vec!["CONFLICT"]);
    let free = app.create_with_role(&email("coach"), "coach").await;
    let blank = app
        .graphql_as(
            s.admin.token(),
            CREATE_ORGANIZATION,
            json!({ "name": "  ", "owner": free.email }),
        )
        .await;
    assert_eq!(error_codes(&blank), vec!["BAD_USER_INPUT"]);
    // Only administrators make organizations.
    let by_coach = app
        .graphql_as(
            free.token(),
            CREATE_ORGANIZATION,
            json!({ "name": "Mine", "owner": free.email }),
        )
        .await;
    assert_eq!(error_codes(&by_coach), vec!["FORBIDDEN"]);
    app.stop().await;
}

#[actix_web::test]
async fn an_organization_sees_a_couple_only_while_both_grant_and_only_what_both_granted() {
    let app = TestApp::spawn().await;
    let s = setting(&app).await;
    let key = api_key(&app, &s.org_admin, &["PROGRESS", "PLANS"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another couple grants too, to another organization only.
    let (elsewhere, elsewhere_admin) = organization(&app, &s.admin, "Elsewhere").await;
    let cat = app.register(&email("cat"), "Cat").await;
    let dan = app.register(&email("dan"), "Dan").await;
    pair(&app, &cat, &dan).await;
    grant(&app, &cat, &elsewhere, &["PLANS"]).await;
    grant(&app, &dan, &elsewhere, &["PLANS"]).await;

    // One member's grant alone shows nothing.
    let granted = grant(&app, &s.ana, &s.org, &["PROGRESS", "PLANS"]).await;
    assert_eq!(granted["scopes"], json!([]), "{granted}");
    let none = app
        .graphql_as(s.org_admin.token(), COACH_COUPLES, json!({}))
        .await;
    assert!(coached(&none).is_empty(), "{none}");

    // Both granted: the scopes in common only.
    grant(&app, &s.ben, &s.org, &["PLANS", "ASSESSMENT_RESULTS"]).await;
    let seen = app
        .graphql_as(s.org_admin.token(), COACH_COUPLES, json!({}))
        .await;
    let couples = coached(&seen);
    assert_eq!(couples.len(), 1, "{seen}");
    assert_eq!(couples[0]["id"], s.couple.as_str());
    assert_eq!(couples[0]["scopes"], json!(["PLANS"]));
    assert_eq!(data(&seen, "coachCouples")["totalCount"], 1);
    // The other organization sees its own couple only.
    let theirs = app
        .graphql_as(elsewhere_admin.token(), COACH_COUPLES, json!({}))
        .await;
    let theirs = coached(&theirs);
    assert_eq!(theirs.len(), 1);
    assert_ne!(theirs[0]["id"], s.couple.as_str());

    // Plans are readable; progress was not granted by both.
    let (_, item) = plan_with_item(&app, &s.ana, "EITHER").await;
    let logged = app
        .graphql_as(
            s.ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5, note: \"our secret\", noteShared: true }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    const DETAIL: &str = "{ coachCouples(first: 1) { edges { node { activePlan { name items { ritual { key } completions(first: 5) { edges { node { closeness note noteShared } } } } } } } } }";
    let detail = app.graphql_as(s.org_admin.token(), DETAIL, json!({})).await;
    assert!(error_codes(&detail).is_empty(), "{detail}");
    let completion = &detail["data"]["coachCouples"]["edges"][0]["node"]["activePlan"]["items"][0]
        ["completions"]["edges"][0]["node"];
    assert_eq!(completion["closeness"], 5, "{detail}");
    assert_eq!(
        completion["note"],
        Value::Null,
        "a coach never reads a note"
    );
    assert!(!detail.to_string().contains("our secret"));
    let progress = app
        .graphql_as(
            s.org_admin.token(),
            "{ coachCouples(first: 1) { edges { node { progress { weeks { rate } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&progress), vec!["FORBIDDEN"], "{progress}");

    // The API key reads no more than both its scopes and the couple's grant allow.
    let by_key = app.graphql_as(Some(&key), COACH_COUPLES, json!({})).await;
    assert_eq!(coached(&by_key)[0]["scopes"], json!(["PLANS"]));
    let narrow = api_key(&app, &s.org_admin, &["PROGRESS"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_narrow = app.graphql_as(Some(&narrow), DETAIL, json!({})).await;
    assert_eq!(error_codes(&by_narrow), vec!["FORBIDDEN"], "{by_narrow}");

    // A coach is no member: the couple refetched is the couple as they coach it, never the
    // members' own `Couple` with its fields.
    let node = app
        .graphql_as(
            s.org_admin.token(),
            "query($id: ID!) { node(id: $id) { __typename id ... on Couple { goals } } }",
            json!({ "id": s.couple }),
        )
        .await;
    assert_eq!(data(&node, "node")["__typename"], "CoachedCouple", "{node}");
    assert_eq!(data(&node, "node").get("goals"), None, "{node}");

    // Either member revokes: gone on the next request, for coaches and keys alike.
    let revoked = app
        .graphql_as(s.ben.token(), REVOKE_ACCESS, json!({ "org": s.org }))
        .await;
    assert_eq!(
        data(&revoked, "revokeOrganizationAccess")["access"]["scopes"],
        json!([])
    );
    for token in [s.org_admin.token(), Some(key.as_str())] {
        let after = app.graphql_as(token, COACH_COUPLES, json!({})).await;
        assert!(coached(&after).is_empty(), "{after}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn both_members_see_every_grant_and_revocation() {
    let app = TestApp::spawn().await;
    let s = setting(&app).await;
    grant(&app, &s.ana, &s.org, &["PROGRESS", "PLANS"]).await;
    grant(&app, &s.ben, &s.org, &["PROGRESS"]).await;
    let revoked = app
        .graphql_as(s.ana.token(), REVOKE_ACCESS, json!({ "org": s.org }))
        .await;
    assert!(error_codes(&revoked).is_empty(), "{revoked}");
    // Revoking what is not granted records nothing.
    app.graphql_as(s.ana.token(), REVOKE_ACCESS, json!({ "org": s.org }))
        .await;
    grant(&app, &s.ana, &s.org, &["PROGRESS"]).await;

    for who in [&s.ana, &s.ben] {
        let body = app.graphql_as(who.token(), ACCESS, json!({})).await;
        assert!(error_codes(&body).is_empty(), "{body}");
        let access = &body["data"]["me"]["couple"]["access"];
        assert_eq!(access.as_array().unwrap().len(), 1, "{body}");
        let org = &access[0];
        assert_eq!(org["organizationId"], s.org.as_str());
        assert_eq!(org["organizationName"], "Harbor Coaching");
        assert_eq!(org["scopes"], json!(["PROGRESS"]));
        assert_eq!(org["grants"].as_array().unwrap().len(), 2);
        let events: Vec<(Value, Value, Value)> = org["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let n = &e["node"];
                (
                    n["action"].clone(),
                    n["memberId"].clone(),
                    n["scopes"].clone(),
                )
            })
            .collect();
        assert_eq!(
            events,
            vec![
                (
                    json!("GRANTED"),
                    json!(s.ana.id),
                    json!(["PROGRESS", "PLANS"])
                ),
                (json!("GRANTED"), json!(s.ben.id), json!(["PROGRESS"])),
                (json!("REVOKED"), json!(s.ana.id), json!([])),
                (json!("GRANTED"), json!(s.ana.id), json!(["PROGRESS"])),
            ]
        );
    }

    // Granting needs a couple, a real organization and at least one scope.
    let single = app.register(&email("solo"), "Solo").await;
    let body = app
        .graphql_as(
            single.token(),
            rekindle_tests::builders::GRANT_ACCESS,
            json!({ "org": s.org, "scopes": ["PLANS"] }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
    let missing = rekindle_tests::global_id("Organization", uuid::Uuid::now_v7());
    for (org, scopes, code) in [
        (missing.as_str(), json!(["PLANS"]), "NOT_FOUND"),
        (s.org.as_str(), json!([]), "BAD_USER_INPUT"),
        // Another kind's ID is no organization either.
        (s.couple.as_str(), json!(["PLANS"]), "NOT_FOUND"),
    ] {
        let body = app
            .graphql_as(
                s.ana.token(),
                rekindle_tests::builders::GRANT_ACCESS,
                json!({ "org": org, "scopes": scopes }),
            )
            .await;
        assert_eq!(error_codes(&body), vec![code], "{body}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_coach_reads_only_shared_results_and_only_their_band() {
    use rekindle_tests::assessments::{SHARE, take_yes_no};
    let app = TestApp::spawn().await;
    let s = setting(&app).await;
    const RESULTS: &str = "{ coachCouples(first: 1) { edges { node { sharedAssessmentResults(first: 10) { totalCount edges { node { instrument { key } band { key } sharedAt } } } } } } }";
    let yes = ["look_forward", "shorter_arguments"];
    let (shared, _) = take_yes_no(&app, &s.ana, "signs_of_progress", &yes).await;
    let shared_now = app
        .graphql_as(s.ana.token(), SHARE, json!({ "id": shared }))
        .await;
    assert!(error_codes(&shared_now).is_empty(), "{shared_now}");
    // Kept private: never reaches the coach.
    take_yes_no(&app, &s.ben, "signs_of_progress", &yes).await;

    // Without the scope from both, nothing.
    grant(&app, &s.ana, &s.org, &["ASSESSMENT_RESULTS"]).await;
    grant(&app, &s.ben, &s.org, &["PLANS"]).await;
    let refused = app
        .graphql_as(s.org_admin.token(), RESULTS, json!({}))
        .await;
    assert_eq!(error_codes(&refused), vec!["FORBIDDEN"], "{refused}");

    grant(&app, &s.ben, &s.org, &["ASSESSMENT_RESULTS"]).await;
    let body = app
        .graphql_as(s.org_admin.token(), RESULTS, json!({}))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    let results = &body["data"]["coachCouples"]["edges"][0]["node"]["sharedAssessmentResults"];
    assert_eq!(results["totalCount"], 1, "{body}");
    let result = &results["edges"][0]["node"];
    assert_eq!(result["instrument"]["key"], "signs_of_progress");
    assert_ne!(result["band"], Value::Null, "{body}");
    // A score is not even a field a coach can ask for.
    let total = app
        .graphql_as(
            s.org_admin.token(),
            "{ coachCouples(first: 1) { edges { node { sharedAssessmentResults { edges { node { total } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&total),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{total}"
    );
    app.stop().await;
}
