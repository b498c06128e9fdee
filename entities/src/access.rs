//! What couples let organizations see: `access_grants` (each member's current grant to an
//! organization) and `access_events` (every grant and revocation, kept for both members).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::organization::{Scopes, effective_scopes};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{QueryOrder, QuerySelect, Set};

use crate::api_key::scopes_json;
use crate::page::{Page, PageRequest};
use crate::stored::BadRow;

pub mod grant {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_grants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub couple_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub organization_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub scopes: Json,
        pub granted_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn scopes(&self) -> Result<Scopes, BadRow> {
            crate::stored::scopes("access_grants", self.user_id, &self.scopes)
        }
    }
}

pub mod event {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub couple_id: Uuid,
        pub organization_id: Uuid,
        pub user_id: Option<Uuid>,
        pub action: String,
        pub scopes: Json,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn scopes(&self) -> Result<Scopes, BadRow> {
            crate::stored::scopes("access_events", self.id, &self.scopes)
        }

        /// Whether access was granted (else revoked).
        pub fn granted(&self) -> Result<bool, BadRow> {
            match self.action.as_str() {
                "granted" => Ok(true),
                "revoked" => Ok(false),
                other => Err(BadRow::new("access_events", self.id, "action", other)),
            }
        }
    }
}

async fn record<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    action: &str,
    scopes: &Scopes,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(couple_id),
        organization_id: Set(organization_id),
        user_id: Set(Some(user_id)),
        action: Set(action.to_owned()),
        scopes: Set(scopes_json(scopes)),
        at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A member's grant to an organization (replacing their earlier one), recorded.
pub async fn grant<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    scopes: &Scopes,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = grant::ActiveModel {
        couple_id: Set(couple_id),
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        scopes: Set(scopes_json(scopes)),
        granted_at: Set(now),
    };
    grant::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                grant::Column::CoupleId,
                grant::Column::OrganizationId,
                grant::Column::UserId,
            ])
            .update_columns([grant::Column::Scopes, grant::Column::GrantedAt])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    record(
        db,
        couple_id,
        organization_id,
        user_id,
        "granted",
        scopes,
        now,
    )
    .await
}

/// Takes a member's grant back; answers whether there was one (a revocation of nothing is not
/// recorded).
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let gone = grant::Entity::delete_many()
        .filter(grant::Column::CoupleId.eq(couple_id))
        .filter(grant::Column::OrganizationId.eq(organization_id))
        .filter(grant::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected;
    if gone == 0 {
        return Ok(false);
    }
    record(
        db,
        couple_id,
        organization_id,
        user_id,
        "revoked",
        &Scopes::new(),
        now,
    )
    .await?;
    Ok(true)
}

