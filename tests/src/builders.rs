//! Builders for what many tests start from: paired couples and plans with an item, made
//! through the API as a client would.

use serde_json::{Value, json};

use crate::{Account, TestApp, email, error_codes};

pub const CREATE_COUPLE: &str = "mutation($input: CreateCoupleInput!) {
  createCouple(input: $input) {
    couple { id status goals distractions timezone relationshipStart members { displayName isMe } }
    invite { code expiresAt }
  }
}";
pub const JOIN_COUPLE: &str = "mutation($code: String!) { joinCouple(input: { code: $code }) { couple { id members { displayName } } } }";
pub const CREATE_PLAN: &str =
    "mutation { createPlan(input: { name: \"Our plan\" }) { plan { id } } }";
pub const ADD_ITEM: &str = "mutation($input: AddPlanItemInput!) { addPlanItem(input: $input) { item { id ritual { key title } schedule { cadence daysOfWeek localTime timezone startsOn } assignee nextOccurrences(first: 3) } } }";

/// Creates a couple for `founder`; answers its ID and the invite code.
pub async fn create_couple(app: &TestApp, founder: &Account) -> (String, String) {
    let body = app
        .graphql_as(
            founder.token(),
            CREATE_COUPLE,
            json!({ "input": { "goals": ["talk more"] } }),
        )
        .await;
    let payload = &body["data"]["createCouple"];
    (
        payload["couple"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned(),
        payload["invite"]["code"].as_str().unwrap().to_owned(),
    )
}

/// Two members paired: answers the couple's ID.
pub async fn pair(app: &TestApp, a: &Account, b: &Account) -> String {
    let (couple, code) = create_couple(app, a).await;
    let body = app
        .graphql_as(b.token(), JOIN_COUPLE, json!({ "code": code }))
        .await;
    assert_eq!(
        body["data"]["joinCouple"]["couple"]["id"],
        couple.as_str(),
        "{body}"
    );
    couple
}

/// Ana and Ben, registered and paired.
pub async fn couple(app: &TestApp) -> (Account, Account) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
    (ana, ben)
}

/// Creates the founder's couple's plan; answers its ID.
pub async fn create_plan(app: &TestApp, founder: &Account) -> String {
    let body = app
        .graphql_as(founder.token(), CREATE_PLAN, json!({}))
        .await;
    body["data"]["createPlan"]["plan"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// Adds an item to a plan; `input` is an AddPlanItemInput without its planId.
pub async fn add_item(app: &TestApp, who: &Account, plan: &str, input: Value) -> Value {
    let mut input = input;
    input["planId"] = json!(plan);
    let body = app
        .graphql_as(who.token(), ADD_ITEM, json!({ "input": input }))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["addPlanItem"]["item"].clone()
}

/// Creates the founder's couple plan with one daily six-second kiss at 21:00 London time;
/// answers the plan's and the item's IDs.
pub async fn plan_with_item(app: &TestApp, founder: &Account, assignee: &str) -> (String, String) {
    let plan = create_plan(app, founder).await;
    let item = add_item(
        app,
        founder,
        &plan,
        json!({
            "ritualKey": "six_second_kiss", "assignee": assignee,
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
        }),
    )
    .await;
    (plan, item["id"].as_str().unwrap().to_owned())
}

pub const CREATE_ORGANIZATION: &str = "mutation($name: String!, $owner: String!) { createOrganization(input: { name: $name, ownerEmail: $owner }) { organization { id name myRole } } }";
pub const CREATE_API_KEY: &str = "mutation($name: String!, $scopes: [AccessScope!]!, $expires: DateTime) { createApiKey(input: { name: $name, scopes: $scopes, expiresAt: $expires }) { secret apiKey { id name hint scopes expiresAt revokedAt lastUsedAt } } }";
pub const GRANT_ACCESS: &str = "mutation($org: ID!, $scopes: [AccessScope!]!) { grantOrganizationAccess(input: { organizationId: $org, scopes: $scopes }) { access { organizationId scopes } } }";

/// An organization made by `admin` with a new coach account as its first admin: answers the
/// organization's ID and its admin.
pub async fn organization(app: &TestApp, admin: &Account, name: &str) -> (String, Account) {
    let owner = app.create_with_role(&email("org-owner"), "coach").await;
    let body = app
        .graphql_as(
            admin.token(),
            CREATE_ORGANIZATION,
            json!({ "name": name, "owner": owner.email }),
        )
        .await;
    let id = body["data"]["createOrganization"]["organization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    (id, owner)
}

/// An API key made by an organization's admin with these scopes: answers the key's payload
/// (`secret` and `apiKey`).
pub async fn api_key(app: &TestApp, org_admin: &Account, scopes: &[&str]) -> Value {
    let body = app
        .graphql_as(
            org_admin.token(),
            CREATE_API_KEY,
            json!({ "name": "Sync server", "scopes": scopes }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["createApiKey"].clone()
}

/// A member grants an organization these scopes.
pub async fn grant(app: &TestApp, member: &Account, org: &str, scopes: &[&str]) -> Value {
    let body = app
        .graphql_as(
            member.token(),
            GRANT_ACCESS,
            json!({ "org": org, "scopes": scopes }),
        )
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["grantOrganizationAccess"]["access"].clone()
}

/// The `completeRitual` that [`complete`] sends, and the completion's fields it reads back.
const COMPLETE: &str = "mutation($input: CompleteRitualInput!) { completeRitual(input: $input) { completion { id occurrence closeness note noteShared isMine } } }";

/// Logs `item` as `who` (closeness 4, with `extra` merged into the input); answers the whole body.
pub async fn complete(app: &TestApp, who: &Account, item: &str, extra: Value) -> Value {
    let mut input = json!({ "planItemId": item, "closeness": 4 });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    app.graphql_as(who.token(), COMPLETE, json!({ "input": input }))
        .await
}
