//! The matrix's cases: one or more per root field, each with what the six callers must get.

use rekindle_tests::email;
use serde_json::json;

use super::{
    Actor, BAD_INPUT, CONFLICT, Case, Expect, FORBIDDEN, NOT_FOUND, PROPOSE_BREAK, Root, UNAUTH,
    World, break_dates, none, own_refresh_token,
};
use Expect::{Null, Ok};

/// The Monday two weeks back: a week that is over in every time zone.
fn last_week() -> String {
    let monday = domain::schedule::week_start(chrono::Utc::now().date_naive());
    (monday - chrono::Duration::weeks(2)).to_string()
}

pub(super) fn cases() -> Vec<Case> {
    let mut all = member_cases();
    all.extend(super::admin_cases::cases());
    all
}

fn member_cases() -> Vec<Case> {
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

/// Where an organization's API key gets something other than what an anonymous caller gets
/// (UNAUTHENTICATED turned into FORBIDDEN): the fields made for it.
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

pub(super) fn key_expectations(field: &str, query: &str) -> Option<Expect> {
    match field {
        "organization" | "coachCouples" => Some(Ok),
        // What a key reads through `organization` and `coachCouples`, refetched.
        "node" if query.contains("... on Organization") || query.contains("... on Suggestion") => {
            Some(Ok)
        }
        // The refresh token presented is what is refused, whoever presents it.
        "refreshSession" => Some(UNAUTH),
        _ => None,
    }
}
