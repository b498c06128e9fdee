//! The matrix's cases: one or more per root field, each with what the six callers must get.

use rekindle_tests::email;
use serde_json::json;

use super::{
    BAD_INPUT, CONFLICT, Case, Expect, FORBIDDEN, NOT_FOUND, Root, UNAUTH, none, own_refresh_token,
};
use Expect::{Null, Ok};

pub(super) fn cases() -> Vec<Case> {
    let mut all = member_cases();
    all.extend(super::couple_cases::cases());
    all.extend(super::organization_cases::cases());
    all.extend(super::admin_cases::cases());
    all.extend(coach_cases());
    all
}

/// Conversations with the coach: the member's own, invisible to everyone else; coaches and
/// administrators have none.
fn coach_cases() -> Vec<Case> {
    vec![
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on CoachConversation { safetyMode } } }",
            variables: |w, _| json!({ "id": w.subject_conversation_id }),
            expect: [Null, Null, Null, Null, Null, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on CoachMessage { text } } }",
            variables: |w, _| json!({ "id": w.subject_reply_id }),
            expect: [Null, Null, Null, Null, Null, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "coachConversations",
            query: "{ coachConversations(first: 5) { totalCount edges { node { id } } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "coachConversation",
            query: "query($id: ID!) { coachConversation(id: $id) { id messages(first: 5) { totalCount } } }",
            variables: |w, _| json!({ "id": w.subject_conversation_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Subscription,
            field: "coachReply",
            query: "subscription($id: ID!) { coachReply(messageId: $id) { done text } }",
            variables: |w, _| json!({ "id": w.subject_reply_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "startCoachConversation",
            query: "mutation { startCoachConversation(input: {}) { conversation { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "sendCoachMessage",
            query: "mutation($id: ID!) { sendCoachMessage(input: { conversationId: $id, text: \"any ideas?\" }) { reply { id } } }",
            variables: |w, _| json!({ "id": w.subject_conversation_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "deleteCoachConversation",
            query: "mutation($id: ID!) { deleteCoachConversation(input: { conversationId: $id }) { conversationId } }",
            variables: |w, _| json!({ "id": w.subject_conversation_id }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, Ok],
            fresh_world_per_actor: false,
        },
    ]
}

/// Accounts, sessions, the catalog and the couple itself (node lookups of every kind first).
fn member_cases() -> Vec<Case> {
    vec![
        Case {
            // Its members get the couple; its organization's coach and key get it as they
            // coach it (both members granted them access).
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on CoachedCouple { scopes } } }",
            variables: |w, _| json!({ "id": w.couple_id }),
            expect: [Null, Null, Ok, Null, Ok, Ok],
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
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on Session { current } } }",
            variables: |w, _| json!({ "id": w.subject_session_id }),
            expect: [Null, Null, Null, Null, Null, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on Organization { name } } }",
            variables: |w, _| json!({ "id": w.organization_id }),
            expect: [Null, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on ApiKey { name } } }",
            variables: |w, _| json!({ "id": w.spare_key_id }),
            expect: [Null, Null, Ok, Null, Null, Null],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on WebhookEndpoint { url } } }",
            variables: |w, _| json!({ "id": w.endpoint_id }),
            expect: [Null, Null, Ok, Null, Null, Null],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on WebhookDelivery { body } } }",
            variables: |w, _| json!({ "id": w.delivery_id }),
            expect: [Null, Null, Ok, Null, Null, Null],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on Suggestion { status } } }",
            variables: |w, _| json!({ "id": w.suggestion_to_accept }),
            expect: [Null, Null, Ok, Null, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on FailedJob { queue } } }",
            variables: |w, _| json!({ "id": w.dead_job_id }),
            expect: [Null, Null, Null, Ok, Null, Null],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }",
            variables: |w, _| json!({ "id": w.audit_entry_id }),
            expect: [Null, Null, Null, Ok, Null, Null],
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
        // Before changePassword, which leaves the accounts with another password.
        Case {
            root: Root::Mutation,
            field: "exportMyData",
            query: "mutation($p: String!) { exportMyData(input: { password: $p }) { downloadPath export { status } } }",
            variables: |w, a| json!({ "p": w.account(a).map_or("x", |acc| acc.password.as_str()) }),
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "deleteMyAccount",
            query: "mutation($p: String!) { deleteMyAccount(input: { password: $p }) { deletionScheduledFor } }",
            variables: |w, a| json!({ "p": w.account(a).map_or("x", |acc| acc.password.as_str()) }),
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "cancelAccountDeletion",
            query: "mutation { cancelAccountDeletion { user { deletionScheduledFor } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
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
            root: Root::Query,
            field: "pushSettings",
            query: "{ pushSettings { platforms webPushPublicKey } }",
            variables: none,
            expect: [Ok, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "me",
            query: "{ me { id pushDevices(first: 5) { totalCount } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "registerPushDevice",
            // The matrix's server pushes through no APNs: every account may ask, and is told so.
            query: "mutation { registerPushDevice(input: { platform: APNS, token: \"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\" }) { device { id } } }",
            variables: none,
            expect: [
                UNAUTH, BAD_INPUT, BAD_INPUT, BAD_INPUT, BAD_INPUT, BAD_INPUT,
            ],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "unregisterPushDevice",
            query: "mutation($id: ID!) { unregisterPushDevice(input: { deviceId: $id }) { deviceId } }",
            variables: |_, _| json!({ "id": rekindle_tests::global_id("PushDevice", uuid::Uuid::nil()) }),
            expect: [
                UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
            ],
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
    ]
}

/// Where an organization's API key gets something other than what an anonymous caller gets
/// (UNAUTHENTICATED turned into FORBIDDEN): the fields made for it.
pub(super) fn key_expectations(field: &str, query: &str) -> Option<Expect> {
    match field {
        "organization" | "coachCouples" => Some(Ok),
        // What a key reads through `organization` and `coachCouples`, refetched.
        "node" if query.contains("... on Organization") || query.contains("... on Suggestion") => {
            Some(Ok)
        }
        // The refresh token presented is what is refused, whoever presents it.
        "refreshSession" => Some(UNAUTH),
        // The key has the WEBHOOKS scope: it manages the organization's endpoints.
        "createWebhookEndpoint"
        | "rotateWebhookSecret"
        | "disableWebhookEndpoint"
        | "redeliverWebhook" => Some(Ok),
        "node"
            if query.contains("... on WebhookEndpoint")
                || query.contains("... on WebhookDelivery") =>
        {
            Some(Ok)
        }
        // What a webhook payload names, within the scopes the couple granted.
        "node" if query.contains("... on CoachedCouple") || query.contains("... on PlanItem") => {
            Some(Ok)
        }
        _ => None,
    }
}
