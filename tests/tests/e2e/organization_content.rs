//! Organization content: rituals and instruments an organization writes (instruments checked by
//! the same engine as the built-ins), suggested by its coaches to couples that granted it
//! access, and accepted or ignored by a member.

use rekindle_tests::assessments::{START, take_yes_no};
use rekindle_tests::builders::{create_plan, grant, organization, pair};
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::{Value, json};

const CREATE_RITUAL: &str = "mutation($title: String!) { createOrganizationRitual(input: { title: $title, summary: \"Walk together after dinner, phones at home.\", category: PHYSICAL, defaultCadence: DAILY, durationMinutes: 15, steps: [\"Leave the phones\", \"Walk\"] }) { ritual { id key title } } }";
const CREATE_INSTRUMENT: &str = "mutation($d: String!) { createOrganizationInstrument(input: { definition: $d }) { instrument { id key version title } } }";
const SUGGEST: &str = "mutation($couple: ID!, $ritual: String, $instrument: String, $message: String) { suggestToCouple(input: { coupleId: $couple, ritualKey: $ritual, instrumentKey: $instrument, message: $message }) { suggestion { id kind status message organizationName ritual { key } instrument { key } } } }";
const SUGGESTIONS: &str = "{ me { couple { suggestions(first: 10) { totalCount edges { node { id kind status message organizationName ritual { key title } instrument { key } decidedAt } } } } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptSuggestion(input: { suggestionId: $id }) { suggestion { id status decidedAt } } }";
const IGNORE: &str = "mutation($id: ID!) { ignoreSuggestion(input: { suggestionId: $id }) { suggestion { id status } } }";
const RITUAL: &str = "query($k: String!) { ritual(key: $k) { key title } }";
const INSTRUMENT: &str = "query($k: String!) { instrument(key: $k) { key version items { key } } }";
const COACHED: &str = "{ coachCouples(first: 5) { edges { node { id suggestions(first: 10) { totalCount edges { node { status ritual { key } } } } } } } }";
const ORG_CONTENT: &str = "{ organization { rituals(first: 10) { totalCount edges { node { key } } } instruments(first: 10) { totalCount edges { node { key version } } } } }";

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(error_codes(body).is_empty(), "{body}");
    &body["data"][field]
}

/// A small yes-or-no instrument in the built-ins' format.
fn definition(key: &str, version: u32, items: usize) -> Value {
    let items: Vec<Value> = (0..items)
        .map(|i| {
            json!({
                "key": format!("sign_{i}"),
                "prompt": format!("We noticed sign {i} this week."),
                "response": { "kind": "yes_no" }
            })
        })
        .collect();
    json!({
        "key": key,
        "version": version,
        "title": "Harbor weekly check",
        "description": "A quick look at the week, answered yes or no.",
        "items": items,
        "scoring": "sum",
        "bands": [
            { "key": "quiet", "label": "A quiet week",
              "from": { "value": 0, "inclusive": true }, "to": { "value": 1, "inclusive": false } },
            { "key": "lively", "label": "A lively week",
              "from": { "value": 1, "inclusive": true }, "to": { "value": items.len(), "inclusive": true } }
        ],
        "higher_is": "better"
    })
}

struct Scene {
    coach: Account,
    ana: Account,
    ben: Account,
    couple: String,
    /// A couple that granted nothing.
    cleo: Account,
    other_couple: String,
}

async fn scene(app: &TestApp, scopes: &[&str]) -> Scene {
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, coach) = organization(app, &admin, "Harbor Coaching").await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple = pair(app, &ana, &ben).await;
    grant(app, &ana, &org, scopes).await;
    grant(app, &ben, &org, scopes).await;
    let cleo = app.register(&email("cleo"), "Cleo").await;
    let dan = app.register(&email("dan"), "Dan").await;
    let other_couple = pair(app, &cleo, &dan).await;
    Scene {
        coach,
        ana,
        ben,
        couple,
        cleo,
        other_couple,
    }
}

async fn suggest(app: &TestApp, coach: &Account, vars: Value) -> Value {
    app.graphql_as(coach.token(), SUGGEST, vars).await
}

