//! The coach: a member's private conversations, answered by the scripted engine or a model
//! (see the `coach` crate), behind the safety gate. Nobody but the member ever learns that a
//! conversation exists: no partner, coach, organization, API key, webhook, summary or changes
//! feed, and no administrator.

pub mod facts;
pub mod mutation;
pub mod reply;
pub mod starters;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use entities::{coach_conversation as conversation, coach_message as message};

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::connection::{ConnectionTotals, PageArgs, connection_of};
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;

/// A member's own conversation with the coach.
pub struct CoachConversation(conversation::Model);

impl CoachConversation {
    /// The caller's own conversation (the only way one is shown).
    pub fn own(caller: &Caller, row: conversation::Model) -> Option<Self> {
        let user = policy::require_user(caller).ok()?;
        (row.user_id == user.id).then_some(Self(row))
    }
}

/// One of your conversations with the coach, private to you.
#[Object]
impl CoachConversation {
    /// The conversation's ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::CoachConversation, self.0.id)
    }

    /// When it started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its latest message was written.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Whether a message of yours raised a safety concern: the coach then answers from
    /// Rekindle's written guidance only, never from a language model. Shown to you alone.
    async fn safety_mode(&self) -> bool {
        self.0.safety_concern.is_some()
    }

    /// Its messages, oldest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only messages after this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, CoachMessage, ConnectionTotals, EmptyFields>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = message::page_of_conversation(&state.db, self.0.id, &request).await?;
        Ok(connection_of(page, |row| {
            let key = row.id.to_string();
            CoachMessage::own(caller, row).map(|m| (key, m))
        }))
    }
}

/// Who wrote a message.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoachAuthor {
    /// You.
    Member,
    /// The coach.
    Coach,
}

/// Where a reply stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoachMessageStatus {
    /// A language model is writing it: follow `coachReply(messageId:)`.
    Writing,
    /// Written.
    Complete,
}

/// Which engine wrote a reply.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "coach::EngineKind")]
pub enum CoachEngine {
    /// Rekindle's written guidance, chosen by rules: every sentence written by people.
    Scripted,
    /// The language model this server is configured with.
    Model,
}

/// What a message that the safety gate stopped was about.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoachSafetyConcern {
    /// Thoughts of suicide or of not wanting to live.
    Suicide,
    /// Hurting oneself.
    SelfHarm,
    /// Violence, or fear of it.
    Violence,
    /// Abuse, sexual or emotional.
    Abuse,
    /// Being controlled, watched or isolated.
    CoerciveControl,
}

/// A message of yours or a reply of the coach, private to you.
pub struct CoachMessage(message::Model);

impl CoachMessage {
    /// The caller's own message (the only way one is shown).
    pub fn own(caller: &Caller, row: message::Model) -> Option<Self> {
        let user = policy::require_user(caller).ok()?;
        (row.user_id == user.id).then_some(Self(row))
    }

    pub fn row(&self) -> &message::Model {
        &self.0
    }
}

