//! `webhook_attempts`: the delivery log, one row per attempt.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub attempt: i32,
    pub at: DateTimeUtc,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    delivery_id: Uuid,
    attempt: i32,
    at: DateTime<Utc>,
    status_code: Option<u16>,
    latency_ms: u64,
    error: Option<String>,
) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery_id),
        attempt: Set(attempt),
        at: Set(at),
        status_code: Set(status_code.map(i32::from)),
        latency_ms: Set(i32::try_from(latency_ms).unwrap_or(i32::MAX)),
        error: Set(error),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The newest `limit` attempts at any delivery to an endpoint, newest first: when, and
/// whether an HTTP answer came.
pub async fn recent_for_endpoint<C: ConnectionTrait>(
    db: &C,
    endpoint_id: Uuid,
    limit: u64,
) -> Result<Vec<(DateTime<Utc>, bool)>, DbErr> {
    let deliveries = sea_orm::sea_query::Query::select()
        .column(super::delivery::Column::Id)
        .from(super::delivery::Entity)
        .and_where(super::delivery::Column::EndpointId.eq(endpoint_id))
        .to_owned();
    let rows: Vec<(DateTime<Utc>, Option<i32>)> = Entity::find()
        .select_only()
        .column(Column::At)
        .column(Column::StatusCode)
        .filter(Column::DeliveryId.in_subquery(deliveries))
        .order_by_desc(Column::At)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(at, status)| (at, status.is_some()))
        .collect())
}

/// A delivery's attempts, in order.
pub async fn of_delivery<C: ConnectionTrait>(
    db: &C,
    delivery_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeliveryId.eq(delivery_id))
        .order_by_asc(Column::Attempt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
