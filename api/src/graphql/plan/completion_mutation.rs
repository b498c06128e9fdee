//! Logging a ritual as done, and taking a log back.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use domain::input::Reason;
use domain::jobs::AnnounceCompletion;
use domain::plan::{
    Log, check_completable, check_relog, check_undo, default_occurrence, parse_closeness,
    parse_note,
};
use entities::completion;

use super::completions::Completion;
use super::items::PlanItem;
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// An occurrence logged as done.
#[derive(InputObject)]
pub struct CompleteRitualInput {
    /// The item done.
    pub plan_item_id: ID,
    /// The local date of the occurrence; defaults to the current period's (today's for a
    /// daily ritual, this week's for a weekly one). A later period's cannot be completed yet;
    /// a missed one may be logged up to 48 hours late.
    pub occurrence: Option<NaiveDate>,
    /// How close it felt, 1 to 5.
    pub closeness: i32,
    /// Private to you unless `noteShared`.
    pub note: Option<String>,
    /// Whether the partner may read the note.
    #[graphql(default)]
    pub note_shared: bool,
}

/// The completion logged (or the same one logged before).
#[derive(SimpleObject)]
pub struct CompleteRitualPayload {
    /// The completion.
    pub completion: Completion,
    /// The item, with its streak as it is now.
    pub item: PlanItem,
}

/// Taking a completion back.
#[derive(InputObject)]
pub struct UndoCompletionInput {
    /// A completion you logged in the last 24 hours.
    pub completion_id: ID,
}

/// The completion removed.
#[derive(SimpleObject)]
pub struct UndoCompletionPayload {
    /// The ID of the completion removed.
    pub completion_id: ID,
    /// The item, with its streak as it is now.
    pub item: PlanItem,
}

#[derive(Default)]
pub struct CompletionMutation;

#[Object]
impl CompletionMutation {
    /// Logs an occurrence as done. Idempotent per (item, occurrence, member): the same request
    /// again answers the same completion; a different one for a logged occurrence is a CONFLICT.
    async fn complete_ritual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CompleteRitualInput`.")]
        input: CompleteRitualInput,
    ) -> Result<CompleteRitualPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let item_id = decode_id_of(&input.plan_item_id, NodeKind::PlanItem, "input.planItemId")?;
        let access = policy::writable_item(state, caller, item_id).await?;
        policy::may_log(&access)?;
        let schedule = access.item().schedule()?;
        let now = state.clock.now();
        let occurrence = match input.occurrence {
            Some(date) => date,
            None => default_occurrence(&schedule, now).ok_or_else(|| {
                ApiError::invalid(
                    "input.occurrence",
                    Reason::Required,
                    "the ritual has no occurrence in the current period",
                )
            })?,
        };
        check_completable(&schedule, occurrence, now)?;
        let log = Log {
            closeness: parse_closeness(input.closeness)?,
            note: parse_note(input.note.as_deref())?,
            note_shared: input.note_shared,
        };
        let new = completion::NewCompletion {
            plan_item_id: access.item().id,
            occurrence_date: occurrence,
            user_id: access.plan().couple().viewer(),
            log: log.clone(),
        };
        let mut write = state.writer.begin(now).await?;
        let (stored, created) = completion::insert_once(&*write, new, now).await?;
        check_relog(&stored.log()?, &log)?;
        if created {
            let couple_id = access.plan().couple().id();
            write.change(recorded(
                NodeKind::Completion,
                stored.id,
                Action::Created,
                Audience::Couple(couple_id),
            ));
            // The partner is told (once: the notification's dedupe key).
            write.job(AnnounceCompletion {
                completion_id: stored.id,
            })?;
            // Coaching platforms granted `plans` hear of it: which ritual, never the note.
            let ritual = crate::graphql::loaders::Loaders::of(ctx)?
                .ritual(access.item().ritual_id)
                .await?;
            write
                .announce(
                    couple_id,
                    domain::organization::Scope::Plans,
                    domain::webhook::EventType::RitualCompleted,
                    serde_json::json!({
                        "coupleId": global_id(NodeKind::Couple, couple_id).as_str(),
                        "planItemId": global_id(NodeKind::PlanItem, access.item().id).as_str(),
                        "ritualKey": ritual.key,
                        "occurrence": occurrence,
                    }),
                )
                .await?;
        }
        write.commit().await?;
        let completion = access
            .completion(stored)
            .ok_or_else(|| ApiError::internal(&"a new completion is not its item's"))?;
        Ok(CompleteRitualPayload {
            completion: Completion::new(completion),
            item: PlanItem::new(access),
        })
    }

    /// Removes a completion you logged, within 24 hours of logging it.
    async fn undo_completion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UndoCompletionInput`.")]
        input: UndoCompletionInput,
    ) -> Result<UndoCompletionPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.completion_id,
            NodeKind::Completion,
            "input.completionId",
        )?;
        let access = policy::undoable_completion(state, caller, id).await?;
        let now = state.clock.now();
        check_undo(access.completion().created_at, now)?;
        let mut write = state.writer.begin(now).await?;
        completion::delete(&*write, access.completion().id).await?;
        let couple = Audience::Couple(access.item().plan().couple().id());
        write.change(recorded(NodeKind::Completion, id, Action::Deleted, couple));
        write.commit().await?;
        Ok(UndoCompletionPayload {
            completion_id: input.completion_id,
            item: PlanItem::new(access.item().clone()),
        })
    }
}
