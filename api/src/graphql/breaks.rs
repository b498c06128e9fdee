//! Structured breaks: proposing one with terms, contact rules and a timeline, the partner
//! agreeing (which pauses the plan, so streaks do not break) or declining, and each partner's
//! private choice on the check-in date, shown to both once both chose.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::breaks::{BreakError, BreakStatus, check_timeline, parse_terms, pause_ends_at};
use domain::checkin::local_today;
use domain::input::Reason;
use entities::{couple_break, couple_member, plan};

use crate::auth::Caller;
use crate::auth::policy::{self, BreakAccess};
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of, global_id};
use crate::state::AppState;
use entities::change::{Action, Audience};

/// Where a break stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::breaks::BreakStatus")]
pub enum CoupleBreakStatus {
    /// Waiting for the partner to agree or decline.
    Proposed,
    /// Agreed and running: the plan is paused until it ends.
    Active,
    /// The partner declined it.
    Declined,
    /// Agreed, and its last day is past.
    Over,
}

/// What a partner chooses on the break's check-in date.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::breaks::BreakChoice")]
pub enum BreakChoice {
    /// Come back together and resume the plan.
    Resume,
    /// Take more time apart.
    Extend,
    /// Talk to a professional before deciding.
    SeekProfessional,
}

/// A structured break: time apart both agree to, with terms, contact rules and a timeline.
pub struct CoupleBreak(pub BreakAccess);

/// A structured break: time apart both agree to, with terms, contact rules and a timeline.
#[Object]
impl CoupleBreak {
    /// The break's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::CoupleBreak, self.0.row().id)
    }

    /// Where it stands today.
    async fn status(&self) -> Result<CoupleBreakStatus, ApiError> {
        Ok(self.0.status()?.into())
    }

    /// Whether you proposed it.
    async fn proposed_by_me(&self) -> bool {
        self.0.proposed_by_me()
    }

    /// Its last day, in the couple's time zone.
    async fn until(&self) -> NaiveDate {
        self.0.row().until
    }

    /// The day each of you chooses how to go on.
    async fn check_in_on(&self) -> NaiveDate {
        self.0.row().check_in_on
    }

    /// What the two of you agree the break is and is not.
    async fn terms(&self) -> &str {
        &self.0.row().terms
    }

    /// How and how often you stay in touch meanwhile.
    async fn contact_rules(&self) -> &str {
        &self.0.row().contact_rules
    }

    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row().created_at
    }

    /// When it was agreed to or declined.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().decided_at
    }

    /// Whether you are due to choose how to go on (the check-in date came).
    async fn check_in_due(&self) -> Result<bool, ApiError> {
        self.0.check_in_due()
    }

    /// Your choice, if you made it.
    async fn my_choice(&self) -> Result<Option<BreakChoice>, ApiError> {
        Ok(self.0.my_choice()?.map(Into::into))
    }

    /// Whether your partner chose (not what, before you both did).
    async fn partner_chose(&self) -> bool {
        self.0.partner_chose()
    }

    /// Whether both chose: then both choices show to both.
    async fn revealed(&self) -> bool {
        self.0.revealed()
    }

    /// Your partner's choice, once both of you chose.
    async fn partner_choice(&self) -> Result<Option<BreakChoice>, ApiError> {
        Ok(self.0.partner_choice()?.map(Into::into))
    }
}

/// A break to propose.
#[derive(InputObject)]
pub struct ProposeBreakInput {
    /// Its last day (the couple's time zone): after today, at most 180 days away.
    pub until: NaiveDate,
    /// The day each of you chooses how to go on: from today to `until`.
    pub check_in_on: NaiveDate,
    /// What the break is and is not (1 to 2000 characters).
    pub terms: String,
    /// How and how often you stay in touch (1 to 2000 characters).
    pub contact_rules: String,
}

/// A break to agree to or decline.
#[derive(InputObject)]
pub struct DecideBreakInput {
    /// A break your partner proposed.
    pub break_id: ID,
}

/// A choice on the check-in date.
#[derive(InputObject)]
pub struct AnswerBreakCheckInInput {
    /// The break.
    pub break_id: ID,
    /// Resume, extend, or seek a professional first.
    pub choice: BreakChoice,
}

/// The break as it is now.
#[derive(SimpleObject)]
pub struct CoupleBreakPayload {
    /// The break.
    pub couple_break: CoupleBreak,
}

async fn reread(state: &AppState, access: BreakAccess) -> Result<CoupleBreak, ApiError> {
    let row = couple_break::find_in_couple(&state.db, access.row().id, access.couple().id())
        .await?
        .ok_or_else(|| ApiError::not_found("break"))?;
    policy::updated_break(access, row)
        .map(CoupleBreak)
        .ok_or_else(|| ApiError::internal(&"a break changed identity"))
}

async fn break_for(state: &AppState, caller: &Caller, id: &ID) -> Result<BreakAccess, ApiError> {
    let id = decode_id_of(id, NodeKind::CoupleBreak, "input.breakId")?;
    policy::couple_break(state, caller, id).await
}

#[derive(Default)]
pub struct BreakMutation;

