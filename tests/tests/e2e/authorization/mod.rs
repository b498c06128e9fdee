//! The authorization matrix (DESIGN.md's privacy rules 1 and 4). Every root field of the schema
//! must have a case in `cases.rs`, each run as seven callers: anonymous, a member of another couple, the
//! subject's partner, the subject, a coach (the admin of an organization both members of the
//! subject's couple granted every scope), an administrator, and an API key of that organization
//! with every scope. A new resolver without a case fails `every_root_field_has_an_authorization_case`.
//! Every mutation is also sent with an `Idempotency-Key` and retried with it, by every caller:
//! the retry must answer what the first attempt answered, replayed rather than run again.

use std::collections::BTreeSet;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use futures_util::SinkExt;
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::{Value, json};

use crate::subscriptions::{connect_as, next_json, send, subscribe};
use rekindle_tests::builders::{create_couple, pair};

mod admin_cases;
mod cases;
mod couple_cases;
mod organization_cases;
use cases::cases;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    /// The coach's organization's API key: acts for the organization, never as a person.
    ApiKey,
    OtherCouple,
    Coach,
    Admin,
    Partner,
    Subject,
}

/// The order actors run in: those expected to fail first, so a success cannot mask them.
const ACTORS: [Actor; 6] = [
    Actor::Anonymous,
    Actor::OtherCouple,
    Actor::Coach,
    Actor::Admin,
    Actor::Partner,
    Actor::Subject,
];

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// No errors.
    Ok,
    /// Exactly this error code.
    Code(&'static str),
    /// No errors, and the root field is null (what a missing object looks like).
    Null,
}

use Expect::Code;
const UNAUTH: Expect = Code("UNAUTHENTICATED");
const NOT_FOUND: Expect = Code("NOT_FOUND");
const CONFLICT: Expect = Code("CONFLICT");
const FORBIDDEN: Expect = Code("FORBIDDEN");
const BAD_INPUT: Expect = Code("BAD_USER_INPUT");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    Query,
    Mutation,
    Subscription,
}

struct Case {
    root: Root,
    field: &'static str,
    query: &'static str,
    variables: fn(&World, Actor) -> Value,
    /// Expectations in the order of [`ACTORS`]: anonymous, other couple, coach, admin,
    /// partner, subject.
    expect: [Expect; 6],
    /// Run each actor against a world of its own (for mutations that end the subject's couple).
    fresh_world_per_actor: bool,
}

impl Case {
    /// What the API key must get: what [`key_expectations`] says for the field, else what an
    /// anonymous caller gets, with UNAUTHENTICATED turned into FORBIDDEN (a key is a caller,
    /// just not a person).
    fn api_key(&self) -> Expect {
        cases::key_expectations(self.field, self.query).unwrap_or(match self.expect[0] {
            Expect::Code("UNAUTHENTICATED") => FORBIDDEN,
            other => other,
        })
    }

    /// Every actor with its expectation, those expected to fail first.
    fn runs(&self) -> Vec<(Actor, Expect)> {
        let mut runs = vec![
            (Actor::Anonymous, self.expect[0]),
            (Actor::ApiKey, self.api_key()),
        ];
        runs.extend(ACTORS.iter().copied().zip(self.expect).skip(1));
        runs
    }
}

/// Everybody a case needs: the subject (Ana) paired with her partner (Ben), another couple
/// (Cat and Dan), a pending couple with an open invite (Eve's), a coach and an administrator.
struct World {
    subject: Account,
    partner: Account,
    other: Account,
    coach: Account,
    admin: Account,
    /// The coach's organization's API key, every scope (its secret as the access token).
    key: Account,
    organization_id: String,
    /// Another key of the organization, for revoking.
    spare_key_id: String,
    /// A coach in no organization, to make one for.
    free_coach_email: String,
    /// The organization's webhook endpoint (pointing nowhere that answers).
    endpoint_id: String,
    /// Its delivery of the subject's couple's consent.
    delivery_id: String,
    couple_id: String,
    subject_session_id: String,
    pending_code: String,
    plan_id: String,
    item_id: String,
    subject_completion_id: String,
    /// The subject's assessment, every item answered, not submitted.
    subject_assessment_id: String,
    /// The subject's submitted assessment.
    subject_result_id: String,
    /// A break the subject proposed, not yet decided.
    subject_break_id: String,
    /// The coach's suggestions to the subject's couple: one to accept, one to ignore.
    suggestion_to_accept: String,
    suggestion_to_ignore: String,
    /// A member in no couple, for operators to act on.
    spare_member_id: String,
    /// A dead-lettered job awaiting an operator.
    dead_job_id: String,
    /// The audit log's entry of the organization's creation.
    audit_entry_id: String,
}

