//! The writes the differential makes: a member's, the coach's, a day passing, the worker's.

use domain::clock::TimeSource;
use rekindle_tests::data_rights::{apply_data_rights, worker_for};
use rekindle_tests::error_codes;
use serde_json::{Value, json};

use super::world::{Dice, World};

pub(super) const SCHEDULES: [&str; 6] = [
    r#"{ "cadence": "DAILY", "localTime": "21:00" }"#,
    r#"{ "cadence": "WEEKDAYS", "localTime": "07:30" }"#,
    r#"{ "cadence": "WEEKLY", "daysOfWeek": ["WEDNESDAY"], "localTime": "19:00" }"#,
    r#"{ "cadence": "EVERY_N_WEEKS", "intervalWeeks": 2, "daysOfWeek": ["SUNDAY"], "localTime": "10:00" }"#,
    r#"{ "cadence": "MONTHLY", "dayOfMonth": 25, "localTime": "20:00" }"#,
    r#"{ "cadence": "DAILY", "localTime": "08:15", "floating": true }"#,
];
const ZONES: [&str; 3] = ["Europe/London", "America/New_York", "Asia/Tokyo"];

/// Three instances on one set of stores and one clock: two with the cache, one without.
impl World {
    pub(super) async fn write(&mut self, dice: &mut Dice) -> String {
        match dice.below(12) {
            0 => {
                self.clock.advance(chrono::Duration::days(1));
                self.sign_in_again().await;
                return format!("a day passes, to {}", self.clock.now().date_naive());
            }
            1 => return self.coach_suggests(dice).await,
            2 => return self.a_break(dice).await,
            _ => {}
        }
        let who = dice.below(self.members.len());
        let member = self.members[who].clone();
        let view = self.view(&member).await;
        let couple = &view["data"]["me"]["couple"];
        let plan = couple["activePlan"]["id"].as_str().map(str::to_owned);
        let items: Vec<String> = couple["activePlan"]["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        for item in &items {
            if !self.items.contains(item) {
                self.items.push(item.clone());
            }
        }
        let mine: Vec<String> = couple["activePlan"]["items"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|i| {
                i["completions"]["edges"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|e| e["node"]["isMine"] == true)
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect();
        let item = dice.pick(&items).cloned();
        // 10 and 11 both accept a suggestion (or start a plan): twice as likely as the rest.
        let mut action = match dice.below(14) {
            11 => 10,
            12 => 11,
            13 => 12,
            n => n,
        };
        if plan.is_none() {
            action = 10;
        } else if items.is_empty() && matches!(action, 0..=3 | 5 | 6 | 12) {
            action = 4;
        } else if action == 3 && mine.is_empty() {
            action = 0;
        }
        let (what, query, variables) = match action {
            0..=2 => (
                "completeRitual",
                "mutation($id: ID!, $c: Int!, $n: String, $s: Boolean!) { completeRitual(input: { planItemId: $id, closeness: $c, note: $n, noteShared: $s }) { completion { id } } }",
                json!({ "id": item, "c": 1 + dice.below(5), "n": (["we laughed", "", "tired"][dice.below(3)]), "s": dice.below(2) == 0 }),
            ),
            3 => (
                "undoCompletion",
                "mutation($id: ID!) { undoCompletion(input: { completionId: $id }) { item { id } } }",
                json!({ "id": dice.pick(&mine) }),
            ),
            4 => {
                let schedule: Value =
                    serde_json::from_str(SCHEDULES[dice.below(SCHEDULES.len())]).unwrap();
                (
                    "addPlanItem",
                    "mutation($i: AddPlanItemInput!) { addPlanItem(input: $i) { item { id } } }",
                    json!({ "i": { "planId": plan, "ritualKey": dice.pick(&self.rituals), "assignee": (["EITHER", "BOTH"][dice.below(2)]), "schedule": schedule } }),
                )
            }
            5 => {
                let schedule: Value =
                    serde_json::from_str(SCHEDULES[dice.below(SCHEDULES.len())]).unwrap();
                (
                    "updatePlanItem",
                    "mutation($i: UpdatePlanItemInput!) { updatePlanItem(input: $i) { item { id } } }",
                    json!({ "i": { "planItemId": item, "schedule": schedule, "assignee": (["EITHER", "BOTH"][dice.below(2)]) } }),
                )
            }
            6 => (
                "removePlanItem",
                "mutation($id: ID!) { removePlanItem(input: { planItemId: $id }) { plan { id } } }",
                json!({ "id": item }),
            ),
            7 => match dice.below(4) {
                0 => (
                    "pausePlan",
                    "mutation($p: ID!, $u: DateTime!) { pausePlan(input: { planId: $p, until: $u }) { plan { id } } }",
                    json!({ "p": plan, "u": format!("2026-04-0{}T12:00:00Z", 1 + dice.below(8)) }),
                ),
                1 => (
                    "resumePlan",
                    "mutation($p: ID!) { resumePlan(input: { planId: $p }) { plan { id } } }",
                    json!({ "p": plan }),
                ),
                2 => (
                    "archivePlan",
                    "mutation($p: ID!) { archivePlan(input: { planId: $p }) { plan { id } } }",
                    json!({ "p": plan }),
                ),
                _ => (
                    "createPlan",
                    "mutation($n: String!) { createPlan(input: { name: $n }) { plan { id } } }",
                    json!({ "n": format!("Plan {}", dice.below(100)) }),
                ),
            },
            8 => (
                "updateProfile",
                "mutation($n: String, $z: String, $q: QuietHoursInput) { updateProfile(input: { displayName: $n, timezone: $z, quietHours: $q }) { user { id } } }",
                json!({
                    "n": format!("Name {}", dice.below(50)),
                    "z": ZONES[dice.below(ZONES.len())],
                    "q": (dice.below(2) == 0).then(|| json!({ "start": "22:00", "end": "07:00" })),
                }),
            ),
            11 => (
                "answerCheckIn",
                "mutation($a: String!) { answerCheckIn(input: { answer: $a }) { checkIn { date } } }",
                json!({ "a": format!("answer {}", dice.below(9)) }),
            ),
            12 => (
                "updateNotificationPreferences",
                "mutation($m: [ID!]!) { updateNotificationPreferences(input: { dailyCap: 3, mutePlanItemIds: $m }) { preferences { dailyCap } } }",
                json!({ "m": [item] }),
            ),
            9 => (
                "updateCouple",
                "mutation($c: ID!, $z: String, $g: [String!]) { updateCouple(input: { coupleId: $c, timezone: $z, goals: $g }) { couple { id } } }",
                json!({ "c": couple["id"], "z": ZONES[dice.below(ZONES.len())], "g": [format!("goal {}", dice.below(9))] }),
            ),
            _ => match couple["suggestions"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["node"]["status"] == "OPEN")
            {
                Some(pending) => (
                    "acceptSuggestion",
                    "mutation($id: ID!) { acceptSuggestion(input: { suggestionId: $id }) { suggestion { id } } }",
                    json!({ "id": pending["node"]["id"] }),
                ),
                None => (
                    "createPlan",
                    "mutation($n: String!) { createPlan(input: { name: $n }) { plan { id } } }",
                    json!({ "n": format!("Plan {}", dice.below(100)) }),
                ),
            },
        };
        let on = dice.below(3);
        let body = self
            .instance(on)
            .graphql_as(member.token(), query, variables)
            .await;
        let outcome = match error_codes(&body).first() {
            None => "ok".to_owned(),
            Some(code) => code.clone(),
        };
        format!("member {who} {what} on instance {on}: {outcome}")
    }

    /// New access tokens for everyone, after the clock moved past the old ones.
    /// A member proposes a week's break and the partner agrees (which pauses their plan).
    async fn a_break(&self, dice: &mut Dice) -> String {
        let who = dice.below(self.members.len());
        let partner = who ^ 1;
        if self.gone[who] || self.gone[partner] {
            return "no break: an account is gone".to_owned();
        }
        let today = self.clock.now().date_naive();
        let on = dice.below(3);
        let body = self
            .instance(on)
            .graphql_as(
                self.members[who].token(),
                "mutation($u: NaiveDate!, $c: NaiveDate!) { proposeBreak(input: { until: $u, checkInOn: $c, terms: \"A week apart\", contactRules: \"A call on Sunday\" }) { coupleBreak { id } } }",
                json!({ "u": today + chrono::Duration::days(7), "c": today + chrono::Duration::days(3) }),
            )
            .await;
        let Some(id) = body["data"]["proposeBreak"]["coupleBreak"]["id"].as_str() else {
            return format!(
                "member {who} proposeBreak on instance {on}: {}",
                error_codes(&body).join(",")
            );
        };
        let on = dice.below(3);
        let body = self
            .instance(on)
            .graphql_as(
                self.members[partner].token(),
                "mutation($id: ID!) { agreeToBreak(input: { breakId: $id }) { coupleBreak { status } } }",
                json!({ "id": id }),
            )
            .await;
        let outcome = error_codes(&body)
            .first()
            .cloned()
            .unwrap_or_else(|| "ok".into());
        format!(
            "member {who} proposes a break, member {partner} agrees on instance {on}: {outcome}"
        )
    }

    /// Member 2 leaves their couple, which is archived.
    pub(super) async fn a_member_leaves(&self) -> String {
        let view = self.view(&self.members[2]).await;
        let couple = view["data"]["me"]["couple"]["id"].clone();
        let body = self.on[0]
            .graphql_as(
                self.members[2].token(),
                "mutation($id: ID!) { leaveCouple(input: { coupleId: $id }) { couple { status } } }",
                json!({ "id": couple }),
            )
            .await;
        assert!(error_codes(&body).is_empty(), "{body}");
        "member 2 leaves their couple".to_owned()
    }

    pub(super) async fn sign_in_again(&mut self) {
        for (member, gone) in self.members.iter_mut().zip(&self.gone) {
            if !gone {
                *member = self.off.login(&member.email, &member.password).await;
            }
        }
        self.coach = self
            .off
            .login(&self.coach.email, &self.coach.password)
            .await;
    }

    /// The coach suggests a catalog ritual to the first couple, on a random instance.
    async fn coach_suggests(&self, dice: &mut Dice) -> String {
        let view = self.view(&self.members[0]).await;
        let couple = view["data"]["me"]["couple"]["id"].clone();
        let on = dice.below(3);
        let body = self
            .instance(on)
            .graphql_as(
                self.coach.token(),
                "mutation($c: ID!, $k: String) { suggestToCouple(input: { coupleId: $c, ritualKey: $k }) { suggestion { id } } }",
                json!({ "c": couple, "k": dice.pick(&self.rituals) }),
            )
            .await;
        let outcome = error_codes(&body)
            .first()
            .cloned()
            .unwrap_or_else(|| "ok".into());
        format!("the coach suggestToCouple on instance {on}: {outcome}")
    }

    /// The worker deletes member 3's account (asked for, then past its grace period), as the
    /// partner reads on.
    pub(super) async fn worker_deletes_an_account(&mut self) -> String {
        let member = self.members[3].clone();
        let body = self
            .on[1]
            .graphql_as(
                member.token(),
                "mutation($p: String!) { deleteMyAccount(input: { password: $p }) { deletionScheduledFor } }",
                json!({ "p": member.password }),
            )
            .await;
        assert!(error_codes(&body).is_empty(), "{body}");
        self.clock.advance(chrono::Duration::days(15));
        self.gone[3] = true;
        self.sign_in_again().await;
        let worker = worker_for(&self.stores, &self.clock).await;
        apply_data_rights(&self.off, &worker, &self.clock).await;
        worker.stop().await;
        "the worker deletes member 3's account".to_owned()
    }
}