#[Object]
impl BreakMutation {
    /// Proposes a structured break to your partner, who agrees or declines. One break at a time.
    async fn propose_break(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ProposeBreakInput`.")]
        input: ProposeBreakInput,
    ) -> Result<CoupleBreakPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let couple = policy::check_in_couple(state, caller).await?;
        let today = local_today(couple.couple().timezone()?, state.clock.now());
        check_timeline(today, input.until, input.check_in_on)?;
        let terms = parse_terms("terms", &input.terms)?;
        let contact_rules = parse_terms("contact rules", &input.contact_rules)?;
        if couple_member::count_current(&state.db, couple.id()).await? < 2 {
            return Err(ApiError::invalid(
                "input",
                Reason::NotNow,
                "a break is agreed by two: your partner has not joined yet",
            ));
        }
        if policy::open_break(state, &couple).await?.is_some() {
            return Err(ApiError::conflict(
                "a break is already proposed or running; one at a time",
            ));
        }
        let new = couple_break::NewBreak {
            couple_id: couple.id(),
            proposed_by: couple.viewer(),
            until: input.until,
            check_in_on: input.check_in_on,
            terms,
            contact_rules,
        };
        let mut write = state.writer.begin(state.clock.now()).await?;
        let row = couple_break::propose(&*write, new, write.now()).await?;
        write.change(break_changed(couple.id(), row.id, Action::Created));
        write.commit().await?;
        let access = policy::couple_break(state, caller, row.id).await?;
        Ok(CoupleBreakPayload {
            couple_break: CoupleBreak(access),
        })
    }

    /// Agrees to the break your partner proposed: it starts now, and the couple's active plan
    /// is paused until the break's last day ends, so no streak breaks meanwhile.
    async fn agree_to_break(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DecideBreakInput`.")]
        input: DecideBreakInput,
    ) -> Result<CoupleBreakPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let access = break_for(state, caller, &input.break_id).await?;
        access.may_decide()?;
        let now = state.clock.now();
        let tz = access.couple().couple().timezone()?;
        let ends = pause_ends_at(access.row().until, tz)
            .ok_or_else(|| ApiError::internal(&"a break's end has no instant"))?;
        let mut active = Vec::new();
        for row in plan::for_couples(&state.db, &[access.couple().id()]).await? {
            if row.is_active()? {
                active.push(row.id);
            }
        }
        let mut write = state.writer.begin(now).await?;
        if !couple_break::decide(&*write, access.row().id, BreakStatus::Active, now).await? {
            return Err(BreakError::Settled("decided", "agreed to").into());
        }
        for id in active {
            plan::pause::end_running(&*write, id, now).await?;
            plan::pause::record(&*write, id, now, ends).await?;
            plan::set_paused_until(&*write, id, Some(ends)).await?;
        }
        write.change(break_changed(
            access.couple().id(),
            access.row().id,
            Action::Updated,
        ));
        write.commit().await?;
        Ok(CoupleBreakPayload {
            couple_break: reread(state, access).await?,
        })
    }

    /// Declines the break your partner proposed.
    async fn decline_break(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DecideBreakInput`.")]
        input: DecideBreakInput,
    ) -> Result<CoupleBreakPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let access = break_for(state, caller, &input.break_id).await?;
        access.may_decide()?;
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        if !couple_break::decide(&*write, access.row().id, BreakStatus::Declined, now).await? {
            return Err(BreakError::Settled("decided", "declined").into());
        }
        write.change(break_changed(
            access.couple().id(),
            access.row().id,
            Action::Updated,
        ));
        write.commit().await?;
        Ok(CoupleBreakPayload {
            couple_break: reread(state, access).await?,
        })
    }

    /// Chooses privately how to go on after the break: resume, extend, or see a professional
    /// first. Your partner sees your choice only once they chose too; a choice is final.
    async fn answer_break_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `AnswerBreakCheckInInput`.")]
        input: AnswerBreakCheckInInput,
    ) -> Result<CoupleBreakPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let access = break_for(state, caller, &input.break_id).await?;
        match access.status()? {
            BreakStatus::Active | BreakStatus::Over => {}
            BreakStatus::Proposed => {
                return Err(ApiError::invalid(
                    "input.breakId",
                    Reason::NotNow,
                    "the break has not been agreed to",
                ));
            }
            BreakStatus::Declined => {
                return Err(BreakError::Settled("declined", "checked in on").into());
            }
        }
        if !access.check_in_due()? {
            return Err(match access.my_choice()? {
                Some(_) => ApiError::conflict("you chose already; a choice is final"),
                None => BreakError::CheckInNotYet(access.row().check_in_on).into(),
            });
        }
        let user = access.couple().viewer();
        let mut write = state.writer.begin(state.clock.now()).await?;
        if !couple_break::choose(&*write, access.row(), user, input.choice.into()).await? {
            return Err(ApiError::conflict("you chose already; a choice is final"));
        }
        // The partner sees that a choice was made (never which, until both chose).
        write.change(break_changed(
            access.couple().id(),
            access.row().id,
            Action::Updated,
        ));
        write.commit().await?;
        Ok(CoupleBreakPayload {
            couple_break: reread(state, access).await?,
        })
    }
}

/// What the couple's changes feed says when a break was proposed or changed.
fn break_changed(
    couple_id: uuid::Uuid,
    break_id: uuid::Uuid,
    action: Action,
) -> entities::change::NewChange {
    recorded(
        NodeKind::CoupleBreak,
        break_id,
        action,
        Audience::Couple(couple_id),
    )
}
