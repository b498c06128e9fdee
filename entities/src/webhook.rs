//! Webhooks: `webhook_endpoints` (an organization's receivers), `webhook_deliveries` (one per
//! event and endpoint, tried until accepted or given up) and `webhook_attempts` (the delivery
//! log).

use chrono::{DateTime, Duration, Utc};
use domain::webhook::EventType;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect, Set};

use crate::page::{Page, PageRequest};
use crate::stored::{BadRow, strings};

const TABLE: &str = "webhook_endpoints";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    pub secret: String,
    pub events: Json,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
    /// The secret a rotation replaced, still signing until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The secrets that sign a delivery sent at `now`: the current one, and the one it
    /// replaced while their overlap lasts.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && until > now
        {
            secrets.push(previous);
        }
        secrets
    }

    /// When the replaced secret stops signing, while it still does at `now`.
    pub fn previous_secret_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.previous_secret_until.filter(|until| *until > now)
    }

    pub fn events(&self) -> Result<Vec<EventType>, BadRow> {
        strings(TABLE, self.id, "events", &self.events)?
            .iter()
            .map(|e| EventType::parse(e).ok_or_else(|| BadRow::new(TABLE, self.id, "events", e)))
            .collect()
    }
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    url: &str,
    secret: &str,
    events: &[EventType],
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(organization_id),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        events: Set(Json::from(
            events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        )),
        created_at: Set(now),
        disabled_at: Set(None),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
    }
    .insert(db)
    .await
}

/// Replaces an endpoint's secret with `secret`; the one it replaces keeps signing until
/// `until`, and any older one stops at once (two secrets sign at most).
pub async fn rotate_secret<C: ConnectionTrait>(
    db: &C,
    endpoint: &Model,
    secret: &str,
    until: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(Column::Secret, Expr::value(secret))
        .col_expr(Column::PreviousSecret, Expr::value(endpoint.secret.clone()))
        .col_expr(Column::PreviousSecretUntil, Expr::value(until))
        .filter(Column::Id.eq(endpoint.id))
        // Lost to a concurrent rotation: that one stands.
        .filter(Column::Secret.eq(endpoint.secret.clone()))
        .exec(db)
        .await?;
    find(db, endpoint.id).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// An organization's endpoints, oldest first.
pub async fn of_organization<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Stops deliveries to an endpoint (those pending are given up when they come due).
pub async fn disable<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(Column::DisabledAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::DisabledAt.is_null())
        .exec(db)
        .await?;
    find(db, id).await
}

/// Stores one delivery of `event` (body as given) for each live endpoint of these
/// organizations subscribed to it; answers the deliveries.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    organization_ids: &[Uuid],
    event: EventType,
    body: impl Fn(Uuid) -> String,
    now: DateTime<Utc>,
) -> Result<Vec<delivery::Model>, DbErr> {
    if organization_ids.is_empty() {
        return Ok(Vec::new());
    }
    let endpoints = Entity::find()
        .filter(Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .filter(Column::DisabledAt.is_null())
        .all(db)
        .await?;
    enqueue_to(db, endpoints, event, body, now).await
}

/// Stores one delivery of `event` for each of these endpoints subscribed to it (all of them
/// for a ping).
pub async fn enqueue_to<C: ConnectionTrait>(
    db: &C,
    endpoints: Vec<Model>,
    event: EventType,
    body: impl Fn(Uuid) -> String,
    now: DateTime<Utc>,
) -> Result<Vec<delivery::Model>, DbErr> {
    let mut rows = Vec::new();
    for endpoint in endpoints {
        let subscribed = event == EventType::Ping
            || endpoint
                .events()
                .is_ok_and(|events| events.contains(&event));
        if !subscribed {
            continue;
        }
        let id = Uuid::now_v7();
        rows.push(delivery::ActiveModel {
            id: Set(id),
            endpoint_id: Set(endpoint.id),
            event: Set(event.as_str().to_owned()),
            body: Set(body(id)),
            status: Set(delivery::PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            created_at: Set(now),
            delivered_at: Set(None),
        });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    delivery::Entity::insert_many(rows)
        .exec_with_returning(db)
        .await
}

pub mod delivery {
    use super::*;

    pub const PENDING: &str = "pending";
    pub const DELIVERED: &str = "delivered";
    pub const DEAD: &str = "dead";
    /// How long a claimed attempt keeps others off the delivery.
    pub const CLAIM: Duration = Duration::minutes(1);

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub endpoint_id: Uuid,
        pub event: String,
        pub body: String,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub delivered_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
        Entity::find_by_id(id).one(db).await
    }

    /// Takes a due pending delivery for one attempt, so that no other worker tries it at the
    /// same time; answers whether this caller has it.
    pub async fn claim<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let claimed = Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(now + CLAIM))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(PENDING))
            .filter(Column::NextAttemptAt.lte(now))
            .exec(db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// After an attempt: delivered, to be tried again at `next`, or given up (`next` None).
    pub async fn settle<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
        attempts: i32,
        accepted: bool,
        next: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let (status, next, delivered) = match (accepted, next) {
            (true, _) => (DELIVERED, None, Some(now)),
            (false, Some(at)) => (PENDING, Some(at), None),
            (false, None) => (DEAD, None, None),
        };
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(status))
            .col_expr(Column::Attempts, Expr::value(attempts))
            .col_expr(Column::NextAttemptAt, Expr::value(next))
            .col_expr(Column::DeliveredAt, Expr::value(delivered))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Pending deliveries due by `now`, oldest first.
    pub async fn due<C: ConnectionTrait>(
        db: &C,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Uuid>, DbErr> {
        Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::Status.eq(PENDING))
            .filter(Column::NextAttemptAt.lte(now))
            .order_by_asc(Column::NextAttemptAt)
            .limit(limit)
            .into_tuple()
            .all(db)
            .await
    }

    /// Sends a delivery again, whatever became of it (its log keeps every attempt).
    pub async fn redeliver<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Model>, DbErr> {
        Entity::update_many()
            .col_expr(Column::Status, Expr::value(PENDING))
            .col_expr(Column::NextAttemptAt, Expr::value(Some(now)))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await?;
        find(db, id).await
    }

    /// Holds a pending delivery back until `until` (an open circuit); no attempt is counted.
    pub async fn postpone<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
        until: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(Some(until)))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(PENDING))
            .exec(db)
            .await
            .map(|_| ())
    }

    /// A page of an endpoint's deliveries, oldest first.
    /// An endpoint's deliveries, newest first, of one status and one event where given.
    pub async fn page_for_endpoint<C: ConnectionTrait>(
        db: &C,
        endpoint_id: Uuid,
        status: Option<&str>,
        event: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Model>, DbErr> {
        let mut query = Entity::find().filter(Column::EndpointId.eq(endpoint_id));
        if let Some(status) = status {
            query = query.filter(Column::Status.eq(status));
        }
        if let Some(event) = event {
            query = query.filter(Column::Event.eq(event));
        }
        crate::page::by_uuid_newest_first(db, query, Column::Id, page).await
    }
}

pub mod attempt;
