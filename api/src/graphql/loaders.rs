//! Per-request batched loading (async-graphql's DataLoader). Fields that read what belongs to a
//! parent ask a loader by the parent's ID; the loader gathers every key asked for in the same
//! tick into one statement and caches the answers for the rest of the request, so a screen of
//! 30 plan items costs the same number of statements as one. Loaders read; whether the caller
//! may see what they read is decided by the policy before an object is built from it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::{completion, couple_member, plan, plan_item, ritual, user};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use tokio::sync::OnceCell;

use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::read_cache::{CompletionsPart, MembersPart, PlansPart, ReadCache, Stamps};

/// Groups rows by a key, keeping their order.
pub(crate) fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}

/// Every key asked for gets an answer, empty when nothing matched, so it is cached too.
fn complete<T>(keys: &[Uuid], mut grouped: HashMap<Uuid, Vec<T>>) -> HashMap<Uuid, Arc<[T]>> {
    keys.iter()
        .map(|key| (*key, grouped.remove(key).unwrap_or_default().into()))
        .collect()
}

/// Rituals by ID: catalog ones from memory, a couple's own from the database.
pub struct Rituals(DatabaseConnection, Arc<Catalog>);

impl Loader<Uuid> for Rituals {
    type Value = Arc<ritual::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut found: HashMap<Uuid, Self::Value> = keys
            .iter()
            .filter_map(|id| self.1.by_id(*id).map(|r| (*id, r)))
            .collect();
        let missing: Vec<Uuid> = keys
            .iter()
            .copied()
            .filter(|id| !found.contains_key(id))
            .collect();
        for row in ritual::by_ids(&self.0, &missing).await? {
            found.insert(row.id, Arc::new(row));
        }
        Ok(found)
    }
}

/// Declares a loader of every row that belongs to a parent, keyed by the parent's ID: one
/// statement reads the rows of all the parents asked for together.
macro_rules! rows_by_parent {
    ($(#[$doc:meta])* $name:ident: $row:ty = $fetch:path, |$r:pat_param| $parent:expr) => {
        $(#[$doc])*
        pub struct $name(DatabaseConnection);

        impl Loader<Uuid> for $name {
            type Value = Arc<[$row]>;
            type Error = ApiError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let rows = $fetch(&self.0, keys).await?;
                Ok(complete(keys, group(rows, |$r| $parent)))
            }
        }
    };
}

rows_by_parent!(
    /// A couple's members (current and former) with their accounts, by couple ID.
    MembersByCouple: (couple_member::Model, user::Model) = couple_member::with_users,
    |(m, _)| m.couple_id
);
rows_by_parent!(
    /// Every plan a couple had, oldest first, by couple ID.
    PlansByCouple: plan::Model = plan::for_couples, |p| p.couple_id
);
rows_by_parent!(
    /// Every item a plan had (removed ones too), in the order they were added, by plan ID.
    ItemsByPlan: plan_item::Model = plan_item::for_plans, |i| i.plan_id
);
rows_by_parent!(
    /// A plan's pauses, by plan ID.
    PausesByPlan: plan::pause::Model = plan::pause::for_plans, |p| p.plan_id
);
rows_by_parent!(
    /// An item's completions in logging order, by item ID.
    CompletionsByItem: completion::Model = completion::for_items, |c| c.plan_item_id
);

type Cached<T> = DataLoader<T, HashMapCache>;

/// What a request needs to make its loaders when a field first asks for them.
pub struct RequestLoaders {
    db: DatabaseConnection,
    catalog: Arc<Catalog>,
    warm: Option<Warm>,
    loaders: std::sync::OnceLock<Loaders>,
}

impl RequestLoaders {
    pub fn new(db: &DatabaseConnection, catalog: &Arc<Catalog>, warm: Option<Warm>) -> Self {
        Self {
            db: db.clone(),
            catalog: catalog.clone(),
            warm,
            loaders: std::sync::OnceLock::new(),
        }
    }
}

/// A query's way to the read cache: the caller's current couple and its versions as the
/// request's statement read them. Each part is asked of the cache at most once per request.
pub struct Warm {
    cache: Arc<ReadCache>,
    couple: Uuid,
    stamps: Stamps,
    members: OnceCell<Arc<MembersPart>>,
    plans: OnceCell<Arc<PlansPart>>,
    completions: OnceCell<Arc<CompletionsPart>>,
}

impl Warm {
    /// For a query by a member of `couple` (mutations read what they wrote, so never get one).
    pub fn new(cache: &Arc<ReadCache>, couple: &entities::couple::Model) -> Option<Self> {
        cache.enabled().then(|| Self {
            cache: cache.clone(),
            couple: couple.id,
            stamps: Stamps::of(couple),
            members: OnceCell::new(),
            plans: OnceCell::new(),
            completions: OnceCell::new(),
        })
    }

    async fn members(&self) -> Result<&Arc<MembersPart>, ApiError> {
        Ok(self
            .members
            .get_or_try_init(|| self.cache.members(self.couple, self.stamps))
            .await?)
    }

    pub async fn plans(&self) -> Result<&Arc<PlansPart>, ApiError> {
        Ok(self
            .plans
            .get_or_try_init(|| self.cache.plans(self.couple, self.stamps))
            .await?)
    }

    async fn completions(&self) -> Result<&Arc<CompletionsPart>, ApiError> {
        Ok(self
            .completions
            .get_or_try_init(|| self.cache.completions(self.couple, self.stamps))
            .await?)
    }
}

/// One request's loaders.
pub struct Loaders {
    pub rituals: Cached<Rituals>,
    pub members: Cached<MembersByCouple>,
    pub plans: Cached<PlansByCouple>,
    pub items: Cached<ItemsByPlan>,
    pub pauses: Cached<PausesByPlan>,
    pub completions: Cached<CompletionsByItem>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection, catalog: &Arc<Catalog>) -> Self {
        fn cached<T: Loader<Uuid>>(loader: T) -> Cached<T> {
            DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        }
        Self {
            rituals: cached(Rituals(db.clone(), catalog.clone())),
            members: cached(MembersByCouple(db.clone())),
            plans: cached(PlansByCouple(db.clone())),
            items: cached(ItemsByPlan(db.clone())),
            pauses: cached(PausesByPlan(db.clone())),
            completions: cached(CompletionsByItem(db.clone())),
        }
    }

    /// The request's loaders, made on first use (a request that reads no couple data makes
    /// none).
    pub fn of<'a>(ctx: &Context<'a>) -> Result<Reading<'a>, ApiError> {
        Ok(Reading {
            lazy: ctx.data::<RequestLoaders>()?,
        })
    }
}

