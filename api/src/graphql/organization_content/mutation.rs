//! What organizations write (rituals, instruments) and suggest, and members' answers.

use domain::input::Reason;
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::catalog::{CustomRitual, RitualKey};
use domain::instrument::Instrument;
use domain::organization::{Scope, SuggestionStatus as Status, suggestion_message};
use entities::{instrument, ritual, suggestion};
use uuid::Uuid;

use super::{Suggestion, organization_instrument, stored};

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::assessment::instruments::InstrumentNode;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::graphql::plan::item_mutation::default_cadence;
use crate::graphql::plan::schedules::Cadence;
use crate::graphql::ritual::types::{Ritual, RitualCategory};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// The longest instrument definition accepted, in bytes of JSON.
const DEFINITION_MAX_BYTES: usize = 64 * 1024;

/// A ritual for the organization's coaches to suggest.
#[derive(InputObject)]
pub struct CreateOrganizationRitualInput {
    /// A short title, 1 to 80 characters.
    pub title: String,
    /// What the couple does, in a sentence or two.
    pub summary: String,
    /// Why it helps; a default is used when left out.
    pub why_it_helps: Option<String>,
    /// The kind of closeness it builds.
    pub category: RitualCategory,
    /// How often it is meant to happen.
    pub default_cadence: Cadence,
    /// Typical length in minutes.
    pub duration_minutes: i32,
    /// Ordered steps, if it has any.
    #[graphql(default)]
    pub steps: Vec<String>,
}

/// The ritual written.
#[derive(SimpleObject)]
pub struct CreateOrganizationRitualPayload {
    /// The new ritual: seen by the organization's coaches, and by a couple once it accepts a
    /// suggestion of it.
    pub ritual: Ritual,
}

/// An instrument definition for the organization.
#[derive(InputObject)]
pub struct CreateOrganizationInstrumentInput {
    /// The definition as JSON text, in the format of the built-in instruments (items,
    /// scoring, bands, flags, outcomes; see the README). Its key may not be a built-in's or
    /// another organization's; a changed definition needs a higher version.
    pub definition: String,
}

/// The instrument version stored.
#[derive(SimpleObject)]
pub struct CreateOrganizationInstrumentPayload {
    /// The stored version (storing the same definition again answers it unchanged).
    pub instrument: InstrumentNode,
}

/// What to suggest, and to whom.
#[derive(InputObject)]
pub struct SuggestToCoupleInput {
    /// The couple's ID (from `coachCouples`).
    pub couple_id: ID,
    /// A ritual: a catalog ritual's key or one of your organization's. Needs the `PLANS`
    /// scope ...
    pub ritual_key: Option<String>,
    /// ... or an instrument: a built-in's key or one of your organization's. Needs the
    /// `ASSESSMENT_RESULTS` scope. Exactly one of the two.
    pub instrument_key: Option<String>,
    /// A note for the couple, up to 500 characters.
    pub message: Option<String>,
}

/// The suggestion made.
#[derive(SimpleObject)]
pub struct SuggestToCouplePayload {
    /// It stays open until a member accepts or ignores it.
    pub suggestion: Suggestion,
}

/// A suggestion to answer.
#[derive(InputObject)]
pub struct AnswerSuggestionInput {
    /// The suggestion's ID (from `couple.suggestions`).
    pub suggestion_id: ID,
}

/// The suggestion answered.
#[derive(SimpleObject)]
pub struct AnswerSuggestionPayload {
    /// As it stands now.
    pub suggestion: Suggestion,
}

#[derive(Default)]
pub struct ContentMutation;

