//! The `weekly_summaries` table (one per couple-week, built by the worker) and what a summary
//! is built from.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::summary::{Extras, WeeklySummary, start_of};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect, Set};

use crate::history::{ItemRows, counted_members};
use crate::stored::BadRow;
use crate::{assessment, check_in, completion, couple, couple_member, plan, plan_item, ritual};

const TABLE: &str = "weekly_summaries";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "weekly_summaries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub couple_id: Uuid,
    pub week_start: NaiveDate,
    pub content: Json,
    pub built_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn summary(&self) -> Result<WeeklySummary, BadRow> {
        serde_json::from_value(self.content.clone())
            .map_err(|e| BadRow::new(TABLE, self.id, "content", e))
    }
}

/// Stores couple-weeks' summaries in one statement. Without `replace` an existing one stays;
/// with it the new content replaces the old. Answers the rows this call wrote.
pub async fn store_many<C: ConnectionTrait>(
    db: &C,
    summaries: &[(Uuid, WeeklySummary)],
    replace: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    if summaries.is_empty() {
        return Ok(Vec::new());
    }
    let rows = summaries
        .iter()
        .map(|(couple_id, summary)| {
            let content = serde_json::to_value(summary).map_err(|e| DbErr::Json(e.to_string()))?;
            Ok(ActiveModel {
                id: Set(Uuid::now_v7()),
                couple_id: Set(*couple_id),
                week_start: Set(summary.week_start),
                content: Set(content),
                built_at: Set(now),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    let insert = Entity::insert_many(rows);
    if replace {
        let conflict = OnConflict::columns([Column::CoupleId, Column::WeekStart])
            .update_columns([Column::Content, Column::BuiltAt])
            .to_owned();
        return insert.on_conflict(conflict).exec_with_returning(db).await;
    }
    let written = insert
        .on_conflict_do_nothing_on([Column::CoupleId, Column::WeekStart])
        .exec_with_returning_many(db)
        .await?;
    Ok(match written {
        sea_orm::TryInsertResult::Inserted(rows) => rows,
        _ => Vec::new(),
    })
}

/// A summary by ID.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Stores a summary with its new narrative (its numbers stay as built: `summary` is the row's).
pub async fn set_narrative<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    mut summary: WeeklySummary,
    narrative: String,
) -> Result<(), DbErr> {
    summary.narrative = Some(narrative);
    let content = serde_json::to_value(&summary).map_err(|e| DbErr::Json(e.to_string()))?;
    Entity::update_many()
        .col_expr(Column::Content, sea_orm::sea_query::Expr::value(content))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Which of the (couple, week) pairs already have a summary.
pub async fn present<C: ConnectionTrait>(
    db: &C,
    wanted: &[(Uuid, NaiveDate)],
) -> Result<HashSet<(Uuid, NaiveDate)>, DbErr> {
    if wanted.is_empty() {
        return Ok(HashSet::new());
    }
    let couples: Vec<Uuid> = wanted.iter().map(|(c, _)| *c).collect();
    let weeks: HashSet<NaiveDate> = wanted.iter().map(|(_, w)| *w).collect();
    Ok(Entity::find()
        .filter(Column::CoupleId.is_in(couples))
        .filter(Column::WeekStart.is_in(weeks))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.couple_id, row.week_start))
        .collect())
}

/// A page of a couple's summaries, newest week first: `limit` after the `after` week, with
/// whether more follow and how many there are.
pub async fn page_for_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    after: Option<NaiveDate>,
    limit: u64,
) -> Result<(Vec<Model>, bool, u64), DbErr> {
    let query = Entity::find().filter(Column::CoupleId.eq(couple_id));
    let total = query.clone().count(db).await?;
    let mut query = query;
    if let Some(after) = after {
        query = query.filter(Column::WeekStart.lt(after));
    }
    let mut rows = query
        .order_by_desc(Column::WeekStart)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more, total))
}

/// What one couple's summary is built from.
pub struct Sources {
    pub items: Vec<domain::progress::ItemHistory>,
    pub members: Vec<Uuid>,
    pub on_plan: Vec<String>,
    pub extras: Extras,
}

