//! DESIGN.md rule 4: operators see accounts, operations and aggregates, never intimate content.
//! The schema is walked from `Admin` (and every operator mutation's payload): no type that holds
//! a couple's content is reachable, and every field, queried as an administrator over a
//! service full of notes, answers, check-ins, goals and break terms, answers none of them.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::types::{
    BaseType, FieldDefinition, Type, TypeKind, TypeSystemDefinition,
};
use rekindle_tests::builders::{grant, organization, pair, plan_with_item};
use rekindle_tests::{TestApp, email, error_codes};
use serde_json::{Value, json};

/// Types that carry a couple's or a member's content; none may be reachable from `Admin`.
const COUPLE_CONTENT: [&str; 14] = [
    "User",
    "Couple",
    "CoachedCouple",
    "Plan",
    "PlanItem",
    "Completion",
    "Assessment",
    "AssessmentResult",
    "CheckIn",
    "CheckInAnswer",
    "WeeklySummary",
    "Notification",
    "CoupleBreak",
    "Suggestion",
];

/// The operator mutations, whose payloads are walked too.
const OPERATOR_MUTATIONS: [&str; 6] = [
    "retryFailedJob",
    "discardFailedJob",
    "disableUser",
    "enableUser",
    "revokeUserSessions",
    "changeUserRole",
];

/// Object and interface types by name, with their fields.
struct Types(BTreeMap<String, Vec<FieldDefinition>>);

impl Types {
    fn load() -> Self {
        let doc = async_graphql::parser::parse_schema(api::graphql::sdl()).expect("SDL parses");
        let mut types = BTreeMap::new();
        for def in doc.definitions {
            if let TypeSystemDefinition::Type(ty) = def {
                let fields = match &ty.node.kind {
                    TypeKind::Object(object) => &object.fields,
                    TypeKind::Interface(interface) => &interface.fields,
                    _ => continue,
                };
                types.insert(
                    ty.node.name.node.to_string(),
                    fields.iter().map(|f| f.node.clone()).collect(),
                );
            }
        }
        Self(types)
    }

    fn fields(&self, name: &str) -> Option<&Vec<FieldDefinition>> {
        self.0.get(name)
    }

    /// Every object type reachable from `root` through fields.
    fn reachable(&self, root: &str, seen: &mut BTreeSet<String>) {
        if !seen.insert(root.to_owned()) {
            return;
        }
        for field in self.fields(root).into_iter().flatten() {
            let named = named(&field.ty.node);
            if self.fields(&named).is_some() {
                self.reachable(&named, seen);
            }
        }
    }