#[actix_web::test]
async fn a_coachs_ritual_reaches_a_couple_only_when_suggested_and_accepted() {
    let app = TestApp::spawn().await;
    let s = scene(&app, &["PLANS", "PROGRESS"]).await;

    let made = app
        .graphql_as(
            s.coach.token(),
            CREATE_RITUAL,
            json!({ "title": "Evening walk" }),
        )
        .await;
    let ritual = ok(&made, "createOrganizationRitual")["ritual"].clone();
    let key = ritual["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("org_"), "{ritual}");
    // Checked like a couple's own: a blank title is refused.
    let blank = app
        .graphql_as(s.coach.token(), CREATE_RITUAL, json!({ "title": "  " }))
        .await;
    assert_eq!(error_codes(&blank), vec!["BAD_USER_INPUT"], "{blank}");
    // Members and API keys write no organization content.
    let member = app
        .graphql_as(s.ana.token(), CREATE_RITUAL, json!({ "title": "Ours" }))
        .await;
    assert_eq!(error_codes(&member), vec!["FORBIDDEN"], "{member}");

    // The organization lists it; nobody else sees it in the catalog.
    let listed = app
        .graphql_as(s.coach.token(), ORG_CONTENT, json!({}))
        .await;
    assert_eq!(ok(&listed, "organization")["rituals"]["totalCount"], 1);
    for who in [&s.ana, &s.cleo] {
        let seen = app
            .graphql_as(who.token(), RITUAL, json!({ "k": key }))
            .await;
        assert_eq!(ok(&seen, "ritual"), &Value::Null, "{seen}");
    }

    // Suggested to the couple that granted access; a couple that granted nothing is unknown.
    let stranger = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.other_couple, "ritual": key }),
    )
    .await;
    assert_eq!(error_codes(&stranger), vec!["NOT_FOUND"], "{stranger}");
    let made = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": key, "message": "  Try it after dinner.  " }),
    )
    .await;
    let suggestion = ok(&made, "suggestToCouple")["suggestion"].clone();
    assert_eq!(suggestion["kind"], "RITUAL");
    assert_eq!(suggestion["status"], "OPEN");
    assert_eq!(suggestion["message"], "Try it after dinner.");
    assert_eq!(suggestion["organizationName"], "Harbor Coaching");
    let id = suggestion["id"].as_str().unwrap().to_owned();

    // Both members see it; the other couple does not, and cannot answer it.
    for who in [&s.ana, &s.ben] {
        let mine = app.graphql_as(who.token(), SUGGESTIONS, json!({})).await;
        let list = &ok(&mine, "me")["couple"]["suggestions"];
        assert_eq!(list["totalCount"], 1, "{mine}");
        assert_eq!(list["edges"][0]["node"]["ritual"]["title"], "Evening walk");
    }
    let theirs = app.graphql_as(s.cleo.token(), SUGGESTIONS, json!({})).await;
    assert_eq!(ok(&theirs, "me")["couple"]["suggestions"]["totalCount"], 0);
    let foreign = app
        .graphql_as(s.cleo.token(), ACCEPT, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&foreign), vec!["NOT_FOUND"], "{foreign}");
    // Before it is accepted, the couple cannot plan it.
    let plan = create_plan(&app, &s.ana).await;
    let add = "mutation($plan: ID!, $k: String!) { addPlanItem(input: { planId: $plan, ritualKey: $k, assignee: BOTH, schedule: { cadence: DAILY, localTime: \"19:30\", timezone: \"Europe/London\" } }) { item { id ritual { key } } } }";
    let early = app
        .graphql_as(s.ana.token(), add, json!({ "plan": plan, "k": key }))
        .await;
    assert_eq!(error_codes(&early), vec!["NOT_FOUND"], "{early}");

    // Ben accepts it: accepting again changes nothing; ignoring it now is a conflict.
    let accepted = app
        .graphql_as(s.ben.token(), ACCEPT, json!({ "id": id }))
        .await;
    let answered = &ok(&accepted, "acceptSuggestion")["suggestion"];
    assert_eq!(answered["status"], "ACCEPTED");
    let decided_at = answered["decidedAt"].clone();
    let again = app
        .graphql_as(s.ana.token(), ACCEPT, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&again, "acceptSuggestion")["suggestion"]["decidedAt"],
        decided_at
    );
    let ignored = app
        .graphql_as(s.ana.token(), IGNORE, json!({ "id": id }))
        .await;
    assert_eq!(error_codes(&ignored), vec!["CONFLICT"], "{ignored}");

    // Now the couple sees it and plans it; the other couple still does not see it.
    let seen = app
        .graphql_as(s.ana.token(), RITUAL, json!({ "k": key }))
        .await;
    assert_eq!(ok(&seen, "ritual")["title"], "Evening walk");
    let planned = app
        .graphql_as(s.ana.token(), add, json!({ "plan": plan, "k": key }))
        .await;
    assert_eq!(
        ok(&planned, "addPlanItem")["item"]["ritual"]["key"],
        key.as_str()
    );
    let unseen = app
        .graphql_as(s.cleo.token(), RITUAL, json!({ "k": key }))
        .await;
    assert_eq!(ok(&unseen, "ritual"), &Value::Null);

    // The coach sees the answer on the couple.
    let coached = app.graphql_as(s.coach.token(), COACHED, json!({})).await;
    let node = &ok(&coached, "coachCouples")["edges"][0]["node"]["suggestions"];
    assert_eq!(node["totalCount"], 1);
    assert_eq!(node["edges"][0]["node"]["status"], "ACCEPTED");
}

