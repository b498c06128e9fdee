//! The authorization matrix (DESIGN.md's privacy rules 1 and 4). Every root field of the schema
//! must have a case here, each run as six callers: anonymous, a member of another couple, the
//! subject's partner, the subject, a coach and an administrator. A new resolver without a case
//! fails `every_root_field_has_an_authorization_case`.

use std::collections::BTreeSet;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use futures_util::SinkExt;
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::{Value, json};

use crate::subscriptions::{connect_as, next_json, send, subscribe};
use rekindle_tests::builders::{create_couple, pair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
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

use Expect::{Code, Null, Ok};
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

/// Everybody a case needs: the subject (Ana) paired with her partner (Ben), another couple
/// (Cat and Dan), a pending couple with an open invite (Eve's), a coach and an administrator.
struct World {
    subject: Account,
    partner: Account,
    other: Account,
    coach: Account,
    admin: Account,
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
        Self {
            subject_break_id,
            subject_assessment_id,
            subject_result_id,
            subject_session_id: sessions["data"]["sessions"]["edges"][0]["node"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            coach: app.create_with_role(&email("coach"), "coach").await,
            admin: app.create_with_role(&email("admin"), "admin").await,
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

fn cases() -> Vec<Case> {
    vec![
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.couple_id }),
            expect: [Null, Null, Null, Null, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on User { email } } }",
            variables: |w, _| json!({ "id": w.subject.id }),
            expect: [Null, Null, Null, Ok, Null, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "me",
            query: "{ me { id couple { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "sessions",
            query: "{ sessions { totalCount edges { node { current } } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "rituals",
            query: "{ rituals(first: 1) { totalCount } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "ritual",
            query: "{ ritual(key: \"six_second_kiss\") { key } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "register",
            query: "mutation($e: String!) { register(input: { email: $e, password: \"a long passphrase\", displayName: \"New\", timezone: \"UTC\" }) { user { id } } }",
            variables: |_, _| json!({ "e": email("new") }),
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            // Credentials decide, not the caller: anyone holding them may sign in.
            root: Root::Mutation,
            field: "login",
            query: "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { user { id } } }",
            variables: |w, _| json!({ "e": w.subject.email, "p": w.subject.password }),
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "refreshSession",
            query: "mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { user { id } } }",
            variables: own_refresh_token,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "logout",
            query: "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }",
            variables: own_refresh_token,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "changePassword",
            query: "mutation($p: String!) { changePassword(input: { currentPassword: $p, newPassword: \"a different passphrase\" }) { revokedSessions } }",
            variables: |w, a| json!({ "p": w.account(a).map_or("x", |acc| acc.password.as_str()) }),
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "updateProfile",
            query: "mutation { updateProfile(input: { displayName: \"Renamed\" }) { user { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "revokeSession",
            query: "mutation($id: ID!) { revokeSession(input: { sessionId: $id }) { session { id } } }",
            variables: |w, _| json!({ "id": w.subject_session_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createCouple",
            query: "mutation { createCouple(input: {}) { couple { id } } }",
            variables: none,
            expect: [UNAUTH, CONFLICT, FORBIDDEN, FORBIDDEN, CONFLICT, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createInvite",
            query: "mutation($id: ID!) { createInvite(input: { coupleId: $id }) { invite { code } } }",
            variables: |w, _| json!({ "id": w.couple_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, CONFLICT, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "joinCouple",
            query: "mutation($c: String!) { joinCouple(input: { code: $c }) { couple { id } } }",
            variables: |w, _| json!({ "c": w.pending_code }),
            expect: [UNAUTH, CONFLICT, FORBIDDEN, FORBIDDEN, CONFLICT, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "updateCouple",
            query: "mutation($id: ID!) { updateCouple(input: { coupleId: $id, goals: [\"ours\"] }) { couple { goals } } }",
            variables: |w, _| json!({ "id": w.couple_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "leaveCouple",
            query: "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { status } } }",
            variables: |w, _| json!({ "id": w.couple_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: true,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on PlanItem { streak { current } } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            expect: [Null, Null, Null, Null, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createPlan",
            query: "mutation { createPlan(input: { name: \"Ours\" }) { plan { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, CONFLICT, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "addPlanItem",
            query: "mutation($id: ID!) { addPlanItem(input: { planId: $id, ritualKey: \"cuddle_countdown\", assignee: BOTH, schedule: { cadence: DAILY, localTime: \"22:00\" } }) { item { id } } }",
            variables: |w, _| json!({ "id": w.plan_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "updatePlanItem",
            query: "mutation($id: ID!) { updatePlanItem(input: { planItemId: $id, assignee: BOTH }) { item { id } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "removePlanItem",
            query: "mutation($id: ID!) { removePlanItem(input: { planItemId: $id }) { plan { id } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: true,
        },
        Case {
            root: Root::Mutation,
            field: "pausePlan",
            query: "mutation($id: ID!, $until: DateTime!) { pausePlan(input: { planId: $id, until: $until }) { plan { pausedUntil } } }",
            variables: |w, _| json!({ "id": w.plan_id, "until": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339() }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "resumePlan",
            query: "mutation($id: ID!) { resumePlan(input: { planId: $id }) { plan { id } } }",
            variables: |w, _| json!({ "id": w.plan_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "archivePlan",
            query: "mutation($id: ID!) { archivePlan(input: { planId: $id }) { plan { active } } }",
            variables: |w, _| json!({ "id": w.plan_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: true,
        },
        Case {
            root: Root::Mutation,
            field: "completeRitual",
            query: "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5 }) { completion { id } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "undoCompletion",
            query: "mutation($id: ID!) { undoCompletion(input: { completionId: $id }) { completionId } }",
            variables: |w, _| json!({ "id": w.subject_completion_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "instruments",
            query: "{ instruments(first: 2) { totalCount edges { node { key items { prompt } } } } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "instrument",
            query: "{ instrument(key: \"listening_attunement\") { key bands { key } } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            // Everyone's history is their own: the others get theirs (empty), never the subject's.
            root: Root::Query,
            field: "assessmentHistory",
            query: "{ assessmentHistory(instrumentKey: \"signs_of_progress\") { totalCount edges { node { id } } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on Assessment { answers { itemKey } result { total } } } }",
            variables: |w, _| json!({ "id": w.subject_result_id }),
            expect: [Null, Null, Null, Null, Null, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "startAssessment",
            query: "mutation { startAssessment(input: { instrumentKey: \"listening_attunement\" }) { assessment { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "answerAssessment",
            query: "mutation($id: ID!) { answerAssessment(input: { assessmentId: $id, answers: [{ itemKey: \"look_forward\", yes: false }] }) { assessment { id } } }",
            variables: |w, _| json!({ "id": w.subject_assessment_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "submitAssessment",
            query: "mutation($id: ID!) { submitAssessment(input: { assessmentId: $id }) { result { total } } }",
            variables: |w, _| json!({ "id": w.subject_assessment_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "shareAssessmentResult",
            query: "mutation($id: ID!) { shareAssessmentResult(input: { assessmentId: $id }) { assessment { shared } } }",
            variables: |w, _| json!({ "id": w.subject_result_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "unshareAssessmentResult",
            query: "mutation($id: ID!) { unshareAssessmentResult(input: { assessmentId: $id }) { assessment { shared } } }",
            variables: |w, _| json!({ "id": w.subject_result_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Each caller's own recommendations; coaches and administrators take no assessments.
            root: Root::Query,
            field: "recommendPlan",
            query: "{ recommendPlan { rituals { ritual { key } } steps { action } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // The subject's plan has no recommended ritual for anybody but a member of the
            // couple, and only a recommended one may be accepted.
            root: Root::Mutation,
            field: "acceptRecommendations",
            query: "mutation($id: ID!) { acceptRecommendations(input: { planId: $id, rituals: [{ ritualKey: \"monthly_new_experience\", assignee: BOTH, schedule: { cadence: WEEKLY, daysOfWeek: [SATURDAY], localTime: \"10:00\" } }] }) { items { id } } }",
            variables: |w, _| json!({ "id": w.plan_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, BAD_INPUT, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // The caller's own couple's check-in; the partner's answer shows only after both.
            root: Root::Query,
            field: "checkIn",
            query: "{ checkIn { date prompt { key } myAnswer { text } partnerAnswered partnerAnswer { text } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "answerCheckIn",
            query: "mutation { answerCheckIn(input: { answer: \"Grateful for the coffee\" }) { checkIn { revealed } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "supportResources",
            query: "{ supportResources(first: 2) { totalCount edges { node { title } } } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "kindsOfHelp",
            query: "{ kindsOfHelp { kind title } }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            // One break at a time: the partner's proposal stands, so the subject's conflicts.
            root: Root::Mutation,
            field: "proposeBreak",
            query: PROPOSE_BREAK,
            variables: |_, _| break_dates(),
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, CONFLICT, CONFLICT],
            fresh_world_per_actor: false,
        },
        Case {
            // Only the partner of the one who proposed decides.
            root: Root::Mutation,
            field: "agreeToBreak",
            query: "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { coupleBreak { status } } }",
            variables: |w, _| json!({ "id": w.subject_break_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, Ok, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "declineBreak",
            query: "mutation($id: ID!) { declineBreak(input: { breakId: $id }) { coupleBreak { status } } }",
            variables: |w, _| json!({ "id": w.subject_break_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, Ok, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // The world's break is only proposed: no member may check in on it yet.
            root: Root::Mutation,
            field: "answerBreakCheckIn",
            query: "mutation($id: ID!) { answerBreakCheckIn(input: { breakId: $id, choice: RESUME }) { coupleBreak { myChoice } } }",
            variables: |w, _| json!({ "id": w.subject_break_id }),
            expect: [
                UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, BAD_INPUT, BAD_INPUT,
            ],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on CoupleBreak { terms } } }",
            variables: |w, _| json!({ "id": w.subject_break_id }),
            expect: [Null, Null, Null, Null, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Subscription,
            field: "serverTime",
            query: "subscription { serverTime }",
            variables: none,
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
    ]
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
    if case.root != Root::Subscription {
        return app.graphql_as(token, case.query, variables).await;
    }
    let mut socket = connect_as(app, token).await;
    subscribe(&mut socket, "1", case.query).await;
    let message = next_json(&mut socket).await;
    socket
        .send(send(json!({ "id": "1", "type": "complete" })))
        .await
        .unwrap();
    message["payload"].clone()
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
        for (actor, expect) in ACTORS.iter().zip(case.expect) {
            if case.fresh_world_per_actor || shared.is_none() {
                shared = Some(World::build(&app).await);
            }
            let world = shared.as_ref().unwrap();
            let body = run(&app, world, &case, *actor).await;
            check(&case, *actor, expect, &body);
            if case.field == "me" && matches!(expect, Expect::Ok) {
                let me = world.account(*actor).unwrap();
                assert_eq!(body["data"]["me"]["id"], me.id.as_str(), "me is the caller");
            }
        }
    }
    app.stop().await;
}
