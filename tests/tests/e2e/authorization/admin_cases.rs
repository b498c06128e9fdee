//! The matrix's cases for operators' fields: every field under `admin` and every operator
//! mutation, for administrators only.

use serde_json::json;

use super::{Case, Expect, FORBIDDEN, Root, UNAUTH, World, none};

/// What every operator field answers: administrators only.
const OPERATORS_ONLY: [Expect; 6] = [
    UNAUTH,
    FORBIDDEN,
    FORBIDDEN,
    Expect::Ok,
    FORBIDDEN,
    FORBIDDEN,
];

fn query(query: &'static str) -> Case {
    Case {
        root: Root::Query,
        field: "admin",
        query,
        variables: none,
        expect: OPERATORS_ONLY,
        fresh_world_per_actor: false,
    }
}

fn mutation(
    field: &'static str,
    query: &'static str,
    variables: fn(&World, super::Actor) -> serde_json::Value,
) -> Case {
    Case {
        root: Root::Mutation,
        field,
        query,
        variables,
        expect: OPERATORS_ONLY,
        fresh_world_per_actor: false,
    }
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        query(
            "{ admin { stats(days: 7) { users activeCouples completionsPerDay { date count } } } }",
        ),
        query("{ admin { queues { name waiting scheduled running failed deadLettered } } }"),
        query("{ admin { failedJobs { totalCount edges { node { id queue lastError } } } } }"),
        query("{ admin { workers { id alive } } }"),
        query(
            "{ admin { users(search: \"fay\") { totalCount edges { node { id email role disabled liveSessions } } } } }",
        ),
        query("{ admin { organizations { totalCount edges { node { id name } } } } }"),
        query("{ admin { auditLog { totalCount edges { node { action targetId } } } } }"),
        mutation(
            "retryFailedJob",
            "mutation($id: ID!) { retryFailedJob(input: { failedJobId: $id }) { failedJob { retriedAt } } }",
            |w, _| json!({ "id": w.dead_job_id }),
        ),
        mutation(
            "discardFailedJob",
            "mutation($id: ID!) { discardFailedJob(input: { failedJobId: $id }) { failedJob { discardedAt } } }",
            |w, _| json!({ "id": w.dead_job_id }),
        ),
        mutation(
            "disableUser",
            "mutation($id: ID!) { disableUser(input: { userId: $id }) { user { disabled } endedSessions } }",
            |w, _| json!({ "id": w.spare_member_id }),
        ),
        mutation(
            "enableUser",
            "mutation($id: ID!) { enableUser(input: { userId: $id }) { user { disabled } } }",
            |w, _| json!({ "id": w.spare_member_id }),
        ),
        mutation(
            "revokeUserSessions",
            "mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { user { liveSessions } endedSessions } }",
            |w, _| json!({ "id": w.spare_member_id }),
        ),
        mutation(
            "changeUserRole",
            "mutation($id: ID!) { changeUserRole(input: { userId: $id, role: COACH }) { user { role } } }",
            |w, _| json!({ "id": w.spare_member_id }),
        ),
    ]
}