#[actix_web::test]
async fn suggestions_need_consent_and_the_scope_of_what_is_suggested() {
    let app = TestApp::spawn().await;
    // Only progress granted: neither a ritual (plans) nor an assessment (assessment_results).
    let s = scene(&app, &["PROGRESS"]).await;
    let ritual = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": "six_second_kiss" }),
    )
    .await;
    assert_eq!(error_codes(&ritual), vec!["FORBIDDEN"], "{ritual}");
    let assessment = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "instrument": "signs_of_progress" }),
    )
    .await;
    assert_eq!(error_codes(&assessment), vec!["FORBIDDEN"], "{assessment}");
    // Exactly one thing is suggested, and a message has a limit.
    let both = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": "six_second_kiss", "instrument": "signs_of_progress" }),
    )
    .await;
    assert_eq!(error_codes(&both), vec!["BAD_USER_INPUT"], "{both}");
    let long = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": "six_second_kiss", "message": "a".repeat(501) }),
    )
    .await;
    assert_eq!(error_codes(&long), vec!["BAD_USER_INPUT"], "{long}");
    // A member's own suggestion mutation is refused.
    let member = suggest(
        &app,
        &s.ana,
        json!({ "couple": s.couple, "ritual": "six_second_kiss" }),
    )
    .await;
    assert_eq!(error_codes(&member), vec!["FORBIDDEN"], "{member}");

    // Once a member revokes, the couple is unknown to the coach again.
    let org = app
        .graphql_as(s.coach.token(), "{ organization { id } }", json!({}))
        .await;
    let org = ok(&org, "organization")["id"].as_str().unwrap().to_owned();
    grant(&app, &s.ana, &org, &["PROGRESS", "PLANS"]).await;
    grant(&app, &s.ben, &org, &["PROGRESS", "PLANS"]).await;
    let allowed = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": "six_second_kiss" }),
    )
    .await;
    assert_eq!(
        ok(&allowed, "suggestToCouple")["suggestion"]["status"],
        "OPEN"
    );
    let id = ok(&allowed, "suggestToCouple")["suggestion"]["id"].clone();
    app.graphql_as(
        s.ben.token(),
        "mutation($org: ID!) { revokeOrganizationAccess(input: { organizationId: $org }) { access { scopes } } }",
        json!({ "org": org }),
    )
    .await;
    let after = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "ritual": "six_second_kiss" }),
    )
    .await;
    assert_eq!(error_codes(&after), vec!["NOT_FOUND"], "{after}");
    // The couple can still set aside what was suggested before.
    let ignored = app
        .graphql_as(s.ana.token(), IGNORE, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&ignored, "ignoreSuggestion")["suggestion"]["status"],
        "IGNORED"
    );
}

