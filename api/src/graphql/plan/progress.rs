//! A couple's progress view: weekly rates, streaks, and the balance across intimacy dimensions.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use domain::progress::{ItemHistory, balance, couple_streak, weekly_progress};

use super::items::{PlanItem, history};
use super::schedules::{Streak, StreakUnit, unit_of};
use crate::auth::policy::{CoupleAccess, ItemAccess};
use crate::error::ApiError;
use crate::graphql::loaders::Loaders;
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
    /// The item.
    pub item: PlanItem,
    /// Its streak.
    pub streak: Streak,
}

/// The couple's streak and each active item's.
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
    /// The dimension.
    pub category: RitualCategory,
    /// 0 to 1; the four shares sum to 1 when anything was completed.
    pub share: f64,
}

/// Progress over the last weeks.
pub struct Progress {
    couple: CoupleAccess,
    weeks: u32,
    /// The couple's history, loaded once however many of the fields a request asks for.
    loaded: tokio::sync::OnceCell<Loaded>,
}

struct Loaded {
    histories: Vec<ItemHistory>,
    /// The active items of the active plan, with the index of their history.
    active: Vec<(ItemAccess, usize)>,
    tz: Tz,
}

impl Progress {
    pub fn new(couple: CoupleAccess, weeks: u32) -> Self {
        Self {
            couple,
            weeks,
            loaded: tokio::sync::OnceCell::new(),
        }
    }

    async fn load(&self, ctx: &Context<'_>) -> Result<&Loaded, ApiError> {
        self.loaded.get_or_try_init(|| self.fetch(ctx)).await
    }

    /// Every plan and item the couple ever had, through the request's loaders: each kind of
    /// row is read in one statement, however many plans and items there are.
    /// For the coach: the couple's streak, the active items, and how many occurrences
    /// `member` logged in the couple's last seven days.
    pub async fn for_coach(
        &self,
        ctx: &Context<'_>,
        member: uuid::Uuid,
    ) -> Result<(domain::streak::Streak, Vec<ItemAccess>, u32), ApiError> {
        let state = ctx.data::<AppState>()?;
        let loaded = self.load(ctx).await?;
        let now = state.clock.now();
        let streak = couple_streak(
            &loaded.histories,
            loaded.tz,
            now,
            &state.settings.streak_rules,
        );
        let today = now.with_timezone(&loaded.tz).date_naive();
        let done = loaded
            .histories
            .iter()
            .flat_map(|history| {
                (0..7).map(move |back| history.logged_by(today - Duration::days(back)))
            })
            .filter(|logged| logged.contains(&member))
            .count();
        let items = loaded.active.iter().map(|(a, _)| a.clone()).collect();
        Ok((streak, items, u32::try_from(done).unwrap_or(u32::MAX)))
    }

    async fn fetch(&self, ctx: &Context<'_>) -> Result<Loaded, ApiError> {
        let loaders = Loaders::of(ctx)?;
        let plans: Vec<_> = loaders
            .plans(self.couple.id())
            .await?
            .iter()
            .filter_map(|plan| self.couple.plan(plan.clone()))
            .collect();
        let items = futures_util::future::try_join_all(
            plans.iter().map(|plan| loaders.items(plan.plan().id)),
        )
        .await?;
        let mut accesses = Vec::new();
        for (plan, items) in plans.iter().zip(items) {
            let plan_active = plan.plan().is_active()?;
            for item in items.iter() {
                let active = plan_active && item.is_active()?;
                if let Some(access) = plan.item(item.clone()) {
                    accesses.push((access, active));
                }
            }
        }
        let histories =
            futures_util::future::try_join_all(accesses.iter().map(|(a, _)| history(loaders, a)))
                .await?;
        let active = accesses
            .into_iter()
            .enumerate()
            .filter(|(_, (_, active))| *active)
            .map(|(index, (access, _))| (access, index))
            .collect();
        Ok(Loaded {
            histories,
            active,
            tz: self.couple.couple().timezone()?,
        })
    }
}

/// Progress over the last weeks: weekly rates, streaks and the balance of rituals.
#[Object]
impl Progress {
    /// One entry per week, oldest first, the current week last.
    async fn weeks(&self, ctx: &Context<'_>) -> Result<Vec<WeekProgress>, ApiError> {
        let now = ctx.data::<AppState>()?.clock.now();
        let loaded = self.load(ctx).await?;
        Ok(
            weekly_progress(&loaded.histories, loaded.tz, self.weeks, now)
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

    /// The couple's streak and each active item's.
    async fn streaks(&self, ctx: &Context<'_>) -> Result<ProgressStreaks, ApiError> {
        let state = ctx.data::<AppState>()?;
        let loaded = self.load(ctx).await?;
        let now = state.clock.now();
        let rules = state.settings.streak_rules;
        let c = couple_streak(&loaded.histories, loaded.tz, now, &rules);
        let items = loaded
            .active
            .iter()
            .map(|(item, index)| {
                let history = &loaded.histories[*index];
                let s = history.streak(now, &rules);
                ItemStreak {
                    item: PlanItem::new(item.clone()),
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

    /// How completed rituals of these weeks spread across every category of the catalog, one
    /// share per category in the enum's order (the guide's four dimensions of intimacy first).
    async fn balance(&self, ctx: &Context<'_>) -> Result<Vec<CategoryShare>, ApiError> {
        let now = ctx.data::<AppState>()?.clock.now();
        let loaded = self.load(ctx).await?;
        let from = now - Duration::weeks(i64::from(self.weeks));
        let shares = balance(&loaded.histories, from, now);
        debug_assert_eq!(shares.len(), domain::catalog::RitualCategory::ALL.len());
        Ok(shares
            .into_iter()
            .map(|(category, share)| CategoryShare {
                category: category.into(),
                share,
            })
            .collect())
    }
}
