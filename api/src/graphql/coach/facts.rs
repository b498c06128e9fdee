//! The member's facts a model may be told, read through the policy and the loaders and put
//! into the `coach` crate's allow-list type.

use async_graphql::Context;
use coach::facts::{Band, BreakState, Facts, PlanRitual, Streaks};
use entities::assessment;

use crate::auth::{AuthUser, Caller, policy};
use crate::error::ApiError;
use crate::graphql::assessment::results::instrument_of;
use crate::graphql::loaders::Loaders;
use crate::graphql::plan::progress::Progress;
use crate::state::AppState;

/// What the coach may know of the caller: their locale, plan, streak, recent count, non-safety
/// bands and the couple's break.
pub async fn of_member(
    ctx: &Context<'_>,
    state: &AppState,
    caller: &Caller,
    user: &AuthUser,
) -> Result<Facts, ApiError> {
    let mut bands = Vec::new();
    for row in assessment::latest_results(&state.db, user.id).await? {
        // The version the result was scored with.
        let instrument = instrument_of(state, &row).await?;
        bands.extend(Band::of(user.id, &row, &instrument.definition));
    }
    let mut facts = Facts::new()
        .with_locale(&user.account.locale)
        .with_bands(bands);
    let Some(couple) = policy::callers_couple(state, caller).await? else {
        return Ok(facts);
    };
    let plan = Progress::new(couple.clone(), 1);
    let (streak, items, done) = plan.for_coach(ctx, user.id).await?;
    let loaders = Loaders::of(ctx)?;
    let mut rituals = Vec::with_capacity(items.len());
    for item in &items {
        let ritual = loaders.ritual(item.item().ritual_id).await?;
        rituals.extend(PlanRitual::of(item.item(), &ritual));
    }
    let on_break = policy::open_break(state, &couple)
        .await?
        .and_then(|b| BreakState::of(b.row(), b.today()));
    facts = facts
        .with_plan(rituals)
        .with_streak(Streaks::of(streak, done))
        .with_break(on_break);
    Ok(facts)
}
