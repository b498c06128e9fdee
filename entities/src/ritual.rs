//! The `rituals` table: the catalog, built-in and (later) organization-owned entries.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{Condition, QueryOrder, QuerySelect};

use crate::page::{Page, PageRequest};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rituals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub key: String,
    pub title: String,
    pub summary: String,
    pub why_it_helps: String,
    pub category: String,
    pub default_cadence: String,
    pub duration_minutes: i32,
    /// A JSON array of strings, in order.
    pub steps: Json,
    pub built_in: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The ordered steps; a malformed stored value reads as no steps.
    pub fn step_list(&self) -> Vec<String> {
        self.steps
            .as_array()
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Filters on the catalog; every one that is set must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: Option<String>,
    pub cadence: Option<String>,
    /// Case-insensitive text found in the key, title or summary.
    pub search: Option<String>,
}

impl Filter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(category) = &self.category {
            cond = cond.add(Column::Category.eq(category.as_str()));
        }
        if let Some(cadence) = &self.cadence {
            cond = cond.add(Column::DefaultCadence.eq(cadence.as_str()));
        }
        if let Some(search) = &self.search {
            let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
            let mut any = Condition::any();
            for col in [Column::Key, Column::Title, Column::Summary] {
                any = any.add(
                    Expr::expr(Func::lower(Expr::col(col)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                );
            }
            cond = cond.add(any);
        }
        cond
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page of the catalog ordered by key.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    let total_count = Entity::find().filter(filter.condition()).count(db).await?;
    let mut query = Entity::find().filter(filter.condition());
    if let Some(after) = &page.after {
        query = query.filter(Column::Key.gt(after.as_str()));
    }
    if let Some(before) = &page.before {
        query = query.filter(Column::Key.lt(before.as_str()));
    }
    let query = if page.from_end {
        query.order_by_desc(Column::Key)
    } else {
        query.order_by_asc(Column::Key)
    };
    let rows = query.limit(page.limit.saturating_add(1)).all(db).await?;
    Ok(page.finish(rows, total_count))
}

pub async fn find_by_key<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Key.eq(key)).one(db).await
}

pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