/// A message of yours or a reply of the coach, private to you.
#[Object]
impl CoachMessage {
    /// The message's ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::CoachMessage, self.0.id)
    }

    /// Who wrote it.
    async fn author(&self) -> CoachAuthor {
        if self.0.from_member() {
            CoachAuthor::Member
        } else {
            CoachAuthor::Coach
        }
    }

    /// Its text; empty while a model is still writing a reply.
    async fn text(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(reply::readable(state, &self.0).0)
    }

    /// Whether it is written yet.
    async fn status(&self, ctx: &Context<'_>) -> Result<CoachMessageStatus, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(if reply::readable(state, &self.0).1 {
            CoachMessageStatus::Writing
        } else {
            CoachMessageStatus::Complete
        })
    }

    /// A reply's engine; null for your messages and while a model writes.
    async fn engine(&self, ctx: &Context<'_>) -> Result<Option<CoachEngine>, ApiError> {
        let state = ctx.data::<AppState>()?;
        let (_, writing, fallback) = reply::readable(state, &self.0);
        if writing || self.0.from_member() {
            return Ok(None);
        }
        if fallback.is_some() {
            return Ok(Some(CoachEngine::Scripted));
        }
        Ok(self
            .0
            .engine
            .as_deref()
            .and_then(coach::EngineKind::parse)
            .map(Into::into))
    }

    /// Why the scripted engine answered although a language model is configured: `unavailable`,
    /// `timeout`, `stalled`, `rate_limited`, `server_error`, `refused`, `unreachable`,
    /// `unreadable`, `empty`, `busy`, `withheld` (the model's reply did not pass the safety
    /// gate), `safety` (a message of yours raised a concern) or `interrupted`. Null otherwise.
    async fn fallback_reason(&self, ctx: &Context<'_>) -> Result<Option<String>, ApiError> {
        let state = ctx.data::<AppState>()?;
        Ok(reply::readable(state, &self.0).2)
    }

    /// Whether this reply says that the coach is automated (the first of a conversation, and
    /// again after every three hours of it).
    async fn disclosure(&self) -> bool {
        self.0.disclosure
    }

    /// For a message of yours that the safety gate stopped: what it was about. Shown to you
    /// alone; it reaches nobody else.
    async fn safety_concern(&self) -> Option<CoachSafetyConcern> {
        let concern = domain::safety::gate::Concern::parse(self.0.safety_concern.as_deref()?)?;
        Some(concern.into())
    }

    /// When it was written (a reply: when it was asked for).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

impl From<domain::safety::gate::Concern> for CoachSafetyConcern {
    fn from(concern: domain::safety::gate::Concern) -> Self {
        use domain::safety::gate::Concern;
        match concern {
            Concern::Suicide => Self::Suicide,
            Concern::SelfHarm => Self::SelfHarm,
            Concern::Violence => Self::Violence,
            Concern::Abuse => Self::Abuse,
            Concern::CoerciveControl => Self::CoerciveControl,
        }
    }
}

#[derive(Default)]
pub struct CoachQuery;

#[Object]
impl CoachQuery {
    /// Your conversations with the coach, newest first. Private to you.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn coach_conversations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only conversations older than this cursor.")] after: Option<String>,
    ) -> Result<Connection<String, CoachConversation, ConnectionTotals, EmptyFields>, ApiError>
    {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::may_be_in_couple(caller)?;
        let request = PageArgs::forward_by_uuid(first, after)?;
        let page = conversation::page_of_user(&state.db, user.id, &request).await?;
        Ok(connection_of(page, |row| {
            let key = row.id.to_string();
            CoachConversation::own(caller, row).map(|c| (key, c))
        }))
    }

    /// One of your conversations with the coach.
    async fn coach_conversation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The conversation's ID.")] id: ID,
    ) -> Result<CoachConversation, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        own_conversation(state, caller, &id, "id").await
    }
}

/// The caller's conversation by its ID; NOT_FOUND for anyone else's, as for a missing one.
pub async fn own_conversation(
    state: &AppState,
    caller: &Caller,
    id: &ID,
    field: &str,
) -> Result<CoachConversation, ApiError> {
    let user = policy::may_be_in_couple(caller)?;
    let uuid = decode_id_of(id, NodeKind::CoachConversation, field)?;
    conversation::find_of_user(&state.db, uuid, user.id)
        .await?
        .and_then(|row| CoachConversation::own(caller, row))
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// A conversation by ID, for `node(id:)`: the caller's own only.
pub async fn conversation_node(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<Option<CoachConversation>, ApiError> {
    let Ok(user) = policy::require_user(caller) else {
        return Ok(None);
    };
    let found = conversation::find_of_user(&state.db, id, user.id).await?;
    Ok(found.and_then(|row| CoachConversation::own(caller, row)))
}

/// A message by ID, for `node(id:)`: the caller's own only.
pub async fn message_node(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
) -> Result<Option<CoachMessage>, ApiError> {
    let Ok(user) = policy::require_user(caller) else {
        return Ok(None);
    };
    let found = message::find_of_user(&state.db, id, user.id).await?;
    Ok(found.and_then(|row| CoachMessage::own(caller, row)))
}
