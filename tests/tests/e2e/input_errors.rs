//! Errors a form can use: every input field of every mutation, given a bad value, answers
//! BAD_USER_INPUT naming the field (`extensions.field`, its input path) and why
//! (`extensions.reason`, one of the README's table). The mutations and their input fields are
//! read from the schema by introspection, so a new mutation or field is walked without
//! anyone adding it here; only its valid input (below) must be written, or the test fails
//! naming it.
//!
//! Each field is given one bad value in an otherwise valid input, as the person who may call
//! the mutation, against real objects: an ID that is not one, a date that does not parse, an
//! integer of -1, an enumeration value that does not exist, a string of the wrong type for a
//! Boolean or an object, and for text something too long or of the wrong shape (a table below
//! says which, where it is not "too long"). A list gets one bad item.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, Utc};
use rekindle_tests::builders::{grant, organization, pair, plan_with_item};
use rekindle_tests::{Account, TestApp, email};
use serde_json::{Value, json};

/// Every `reason` the README documents.
const REASONS: [&str; 24] = [
    "REQUIRED",
    "TOO_SHORT",
    "TOO_LONG",
    "TOO_FEW",
    "TOO_MANY",
    "OUT_OF_RANGE",
    "NOT_A_DATE",
    "NOT_A_TIME",
    "NOT_A_TIME_ZONE",
    "NOT_AN_EMAIL",
    "NOT_AN_ID",
    "BAD_FORMAT",
    "BAD_CHARACTERS",
    "WRONG_TYPE",
    "NOT_ONE_OF",
    "UNKNOWN_FIELD",
    "DUPLICATE",
    "INCOMPATIBLE",
    "TOO_COMMON",
    "INVALID_TOKEN",
    "ADDRESS_REFUSED",
    "NOT_SUPPORTED",
    "NOT_NOW",
    "CHANGES_CURSOR_EXPIRED",
];

