//! The matrix's cases for organizations: API keys, consent, coaching, webhooks, their content and suggestions; then email links and the server's time.

use serde_json::json;

use super::{Actor, BAD_INPUT, Case, Expect, FORBIDDEN, NOT_FOUND, Root, UNAUTH, World, none};
use Expect::{Null, Ok};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            // The caller's own organization: a coach's or an API key's; nobody else has one.
            root: Root::Query,
            field: "organization",
            query: "{ organization { id name } }",
            variables: none,
            expect: [UNAUTH, Null, Ok, Null, Null, Null],
            fresh_world_per_actor: false,
        },
        Case {
            // Any organization by ID: its name is for anyone who might grant it access.
            root: Root::Query,
            field: "organization",
            query: "query($id: ID!) { organization(id: $id) { id name } }",
            variables: |w, _| json!({ "id": w.organization_id }),
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createOrganization",
            query: "mutation($o: String!) { createOrganization(input: { name: \"Another\", ownerEmail: $o }) { organization { id } } }",
            variables: |w, _| json!({ "o": w.free_coach_email }),
            expect: [UNAUTH, FORBIDDEN, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // Only the organization's admins make keys; a key makes none.
            root: Root::Mutation,
            field: "createApiKey",
            query: "mutation { createApiKey(input: { name: \"Matrix\", scopes: [PLANS] }) { secret } }",
            variables: none,
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "revokeApiKey",
            query: "mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { revokedAt } } }",
            variables: |w, _| json!({ "id": w.spare_key_id }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // Each member grants for themself; coaches and operators are in no couple.
            root: Root::Mutation,
            field: "grantOrganizationAccess",
            query: "mutation($o: ID!) { grantOrganizationAccess(input: { organizationId: $o, scopes: [PLANS] }) { access { scopes } } }",
            variables: |w, _| json!({ "o": w.organization_id }),
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "revokeOrganizationAccess",
            query: "mutation($o: ID!) { revokeOrganizationAccess(input: { organizationId: $o }) { access { scopes } } }",
            variables: |w, _| json!({ "o": w.organization_id }),
            expect: [UNAUTH, Ok, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // The organization's coaches and keys see the couples that granted it.
            root: Root::Query,
            field: "coachCouples",
            query: "{ coachCouples(first: 5) { totalCount edges { node { id scopes progress { weeks { rate } } activePlan { name } } } } }",
            variables: none,
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createWebhookEndpoint",
            query: "mutation { createWebhookEndpoint(input: { url: \"http://127.0.0.1:9/other\", events: [RITUAL_COMPLETED] }) { secret } }",
            variables: none,
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "rotateWebhookSecret",
            query: "mutation($id: ID!) { rotateWebhookSecret(input: { endpointId: $id, overlapSeconds: 60 }) { secret endpoint { previousSecretExpiresAt } } }",
            variables: |w, _| json!({ "id": w.endpoint_id }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "disableWebhookEndpoint",
            query: "mutation($id: ID!) { disableWebhookEndpoint(input: { endpointId: $id }) { endpoint { disabledAt } } }",
            variables: |w, _| json!({ "id": w.endpoint_id }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "redeliverWebhook",
            query: "mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { status } } }",
            variables: |w, _| json!({ "id": w.delivery_id }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "inviteCoach",
            query: "mutation($e: String!) { inviteCoach(input: { email: $e }) { expiresAt } }",
            variables: |w, _| json!({ "e": w.free_coach_email }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // Only the emailed token is accepted, whoever sends it.
            root: Root::Mutation,
            field: "acceptCoachInvite",
            query: "mutation { acceptCoachInvite(input: { token: \"never-sent\" }) { organizationName } }",
            variables: none,
            expect: [BAD_INPUT; 6],
            fresh_world_per_actor: false,
        },
        Case {
            // An organization's coaches write its content; nobody else does.
            root: Root::Mutation,
            field: "createOrganizationRitual",
            query: "mutation { createOrganizationRitual(input: { title: \"Walk\", summary: \"Walk together.\", category: PHYSICAL, defaultCadence: WEEKLY, durationMinutes: 20 }) { ritual { key } } }",
            variables: none,
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "createOrganizationInstrument",
            query: "mutation($d: String!) { createOrganizationInstrument(input: { definition: $d }) { instrument { key } } }",
            variables: instrument_definition,
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // To a couple that granted the coach's organization the scope of what is suggested.
            root: Root::Mutation,
            field: "suggestToCouple",
            query: "mutation($c: ID!) { suggestToCouple(input: { coupleId: $c, ritualKey: \"six_second_kiss\" }) { suggestion { status } } }",
            variables: |w, _| json!({ "c": w.couple_id }),
            expect: [UNAUTH, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
        Case {
            // A member of the couple answers (the second answer, the same, changes nothing).
            root: Root::Mutation,
            field: "acceptSuggestion",
            query: "mutation($id: ID!) { acceptSuggestion(input: { suggestionId: $id }) { suggestion { status } } }",
            variables: |w, _| json!({ "id": w.suggestion_to_accept }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "ignoreSuggestion",
            query: "mutation($id: ID!) { ignoreSuggestion(input: { suggestionId: $id }) { suggestion { status } } }",
            variables: |w, _| json!({ "id": w.suggestion_to_ignore }),
            expect: [UNAUTH, NOT_FOUND, FORBIDDEN, FORBIDDEN, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Anyone may ask; the answer is the same whether or not the email has an account.
            root: Root::Mutation,
            field: "requestPasswordReset",
            query: "mutation($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }",
            variables: |w, _| json!({ "e": w.subject.email }),
            expect: [Ok; 6],
            fresh_world_per_actor: false,
        },
        Case {
            // Only the emailed token resets a password, whoever sends it.
            root: Root::Mutation,
            field: "resetPassword",
            query: "mutation { resetPassword(input: { token: \"never-sent\", newPassword: \"a long enough password\" }) { endedSessions } }",
            variables: none,
            expect: [BAD_INPUT; 6],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "requestEmailVerification",
            query: "mutation { requestEmailVerification { sent } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "verifyEmail",
            query: "mutation { verifyEmail(input: { token: \"never-sent\" }) { verified } }",
            variables: none,
            expect: [BAD_INPUT; 6],
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

/// A small yes-or-no instrument for `createOrganizationInstrument`.
fn instrument_definition(_: &World, _: Actor) -> serde_json::Value {
    let definition = json!({
        "key": "harbor_pulse",
        "version": 1,
        "title": "Harbor pulse",
        "description": "Two questions about the week.",
        "items": [
            { "key": "talked", "prompt": "We talked every day.", "response": { "kind": "yes_no" } },
            { "key": "laughed", "prompt": "We laughed together.", "response": { "kind": "yes_no" } }
        ],
        "scoring": "sum",
        "higher_is": "better",
        "bands": [
            { "key": "low", "label": "Low", "from": { "value": 0, "inclusive": true }, "to": { "value": 1, "inclusive": false } },
            { "key": "high", "label": "High", "from": { "value": 1, "inclusive": true }, "to": { "value": 2, "inclusive": true } }
        ]
    });
    json!({ "d": definition.to_string() })
}