#[Object]
impl ContentMutation {
    /// For an organization's coaches: writes a ritual it can suggest to couples, checked by the
    /// same rules as a couple's own.
    async fn create_organization_ritual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateOrganizationRitualInput`.")]
        input: CreateOrganizationRitualInput,
    ) -> Result<CreateOrganizationRitualPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let (organization, _) = policy::content_author(state, caller).await?;
        let id = Uuid::new_v4();
        let mut draft = CustomRitual {
            title: input.title,
            summary: input.summary,
            why_it_helps: input.why_it_helps,
            category: input.category.into(),
            duration_minutes: input.duration_minutes,
            steps: input.steps,
        }
        .into_ritual(id, default_cadence(input.default_cadence))?;
        draft.key = RitualKey::parse(&format!("org_{}", id.simple()))?;
        let row = ritual::create_for(
            &state.db,
            ritual::Author::Organization(organization.organization().id),
            &draft,
            state.clock.now(),
        )
        .await?;
        Ok(CreateOrganizationRitualPayload {
            ritual: Ritual(Arc::new(row)),
        })
    }

    /// For an organization's coaches: stores a version of an instrument it can suggest,
    /// checked by the same engine as the built-ins; a bad definition is refused with the field
    /// at fault, and so is one whose shared result would always tell an item's answer or that
    /// asks about abuse or danger without a safety flag.
    async fn create_organization_instrument(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `CreateOrganizationInstrumentInput`.")]
        input: CreateOrganizationInstrumentInput,
    ) -> Result<CreateOrganizationInstrumentPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let (organization, _) = policy::content_author(state, caller).await?;
        if input.definition.len() > DEFINITION_MAX_BYTES {
            return Err(ApiError::invalid(
                "input.definition",
                Reason::TooLong,
                format!("a definition is at most {DEFINITION_MAX_BYTES} bytes"),
            ));
        }
        let definition = Instrument::load("definition", &input.definition)
            .map_err(|e| ApiError::invalid("input.definition", Reason::BadFormat, e.to_string()))?;
        let row = instrument::store_for_organization(
            &state.db,
            organization.organization().id,
            &definition,
            state.clock.now(),
        )
        .await
        .map_err(|err| match err {
            instrument::OrgStoreError::Db(db) => ApiError::from(db),
            other => ApiError::conflict(other.to_string()),
        })?;
        Ok(CreateOrganizationInstrumentPayload {
            instrument: InstrumentNode(stored(&row)?),
        })
    }

    /// For an organization's coaches: suggests a ritual or an assessment to a couple of which
    /// both members granted the organization access (a ritual needs the `PLANS` scope, an
    /// assessment `ASSESSMENT_RESULTS`).
    async fn suggest_to_couple(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `SuggestToCoupleInput`.")]
        input: SuggestToCoupleInput,
    ) -> Result<SuggestToCouplePayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let (organization, author) = policy::content_author(state, caller).await?;
        let organization_id = organization.organization().id;
        let couple_id = decode_id_of(&input.couple_id, NodeKind::Couple, "input.coupleId")?;
        let message = suggestion_message(input.message.as_deref())
            .map_err(|(reason, message)| ApiError::invalid("input.message", reason, message))?;
        let (subject, scope) = match (&input.ritual_key, &input.instrument_key) {
            (Some(key), None) => {
                RitualKey::parse(key).map_err(|e| ApiError::refused("input", &e))?;
                let viewer = ritual::Viewer {
                    couple: None,
                    organization: Some(organization_id),
                };
                let found = ritual::find_by_key(&state.db, key, viewer)
                    .await?
                    .ok_or_else(|| ApiError::not_found("ritual"))?;
                (suggestion::Subject::Ritual(found.id), Scope::Plans)
            }
            (None, Some(key)) => {
                crate::graphql::assessment::mutation::check_instrument_key(key)?;
                let found = match state.instruments.by_key(key) {
                    Some(built_in) => built_in,
                    None => organization_instrument(state, caller, key)
                        .await?
                        .ok_or_else(|| ApiError::not_found("instrument"))?,
                };
                (
                    suggestion::Subject::Instrument(found.id),
                    Scope::AssessmentResults,
                )
            }
            (given, _) => {
                return Err(ApiError::invalid(
                    if given.is_some() {
                        "input.instrumentKey"
                    } else {
                        "input.ritualKey"
                    },
                    if given.is_some() {
                        Reason::Incompatible
                    } else {
                        Reason::Required
                    },
                    "give exactly one of ritualKey and instrumentKey",
                ));
            }
        };
        let couple = policy::suggestion_target(state, caller, couple_id, scope).await?;
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let row = suggestion::create(
            &*write,
            suggestion::NewSuggestion {
                organization_id,
                couple_id: couple.id(),
                suggested_by: Some(author),
                subject,
                message,
            },
            now,
        )
        .await?;
        let made = recorded(
            NodeKind::Suggestion,
            row.id,
            Action::Created,
            Audience::Couple(couple.id()),
        );
        write.changes([made]);
        write.commit().await?;
        let access = couple
            .suggestion(row)
            .ok_or_else(|| ApiError::internal(&"a new suggestion is not the coach's"))?;
        Ok(SuggestToCouplePayload {
            suggestion: Suggestion(access),
        })
    }

    /// Takes up a suggestion made to your couple: a suggested ritual joins the rituals you can
    /// add to your plan (`addPlanItem` with its key), a suggested instrument the ones you can
    /// start. Accepting again changes nothing; an ignored suggestion answers CONFLICT.
    async fn accept_suggestion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AnswerSuggestionInput`.")]
        input: AnswerSuggestionInput,
    ) -> Result<AnswerSuggestionPayload, ApiError> {
        answer(ctx, &input, Status::Accepted).await
    }

    /// Sets a suggestion made to your couple aside. Ignoring again changes nothing; an
    /// accepted suggestion answers CONFLICT.
    async fn ignore_suggestion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AnswerSuggestionInput`.")]
        input: AnswerSuggestionInput,
    ) -> Result<AnswerSuggestionPayload, ApiError> {
        answer(ctx, &input, Status::Ignored).await
    }
}

async fn answer(
    ctx: &Context<'_>,
    input: &AnswerSuggestionInput,
    status: Status,
) -> Result<AnswerSuggestionPayload, ApiError> {
    let state = ctx.data::<AppState>()?;
    let caller = ctx.data::<Caller>()?;
    let id = decode_id_of(
        &input.suggestion_id,
        NodeKind::Suggestion,
        "input.suggestionId",
    )?;
    let (access, member) = policy::answerable_suggestion(state, caller, id).await?;
    if !policy::may_answer(&access, status)? {
        return Ok(AnswerSuggestionPayload {
            suggestion: Suggestion(access),
        });
    }
    let mut write = state.writer.begin(state.clock.now()).await?;
    let row = match suggestion::answer(&*write, id, status, member, write.now()).await? {
        Some(row) => {
            let couple = Audience::Couple(row.couple_id);
            write.change(recorded(
                NodeKind::Suggestion,
                row.id,
                Action::Updated,
                couple,
            ));
            write.commit().await?;
            row
        }
        // Answered by the partner meanwhile: judged below as a retry would be.
        None => suggestion::find(&state.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("suggestion"))?,
    };
    let access = access
        .couple()
        .suggestion(row)
        .ok_or_else(|| ApiError::internal(&"an answered suggestion moved"))?;
    policy::may_answer(&access, status)?;
    Ok(AnswerSuggestionPayload {
        suggestion: Suggestion(access),
    })
}
