//! The people and objects every case runs against, built once per matrix run (or per actor
//! where a case changes them).

use rekindle_tests::builders::{create_couple, pair};
use rekindle_tests::{Account, TestApp, email, error_codes};
use serde_json::{Value, json};

use super::{Actor, PROPOSE_BREAK, break_dates};

/// Everybody a case needs: the subject (Ana) paired with her partner (Ben), another couple
/// (Cat and Dan), a pending couple with an open invite (Eve's), a coach and an administrator.
pub(super) struct World {
    pub(super) subject: Account,
    pub(super) partner: Account,
    pub(super) other: Account,
    pub(super) coach: Account,
    pub(super) admin: Account,
    /// The coach's organization's API key, every scope (its secret as the access token).
    pub(super) key: Account,
    pub(super) organization_id: String,
    /// Another key of the organization, for revoking.
    pub(super) spare_key_id: String,
    /// A coach in no organization, to make one for.
    pub(super) free_coach_email: String,
    /// The organization's webhook endpoint (pointing nowhere that answers).
    pub(super) endpoint_id: String,
    /// Its delivery of the subject's couple's consent.
    pub(super) delivery_id: String,
    pub(super) couple_id: String,
    pub(super) subject_session_id: String,
    pub(super) pending_code: String,
    pub(super) plan_id: String,
    pub(super) item_id: String,
    pub(super) subject_completion_id: String,
    /// The subject's assessment, every item answered, not submitted.
    pub(super) subject_assessment_id: String,
    /// The subject's submitted assessment.
    pub(super) subject_result_id: String,
    /// A break the subject proposed, not yet decided.
    pub(super) subject_break_id: String,
    /// The coach's suggestions to the subject's couple: one to accept, one to ignore.
    pub(super) suggestion_to_accept: String,
    pub(super) suggestion_to_ignore: String,
    /// A member in no couple, for operators to act on.
    pub(super) spare_member_id: String,
    /// A dead-lettered job awaiting an operator.
    pub(super) dead_job_id: String,
    /// The audit log's entry of the organization's creation.
    pub(super) audit_entry_id: String,
    /// The subject's conversation with the coach, and the coach's first reply in it.
    pub(super) subject_conversation_id: String,
    pub(super) subject_reply_id: String,
}

impl World {
    pub(super) async fn build(app: &TestApp) -> Self {
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
        // Everything a couple can grant; the key may also manage webhooks.
        let all = ["PROGRESS", "PLANS", "ASSESSMENT_RESULTS"];
        let key =
            rekindle_tests::builders::api_key(app, &coach, &[&all[..], &["WEBHOOKS"]].concat())
                .await;
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
        let talk = app
            .graphql_as(
                subject.token(),
                "mutation { startCoachConversation(input: { text: \"hello\" }) { conversation { id } reply { id } } }",
                json!({}),
            )
            .await;
        let talk = &talk["data"]["startCoachConversation"];
        Self {
            subject_conversation_id: talk["conversation"]["id"].as_str().unwrap().to_owned(),
            subject_reply_id: talk["reply"]["id"].as_str().unwrap().to_owned(),
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

    pub(super) fn account(&self, actor: Actor) -> Option<&Account> {
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
