//! A couple's progress view: weekly rates, streaks, and the balance across intimacy dimensions.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::progress::{BALANCED, ItemHistory, balance, couple_streak, weekly_progress};
use entities::{couple, plan, plan_item};

use super::history::{counted_members, item_history, pauses_of};
use super::types::{PlanItem, Streak, StreakUnit, unit_of};
use crate::error::ApiError;
use crate::graphql::ritual::types::RitualCategory;
use crate::state::AppState;

/// One ISO week, in the couple's time zone.
#[derive(SimpleObject)]
pub struct WeekProgress {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Occurrences due that week (paused ones are not due).
    pub planned: u32,
    /// Of those, how many are complete (a BOTH ritual once both members logged it).
    pub completed: u32,
    /// completed / planned; 0 when nothing was planned.
    pub rate: f64,
    /// Mean closeness of that week's logs; null when none.
    pub average_closeness: Option<f64>,
}

/// A plan item's streak.
#[derive(SimpleObject)]
pub struct ItemStreak {
    pub item: PlanItem,
    pub streak: Streak,
}

#[derive(SimpleObject)]
pub struct ProgressStreaks {
    /// The couple's streak in weeks: a week is kept when at least one ritual due was done.
    pub couple: Streak,
    /// Each active plan item's streak.
    pub items: Vec<ItemStreak>,
}

/// The share of completed rituals in one dimension of intimacy.
#[derive(SimpleObject)]
pub struct CategoryShare {
    pub category: RitualCategory,
    /// 0 to 1; the four shares sum to 1 when anything was completed.
    pub share: f64,
}

/// Progress over the last weeks.
pub struct Progress {
    pub couple: couple::Model,
    pub weeks: u32,
    /// The couple's history, loaded once however many of the fields a request asks for.
    loaded: tokio::sync::OnceCell<Loaded>,
}

struct Loaded {
    histories: Vec<ItemHistory>,
    active: Vec<(PlanItem, usize)>,
}

impl Progress {
    pub fn new(couple: couple::Model, weeks: u32) -> Self {
        Self {
            couple,
            weeks,
            loaded: tokio::sync::OnceCell::new(),
        }
    }

    async fn load(&self, state: &AppState) -> Result<&Loaded, ApiError> {
        self.loaded.get_or_try_init(|| self.fetch(state)).await
    }

    async fn fetch(&self, state: &AppState) -> Result<Loaded, ApiError> {
        let members = counted_members(&state.db, self.couple.id).await?;
        let mut histories = Vec::new();
        let mut active = Vec::new();
        for p in plan::all_for_couple(&state.db, self.couple.id).await? {
            let pauses = pauses_of(&state.db, p.id).await?;
            for item in plan_item::all_for_plan(&state.db, p.id).await? {
                histories.push(item_history(&state.db, &item, &p, &members, &pauses).await?);
                if p.is_active() && item.status == plan_item::ACTIVE {
                    active.push((
                        PlanItem {
                            item,
                            plan: p.clone(),
                        },
                        histories.len() - 1,
                    ));
                }
            }
        }
        Ok(Loaded { histories, active })
    }

    fn tz(&self) -> Tz {
        self.couple.timezone.parse().unwrap_or(Tz::UTC)
    }
}

#[Object]
impl Progress {
    /// One entry per week, oldest first, the current week last.
    async fn weeks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WeekProgress>> {
        let state = ctx.data::<AppState>()?;
        let loaded = self.load(state).await?;
        Ok(
            weekly_progress(&loaded.histories, self.tz(), self.weeks, Utc::now())
                .into_iter()
                .map(|w| WeekProgress {
                    week_start: w.week_start,
                    planned: w.planned,
                    completed: w.completed,
                    rate: w.rate(),
                    average_closeness: w.average_closeness,
                })
                .collect(),
        )
    }

    async fn streaks(&self, ctx: &Context<'_>) -> async_graphql::Result<ProgressStreaks> {
        let state = ctx.data::<AppState>()?;
        let loaded = self.load(state).await?;
        let now = Utc::now();
        let rules = state.settings.streak_rules;
        let c = couple_streak(&loaded.histories, self.tz(), now, &rules);
        let items = loaded
            .active
            .iter()
            .map(|(item, index)| {
                let history = &loaded.histories[*index];
                let s = history.streak(now, &rules);
                ItemStreak {
                    item: item.clone(),
                    streak: Streak {
                        current: s.current,
                        longest: s.longest,
                        unit: unit_of(&history.schedule),
                    },
                }
            })
            .collect();
        Ok(ProgressStreaks {
            couple: Streak {
                current: c.current,
                longest: c.longest,
                unit: StreakUnit::Week,
            },
            items,
        })
    }

    /// How completed rituals of these weeks spread across emotional, intellectual, physical
    /// and novelty rituals (the guide's "redefining intimacy").
    async fn balance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CategoryShare>> {
        let state = ctx.data::<AppState>()?;
        let loaded = self.load(state).await?;
        let now = Utc::now();
        let from = now - Duration::weeks(i64::from(self.weeks));
        let shares = balance(&loaded.histories, from, now);
        debug_assert_eq!(shares.len(), BALANCED.len());
        Ok(shares
            .into_iter()
            .map(|(category, share)| CategoryShare {
                category: category.into(),
                share,
            })
            .collect())
    }
}
