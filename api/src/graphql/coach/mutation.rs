//! Starting, continuing and deleting conversations with the coach.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Duration;
use coach::Turn;
use domain::input::Reason;
use domain::safety::gate::Concern;
use entities::coach_conversation as conversation;
use entities::coach_message::{self as message, NewMessage};

use super::reply::{self, ModelJob};
use super::{CoachConversation, CoachMessage, facts, own_conversation};
use crate::auth::{AuthUser, Caller, policy};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The longest message the coach reads.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// How long a conversation goes before a reply says again that the coach is automated.
const DISCLOSE_EVERY: Duration = Duration::hours(3);
/// How many earlier messages a model reads.
const HISTORY: u64 = 12;

/// A conversation to start.
#[derive(InputObject)]
pub struct StartCoachConversationInput {
    /// A first message to send (optional).
    pub text: Option<String>,
    /// Your country (ISO 3166-1 alpha-2, such as `GB`), for where to get help should a message
    /// raise a safety concern; the general list when absent.
    pub country: Option<String>,
}

/// The conversation started, with the first message and its reply when one was sent.
#[derive(SimpleObject)]
pub struct StartCoachConversationPayload {
    /// The conversation started.
    pub conversation: CoachConversation,
    /// Your first message, if you sent one.
    pub message: Option<CoachMessage>,
    /// The coach's reply to it.
    pub reply: Option<CoachMessage>,
}

/// A message to the coach.
#[derive(InputObject)]
pub struct SendCoachMessageInput {
    /// One of your conversations.
    pub conversation_id: ID,
    /// What you want to say (1 to 2,000 characters).
    pub text: String,
    /// Your country (ISO 3166-1 alpha-2), for where to get help should the message raise a
    /// safety concern; the general list when absent.
    pub country: Option<String>,
}

/// Your message as stored, and the coach's reply: written already, or being written by a
/// model (`status: WRITING`; follow `coachReply(messageId: reply.id)`).
#[derive(SimpleObject)]
pub struct SendCoachMessagePayload {
    /// The conversation, with the new message.
    pub conversation: CoachConversation,
    /// Your message, as stored.
    pub message: CoachMessage,
    /// The coach's reply.
    pub reply: CoachMessage,
}

/// A conversation to delete.
#[derive(InputObject)]
pub struct DeleteCoachConversationInput {
    /// One of your conversations.
    pub conversation_id: ID,
}

/// The conversation deleted, with all its messages.
#[derive(SimpleObject)]
pub struct DeleteCoachConversationPayload {
    /// The deleted conversation's ID.
    pub conversation_id: ID,
}

#[derive(Default)]
pub struct CoachMutation;