/// Every current grant of a couple, by organization.
/// Which of `couple_ids` granted any organization anything, in one statement.
pub async fn couples_with_grants<C: ConnectionTrait>(
    db: &C,
    couple_ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, DbErr> {
    use sea_orm::QuerySelect;
    if couple_ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let found: Vec<Uuid> = grant::Entity::find()
        .select_only()
        .column(grant::Column::CoupleId)
        .filter(grant::Column::CoupleId.is_in(couple_ids.iter().copied()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

pub async fn grants_of_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<BTreeMap<Uuid, Vec<grant::Model>>, DbErr> {
    let mut by_org: BTreeMap<Uuid, Vec<grant::Model>> = BTreeMap::new();
    for row in grant::Entity::find()
        .filter(grant::Column::CoupleId.eq(couple_id))
        .all(db)
        .await?
    {
        by_org.entry(row.organization_id).or_default().push(row);
    }
    Ok(by_org)
}

/// The organizations a couple has had anything to do with (granted, now or once), by first
/// event.
pub async fn organizations_of_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    let rows: Vec<Uuid> = event::Entity::find()
        .select_only()
        .column(event::Column::OrganizationId)
        .filter(event::Column::CoupleId.eq(couple_id))
        .order_by_asc(event::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut seen = Vec::new();
    for id in rows {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    Ok(seen)
}

/// What an organization may read of a couple whose current members are `members`.
pub fn effective(grants: &[grant::Model], members: &[Uuid]) -> Result<Scopes, BadRow> {
    let read = grants
        .iter()
        .map(|g| Ok((g.user_id, g.scopes()?)))
        .collect::<Result<Vec<_>, BadRow>>()?;
    Ok(effective_scopes(members, read.iter().map(|(u, s)| (*u, s))))
}

/// The couples of an active couple's both members granted an organization something, paged by
/// couple ID, with what each member granted. What they granted in common is worked out with
/// [`effective`]; it may be nothing, but both consented to the organization seeing the couple.
pub async fn page_of_organization<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<(Page<Uuid>, HashMap<Uuid, Vec<grant::Model>>), DbErr> {
    use sea_orm::{DbBackend, Statement, Value};
    let backend = db.get_database_backend();
    let mark = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    // Grants of current members of active couples; a couple counts when both gave one.
    let granted_by_both = |extra: &str| {
        format!(
            "SELECT g.couple_id FROM access_grants g \
             JOIN couples c ON c.id = g.couple_id AND c.status = 'active' \
             JOIN couple_members m ON m.couple_id = g.couple_id AND m.user_id = g.user_id AND m.left_at IS NULL \
             WHERE g.organization_id = {} {extra} \
             GROUP BY g.couple_id HAVING COUNT(DISTINCT g.user_id) = 2",
            mark(1)
        )
    };
    let count_sql = format!("SELECT COUNT(*) FROM ({}) AS t", granted_by_both(""));
    let total: i64 = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            count_sql,
            [Value::from(organization_id)],
        ))
        .await?
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or(0);
    let bound = |key: &Option<String>| key.as_deref().and_then(|k| Uuid::parse_str(k).ok());
    let mut values = vec![Value::from(organization_id)];
    let mut extra = String::new();
    for (key, op) in [(&page.after, ">"), (&page.before, "<")] {
        if let Some(id) = bound(key) {
            values.push(Value::from(id));
            extra.push_str(&format!("AND g.couple_id {op} {} ", mark(values.len())));
        }
    }
    let order = if page.from_end { "DESC" } else { "ASC" };
    let sql = format!(
        "{} ORDER BY g.couple_id {order} LIMIT {}",
        granted_by_both(&extra),
        page.limit.saturating_add(1)
    );
    let ids: Vec<Uuid> = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index(0))
        .collect::<Result<_, _>>()?;
    let page = page.finish(ids, u64::try_from(total).unwrap_or(0));
    let mut grants: HashMap<Uuid, Vec<grant::Model>> = HashMap::new();
    if !page.rows.is_empty() {
        for row in grant::Entity::find()
            .filter(grant::Column::OrganizationId.eq(organization_id))
            .filter(grant::Column::CoupleId.is_in(page.rows.clone()))
            .all(db)
            .await?
        {
            grants.entry(row.couple_id).or_default().push(row);
        }
    }
    Ok((page, grants))
}

/// A couple's grants to one organization.
pub async fn grants_to<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    organization_id: Uuid,
) -> Result<Vec<grant::Model>, DbErr> {
    grant::Entity::find()
        .filter(grant::Column::CoupleId.eq(couple_id))
        .filter(grant::Column::OrganizationId.eq(organization_id))
        .all(db)
        .await
}

/// A page of a couple's access events with one organization, oldest first.
/// One grant or revocation by its ID.
pub async fn event_by_id<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find_by_id(id).one(db).await
}

pub async fn events_page<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Page<event::Model>, DbErr> {
    let query = event::Entity::find()
        .filter(event::Column::CoupleId.eq(couple_id))
        .filter(event::Column::OrganizationId.eq(organization_id));
    crate::page::by_uuid(db, query, event::Column::Id, page).await
}

/// The organizations that may read `scope` of a couple now: both current members of the
/// active couple granted it.
pub async fn organizations_seeing<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    scope: domain::organization::Scope,
) -> Result<Vec<Uuid>, DbErr> {
    // Most couples granted nobody: one statement tells.
    let grants = grants_of_couple(db, couple_id).await?;
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let Some(couple) = crate::couple::Entity::find_by_id(couple_id).one(db).await? else {
        return Ok(Vec::new());
    };
    if !couple
        .is_active()
        .map_err(|bad| DbErr::Custom(bad.to_string()))?
    {
        return Ok(Vec::new());
    }
    let members: Vec<Uuid> = crate::couple_member::with_users(db, &[couple_id])
        .await?
        .into_iter()
        .filter(|(m, _)| m.is_current())
        .map(|(m, _)| m.user_id)
        .collect();
    let mut seeing = Vec::new();
    for (org, grants) in grants {
        let scopes = effective(&grants, &members).map_err(|bad| DbErr::Custom(bad.to_string()))?;
        if scopes.contains(&scope) {
            seeing.push(org);
        }
    }
    Ok(seeing)
}
