//! Replies a language model writes: written after the member's message is stored, passed on
//! to every api instance as they are written, followed by `coachReply(messageId:)`, and stored
//! when done. A reply whose writer died stands as the scripted reply stored beside it.

use std::time::Duration;

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::TimeDelta;
use coach::facts::Facts;
use coach::{ReplyEvent, Turn};
use entities::coach_message::{self as message, Written};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::CoachMessage;
use crate::auth::{Caller, policy};
use crate::error::ApiError;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;

/// How long past a model's time a reply still writing is taken as abandoned.
const ABANDONED_AFTER: Duration = Duration::from_secs(30);

/// How long a reply may stay `writing` before it is taken as abandoned.
fn writing_allowed(state: &AppState) -> Duration {
    let model = state.settings.coach.model.as_ref();
    model.map_or(Duration::ZERO, |m| m.timeout) + ABANDONED_AFTER
}

/// A message as it reads now: its text, whether a model is still writing it, and why the
/// scripted engine answered (if it did).
pub fn readable(state: &AppState, row: &message::Model) -> (String, bool, Option<String>) {
    if !row.is_writing() {
        return (row.text.clone(), false, row.fallback_reason.clone());
    }
    let allowed = writing_allowed(state);
    let abandoned = TimeDelta::from_std(allowed)
        .is_ok_and(|allowed| state.clock.now() - row.created_at > allowed);
    if abandoned {
        let text = row.fallback_text.clone().unwrap_or_default();
        return (text, false, Some("interrupted".into()));
    }
    (String::new(), true, None)
}

/// What a model needs to write one reply.
pub struct ModelJob {
    pub reply_id: Uuid,
    pub user_id: Uuid,
    pub facts: Facts,
    pub history: Vec<Turn>,
    pub message: String,
    /// Said first: that the coach is automated.
    pub disclosure: Option<String>,
}

/// Writes the reply in the background.
pub fn spawn(state: &AppState, job: ModelJob) {
    let state = state.clone();
    tokio::spawn(async move { write(state, job).await });
}

async fn write(state: AppState, job: ModelJob) {
    let (id, user) = (job.reply_id, job.user_id);
    let (sender, mut pieces) = tokio::sync::mpsc::unbounded_channel::<String>();
    let events = state.coach_replies.clone();
    let forward = tokio::spawn(async move {
        let mut text = String::new();
        while let Some(delta) = pieces.recv().await {
            text.push_str(&delta);
            events
                .publish(ReplyEvent {
                    message_id: id,
                    user_id: user,
                    delta,
                    text: text.clone(),
                    done: false,
                })
                .await;
        }
    });
    let prefix = job
        .disclosure
        .map(|d| format!("{d}\n\n"))
        .unwrap_or_default();
    if !prefix.is_empty() {
        let _ = sender.send(prefix.clone());
    }
    let started = std::time::Instant::now();
    let each = sender.clone();
    let mut on_delta = move |delta: &str| {
        let _ = each.send(delta.to_owned());
    };
    let ask = coach::Ask {
        facts: &job.facts,
        history: &job.history,
        message: &job.message,
    };
    let finished = state.coach.engine().write(ask, &mut on_delta).await;
    // Every sender gone: the forwarder ends once it passed the last piece on.
    drop(on_delta);
    drop(sender);
    let _ = forward.await;
    state.metrics.coach_reply(
        finished.engine.as_str(),
        finished.fallback,
        finished.tokens_in,
        finished.tokens_out,
        started.elapsed(),
    );
    let written = Written {
        text: format!("{prefix}{}", finished.text),
        engine: finished.engine.as_str(),
        fallback_reason: finished.fallback,
        tokens_in: finished.tokens_in,
        tokens_out: finished.tokens_out,
    };
    if let Err(err) = store(&state, id, written).await {
        tracing::error!(error = %err, message.id = %id, "a coach reply could not be stored");
    }
    state
        .coach_replies
        .publish(ReplyEvent {
            message_id: id,
            user_id: user,
            delta: String::new(),
            text: String::new(),
            done: true,
        })
        .await;
}

