//! The `rituals` table: the built-in catalog, a couple's own rituals and an organization's.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{Condition, QueryOrder, QuerySelect};

use domain::catalog::{DefaultCadence, RitualCategory};

use crate::page::{Page, PageRequest};
use crate::stored::{self, BadRow};

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
    /// The couple a custom ritual belongs to; none for catalog rituals.
    pub couple_id: Option<Uuid>,
    /// The organization that wrote it; none for catalog rituals and a couple's own.
    pub organization_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

const TABLE: &str = "rituals";

impl Model {
    /// The ordered steps.
    pub fn steps(&self) -> Result<Vec<String>, BadRow> {
        stored::strings(TABLE, self.id, "steps", &self.steps)
    }

    pub fn category(&self) -> Result<RitualCategory, BadRow> {
        stored::parse(TABLE, self.id, "category", &self.category)
    }

    pub fn default_cadence(&self) -> Result<DefaultCadence, BadRow> {
        stored::parse(TABLE, self.id, "default_cadence", &self.default_cadence)
    }
}

/// Filters on the catalog; every one that is set must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: Option<RitualCategory>,
    pub cadence: Option<DefaultCadence>,
    /// Case-insensitive text found in the key, title or summary.
    pub search: Option<String>,
    /// Who is looking: whose own rituals are listed besides the catalog's.
    pub viewer: Viewer,
}

/// Who sees which rituals besides the built-in catalog.
#[derive(Debug, Clone, Copy, Default)]
pub struct Viewer {
    /// A couple sees its own rituals and the organization rituals it accepted.
    pub couple: Option<Uuid>,
    /// An organization's coaches see the rituals it wrote.
    pub organization: Option<Uuid>,
}

impl Viewer {
    /// The members of `couple`, as they add rituals to their plans.
    pub fn of_couple(couple: Uuid) -> Self {
        Self {
            couple: Some(couple),
            organization: None,
        }
    }
}

/// The built-in catalog, plus what `viewer` may see of others.
pub fn visible_to(viewer: Viewer) -> Condition {
    let mut visible = Condition::any().add(
        Condition::all()
            .add(Column::CoupleId.is_null())
            .add(Column::OrganizationId.is_null()),
    );
    if let Some(couple) = viewer.couple {
        visible = visible
            .add(Column::CoupleId.eq(couple))
            .add(Column::Id.in_subquery(crate::suggestion::accepted_rituals(couple)));
    }
    if let Some(organization) = viewer.organization {
        visible = visible.add(Column::OrganizationId.eq(organization));
    }
    visible
}

impl Filter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all().add(visible_to(self.viewer));
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

/// A ritual by key, if `viewer` may see it.
pub async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
    viewer: Viewer,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Key.eq(key))
        .filter(visible_to(viewer))
        .one(db)
        .await
}

/// A ritual by ID, if `viewer` may see it.
pub async fn find_by_id<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    viewer: Viewer,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(visible_to(viewer))
        .one(db)
        .await
}

/// Whose a new ritual is.
#[derive(Debug, Clone, Copy)]
pub enum Author {
    Couple(Uuid),
    Organization(Uuid),
}

/// Stores a couple's private custom ritual under a generated key.
pub async fn create_custom<C: ConnectionTrait>(
    db: &C,
    couple: Uuid,
    ritual: &domain::catalog::Ritual,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    create_for(db, Author::Couple(couple), ritual, now).await
}

/// Stores a ritual written by a couple or an organization (never a built-in).
pub async fn create_for<C: ConnectionTrait>(
    db: &C,
    author: Author,
    ritual: &domain::catalog::Ritual,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let (couple_id, organization_id) = match author {
        Author::Couple(id) => (Some(id), None),
        Author::Organization(id) => (None, Some(id)),
    };
    use sea_orm::Set;
    ActiveModel {
        id: Set(Uuid::now_v7()),
        key: Set(ritual.key.as_str().to_owned()),
        title: Set(ritual.title.clone()),
        summary: Set(ritual.summary.clone()),
        why_it_helps: Set(ritual.why_it_helps.clone()),
        category: Set(ritual.category.as_str().to_owned()),
        default_cadence: Set(ritual.default_cadence.as_str().to_owned()),
        duration_minutes: Set(i32::try_from(ritual.duration_minutes).unwrap_or(i32::MAX)),
        steps: Set(Json::from(ritual.steps.clone())),
        built_in: Set(false),
        created_at: Set(now),
        couple_id: Set(couple_id),
        organization_id: Set(organization_id),
    }
    .insert(db)
    .await
}

/// Rituals by ID, whoever they belong to: for reading what a plan the caller may see refers to.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Every catalog ritual (no couple's or organization's own), ordered by key.
pub async fn built_in<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(visible_to(Viewer::default()))
        .order_by_asc(Column::Key)
        .all(db)
        .await
}

/// One page of the rituals an organization wrote, by ID.
pub async fn page_of_organization<C: ConnectionTrait>(
    db: &C,
    organization: Uuid,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    crate::page::by_uuid(
        db,
        Entity::find().filter(Column::OrganizationId.eq(organization)),
        Column::Id,
        page,
    )
    .await
}