/// Reads the plan histories and the week's counts of several couple-weeks, each kind of row in
/// one statement whatever the number of couples; answers them in the order given.
pub async fn sources<C: ConnectionTrait>(
    db: &C,
    weeks: &[(&couple::Model, NaiveDate)],
) -> Result<Vec<Sources>, DbErr> {
    let couple_ids: Vec<Uuid> = weeks.iter().map(|(c, _)| c.id).collect();
    let members_rows = couple_member::with_users(db, &couple_ids).await?;
    let plans = plan::for_couples(db, &couple_ids).await?;
    let plan_ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let items = plan_item::for_plans(db, &plan_ids).await?;
    let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let mut completions: BTreeMap<Uuid, Vec<completion::Model>> = BTreeMap::new();
    for c in completion::for_items(db, &item_ids).await? {
        completions.entry(c.plan_item_id).or_default().push(c);
    }
    let mut pauses: BTreeMap<Uuid, Vec<plan::pause::Model>> = BTreeMap::new();
    for p in plan::pause::for_plans(db, &plan_ids).await? {
        pauses.entry(p.plan_id).or_default().push(p);
    }
    let ritual_ids: Vec<Uuid> = items.iter().map(|i| i.ritual_id).collect();
    let rituals: BTreeMap<Uuid, ritual::Model> = ritual::by_ids(db, &ritual_ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let first = weeks
        .iter()
        .map(|(_, w)| *w)
        .min()
        .unwrap_or(NaiveDate::MIN);
    let last = weeks
        .iter()
        .map(|(_, w)| *w)
        .max()
        .unwrap_or(NaiveDate::MIN)
        + Duration::weeks(1);
    let answers = check_in::for_couples_between(db, &couple_ids, first, last).await?;
    // A day each side covers every zone's week.
    let shared = assessment::shared_with_couples(
        db,
        &couple_ids,
        start_of(first, chrono_tz::UTC) - Duration::days(1),
        start_of(last, chrono_tz::UTC) + Duration::days(1),
    )
    .await?;
    let mut out = Vec::with_capacity(weeks.len());
    for (couple, week_start) in weeks {
        let tz = couple.timezone()?;
        let members = counted_members(
            members_rows
                .iter()
                .filter(|(m, _)| m.couple_id == couple.id)
                .map(|(m, _)| m),
        );
        let mut histories = Vec::new();
        let mut on_plan = Vec::new();
        for plan in plans.iter().filter(|p| p.couple_id == couple.id) {
            for item in items.iter().filter(|i| i.plan_id == plan.id) {
                let Some(ritual) = rituals.get(&item.ritual_id) else {
                    continue;
                };
                let rows = ItemRows {
                    item,
                    plan,
                    ritual,
                    completions: completions.get(&item.id).map_or(&[], Vec::as_slice),
                    pauses: pauses.get(&plan.id).map_or(&[], Vec::as_slice),
                    members: &members,
                };
                histories.push(rows.history()?);
                if plan.is_active()? && item.is_active()? {
                    on_plan.push(ritual.key.clone());
                }
            }
        }
        let week_end = *week_start + Duration::weeks(1);
        let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for answer in answers.iter().filter(|a| {
            a.couple_id == couple.id && *week_start <= a.local_date && a.local_date < week_end
        }) {
            *per_day.entry(answer.local_date).or_default() += 1;
        }
        let (from, to) = (start_of(*week_start, tz), start_of(week_end, tz));
        let results_shared = shared
            .iter()
            .filter(|(c, at)| *c == couple.id && from <= *at && *at < to)
            .count();
        out.push(Sources {
            items: histories,
            members,
            on_plan,
            extras: Extras {
                check_ins_both_answered: per_day.values().filter(|n| **n >= 2).count() as u32,
                results_shared: u32::try_from(results_shared).unwrap_or(u32::MAX),
            },
        });
    }
    Ok(out)
}

/// Builds couple-weeks' summaries from what is stored and stores them (replacing old ones when
/// `replace`); answers the rows this call wrote.
pub async fn build_and_store<C: ConnectionTrait>(
    db: &C,
    weeks: &[(&couple::Model, NaiveDate)],
    rules: &domain::streak::StreakRules,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    let sources = sources(db, weeks).await?;
    let catalog = ritual::built_in(db)
        .await?
        .into_iter()
        .map(|r| Ok((r.key.clone(), r.category()?)))
        .collect::<Result<Vec<_>, BadRow>>()?;
    let mut built = Vec::with_capacity(weeks.len());
    for ((couple, week_start), sources) in weeks.iter().zip(sources) {
        let summary = domain::summary::build(&domain::summary::Inputs {
            items: &sources.items,
            members: &sources.members,
            tz: couple.timezone()?,
            week_start: *week_start,
            rules,
            catalog: &catalog,
            on_plan: &sources.on_plan,
            extras: sources.extras,
        });
        built.push((couple.id, summary));
    }
    store_many(db, &built, replace, now).await
}