/// How one request reads what belongs to couples: from the read cache when the caller's
/// current couple is asked for in a query, through its batched loaders otherwise.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    lazy: &'a RequestLoaders,
}

impl<'a> Reading<'a> {
    /// The batched loaders, made on first use: a query answered from the cache makes none.
    fn loaders(&self) -> &'a Loaders {
        let lazy = self.lazy;
        lazy.loaders
            .get_or_init(|| Loaders::new(&lazy.db, &lazy.catalog))
    }

    /// The cache, when it answers for `couple`.
    fn warm_for(&self, couple: Uuid) -> Option<&'a Warm> {
        self.lazy.warm.as_ref().filter(|warm| warm.couple == couple)
    }

    /// The caller's current couple's plans part, when a query may read it from the cache.
    pub async fn warm_plans(&self) -> Result<Option<&'a Arc<PlansPart>>, ApiError> {
        match &self.lazy.warm {
            Some(warm) => Ok(Some(warm.plans().await?)),
            None => Ok(None),
        }
    }

    /// A ritual a plan item refers to; a missing one is an internal error. A catalog ritual
    /// comes straight from memory, without a loader's round of batching.
    pub async fn ritual(&self, id: Uuid) -> Result<Arc<ritual::Model>, ApiError> {
        if let Some(found) = self.lazy.catalog.by_id(id) {
            return Ok(found);
        }
        self.loaders()
            .rituals
            .load_one(id)
            .await?
            .ok_or_else(|| ApiError::internal(&format!("ritual {id} is referred to but missing")))
    }

    pub async fn members(
        &self,
        couple_id: Uuid,
    ) -> Result<Arc<[(couple_member::Model, user::Model)]>, ApiError> {
        if let Some(warm) = self.warm_for(couple_id) {
            return Ok(warm.members().await?.rows.clone());
        }
        rows_of(&self.loaders().members, couple_id).await
    }

    pub async fn plans(&self, couple_id: Uuid) -> Result<Arc<[plan::Model]>, ApiError> {
        if let Some(warm) = self.warm_for(couple_id) {
            return Ok(warm.plans().await?.plans.clone());
        }
        rows_of(&self.loaders().plans, couple_id).await
    }

    pub async fn items(&self, plan_id: Uuid) -> Result<Arc<[plan_item::Model]>, ApiError> {
        if let Some(part) = self.warm_plans().await?
            && part.has_plan(plan_id)
        {
            return Ok(part.items.get(&plan_id).cloned().unwrap_or_else(empty));
        }
        rows_of(&self.loaders().items, plan_id).await
    }

    pub async fn pauses(&self, plan_id: Uuid) -> Result<Arc<[plan::pause::Model]>, ApiError> {
        if let Some(part) = self.warm_plans().await?
            && part.has_plan(plan_id)
        {
            return Ok(part.pauses.get(&plan_id).cloned().unwrap_or_else(empty));
        }
        rows_of(&self.loaders().pauses, plan_id).await
    }

    pub async fn completions(&self, item_id: Uuid) -> Result<Arc<[completion::Model]>, ApiError> {
        if let Some(warm) = &self.lazy.warm
            && warm.plans().await?.has_item(item_id)
        {
            let part = warm.completions().await?;
            return Ok(part.by_item.get(&item_id).cloned().unwrap_or_else(empty));
        }
        rows_of(&self.loaders().completions, item_id).await
    }
}

fn empty<R>() -> Arc<[R]> {
    Arc::from(Vec::new())
}

/// The rows a by-parent loader holds for `parent` (none when nothing belongs to it).
async fn rows_of<T, R>(loader: &Cached<T>, parent: Uuid) -> Result<Arc<[R]>, ApiError>
where
    T: Loader<Uuid, Value = Arc<[R]>, Error = ApiError>,
    R: Send + Sync + 'static,
{
    Ok(loader.load_one(parent).await?.unwrap_or_else(empty))
}
