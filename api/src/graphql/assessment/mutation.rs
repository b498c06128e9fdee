//! Taking an assessment: start, answer (partial saves, changeable until submitted), submit,
//! and sharing a result with your couple or taking it back.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::catalog::RitualKey;
use domain::input::Reason;
use domain::instrument::{Answer, ResultRecord, ScoreError, answer_value, reliable_change, score};
use entities::assessment;

use super::results::{Assessment, AssessmentResult, instrument_of};
use crate::auth::Caller;
use crate::auth::policy;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::changes::{partners_of, recorded};
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;
use entities::change::{self, Action, Audience};

/// A scoring refusal at submit time: about the assessment as answered so far.
fn unscorable(err: &ScoreError) -> ApiError {
    let reason = match err {
        ScoreError::Missing(_) => Reason::Required,
        ScoreError::UnknownItem(_) | ScoreError::InvalidAnswer { .. } => Reason::NotOneOf,
    };
    ApiError::invalid("input.assessmentId", reason, err.to_string())
}

/// An instrument key (given as `input.instrumentKey`) has a key's shape: whatever else names
/// no instrument.
pub(crate) fn check_instrument_key(key: &str) -> Result<(), ApiError> {
    RitualKey::parse(key).map(|_| ()).map_err(|_| {
        ApiError::invalid(
            "input.instrumentKey",
            Reason::BadFormat,
            "an instrument key is 3 to 64 lower-case letters, digits and single underscores",
        )
    })
}

/// At most this many answers in one call (an instrument has far fewer items).
const MAX_ANSWERS: usize = 200;

/// Which instrument to take.
#[derive(InputObject)]
pub struct StartAssessmentInput {
    /// The instrument's key.
    pub instrument_key: String,
}

/// The assessment to answer: a new one, or the one you left unfinished.
#[derive(SimpleObject)]
pub struct StartAssessmentPayload {
    /// The assessment.
    pub assessment: Assessment,
}

/// One answer; give `choice` for a Likert or single-choice item, `yes` for a yes-or-no one.
#[derive(InputObject)]
pub struct AssessmentAnswerInput {
    /// The item answered.
    pub item_key: String,
    /// The key of the point or option chosen.
    pub choice: Option<String>,
    /// The answer to a yes-or-no item.
    pub yes: Option<bool>,
}

/// Answers to save.
#[derive(InputObject)]
pub struct AnswerAssessmentInput {
    /// An unfinished assessment of yours.
    pub assessment_id: ID,
    /// Answers to save; each replaces an earlier answer to the same item.
    pub answers: Vec<AssessmentAnswerInput>,
}

/// The assessment with the answers saved.
#[derive(SimpleObject)]
pub struct AnswerAssessmentPayload {
    /// The assessment.
    pub assessment: Assessment,
}

/// The assessment to score.
#[derive(InputObject)]
pub struct SubmitAssessmentInput {
    /// An assessment of yours with every item answered.
    pub assessment_id: ID,
}

/// The scored assessment.
#[derive(SimpleObject)]
pub struct SubmitAssessmentPayload {
    /// The assessment, now submitted.
    pub assessment: Assessment,
    /// Its result.
    pub result: AssessmentResult,
}

/// A result to share or to take back.
#[derive(InputObject)]
pub struct ShareAssessmentResultInput {
    /// A submitted assessment of yours.
    pub assessment_id: ID,
}

/// The assessment, shared.
#[derive(SimpleObject)]
pub struct ShareAssessmentResultPayload {
    /// The assessment.
    pub assessment: Assessment,
}

/// A result to make private again.
#[derive(InputObject)]
pub struct UnshareAssessmentResultInput {
    /// A submitted assessment of yours.
    pub assessment_id: ID,
}

/// The assessment, private again.
#[derive(SimpleObject)]
pub struct UnshareAssessmentResultPayload {
    /// The assessment.
    pub assessment: Assessment,
}

/// One answer; `object` is its path (`input.answers.0`).
fn answer_of(input: AssessmentAnswerInput, object: &str) -> Result<(String, Answer), ApiError> {
    let message = || {
        format!(
            "item `{}`: give either `choice` or `yes`, not both and not neither",
            input.item_key
        )
    };
    match (&input.choice, input.yes) {
        (Some(choice), None) => Ok((input.item_key.clone(), Answer::Choice(choice.clone()))),
        (None, Some(yes)) => Ok((input.item_key.clone(), Answer::YesNo(yes))),
        (Some(_), Some(_)) => Err(ApiError::invalid(
            format!("{object}.yes"),
            Reason::Incompatible,
            message(),
        )),
        (None, None) => Err(ApiError::invalid(
            format!("{object}.choice"),
            Reason::Required,
            message(),
        )),
    }
}

