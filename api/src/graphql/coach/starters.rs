//! `couple.conversationStarters`: for both partners, from what both already see.

use async_graphql::{Context, Enum, SimpleObject};
use chrono::Duration;
use coach::starters::{LoggedRitual, RevealedCheckIn, Shared, SharedBand, Source};
use domain::checkin::local_today;
use domain::input::Reason;
use domain::messages::DEFAULT_LOCALE;
use entities::page::PageRequest;
use entities::{assessment, check_in};

use crate::auth::Caller;
use crate::auth::policy::{CoupleAccess, Standing};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::assessment::results::instrument_of;
use crate::graphql::loaders::Loaders;
use crate::graphql::plan::progress::Progress;
use crate::state::AppState;

/// What a conversation starter draws from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConversationStarterSource {
    /// A check-in you both answered (its question; never an answer).
    CheckIn,
    /// A result shared with the couple (the instrument and its band).
    SharedResult,
    /// A ritual logged without a note.
    Completion,
    /// A ritual of your plan.
    Plan,
    /// Nothing of yours: a question for any couple.
    General,
}

/// A question to talk about together.
#[derive(SimpleObject)]
pub struct ConversationStarter {
    /// The question.
    pub text: String,
    /// What it draws from.
    pub source: ConversationStarterSource,
    /// The check-in question, instrument or ritual it draws from; null for a general one.
    pub about: Option<String>,
    /// Who wrote it: Rekindle's bank (SCRIPTED), or the configured model rewording it for you
    /// (MODEL), told only what both of you see.
    pub engine: super::CoachEngine,
}

/// How far back starters look.
const LOOK_BACK_DAYS: i64 = 7;

pub async fn for_couple(
    ctx: &Context<'_>,
    couple: &CoupleAccess,
    first: Option<i32>,
) -> Result<Vec<ConversationStarter>, ApiError> {
    if couple.standing() != Standing::Member {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "conversation starters are for the couple's own members",
        ));
    }
    let first = match first {
        None => 3,
        Some(n @ 0..=10) => usize::try_from(n).unwrap_or(3),
        Some(_) => {
            return Err(ApiError::invalid(
                "first",
                Reason::OutOfRange,
                "first: 0 to 10",
            ));
        }
    };
    let state = ctx.data::<AppState>()?;
    let loaders = Loaders::of(ctx)?;
    let tz = couple.couple().timezone()?;
    let today = local_today(tz, state.clock.now());
    let since = today - Duration::days(LOOK_BACK_DAYS);
    let id = couple.id();

    let answers =
        check_in::for_couples_between(&state.db, &[id], since, today + Duration::days(1)).await?;
    let mut days: Vec<_> = answers.iter().map(|a| a.local_date).collect();
    days.sort();
    days.dedup();
    let check_ins = days
        .into_iter()
        .filter_map(|day| RevealedCheckIn::of(id, day, &answers))
        .collect();

    let latest_shared = PageRequest {
        limit: 10,
        from_end: true,
        ..PageRequest::default()
    };
    let mut results = Vec::new();
    for row in assessment::page_shared(&state.db, id, &latest_shared)
        .await?
        .rows
    {
        let instrument = instrument_of(state, &row).await?;
        results.extend(SharedBand::of(id, &row, &instrument.definition));
    }

    let (_, items, _) = Progress::new(couple.clone(), 1)
        .for_coach(ctx, couple.viewer())
        .await?;
    let mut plan = Vec::new();
    let mut logged = Vec::new();
    for item in &items {
        let ritual = loaders.ritual(item.item().ritual_id).await?;
        plan.extend(coach::facts::PlanRitual::of(item.item(), &ritual));
        let done = loaders.completions(item.item().id).await?;
        logged.extend(
            done.iter()
                .filter(|c| c.occurrence_date > since && c.occurrence_date <= today)
                .filter_map(|c| LoggedRitual::of(c, item.item(), &ritual)),
        );
    }
    let shared = Shared {
        check_ins,
        results,
        logged,
        plan,
    };
    // A member's own couple: the caller is the member asking, in their language.
    let locale = ctx
        .data::<Caller>()?
        .user
        .as_ref()
        .map_or(DEFAULT_LOCALE, |user| user.account.locale.as_str());
    let picked = state
        .coach
        .starters()
        .pick(&shared, id, today, first, locale);
    let written = state.coach.personalise_starters(&shared, picked).await;
    Ok(written
        .into_iter()
        .map(|s| ConversationStarter {
            text: s.text,
            source: match s.source {
                Source::CheckIn => ConversationStarterSource::CheckIn,
                Source::SharedResult => ConversationStarterSource::SharedResult,
                Source::Completion => ConversationStarterSource::Completion,
                Source::Plan => ConversationStarterSource::Plan,
                Source::General => ConversationStarterSource::General,
            },
            about: s.about,
            engine: if s.by_model {
                super::CoachEngine::Model
            } else {
                super::CoachEngine::Scripted
            },
        })
        .collect())
}
