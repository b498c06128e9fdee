//! The authorization matrix (DESIGN.md's privacy rules 1 and 4). Every root field of the schema
//! must have a case in `cases.rs` or a `*_cases.rs` beside it, each run as seven callers: anonymous, a member of another couple, the
//! subject's partner, the subject, a coach (the admin of an organization both members of the
//! subject's couple granted every scope), an administrator, and an API key of that organization
//! with every scope. A new resolver without a case fails `every_root_field_has_an_authorization_case`.
//! Every mutation is also sent with an `Idempotency-Key` and retried with it, by every caller:
//! the retry must answer what the first attempt answered, replayed rather than run again —
//! except where nothing is kept: an anonymous caller's, a refused one's (run again, refused
//! again) and one whose answer carries credentials.

use std::collections::BTreeSet;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use futures_util::SinkExt;
use rekindle_tests::{TestApp, error_codes};
use serde_json::{Value, json};

use crate::subscriptions::{connect_as, next_json, send};

mod admin_cases;
mod cases;
mod couple_cases;
mod organization_cases;
mod world;
use cases::cases;
use world::World;

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

const PROPOSE_BREAK: &str = "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"Space to think\", contactRules: \"Texts only\" }) { coupleBreak { id } } }";

/// A break's timeline from the real today: ending in a week, checking in in three days.
fn break_dates() -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({ "u": today + chrono::Days::new(7), "c": today + chrono::Days::new(3) })
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
    let payload = json!({ "query": case.query, "variables": variables });
    socket
        .send(send(
            json!({ "id": "1", "type": "subscribe", "payload": payload }),
        ))
        .await
        .unwrap();
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

/// A retry with the key of `first` answers what `first` answered, marked as replayed; where
/// nothing was kept, the retry ran again (and a refusal is refused again).
fn check_retry(case: &Case, actor: Actor, first: &Value, again: &Value) {
    let what = format!("{} as {actor:?}, retried", case.field);
    let credentials = api::graphql::idempotency::CREDENTIAL_FIELDS.contains(&case.field);
    let refused = first["data"][case.field].is_null();
    if actor == Actor::Anonymous || credentials || refused {
        assert_ne!(
            again["extensions"]["idempotency"]["replayed"], true,
            "{what}: nothing was kept, so the retry ran again: {again}"
        );
        if refused && !credentials {
            assert_eq!(
                error_codes(again),
                error_codes(first),
                "{what}: refused again"
            );
        }
        return;
    }
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