    /// A selection of every field of `name` that takes no required argument, `depth` levels
    /// deep (a type already on the path is not entered again).
    fn selection(&self, name: &str, path: &mut Vec<String>, skipped: &mut Vec<String>) -> String {
        let mut parts = vec!["__typename".to_owned()];
        path.push(name.to_owned());
        for field in self.fields(name).into_iter().flatten() {
            let field_name = field.name.node.to_string();
            let required = field
                .arguments
                .iter()
                .any(|a| !a.node.ty.node.nullable && a.node.default_value.is_none());
            if required {
                skipped.push(format!("{name}.{field_name}"));
                continue;
            }
            let named = named(&field.ty.node);
            if self.fields(&named).is_none() {
                parts.push(field_name);
            } else if !path.contains(&named) && path.len() < 8 {
                let inner = self.selection(&named, path, skipped);
                parts.push(format!("{field_name} {{ {inner} }}"));
            }
        }
        path.pop();
        parts.join(" ")
    }
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

#[test]
fn no_couple_content_type_is_reachable_from_operator_fields() {
    let types = Types::load();
    let mut seen = BTreeSet::new();
    types.reachable("Admin", &mut seen);
    let mutation = types.fields("Mutation").unwrap();
    for name in OPERATOR_MUTATIONS {
        let field = mutation
            .iter()
            .find(|f| f.name.node.as_str() == name)
            .unwrap_or_else(|| panic!("the schema has {name}"));
        types.reachable(&named(&field.ty.node), &mut seen);
    }
    assert!(
        seen.contains("FailedJob") && seen.contains("ManagedAccount"),
        "{seen:?}"
    );
    let leaked: Vec<&str> = COUPLE_CONTENT
        .iter()
        .copied()
        .filter(|t| seen.contains(*t))
        .collect();
    assert!(
        leaked.is_empty(),
        "operators can reach {leaked:?} through {seen:?}"
    );
}

/// Strings that only a couple's content holds.
const MARKERS: [&str; 6] = [
    "PRIVATE-NOTE-kestrel",
    "SHARED-NOTE-heron",
    "CHECKIN-ANSWER-wren",
    "GOAL-lark",
    "BREAK-TERMS-finch",
    "BREAK-RULES-plover",
];

async fn ok(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(token, query, variables).await;
    assert!(error_codes(&body).is_empty(), "{query}: {body}");
    body
}

#[actix_web::test]
async fn every_operator_field_answers_without_a_couples_content() {
    let app = TestApp::spawn_with(&[
        ("REKINDLE_GRAPHQL_MAX_COMPLEXITY", "100000000"),
        ("REKINDLE_GRAPHQL_MAX_DEPTH", "64"),
    ])
    .await;
    let admin = app.create_with_role(&email("op"), "admin").await;
    let (ana, ben) = (
        app.register(&email("ana"), "Ana").await,
        app.register(&email("ben"), "Ben").await,
    );
    let couple = pair(&app, &ana, &ben).await;
    ok(
        &app,
        ana.token(),
        "mutation($c: ID!, $g: [String!]) { updateCouple(input: { coupleId: $c, goals: $g }) { couple { id } } }",
        json!({ "c": couple, "g": [MARKERS[3]] }),
    )
    .await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;
    for (who, note, shared) in [(&ana, MARKERS[0], false), (&ben, MARKERS[1], true)] {
        ok(
            &app,
            who.token(),
            "mutation($i: ID!, $n: String, $s: Boolean!) { completeRitual(input: { planItemId: $i, closeness: 4, note: $n, noteShared: $s }) { completion { id } } }",
            json!({ "i": item, "n": note, "s": shared }),
        )
        .await;
    }
    ok(
        &app,
        ana.token(),
        "mutation($a: String!) { answerCheckIn(input: { answer: $a }) { checkIn { date } } }",
        json!({ "a": MARKERS[2] }),
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    ok(
        &app,
        ben.token(),
        "mutation($u: NaiveDate!, $c: NaiveDate!, $t: String!, $r: String!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: $t, contactRules: $r }) { coupleBreak { id } } }",
        json!({ "u": today + chrono::Days::new(7), "c": today + chrono::Days::new(3), "t": MARKERS[4], "r": MARKERS[5] }),
    )
    .await;
    // An organization the couple granted everything, with a webhook endpoint and deliveries.
    let (org, coach) = organization(&app, &admin, "Harbor").await;
    ok(
        &app,
        coach.token(),
        "mutation { createWebhookEndpoint(input: { url: \"http://127.0.0.1:9/hooks\", events: [CONSENT_GRANTED] }) { endpoint { id } } }",
        json!({}),
    )
    .await;
    for member in [&ana, &ben] {
        grant(
            &app,
            member,
            &org,
            &["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"],
        )
        .await;
    }
    // Something in every operator list: a dead job, an audited action, a worker.
    entities::dead_job::record(
        &app.db,
        entities::dead_job::NewDeadJob {
            queue: "announce_completion",
            payload: json!({ "job": { "completion_id": uuid::Uuid::new_v4() }, "attempt": 8 }),
            attempts: 8,
            last_error: "database unavailable",
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    ok(
        &app,
        admin.token(),
        "mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { endedSessions } }",
        json!({ "id": ben.id }),
    )
    .await;
    let now = chrono::Utc::now();
    entities::worker_heartbeat::beat(
        &app.db,
        &entities::worker_heartbeat::Model {
            worker_id: uuid::Uuid::now_v7(),
            host: "walker".into(),
            version: "test".into(),
            started_at: now,
            last_seen_at: now,
        },
    )
    .await
    .unwrap();

    let types = Types::load();
    let mut skipped = Vec::new();
    let mut walked = 0;
    for field in types.fields("Admin").unwrap() {
        let name = field.name.node.to_string();
        let named = named(&field.ty.node);
        let inner = if types.fields(&named).is_some() {
            format!(
                "{{ {} }}",
                types.selection(&named, &mut vec!["Admin".into()], &mut skipped)
            )
        } else {
            String::new()
        };
        let query = format!("{{ admin {{ {name} {inner} }} }}");
        let body = app.graphql_as(admin.token(), &query, json!({})).await;
        // Operators may be refused a field (an organization's webhooks are its admins'), and
        // nothing else may go wrong.
        for code in error_codes(&body) {
            assert_eq!(code, "FORBIDDEN", "{name}: {body}");
        }
        assert!(
            !body["data"]["admin"][&name].is_null(),
            "{name} answered nothing: {body}"
        );
        let text = body.to_string();
        for marker in MARKERS {
            assert!(!text.contains(marker), "{name} shows {marker}: {text}");
        }
        walked += 1;
    }
    assert_eq!(
        walked, 8,
        "stats, queues, outbox, failedJobs, workers, users, organizations, auditLog"
    );
    assert!(skipped.is_empty(), "fields not walked: {skipped:?}");

    // The markers are really stored: a member reading their own data finds theirs.
    let own = ok(&app, ana.token(), "{ me { couple { goals } } }", json!({})).await;
    assert!(own.to_string().contains(MARKERS[3]), "{own}");
    app.stop().await;
}