#[actix_web::test]
async fn an_organizations_instrument_is_checked_by_the_engine_and_taken_once_accepted() {
    let app = TestApp::spawn().await;
    let s = scene(&app, &["ASSESSMENT_RESULTS"]).await;

    // The engine's checks, with the field at fault; a built-in's key is not for the taking.
    let mut broken = definition("harbor_week", 1, 2);
    broken["bands"][1]["from"]["value"] = json!(0);
    let refused = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": broken.to_string() }),
        )
        .await;
    assert_eq!(error_codes(&refused), vec!["BAD_USER_INPUT"], "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("bands"),
        "{refused}"
    );
    let not_json = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": "{ \"key\": " }),
        )
        .await;
    assert_eq!(error_codes(&not_json), vec!["BAD_USER_INPUT"], "{not_json}");
    let built_in = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": definition("signs_of_progress", 9, 2).to_string() }),
        )
        .await;
    assert_eq!(error_codes(&built_in), vec!["CONFLICT"], "{built_in}");

    let stored = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": definition("harbor_week", 1, 2).to_string() }),
        )
        .await;
    let instrument = ok(&stored, "createOrganizationInstrument")["instrument"].clone();
    assert_eq!(instrument["key"], "harbor_week");
    assert_eq!(instrument["version"], 1);
    // The same definition again is the same version; a changed one needs a new version.
    let same = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": definition("harbor_week", 1, 2).to_string() }),
        )
        .await;
    assert_eq!(
        ok(&same, "createOrganizationInstrument")["instrument"]["id"],
        instrument["id"]
    );
    let changed = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": definition("harbor_week", 1, 3).to_string() }),
        )
        .await;
    assert_eq!(error_codes(&changed), vec!["CONFLICT"], "{changed}");
    let v2 = app
        .graphql_as(
            s.coach.token(),
            CREATE_INSTRUMENT,
            json!({ "d": definition("harbor_week", 2, 3).to_string() }),
        )
        .await;
    assert_eq!(
        ok(&v2, "createOrganizationInstrument")["instrument"]["version"],
        2
    );
    let listed = app
        .graphql_as(s.coach.token(), ORG_CONTENT, json!({}))
        .await;
    assert_eq!(ok(&listed, "organization")["instruments"]["totalCount"], 2);

    // Before a suggestion is accepted, members can neither see nor start it.
    let hidden = app
        .graphql_as(s.ana.token(), INSTRUMENT, json!({ "k": "harbor_week" }))
        .await;
    assert_eq!(ok(&hidden, "instrument"), &Value::Null);
    let early = app
        .graphql_as(s.ana.token(), START, json!({ "k": "harbor_week" }))
        .await;
    assert_eq!(error_codes(&early), vec!["NOT_FOUND"], "{early}");

    let made = suggest(
        &app,
        &s.coach,
        json!({ "couple": s.couple, "instrument": "harbor_week" }),
    )
    .await;
    let suggestion = &ok(&made, "suggestToCouple")["suggestion"];
    assert_eq!(suggestion["kind"], "ASSESSMENT");
    assert_eq!(suggestion["instrument"]["key"], "harbor_week");
    let id = suggestion["id"].clone();
    let accepted = app
        .graphql_as(s.ana.token(), ACCEPT, json!({ "id": id }))
        .await;
    assert_eq!(
        ok(&accepted, "acceptSuggestion")["suggestion"]["status"],
        "ACCEPTED"
    );

    // Both members see the current version and take it like a built-in; others still cannot.
    let seen = app
        .graphql_as(s.ben.token(), INSTRUMENT, json!({ "k": "harbor_week" }))
        .await;
    assert_eq!(ok(&seen, "instrument")["version"], 2);
    let (_, result) = take_yes_no(&app, &s.ben, "harbor_week", &["sign_0", "sign_2"]).await;
    assert_eq!(result["total"], 2.0, "{result}");
    assert_eq!(result["band"]["key"], "lively", "{result}");
    let outsider = app
        .graphql_as(s.cleo.token(), START, json!({ "k": "harbor_week" }))
        .await;
    assert_eq!(error_codes(&outsider), vec!["NOT_FOUND"], "{outsider}");
}