impl World {
    async fn build(app: &TestApp) -> Self {
        let subject = app.register(&email("ana"), "Ana").await;
        let partner = app.register(&email("ben"), "Ben").await;
        let other = app.register(&email("cat"), "Cat").await;
        let others_partner = app.register(&email("dan"), "Dan").await;
        let pending = app.register(&email("eve"), "Eve").await;
        let couple_id = pair(app, &subject, &partner).await;
        pair(app, &other, &others_partner).await;
        let (_, pending_code) = create_couple(app, &pending).await;
        let (plan_id, item_id) =
            rekindle_tests::builders::plan_with_item(app, &subject, "EITHER").await;
        let completion = app
            .graphql_as(
                subject.token(),
                "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }",
                json!({ "id": item_id }),
            )
            .await;
        let sessions = app
            .graphql_as(
                subject.token(),
                "{ sessions { edges { node { id } } } }",
                json!({}),
            )
            .await;
        let subject_result_id = answered_assessment(app, &subject).await;
        let submitted = app
            .graphql_as(
                subject.token(),
                "mutation($id: ID!) { submitAssessment(input: { assessmentId: $id }) { result { total } } }",
                json!({ "id": subject_result_id }),
            )
            .await;
        assert!(error_codes(&submitted).is_empty(), "{submitted}");
        let subject_assessment_id = answered_assessment(app, &subject).await;
        let proposed = app
            .graphql_as(subject.token(), PROPOSE_BREAK, break_dates())
            .await;
        let subject_break_id = proposed["data"]["proposeBreak"]["coupleBreak"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{proposed}"))
            .to_owned();
        let coach = app.create_with_role(&email("coach"), "coach").await;
        let admin = app.create_with_role(&email("admin"), "admin").await;
        let made = app
            .graphql_as(
                admin.token(),
                rekindle_tests::builders::CREATE_ORGANIZATION,
                json!({ "name": "Harbor Coaching", "owner": coach.email }),
            )
            .await;
        let organization_id = made["data"]["createOrganization"]["organization"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{made}"))
            .to_owned();
        let all = ["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"];
        let key = rekindle_tests::builders::api_key(app, &coach, &all).await;
        let spare = rekindle_tests::builders::api_key(app, &coach, &["PLANS"]).await;
        let endpoint = app
            .graphql_as(
                coach.token(),
                "mutation { createWebhookEndpoint(input: { url: \"http://127.0.0.1:9/hooks\", events: [CONSENT_GRANTED] }) { endpoint { id } } }",
                json!({}),
            )
            .await;
        let endpoint_id = endpoint["data"]["createWebhookEndpoint"]["endpoint"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{endpoint}"))
            .to_owned();
        for member in [&subject, &partner] {
            rekindle_tests::builders::grant(app, member, &organization_id, &all).await;
        }
        let mut suggestions = Vec::new();
        for ritual in ["six_second_kiss", "morning_gratitude"] {
            let made = app
                .graphql_as(
                    coach.token(),
                    "mutation($c: ID!, $r: String!) { suggestToCouple(input: { coupleId: $c, ritualKey: $r }) { suggestion { id } } }",
                    json!({ "c": couple_id, "r": ritual }),
                )
                .await;
            suggestions.push(
                made["data"]["suggestToCouple"]["suggestion"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{made}"))
                    .to_owned(),
            );
        }
        let deliveries = app
            .graphql_as(
                coach.token(),
                "{ organization { webhookEndpoints { deliveries { edges { node { id } } } } } }",
                json!({}),
            )
            .await;
        let delivery_id = deliveries["data"]["organization"]["webhookEndpoints"][0]["deliveries"]
            ["edges"][0]["node"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{deliveries}"))
            .to_owned();
        let spare_member = app.register(&email("fay"), "Fay").await;
        let dead = entities::dead_job::record(
            &app.db,
            entities::dead_job::NewDeadJob {
                queue: "ping",
                payload: json!({ "job": {}, "attempt": 8 }),
                attempts: 8,
                last_error: "failed in the matrix",
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let audit = app
            .graphql_as(
                admin.token(),
                "{ admin { auditLog(first: 1) { edges { node { id } } } } }",
                json!({}),
            )
            .await;
        let audit_entry_id = audit["data"]["admin"]["auditLog"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{audit}"))
            .to_owned();
        Self {
            audit_entry_id,
            spare_member_id: spare_member.id,
            dead_job_id: rekindle_tests::global_id("FailedJob", dead.id),
            key: Account {
                id: String::new(),
                email: String::new(),
                password: String::new(),
                access_token: key["secret"].as_str().unwrap().to_owned(),
                refresh_token: "never-issued".to_owned(),
            },
            spare_key_id: spare["apiKey"]["id"].as_str().unwrap().to_owned(),
            free_coach_email: app
                .create_with_role(&email("free-coach"), "coach")
                .await
                .email,
            organization_id,
            endpoint_id,
            delivery_id,
            coach,
            admin,
            subject_break_id,
            suggestion_to_ignore: suggestions.pop().unwrap_or_default(),
            suggestion_to_accept: suggestions.pop().unwrap_or_default(),
            subject_assessment_id,
            subject_result_id,
            subject_session_id: sessions["data"]["sessions"]["edges"][0]["node"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            subject,
            partner,
            other,
            couple_id,
            pending_code,
            subject_completion_id: completion["data"]["completeRitual"]["completion"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{completion}"))
                .to_owned(),
            plan_id,
            item_id,
        }
    }

    fn account(&self, actor: Actor) -> Option<&Account> {
        match actor {
            Actor::Anonymous => None,
            Actor::ApiKey => Some(&self.key),
            Actor::OtherCouple => Some(&self.other),
            Actor::Coach => Some(&self.coach),
            Actor::Admin => Some(&self.admin),
            Actor::Partner => Some(&self.partner),
            Actor::Subject => Some(&self.subject),
        }
    }
}

const PROPOSE_BREAK: &str = "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"Space to think\", contactRules: \"Texts only\" }) { coupleBreak { id } } }";

/// A break's timeline from the real today: ending in a week, checking in in three days.
fn break_dates() -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({ "u": today + chrono::Days::new(7), "c": today + chrono::Days::new(3) })
}

/// Starts a signs-of-progress assessment for `who` and answers every item.
async fn answered_assessment(app: &TestApp, who: &Account) -> String {
    let started = app
        .graphql_as(
            who.token(),
            "mutation { startAssessment(input: { instrumentKey: \"signs_of_progress\" }) { assessment { id } } }",
            json!({}),
        )
        .await;
    let id = started["data"]["startAssessment"]["assessment"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();
    let answers: Vec<Value> = [
        "look_forward",
        "shorter_arguments",
        "touch_welcome",
        "new_memories",
        "natural_check_ins",
        "forgive_easily",
        "stress_lighter",
        "curious_again",
    ]
    .iter()
    .map(|key| json!({ "itemKey": key, "yes": true }))
    .collect();
    let saved = app
        .graphql_as(
            who.token(),
            "mutation($id: ID!, $a: [AssessmentAnswerInput!]!) { answerAssessment(input: { assessmentId: $id, answers: $a }) { assessment { id } } }",
            json!({ "id": id, "a": answers }),
        )
        .await;
    assert!(error_codes(&saved).is_empty(), "{saved}");
    id
}

fn none(_: &World, _: Actor) -> Value {
    json!({})
}

/// The actor's own refresh token, or one that was never issued.
fn own_refresh_token(w: &World, a: Actor) -> Value {
    json!({ "t": w.account(a).map_or("never-issued", |acc| acc.refresh_token.as_str()) })
}

/// The root fields the code serves, as `Root.field`.
fn schema_root_fields() -> BTreeSet<String> {
    let doc = async_graphql::parser::parse_schema(api::graphql::sdl()).expect("the SDL parses");
    let mut fields = BTreeSet::new();
    for def in doc.definitions {
        if let TypeSystemDefinition::Type(ty) = def {
            let name = ty.node.name.node.to_string();
            if !["Query", "Mutation", "Subscription"].contains(&name.as_str()) {
                continue;
            }
            if let TypeKind::Object(object) = &ty.node.kind {
                for field in &object.fields {
                    fields.insert(format!("{name}.{}", field.node.name.node));
                }
            }
        }
    }
    fields
}

fn root_name(root: Root) -> &'static str {
    match root {
        Root::Query => "Query",
        Root::Mutation => "Mutation",
        Root::Subscription => "Subscription",
    }
}

#[test]
fn every_root_field_has_an_authorization_case() {
    let served = schema_root_fields();
    let covered: BTreeSet<String> = cases()
        .iter()
        .map(|c| format!("{}.{}", root_name(c.root), c.field))
        .collect();
    let missing: Vec<&String> = served.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "root fields without an authorization case: {missing:?}"
    );
    let stale: Vec<&String> = covered.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "cases for fields the schema no longer has: {stale:?}"
    );
}

async fn run(app: &TestApp, world: &World, case: &Case, actor: Actor) -> Value {
    let token = world.account(actor).map(|a| a.access_token.as_str());
    let variables = (case.variables)(world, actor);
    if case.root == Root::Mutation {
        // Every mutation is sent with a key and retried with it: the retry must not run it.
        let key = uuid::Uuid::new_v4().to_string();
        let first = app
            .graphql_keyed(token, &key, case.query, variables.clone())
            .await;
        let again = app.graphql_keyed(token, &key, case.query, variables).await;
        check_retry(case, actor, &first, &again);
        return first;
    }
    if case.root != Root::Subscription {
        return app.graphql_as(token, case.query, variables).await;
    }
    let mut socket = connect_as(app, token).await;
    subscribe(&mut socket, "1", case.query).await;
    if case.field == "notificationAdded"
        && actor != Actor::ApiKey
        && let Some(account) = world.account(actor)
    {
        // Something for the subscription to carry: a notification stored for this actor.
        notify(app, rekindle_tests::uuid_of(&account.id)).await;
    }
    let message = next_json(&mut socket).await;
    socket
        .send(send(json!({ "id": "1", "type": "complete" })))
        .await
        .unwrap();
    message["payload"].clone()
}

/// Stores a notification for `user` and announces it, as the worker does.
async fn notify(app: &TestApp, user: uuid::Uuid) {
    let draft = domain::notification::Draft {
        user_id: user,
        kind: domain::notification::Kind::WeeklySummaryReady,
        title: "Your week".into(),
        body: "Ready.".into(),
        data: json!({}),
        dedupe_key: format!("matrix:{}", uuid::Uuid::new_v4()),
    };
    // The subscription may still be starting: announce until one arrives (each is its own).
    let stored = entities::notification::insert_once(&app.db, draft, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    let (app_events, id) = (app.notifications.clone(), stored.id);
    tokio::spawn(async move {
        for _ in 0..50 {
            app_events
                .publish(domain::notification::Added {
                    user_id: user,
                    notification_id: id,
                })
                .await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
}

/// A retry with the key of `first` answers what `first` answered, marked as replayed.
fn check_retry(case: &Case, actor: Actor, first: &Value, again: &Value) {
    let what = format!("{} as {actor:?}, retried", case.field);
    assert_eq!(
        first["extensions"]["idempotency"]["replayed"], false,
        "{what}: the first attempt ran: {first}"
    );
    assert_eq!(
        again["extensions"]["idempotency"]["replayed"], true,
        "{what}: answered from the first attempt: {again}"
    );
    assert_eq!(again["data"], first["data"], "{what}: same data");
    assert_eq!(again["errors"], first["errors"], "{what}: same errors");
}

fn check(case: &Case, actor: Actor, expect: Expect, body: &Value) {
    let what = format!("{}.{} as {actor:?}", root_name(case.root), case.field);
    let codes = error_codes(body);
    match expect {
        Expect::Ok => {
            assert!(codes.is_empty(), "{what}: expected success, got {body}");
            assert!(
                !body["data"][case.field].is_null(),
                "{what}: expected data, got {body}"
            );
        }
        Expect::Null => {
            assert!(
                codes.is_empty(),
                "{what}: expected null without errors, got {body}"
            );
            assert!(
                body["data"][case.field].is_null(),
                "{what}: expected null, got {body}"
            );
        }
        Expect::Code(code) => assert_eq!(codes, vec![code], "{what}: {body}"),
    }
}

#[actix_web::test]
async fn every_root_field_enforces_its_authorization_cases() {
    let app = TestApp::spawn().await;
    for case in cases() {
        let mut shared: Option<World> = None;
        for (actor, expect) in case.runs() {
            if case.fresh_world_per_actor || shared.is_none() {
                shared = Some(World::build(&app).await);
            }
            let world = shared.as_ref().unwrap();
            let body = run(&app, world, &case, actor).await;
            check(&case, actor, expect, &body);
            if case.field == "me" && matches!(expect, Expect::Ok) {
                let me = world.account(actor).unwrap();
                assert_eq!(body["data"]["me"]["id"], me.id.as_str(), "me is the caller");
            }
        }
    }
    app.stop().await;
}