fn updated(
    access: policy::AssessmentAccess,
    row: assessment::Model,
) -> Result<Assessment, ApiError> {
    access
        .updated(row)
        .map(Assessment)
        .ok_or_else(|| ApiError::internal(&"an assessment changed owner"))
}

fn already_submitted() -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        "this assessment is submitted and its answers are fixed; start a new one to answer again",
    )
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// Starts an instrument, or answers the one you left unfinished (so a retry never makes a
    /// second). Only you will ever see your answers.
    async fn start_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `StartAssessmentInput`.")]
        input: StartAssessmentInput,
    ) -> Result<StartAssessmentPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let owner = policy::may_take_assessment(caller)?;
        check_instrument_key(&input.instrument_key)?;
        let instrument = match state.instruments.by_key(&input.instrument_key) {
            Some(built_in) => built_in,
            None => crate::graphql::organization_content::organization_instrument(
                state,
                caller,
                &input.instrument_key,
            )
            .await?
            .ok_or_else(|| ApiError::not_found("instrument"))?,
        };
        let row = match assessment::in_progress(&state.db, owner, &input.instrument_key).await? {
            Some(unfinished) if unfinished.instrument_id == instrument.id => unfinished,
            _ => {
                let mut write = state.writer.begin(state.clock.now()).await?;
                let started = assessment::start(
                    &*write,
                    owner,
                    instrument.id,
                    &instrument.definition.key,
                    write.now(),
                )
                .await?;
                write.change(recorded(
                    NodeKind::Assessment,
                    started.id,
                    Action::Created,
                    Audience::Member(owner),
                ));
                write.commit().await?;
                started
            }
        };
        let access = policy::own_row(caller, row)
            .ok_or_else(|| ApiError::internal(&"a started assessment is not the caller's"))?;
        Ok(StartAssessmentPayload {
            assessment: Assessment(access),
        })
    }

    /// Saves answers to an unfinished assessment of yours; each replaces an earlier answer to
    /// the same item. A bad answer saves nothing of the request.
    async fn answer_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AnswerAssessmentInput`.")]
        input: AnswerAssessmentInput,
    ) -> Result<AnswerAssessmentPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.assessment_id,
            NodeKind::Assessment,
            "input.assessmentId",
        )?;
        let access = policy::own_assessment(state, caller, id).await?;
        if access.row().is_submitted()? {
            return Err(already_submitted());
        }
        let instrument = instrument_of(state, access.row()).await?;
        let mut answers = access.row().answers()?;
        if input.answers.len() > MAX_ANSWERS {
            return Err(ApiError::invalid(
                "input.answers",
                Reason::TooMany,
                format!("at most {MAX_ANSWERS} answers at a time"),
            ));
        }
        for (i, given) in input.answers.into_iter().enumerate() {
            let object = format!("input.answers.{i}");
            let (key, answer) = answer_of(given, &object)?;
            let item = instrument.definition.item(&key).ok_or_else(|| {
                let err = ScoreError::UnknownItem(key.clone());
                ApiError::invalid(
                    format!("{object}.itemKey"),
                    Reason::NotOneOf,
                    err.to_string(),
                )
            })?;
            answer_value(item, &answer).map_err(|err| {
                let field = match answer {
                    Answer::Choice(_) => "choice",
                    Answer::YesNo(_) => "yes",
                };
                ApiError::invalid(
                    format!("{object}.{field}"),
                    Reason::NotOneOf,
                    err.to_string(),
                )
            })?;
            answers.insert(key, answer);
        }
        let mut write = state.writer.begin(state.clock.now()).await?;
        if !assessment::save_answers(&*write, id, &answers, write.now()).await? {
            return Err(already_submitted());
        }
        let owner = Audience::Member(access.row().user_id);
        write.change(recorded(NodeKind::Assessment, id, Action::Updated, owner));
        write.commit().await?;
        let row = assessment::find_owned(&state.db, id, access.row().user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("assessment"))?;
        Ok(AnswerAssessmentPayload {
            assessment: updated(access, row)?,
        })
    }

    /// Scores an assessment of yours with every item answered. Submitting one already
    /// submitted answers its result again. The result is private until you share it.
    async fn submit_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `SubmitAssessmentInput`.")]
        input: SubmitAssessmentInput,
    ) -> Result<SubmitAssessmentPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.assessment_id,
            NodeKind::Assessment,
            "input.assessmentId",
        )?;
        let access = policy::own_assessment(state, caller, id).await?;
        let owner = access.row().user_id;
        if !access.row().is_submitted()? {
            let instrument = instrument_of(state, access.row()).await?;
            let scored = score(&instrument.definition, &access.row().answers()?)
                .map_err(|err| unscorable(&err))?;
            let previous =
                assessment::latest_submitted(&state.db, owner, &access.row().instrument_key)
                    .await?;
            let change = previous
                .and_then(|p| p.total)
                .map(|before| reliable_change(&instrument.definition, before, scored.total));
            let record = ResultRecord { scored, change };
            // Lost to a concurrent submit: that one's result stands and is answered below.
            let mut write = state.writer.begin(state.clock.now()).await?;
            assessment::submit(&*write, id, &record, write.now()).await?;
            write.change(recorded(
                NodeKind::Assessment,
                id,
                Action::Updated,
                Audience::Member(owner),
            ));
            write.commit().await?;
        }
        let row = assessment::find_owned(&state.db, id, owner)
            .await?
            .ok_or_else(|| ApiError::not_found("assessment"))?;
        let record = row
            .record()?
            .ok_or_else(|| ApiError::internal(&"a submitted assessment has no result"))?;
        Ok(SubmitAssessmentPayload {
            assessment: updated(access, row)?,
            result: AssessmentResult(record),
        })
    }

    /// Shares a result of yours with your couple: your partner then sees its scores and bands
    /// (never your answers). A result that raised a safety concern cannot be shared.
    async fn share_assessment_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ShareAssessmentResultInput`.")]
        input: ShareAssessmentResultInput,
    ) -> Result<ShareAssessmentResultPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.assessment_id,
            NodeKind::Assessment,
            "input.assessmentId",
        )?;
        let access = policy::shareable_assessment(state, caller, id).await?;
        let couple = policy::callers_couple(state, caller)
            .await?
            .ok_or_else(|| {
                ApiError::invalid(
                    "input.assessmentId",
                    Reason::NotNow,
                    "join a couple first: results are shared with it",
                )
            })?;
        let mut write = state.writer.begin(state.clock.now()).await?;
        let row = assessment::set_shared(&*write, id, Some(couple.id()), write.now()).await?;
        let changes = shared_changes(&write, id, access.row().user_id, couple.id()).await?;
        write.changes(changes);
        announce_shared(state, &mut write, couple.id(), &row).await?;
        write.commit().await?;
        Ok(ShareAssessmentResultPayload {
            assessment: updated(access, row)?,
        })
    }

    /// Makes a shared result private again, at once.
    async fn unshare_assessment_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UnshareAssessmentResultInput`.")]
        input: UnshareAssessmentResultInput,
    ) -> Result<UnshareAssessmentResultPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let id = decode_id_of(
            &input.assessment_id,
            NodeKind::Assessment,
            "input.assessmentId",
        )?;
        let access = policy::own_assessment(state, caller, id).await?;
        let owner = access.row().user_id;
        let was_shared_with = access.row().shared_with_couple;
        let mut write = state.writer.begin(state.clock.now()).await?;
        let row = assessment::set_shared(&*write, id, None, write.now()).await?;
        let changes = match was_shared_with {
            Some(couple) => shared_changes(&write, id, owner, couple).await?,
            None => vec![recorded(
                NodeKind::Assessment,
                id,
                Action::Updated,
                Audience::Member(owner),
            )],
        };
        write.changes(changes);
        write.commit().await?;
        Ok(UnshareAssessmentResultPayload {
            assessment: updated(access, row)?,
        })
    }
}

/// What sharing or unsharing a result changes: the owner's assessment, and for the partner the
/// couple's shared results (the partner never gets the assessment's ID).
async fn shared_changes(
    write: &runtime::Write,
    id: uuid::Uuid,
    owner: uuid::Uuid,
    couple: uuid::Uuid,
) -> Result<Vec<change::NewChange>, ApiError> {
    let mut changes = vec![recorded(
        NodeKind::Assessment,
        id,
        Action::Updated,
        Audience::Member(owner),
    )];
    for partner in partners_of(&**write, couple, owner).await? {
        changes.push(recorded(NodeKind::Couple, couple, Action::Updated, partner));
    }
    Ok(changes)
}

/// Tells coaching platforms granted `assessment_results` that a result was shared: the
/// instrument and the band, nothing else (a safety result is never shared at all).
async fn announce_shared(
    state: &AppState,
    write: &mut runtime::Write,
    couple_id: uuid::Uuid,
    row: &assessment::Model,
) -> Result<(), ApiError> {
    if row.safety {
        return Ok(());
    }
    let instrument = super::results::instrument_of(state, row).await?;
    let band = row
        .record()?
        .and_then(|record| record.scored.band)
        .map(|band| band.key);
    write
        .announce(
            couple_id,
            domain::organization::Scope::AssessmentResults,
            domain::webhook::EventType::AssessmentCompleted,
            serde_json::json!({
                "coupleId": crate::graphql::ids::global_id(NodeKind::Couple, couple_id).as_str(),
                "instrumentKey": instrument.definition.key,
                "band": band,
            }),
        )
        .await?;
    Ok(())
}