const SCHEMA: &str = r#"{
  __schema {
    mutationType { fields { name args { name type { ...Ref } } } }
    types { name kind inputFields { name type { ...Ref } } }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// A field's type with its wrappers taken off: its named type, whether it is a list, and the
/// named type's kind.
#[derive(Debug, Clone)]
struct FieldType {
    name: String,
    kind: String,
    list: bool,
}

fn field_type(reference: &Value) -> FieldType {
    let mut list = false;
    let mut at = reference;
    loop {
        match at["kind"].as_str() {
            Some("NON_NULL") => at = &at["ofType"],
            Some("LIST") => {
                list = true;
                at = &at["ofType"];
            }
            _ => break,
        }
    }
    FieldType {
        name: at["name"].as_str().unwrap_or_default().to_owned(),
        kind: at["kind"].as_str().unwrap_or_default().to_owned(),
        list,
    }
}

/// Who sends a mutation.
#[derive(Debug, Clone, Copy)]
enum Actor {
    Guest,
    /// In a couple with Ben, with a plan, an item, an assessment begun and a conversation.
    Ana,
    /// Signed in, in no couple.
    Solo,
    Operator,
    /// The organization's admin.
    Owner,
}

struct Scene {
    app: TestApp,
    ana: Account,
    solo: Account,
    operator: Account,
    owner: Account,
    /// Values the valid inputs name: `$plan`, `$item`, …
    values: HashMap<&'static str, String>,
}

impl Scene {
    async fn build() -> Self {
        let app = TestApp::spawn_with(&[
            ("REKINDLE_RATE_LIMIT_PER_IP", "100000"),
            ("REKINDLE_RATE_LIMIT_PER_ACCOUNT", "100000"),
            ("REKINDLE_RATE_LIMIT_PER_ACCOUNT_CEILING", "100000"),
        ])
        .await;
        let operator = app.create_with_role(&email("op"), "admin").await;
        let ana = app.register(&email("ana"), "Ana").await;
        let ben = app.register(&email("ben"), "Ben").await;
        let solo = app.register(&email("solo"), "Solo").await;
        let couple = pair(&app, &ana, &ben).await;
        let (plan, item) = plan_with_item(&app, &ana, "BOTH").await;
        let (org, owner) = organization(&app, &operator, "Input Coaching").await;
        grant(&app, &ana, &org, &["PROGRESS"]).await;
        let spare_coach = app.create_with_role(&email("spare-coach"), "coach").await;
        // What `query` made, as `actor`: the ID at `path` of its answer.
        let made = |actor: &Account, query: &'static str, path: [&'static str; 3]| {
            let app = &app;
            let token = actor.access_token.clone();
            async move {
                let body = app.graphql_as(Some(&token), query, json!({})).await;
                let id = &body["data"][path[0]][path[1]][path[2]];
                id.as_str()
                    .unwrap_or_else(|| panic!("{query}: {body}"))
                    .to_owned()
            }
        };
        let assessment = made(
            &ana,
            "mutation { startAssessment(input: { instrumentKey: \"listening_attunement\" }) { assessment { id } } }",
            ["startAssessment", "assessment", "id"],
        )
        .await;
        let conversation = made(
            &ana,
            "mutation { startCoachConversation(input: {}) { conversation { id } } }",
            ["startCoachConversation", "conversation", "id"],
        )
        .await;
        let endpoint = made(
            &owner,
            "mutation { createWebhookEndpoint(input: { url: \"http://127.0.0.1:9/hook\", events: [RITUAL_COMPLETED] }) { endpoint { id } } }",
            ["createWebhookEndpoint", "endpoint", "id"],
        )
        .await;
        let today = Utc::now().date_naive();
        let last_monday =
            today - Duration::days(7 + i64::from(today.weekday().num_days_from_monday()));
        let mut values = HashMap::new();
        values.insert("$couple", couple);
        values.insert("$plan", plan);
        values.insert("$item", item);
        values.insert("$org", org);
        values.insert("$assessment", assessment);
        values.insert("$conversation", conversation);
        values.insert("$endpoint", endpoint);
        values.insert("$ben", ben.id.clone());
        values.insert("$ana_password", ana.password.clone());
        values.insert("$spare_coach", spare_coach.email.clone());
        values.insert("$new_email", email("newcomer"));
        values.insert(
            "$in_two_days",
            (Utc::now() + Duration::days(2)).to_rfc3339(),
        );
        values.insert("$in_three_days", (today + Duration::days(3)).to_string());
        values.insert("$in_five_days", (today + Duration::days(5)).to_string());
        values.insert("$last_monday", last_monday.to_string());
        Self {
            app,
            ana,
            solo,
            operator,
            owner,
            values,
        }
    }

    fn token(&self, actor: Actor) -> Option<&str> {
        match actor {
            Actor::Guest => None,
            Actor::Ana => self.ana.token(),
            Actor::Solo => self.solo.token(),
            Actor::Operator => self.operator.token(),
            Actor::Owner => self.owner.token(),
        }
    }

    /// `value` with every `"$name"` string replaced by the scene's value.
    fn fill(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => match self.values.get(s.as_str()) {
                Some(found) => json!(found),
                None => value.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill(v)).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), self.fill(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// A valid input for each mutation, and who sends it.
fn valid(mutation: &str) -> Option<(Actor, Value)> {
    let schedule = json!({ "cadence": "DAILY", "localTime": "08:00" });
    let found = match mutation {
        "register" => (
            Actor::Guest,
            json!({ "email": "$new_email", "password": "a-long-enough-secret", "displayName": "Dee", "timezone": "Europe/London" }),
        ),
        "login" => (
            Actor::Guest,
            json!({ "email": "nobody@example.com", "password": "a-long-enough-secret" }),
        ),
        "refreshSession" | "logout" => (Actor::Ana, json!({ "refreshToken": "not-a-token" })),
        "changePassword" => (
            Actor::Ana,
            json!({ "currentPassword": "$ana_password", "newPassword": "another-long-secret" }),
        ),
        "updateProfile" => (
            Actor::Ana,
            json!({ "displayName": "Ana", "quietHours": { "start": "22:00", "end": "07:00" } }),
        ),
        "revokeSession" => (Actor::Ana, json!({ "sessionId": "not-checked" })),
        "requestPasswordReset" | "inviteCoach" => (
            if mutation == "inviteCoach" {
                Actor::Owner
            } else {
                Actor::Guest
            },
            json!({ "email": "someone@example.com" }),
        ),
        "resetPassword" => (
            Actor::Guest,
            json!({ "token": "not-a-token", "newPassword": "a-long-enough-secret" }),
        ),
        "verifyEmail" => (Actor::Ana, json!({ "token": "not-a-token" })),
        "exportMyData" | "deleteMyAccount" => (Actor::Ana, json!({ "password": "$ana_password" })),
        "createCouple" => (Actor::Solo, json!({ "timezone": "Europe/London" })),
        "createInvite" | "leaveCouple" | "updateCouple" => {
            (Actor::Ana, json!({ "coupleId": "$couple" }))
        }
        "joinCouple" => (Actor::Solo, json!({ "code": "7KQ4-MXDRTW" })),
        "createPlan" => (Actor::Ana, json!({ "name": "Spring" })),
        "pausePlan" => (
            Actor::Ana,
            json!({ "planId": "$plan", "until": "$in_two_days" }),
        ),
        "resumePlan" | "archivePlan" => (Actor::Ana, json!({ "planId": "$plan" })),
        "addPlanItem" => (
            Actor::Ana,
            json!({ "planId": "$plan", "ritualKey": "six_second_kiss", "schedule": schedule, "assignee": "BOTH" }),
        ),
        "updatePlanItem" => (
            Actor::Ana,
            json!({ "planItemId": "$item", "schedule": schedule }),
        ),
        "removePlanItem" => (Actor::Ana, json!({ "planItemId": "$item" })),
        "completeRitual" => (Actor::Ana, json!({ "planItemId": "$item", "closeness": 4 })),
        "undoCompletion" => (Actor::Ana, json!({ "completionId": "not-checked" })),
        "startAssessment" => (
            Actor::Ana,
            json!({ "instrumentKey": "listening_attunement" }),
        ),
        "answerAssessment" => (
            Actor::Ana,
            json!({ "assessmentId": "$assessment", "answers": [{ "itemKey": "eye_contact", "choice": "sometimes" }] }),
        ),
        "submitAssessment" | "shareAssessmentResult" | "unshareAssessmentResult" => {
            (Actor::Ana, json!({ "assessmentId": "$assessment" }))
        }
        "acceptRecommendations" => (
            Actor::Ana,
            json!({ "planId": "$plan", "rituals": [{ "ritualKey": "six_second_kiss", "schedule": schedule, "assignee": "BOTH" }] }),
        ),
        "answerCheckIn" => (Actor::Ana, json!({ "answer": "I felt heard." })),
        "proposeBreak" => (
            Actor::Ana,
            json!({ "until": "$in_five_days", "checkInOn": "$in_three_days", "terms": "A quiet week.", "contactRules": "Texts only." }),
        ),
        "agreeToBreak" | "declineBreak" => (Actor::Ana, json!({ "breakId": "not-checked" })),
        "answerBreakCheckIn" => (
            Actor::Ana,
            json!({ "breakId": "not-checked", "choice": "RESUME" }),
        ),
        "markNotificationsRead" => (Actor::Ana, json!({ "ids": [] })),
        "updateNotificationPreferences" => (Actor::Ana, json!({ "dailyCap": 3 })),
        "rebuildWeeklySummary" => (
            Actor::Operator,
            json!({ "coupleId": "$couple", "weekStart": "$last_monday" }),
        ),
        "createOrganization" => (
            Actor::Operator,
            json!({ "name": "Another Org", "ownerEmail": "$spare_coach" }),
        ),
        "createApiKey" => (
            Actor::Owner,
            json!({ "name": "reports", "scopes": ["PROGRESS"] }),
        ),
        "revokeApiKey" => (Actor::Owner, json!({ "apiKeyId": "not-checked" })),
        "grantOrganizationAccess" => (
            Actor::Ana,
            json!({ "organizationId": "$org", "scopes": ["PROGRESS"] }),
        ),
        "revokeOrganizationAccess" => (Actor::Ana, json!({ "organizationId": "$org" })),
        "acceptCoachInvite" => (
            Actor::Guest,
            json!({ "token": "not-a-token", "displayName": "Cleo", "password": "a-long-enough-secret" }),
        ),
        "createWebhookEndpoint" => (
            Actor::Owner,
            json!({ "url": "http://127.0.0.1:9/other", "events": ["RITUAL_COMPLETED"] }),
        ),
        "disableWebhookEndpoint" => (Actor::Owner, json!({ "endpointId": "not-checked" })),
        "redeliverWebhook" => (Actor::Owner, json!({ "deliveryId": "not-checked" })),
        "rotateWebhookSecret" => (
            Actor::Owner,
            json!({ "endpointId": "$endpoint", "overlapSeconds": 60 }),
        ),
        "createOrganizationRitual" => (
            Actor::Owner,
            json!({ "title": "Walk and talk", "summary": "A walk, phones away.", "category": "PHYSICAL", "defaultCadence": "WEEKLY", "durationMinutes": 20 }),
        ),
        "createOrganizationInstrument" => (Actor::Owner, json!({ "definition": "{}" })),
        "suggestToCouple" => (
            Actor::Owner,
            json!({ "coupleId": "$couple", "ritualKey": "six_second_kiss", "message": "Try it tonight." }),
        ),
        "acceptSuggestion" | "ignoreSuggestion" => {
            (Actor::Ana, json!({ "suggestionId": "not-checked" }))
        }
        "retryFailedJob" | "discardFailedJob" => {
            (Actor::Operator, json!({ "failedJobId": "not-checked" }))
        }
        "disableUser" | "enableUser" | "revokeUserSessions" => {
            (Actor::Operator, json!({ "userId": "$ben" }))
        }
        "changeUserRole" => (
            Actor::Operator,
            json!({ "userId": "$ben", "role": "MEMBER" }),
        ),
        "registerPushDevice" => (
            Actor::Ana,
            json!({ "platform": "FCM", "token": "fcm-token-1", "appId": "app.rekindle", "locale": "en" }),
        ),
        "unregisterPushDevice" => (Actor::Ana, json!({ "deviceId": "not-checked" })),
        "startCoachConversation" => (Actor::Ana, json!({ "country": "GB" })),
        "sendCoachMessage" => (
            Actor::Ana,
            json!({ "conversationId": "$conversation", "text": "Hello", "country": "GB" }),
        ),
        "deleteCoachConversation" => (Actor::Ana, json!({ "conversationId": "not-checked" })),
        _ => return None,
    };
    Some(found)
}

/// For a field inside an optional object, the valid input that holds the object.
fn holding(mutation: &str, path: &str) -> Option<Value> {
    let schedule = json!({ "cadence": "DAILY", "localTime": "08:00" });
    let custom = json!({ "title": "Our ritual", "summary": "Ten minutes, phones away.", "category": "PHYSICAL", "durationMinutes": 10 });
    match (mutation, path) {
        ("addPlanItem", p) if p.starts_with("input.customRitual.") => Some(
            json!({ "planId": "$plan", "customRitual": custom, "schedule": schedule, "assignee": "BOTH" }),
        ),
        (_, p) if p.contains("schedule.nthWeekday.") => {
            let monthly = json!({ "cadence": "MONTHLY", "localTime": "08:00", "nthWeekday": { "nth": "FIRST", "weekday": "MONDAY" } });
            let (_, mut input) = valid(mutation)?;
            if let Some(list) = input["rituals"].as_array_mut() {
                list[0]["schedule"] = monthly;
            } else {
                input["schedule"] = monthly;
            }
            Some(input)
        }
        ("suggestToCouple", "input.instrumentKey") => {
            Some(json!({ "coupleId": "$couple", "instrumentKey": "listening_attunement" }))
        }
        ("registerPushDevice", p) if p.starts_with("input.subscription.") => Some(json!({
            "platform": "WEB_PUSH",
            "subscription": {
                "endpoint": "http://127.0.0.1:9/push",
                "keys": {
                    // An uncompressed P-256 point's shape (65 bytes, 0x04 first) and 16 bytes.
                    "p256dh": format!("BA{}", "A".repeat(85)),
                    "auth": "AAAAAAAAAAAAAAAAAAAAAA",
                }
            }
        })),
        _ => None,
    }
}

/// The bad value for a text field, and the reason it must be refused with where it is certain.
fn bad_text(mutation: &str, path: &str) -> (Value, Option<&'static str>) {
    let last = path.rsplit('.').next().unwrap_or(path);
    match last {
        "email" | "ownerEmail" => (json!("not-an-email"), Some("NOT_AN_EMAIL")),
        "timezone" => (json!("Mars/Olympus_Mons"), Some("NOT_A_TIME_ZONE")),
        "localTime" | "start" | "end" => (json!("25:61"), Some("NOT_A_TIME")),
        "url" | "endpoint" => (json!("not a web address"), Some("ADDRESS_REFUSED")),
        "code" | "instrumentKey" | "definition" | "p256dh" | "auth" | "country" => {
            (json!("{ Not A Key!"), Some("BAD_FORMAT"))
        }
        "ritualKey" => (json!("Not A Key!"), None),
        "password" | "newPassword" => (json!("short"), Some("TOO_SHORT")),
        // A link's token names something or it does not; a device token has a shape.
        "token" if mutation != "registerPushDevice" => (json!("nope"), Some("INVALID_TOKEN")),
        "itemKey" | "choice" => (json!("no_such_thing"), Some("NOT_ONE_OF")),
        "token" | "appId" | "locale" => (json!("x".repeat(20_000)), Some("BAD_FORMAT")),
        _ => (json!("x".repeat(20_000)), Some("TOO_LONG")),
    }
}

/// Text whose only wrong value is one of another type: a password to check, a refresh token.
fn typed_only(mutation: &str, path: &str) -> bool {
    matches!(
        (mutation, path),
        ("login", _)
            | (_, "input.refreshToken")
            | (_, "input.currentPassword")
            | ("exportMyData" | "deleteMyAccount", "input.password")
    )
}

/// The bad value for a field and the reason it must be refused with, where one is certain.
fn bad_value(mutation: &str, path: &str, ty: &FieldType) -> (Value, Option<&'static str>) {
    let (one, reason) = match (ty.kind.as_str(), ty.name.as_str()) {
        ("SCALAR", "ID") => (json!("not-an-id"), Some("NOT_AN_ID")),
        ("SCALAR", "NaiveDate" | "DateTime") => (json!("someday"), Some("NOT_A_DATE")),
        ("SCALAR", "Int") => (json!(-1), None),
        ("SCALAR", "Boolean") => (json!("yes"), Some("WRONG_TYPE")),
        ("ENUM", _) => (json!("NOT_A_VALUE"), Some("NOT_ONE_OF")),
        ("INPUT_OBJECT", _) => (json!("not an object"), Some("WRONG_TYPE")),
        ("SCALAR", "String") if typed_only(mutation, path) => (json!(5), Some("WRONG_TYPE")),
        ("SCALAR", "String") => bad_text(mutation, path),
        _ => (json!(5), Some("WRONG_TYPE")),
    };
    if ty.list && ty.kind != "INPUT_OBJECT" {
        (json!([one]), reason)
    } else {
        (one, reason)
    }
}

/// Sets `path` (below `input`) in `input` to `value`, through list positions.
fn set(input: &mut Value, path: &str, value: Value) {
    let mut at = input;
    let parts: Vec<&str> = path.split('.').skip(1).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let next = match part.parse::<usize>() {
            Ok(index) => &mut at[index],
            Err(_) => &mut at[*part],
        };
        if last {
            *next = value;
            return;
        }
        at = next;
    }
}

/// Every input path below `prefix` of input type `ty`: each field, then the fields of the
/// input objects it holds (a list's by its first item).
fn paths(
    types: &BTreeMap<String, Vec<(String, FieldType)>>,
    ty: &str,
    prefix: &str,
) -> Vec<(String, FieldType)> {
    let mut out = Vec::new();
    for (name, field) in types.get(ty).into_iter().flatten() {
        let path = format!("{prefix}.{name}");
        out.push((path.clone(), field.clone()));
        if field.kind == "INPUT_OBJECT" {
            let inner = if field.list {
                format!("{path}.0")
            } else {
                path
            };
            out.extend(paths(types, &field.name, &inner));
        }
    }
    out
}

#[actix_web::test]
async fn every_bad_input_of_every_mutation_names_its_field_and_reason() {
    let scene = Scene::build().await;
    let schema = scene.app.graphql(SCHEMA, json!({})).await;
    let mut types = BTreeMap::new();
    for t in schema["data"]["__schema"]["types"]
        .as_array()
        .expect("types")
    {
        if t["kind"] == "INPUT_OBJECT" {
            let fields = t["inputFields"]
                .as_array()
                .expect("input fields")
                .iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap_or_default().to_owned(),
                        field_type(&f["type"]),
                    )
                })
                .collect();
            types.insert(t["name"].as_str().unwrap_or_default().to_owned(), fields);
        }
    }
    let mutations = schema["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("mutations");
    let mut failures = Vec::new();
    let mut walked = 0;
    for mutation in mutations {
        let name = mutation["name"].as_str().unwrap_or_default();
        let Some(arg) = mutation["args"].as_array().and_then(|a| a.first()) else {
            continue; // No input: nothing can be bad.
        };
        let input_type = field_type(&arg["type"]).name;
        let Some((actor, base)) = valid(name) else {
            failures.push(format!("{name}: no valid input is written in this test"));
            continue;
        };
        let query =
            format!("mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}");
        for (path, ty) in paths(&types, &input_type, "input") {
            walked += 1;
            let mut input = scene.fill(&holding(name, &path).unwrap_or_else(|| base.clone()));
            let (bad, reason) = bad_value(name, &path, &ty);
            set(&mut input, &path, bad.clone());
            let body = scene
                .app
                .graphql_as(scene.token(actor), &query, json!({ "input": input }))
                .await;
            let error = &body["errors"][0];
            let extensions = &error["extensions"];
            let field = extensions["field"].as_str().unwrap_or_default();
            let given = extensions["reason"].as_str().unwrap_or_default();
            let at_field = field == path || field.starts_with(&format!("{path}."));
            let problem = if extensions["code"] != "BAD_USER_INPUT" {
                Some(format!("answered {body}"))
            } else if !at_field {
                Some(format!("field `{field}`: {body}"))
            } else if !REASONS.contains(&given) {
                Some(format!("reason `{given}` is not documented: {body}"))
            } else if reason.is_some_and(|r| r != given) {
                Some(format!("reason `{given}`, not {reason:?}: {body}"))
            } else {
                None
            };
            if let Some(problem) = problem {
                failures.push(format!("{name} {path} = {bad:.60}: {problem:.400}"));
            }
        }
    }
    assert!(walked > 150, "only {walked} input fields were walked");
    assert!(
        failures.is_empty(),
        "{} of {walked} bad inputs were not answered as they should be:\n{}",
        failures.len(),
        failures.join("\n")
    );
    scene.app.stop().await;
}