#[Object]
impl CoachMutation {
    /// Starts a conversation with the coach, private to you (a member of Rekindle; coaches and
    /// administrators have none).
    async fn start_coach_conversation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `StartCoachConversationInput`.")]
        input: StartCoachConversationInput,
    ) -> Result<StartCoachConversationPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::may_be_in_couple(caller)?;
        let text = input
            .text
            .as_deref()
            .map(|text| message_text(text, "input.text"))
            .transpose()?;
        let country = country_code(input.country.as_deref())?;
        if text.is_some() {
            within_budget(state, user.id).await?;
        }
        let write = state.writer.begin(state.clock.now()).await?;
        let row = conversation::start(&*write, user.id, write.now()).await?;
        write.commit().await?;
        let Some(text) = text else {
            let conversation = CoachConversation::own(caller, row)
                .ok_or_else(|| ApiError::internal(&"a new conversation is not the caller's"))?;
            return Ok(StartCoachConversationPayload {
                conversation,
                message: None,
                reply: None,
            });
        };
        let sent = send(ctx, state, caller, user, row, text, country).await?;
        Ok(StartCoachConversationPayload {
            conversation: sent.conversation,
            message: Some(sent.message),
            reply: Some(sent.reply),
        })
    }

    /// Sends the coach a message. Every message passes the safety gate first: one about
    /// suicide, self-harm, violence, abuse or coercive control is answered with where to get
    /// help (never by a language model), and nobody else is told. RATE_LIMITED (with
    /// `retryAfter`) past the day's messages or tokens.
    async fn send_coach_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `SendCoachMessageInput`.")]
        input: SendCoachMessageInput,
    ) -> Result<SendCoachMessagePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let user = policy::may_be_in_couple(caller)?;
        let text = message_text(&input.text, "input.text")?;
        let country = country_code(input.country.as_deref())?;
        let conversation = own_conversation(
            state,
            caller,
            &input.conversation_id,
            "input.conversationId",
        )
        .await?;
        within_budget(state, user.id).await?;
        send(ctx, state, caller, user, conversation.0, text, country).await
    }

    /// Deletes one of your conversations and all its messages.
    async fn delete_coach_conversation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DeleteCoachConversationInput`.")]
        input: DeleteCoachConversationInput,
    ) -> Result<DeleteCoachConversationPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let conversation = own_conversation(
            state,
            caller,
            &input.conversation_id,
            "input.conversationId",
        )
        .await?;
        let user = policy::may_be_in_couple(caller)?;
        let write = state.writer.begin(state.clock.now()).await?;
        let deleted = conversation::delete(&*write, conversation.0.id, user.id).await?;
        write.commit().await?;
        if !deleted {
            return Err(ApiError::not_found("conversation"));
        }
        Ok(DeleteCoachConversationPayload {
            conversation_id: input.conversation_id,
        })
    }
}

/// A country as two letters (ISO 3166-1 alpha-2), upper-cased.
fn country_code(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(raw.to_ascii_uppercase()))
    } else {
        Err(ApiError::invalid(
            "input.country",
            Reason::BadFormat,
            "country is two letters (ISO 3166-1 alpha-2, such as GB)",
        ))
    }
}

fn message_text(raw: &str, field: &str) -> Result<String, ApiError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(
            field,
            Reason::Required,
            "text: write something to the coach",
        ));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ApiError::invalid(
            field,
            Reason::TooLong,
            format!("text: at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// RATE_LIMITED when the member sent the day's messages or used the day's tokens (UTC days).
async fn within_budget(state: &AppState, user: uuid::Uuid) -> Result<(), ApiError> {
    let now = state.clock.now();
    let day = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let (messages, tokens) = message::usage_since(&state.db, user, day).await?;
    let limits = &state.settings.coach;
    let over = if messages >= limits.messages_per_day {
        Some(format!(
            "you sent the coach {} messages today, the most a day allows",
            limits.messages_per_day
        ))
    } else if limits.model_tokens_spent(tokens) {
        Some("the coach's replies used today's allowance".to_owned())
    } else {
        None
    };
    match over {
        None => Ok(()),
        Some(why) => {
            let retry_after = (day + Duration::days(1) - now).num_seconds().max(1);
            Err(ApiError::new(
                ErrorCode::RateLimited,
                format!("{why}; try again in {retry_after} seconds"),
            )
            .with_retry_after(u64::try_from(retry_after).unwrap_or(1)))
        }
    }
}

/// Stores the member's message and the coach's reply in one write; a model (when it may
/// answer) writes the reply after.
async fn send(
    ctx: &Context<'_>,
    state: &AppState,
    caller: &Caller,
    user: &AuthUser,
    conversation: conversation::Model,
    text: String,
    country: Option<String>,
) -> Result<SendCoachMessagePayload, ApiError> {
    let now = state.clock.now();
    let concern = state.coach.check(&text);
    let disclose = conversation
        .disclosed_at
        .is_none_or(|at| now - at >= DISCLOSE_EVERY);
    let facts = facts::of_member(ctx, state, caller, user).await?;
    let script = state.coach.script();
    let model_may_answer = state.coach.engine().kind() == coach::EngineKind::Model
        && concern.is_none()
        && conversation.safety_concern.is_none();
    let locale = user.account.locale.as_str();
    let disclosure = disclose.then(|| script.disclosure(locale));
    let with_disclosure = |body: String| match &disclosure {
        Some(d) => format!("{d}\n\n{body}"),
        None => body,
    };
    let mut reply = NewMessage {
        conversation_id: conversation.id,
        user_id: user.id,
        disclosure: disclose,
        ..NewMessage::default()
    };
    // What a model needs once the reply's row exists: the facts and the conversation so far.
    let mut for_model = None;
    match concern {
        Some(concern) => {
            let resources = state.safety_resources.for_country(country.as_deref());
            reply.text = with_disclosure(script.safety_reply(concern, resources, locale));
            reply.engine = Some(coach::EngineKind::Scripted.as_str());
            reply.fallback_reason = state.coach.has_model().then_some("safety");
        }
        None if model_may_answer => {
            let scripted = state.coach.fallback(&text, &facts, "interrupted", 0);
            reply.writing = true;
            reply.engine = Some(coach::EngineKind::Model.as_str());
            reply.fallback_text = Some(with_disclosure(scripted.text));
            let history = message::latest(&state.db, conversation.id, HISTORY)
                .await?
                .into_iter()
                .filter(|m| !m.is_writing() && m.safety_concern.is_none())
                .map(|m| Turn {
                    from_member: m.from_member(),
                    text: m.text,
                })
                .collect();
            for_model = Some((facts, history, text.clone()));
        }
        None => {
            let ask = coach::Ask {
                facts: &facts,
                history: &[],
                message: &text,
            };
            let scripted = state.coach.scripted().write(ask, &mut |_| {}).await;
            reply.text = with_disclosure(scripted.text);
            reply.engine = Some(coach::EngineKind::Scripted.as_str());
            reply.fallback_reason = (state.coach.has_model()
                && conversation.safety_concern.is_some())
            .then_some("safety");
        }
    }
    let concern_name = concern.map(Concern::as_str);
    let write = state.writer.begin(now).await?;
    let sent = message::insert(
        &*write,
        NewMessage {
            conversation_id: conversation.id,
            user_id: user.id,
            from_member: true,
            text,
            safety_concern: concern_name,
            ..NewMessage::default()
        },
        now,
    )
    .await?;
    let replied = message::insert(&*write, reply, now).await?;
    conversation::record_message(&*write, conversation.id, now, disclose, concern_name).await?;
    write.commit().await?;
    if let Some(concern) = concern {
        state.metrics.coach_safety_stop(concern.as_str());
    } else if !replied.is_writing() {
        state
            .metrics
            .coach_reply("scripted", None, 0, 0, std::time::Duration::ZERO);
    }
    if let Some((facts, history, message)) = for_model {
        let job = ModelJob {
            reply_id: replied.id,
            user_id: user.id,
            facts,
            history,
            message,
            disclosure,
        };
        reply::spawn(state, job);
    }
    let updated = conversation::find_of_user(&state.db, conversation.id, user.id)
        .await?
        .unwrap_or(conversation);
    let own = |row| CoachMessage::own(caller, row);
    let missing = || ApiError::internal(&"a coach message just stored is not the caller's");
    Ok(SendCoachMessagePayload {
        conversation: CoachConversation::own(caller, updated).ok_or_else(missing)?,
        message: own(sent).ok_or_else(missing)?,
        reply: own(replied).ok_or_else(missing)?,
    })
}
