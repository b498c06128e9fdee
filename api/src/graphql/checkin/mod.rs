//! Daily check-ins, answer-then-reveal: the couple's prompt of the day, your answer, and your
//! partner's once both of you answered.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::checkin::{CheckInError, check_answerable, parse_answer, prompt_for};
use domain::jobs::AnnounceCheckIn;
use entities::check_in;

use crate::auth::Caller;
use crate::auth::policy::{self, CheckInAccess};
use crate::error::ApiError;
use crate::state::AppState;

/// The question of a day.
#[derive(SimpleObject)]
pub struct CheckInPrompt {
    /// The prompt's stable key.
    pub key: String,
    /// The question.
    pub text: String,
}

/// An answer to a check-in.
#[derive(SimpleObject)]
pub struct CheckInAnswer {
    /// What was answered.
    pub text: String,
    /// When it was first given.
    pub answered_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn answer_of(row: &check_in::Model) -> CheckInAnswer {
    CheckInAnswer {
        text: row.answer.clone(),
        answered_at: row.answered_at,
        updated_at: row.updated_at,
    }
}

/// The couple's check-in of one local day.
pub struct CheckIn(CheckInAccess);

/// The couple's check-in of one local day.
#[Object]
impl CheckIn {
    /// The local day, in the couple's time zone.
    async fn date(&self) -> NaiveDate {
        self.0.date()
    }

    /// The day's question, the same for both of you.
    async fn prompt(&self) -> CheckInPrompt {
        let prompt = prompt_for(self.0.date());
        CheckInPrompt {
            key: prompt.key.to_owned(),
            text: prompt.text.to_owned(),
        }
    }

    /// Your answer, if you gave one.
    async fn my_answer(&self) -> Option<CheckInAnswer> {
        self.0.mine().map(answer_of)
    }

    /// Whether your partner answered (nothing of what, how much or when).
    async fn partner_answered(&self) -> bool {
        self.0.partner_answered()
    }

    /// Whether both answered: then both answers show to both, and neither changes.
    async fn revealed(&self) -> bool {
        self.0.revealed()
    }

    /// Your partner's answer, once both of you answered.
    async fn partner_answer(&self) -> Option<CheckInAnswer> {
        self.0.partner_answer().map(answer_of)
    }
}

/// An answer to the couple's check-in.
#[derive(InputObject)]
pub struct AnswerCheckInInput {
    /// The local day (the couple's time zone); today by default. Yesterday's check-in takes
    /// answers until today ends.
    pub date: Option<NaiveDate>,
    /// Your answer (1 to 2000 characters); replaces an earlier one until both answered.
    pub answer: String,
}

/// The check-in with your answer.
#[derive(SimpleObject)]
pub struct AnswerCheckInPayload {
    /// The check-in as it is now.
    pub check_in: CheckIn,
}

#[derive(Default)]
pub struct CheckInQuery;

#[Object]
impl CheckInQuery {
    /// Your couple's check-in of a day (today in the couple's time zone by default): the
    /// prompt, your answer, and your partner's once both of you answered.
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The local day; today by default. A future day is refused.")] date: Option<
            NaiveDate,
        >,
    ) -> Result<CheckIn, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        Ok(CheckIn(
            policy::readable_check_in(state, caller, date).await?,
        ))
    }
}

#[derive(Default)]
pub struct CheckInMutation;

#[Object]
impl CheckInMutation {
    /// Answers your couple's check-in; your partner sees it only once they answered too.
    async fn answer_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AnswerCheckInInput`.")]
        input: AnswerCheckInInput,
    ) -> Result<AnswerCheckInPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let answer = parse_answer(&input.answer)?;
        let before = policy::readable_check_in(state, caller, input.date).await?;
        let date = before.date();
        check_answerable(date, before.today())?;
        if before.revealed() {
            return Err(CheckInError::Revealed { date }.into());
        }
        let new = check_in::NewAnswer {
            couple_id: before.couple().id(),
            date,
            user_id: before.couple().viewer(),
            prompt_key: prompt_for(date).key,
            answer: &answer,
        };
        let mut write = state.writer.begin(state.clock.now()).await?;
        let saved = check_in::save(&*write, new, write.now()).await?;
        // Every save asks; the partner is told once (the notification's dedupe key).
        write.job(AnnounceCheckIn {
            check_in_answer_id: saved,
        })?;
        write.commit().await?;
        let after = policy::readable_check_in(state, caller, Some(date)).await?;
        Ok(AnswerCheckInPayload {
            check_in: CheckIn(after),
        })
    }
}
