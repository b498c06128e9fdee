//! The matrix's cases for what a couple does together: plans, logging, assessments, check-ins, breaks, notifications and summaries.

use serde_json::json;

use super::{
    BAD_INPUT, CONFLICT, Case, Expect, FORBIDDEN, NOT_FOUND, PROPOSE_BREAK, Root, UNAUTH,
    break_dates, none,
};
use Expect::{Null, Ok};

/// The Monday two weeks back: a week that is over in every time zone.
fn last_week() -> String {
    let monday = domain::schedule::week_start(chrono::Utc::now().date_naive());
    (monday - chrono::Duration::weeks(2)).to_string()
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            root: Root::Query,
            field: "node",
            query: "query($id: ID!) { node(id: $id) { id ... on PlanItem { streak { current } } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            // The coach (and key) with the PLANS scope too.
            expect: [Null, Null, Ok, Null, Ok, Ok],
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
            // Everyone signed in has an inbox of their own, and sees only that.
            root: Root::Query,
            field: "notifications",
            query: "{ notifications(first: 5) { totalCount unreadCount edges { node { id } } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Everyone signed in follows their own changes (and their couple's), only those.
            root: Root::Query,
            field: "changes",
            query: "{ changes(first: 5) { changes { id type action } endCursor hasMore } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "changesCursor",
            query: "{ changesCursor }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Query,
            field: "notificationPreferences",
            query: "{ notificationPreferences { dailyCap mutedPlanItems { id } } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            root: Root::Mutation,
            field: "markNotificationsRead",
            query: "mutation { markNotificationsRead(input: { all: true }) { marked unreadCount } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Muting is for an item the caller may see: their couple's.
            root: Root::Mutation,
            field: "updateNotificationPreferences",
            query: "mutation($id: ID!) { updateNotificationPreferences(input: { mutePlanItemIds: [$id] }) { preferences { mutedPlanItems { id } } } }",
            variables: |w, _| json!({ "id": w.item_id }),
            expect: [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Anyone signed in hears their own notifications; the runner stores one for them.
            root: Root::Subscription,
            field: "notificationAdded",
            query: "subscription { notificationAdded { id kind title } }",
            variables: none,
            expect: [UNAUTH, Ok, Ok, Ok, Ok, Ok],
            fresh_world_per_actor: false,
        },
        Case {
            // Operators rebuild a summary and get no content back; nobody else may.
            root: Root::Mutation,
            field: "rebuildWeeklySummary",
            query: "mutation($c: ID!, $w: NaiveDate!) { rebuildWeeklySummary(input: { coupleId: $c, weekStart: $w }) { weekStart builtAt } }",
            variables: |w, _| json!({ "c": w.couple_id, "w": last_week() }),
            expect: [UNAUTH, FORBIDDEN, FORBIDDEN, Ok, FORBIDDEN, FORBIDDEN],
            fresh_world_per_actor: false,
        },
    ]
}