async fn store(state: &AppState, id: Uuid, written: Written) -> Result<(), sea_orm::DbErr> {
    let write = state.writer.begin(state.clock.now()).await?;
    message::finish(&*write, id, written, write.now()).await?;
    write.commit().await
}

/// A reply as it is written.
#[derive(SimpleObject)]
pub struct CoachReplyEvent {
    /// What was added since the previous event (sentences, each passed by the safety gate).
    pub delta: String,
    /// The reply so far. On the last event, the whole reply: it replaces what the deltas said
    /// when the model failed midway or its reply was withheld.
    pub text: String,
    /// The last event: the reply is written.
    pub done: bool,
    /// On the last event, the stored reply.
    pub message: Option<CoachMessage>,
}

#[derive(Default)]
pub struct CoachSubscription;

#[Subscription]
impl CoachSubscription {
    /// A reply of the coach as it is written, then the whole reply (`done`); one event only
    /// when it is already written. Over graphql-transport-ws, signed in with the socket's
    /// `connection_init`; on whichever api instance you are connected to.
    async fn coach_reply(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reply's ID (`sendCoachMessage`'s `reply.id`).")] message_id: ID,
    ) -> Result<impl Stream<Item = CoachReplyEvent> + use<>, ApiError> {
        let state = ctx.data::<AppState>()?.clone();
        let caller = ctx.data::<Caller>()?.clone();
        let user = policy::may_be_in_couple(&caller)?.id;
        let id = decode_id_of(&message_id, NodeKind::CoachMessage, "messageId")?;
        // Listen before reading, so that no event falls between the two.
        let events = state.coach_replies.subscribe();
        let row = message::find_of_user(&state.db, id, user)
            .await?
            .filter(|row| !row.from_member())
            .ok_or_else(|| ApiError::not_found("message"))?;
        let wait = writing_allowed(&state);
        let follow = Follow {
            state,
            caller,
            id,
            user,
            events,
            first: Some(row),
            deadline: tokio::time::Instant::now() + wait,
            done: false,
            seen: String::new(),
        };
        Ok(futures_util::stream::unfold(follow, |mut f| async move {
            if f.done {
                return None;
            }
            if let Some(row) = f.first.take()
                && !readable(&f.state, &row).1
            {
                f.done = true;
                return Some((f.last(row), f));
            }
            loop {
                match tokio::time::timeout_at(f.deadline, f.events.recv()).await {
                    Ok(Ok(event)) if event.message_id == f.id && event.user_id == f.user => {
                        if event.done {
                            break;
                        }
                        f.seen.clone_from(&event.text);
                        let update = CoachReplyEvent {
                            delta: event.delta,
                            text: event.text,
                            done: false,
                            message: None,
                        };
                        return Some((update, f));
                    }
                    Ok(Ok(_)) => continue,
                    // Fell behind: the stored reply says whether it is written.
                    Ok(Err(RecvError::Lagged(_))) => match f.reread().await {
                        Some(row) if !readable(&f.state, &row).1 => {
                            f.done = true;
                            return Some((f.last(row), f));
                        }
                        Some(_) => continue,
                        None => return None,
                    },
                    Ok(Err(RecvError::Closed)) | Err(_) => break,
                }
            }
            f.done = true;
            let row = f.reread().await?;
            Some((f.last(row), f))
        }))
    }
}

struct Follow {
    state: AppState,
    caller: Caller,
    id: Uuid,
    user: Uuid,
    events: tokio::sync::broadcast::Receiver<ReplyEvent>,
    first: Option<message::Model>,
    deadline: tokio::time::Instant,
    done: bool,
    /// The text the subscriber has been given so far.
    seen: String,
}

impl Follow {
    async fn reread(&self) -> Option<message::Model> {
        message::find_of_user(&self.state.db, self.id, self.user)
            .await
            .ok()
            .flatten()
    }

    fn last(&self, row: message::Model) -> CoachReplyEvent {
        let (text, _, _) = readable(&self.state, &row);
        CoachReplyEvent {
            // What the deltas did not say yet; nothing when the whole reply replaces them.
            delta: text
                .strip_prefix(self.seen.as_str())
                .unwrap_or_default()
                .to_owned(),
            text,
            done: true,
            message: CoachMessage::own(&self.caller, row),
        }
    }
}
