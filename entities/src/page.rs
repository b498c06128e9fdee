//! Keyset pagination over a unique, ordered text column, in the shape Relay connections need.

/// Which slice of an ordered list to read: after/before are exclusive bounds on the sort key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<String>,
    pub before: Option<String>,
    /// How many rows at most.
    pub limit: u64,
    /// Take the last `limit` rows of the window instead of the first.
    pub from_end: bool,
}

/// One page of rows, in ascending order, with whether more lie beyond either edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
    pub total_count: u64,
}

impl PageRequest {
    /// Trims rows fetched with `limit + 1` (in query order) into a page in ascending order.
    pub fn finish<T>(&self, mut rows: Vec<T>, total_count: u64) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        if self.from_end {
            rows.reverse();
        }
        let (has_previous, has_next) = if self.from_end {
            (more, self.before.is_some())
        } else {
            (self.after.is_some(), more)
        };
        Page {
            rows,
            has_previous,
            has_next,
            total_count,
        }
    }
}

/// One page of `query`'s rows in the order of their UUID primary key `id` (time-ordered v7
/// IDs: creation order), read in SQL: a count and one bounded select. A cursor that is not a
/// UUID bounds nothing (the api refuses such cursors before they get here).
pub async fn by_uuid<E, C>(
    db: &C,
    query: sea_orm::Select<E>,
    id: E::Column,
    page: &PageRequest,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    let total_count = query.clone().count(db).await?;
    let bound = |key: &Option<String>| key.as_deref().and_then(|k| uuid::Uuid::parse_str(k).ok());
    let mut query = query;
    if let Some(after) = bound(&page.after) {
        query = query.filter(id.gt(after));
    }
    if let Some(before) = bound(&page.before) {
        query = query.filter(id.lt(before));
    }
    let query = if page.from_end {
        query.order_by_desc(id)
    } else {
        query.order_by_asc(id)
    };
    let rows = query.limit(page.limit.saturating_add(1)).all(db).await?;
    Ok(page.finish(rows, total_count))
}

/// A forward page of `query`'s rows newest first, by their time-ordered UUID `id`: `after`
/// bounds the page to rows older than that cursor. It is [`by_uuid`]'s last page before the
/// cursor, read in reverse.
pub async fn by_uuid_newest_first<E, C>(
    db: &C,
    query: sea_orm::Select<E>,
    id: E::Column,
    page: &PageRequest,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
    C: sea_orm::ConnectionTrait,
{
    let backward = PageRequest {
        after: None,
        before: page.after.clone(),
        limit: page.limit,
        from_end: true,
    };
    let mut found = by_uuid(db, query, id, &backward).await?;
    found.rows.reverse();
    Ok(Page {
        rows: found.rows,
        has_previous: page.after.is_some(),
        has_next: found.has_previous,
        total_count: found.total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_pages_report_more_after_them() {
        let req = PageRequest {
            limit: 2,
            ..Default::default()
        };
        let page = req.finish(vec![1, 2, 3], 5);
        assert_eq!(page.rows, vec![1, 2]);
        assert!(page.has_next);
        assert!(!page.has_previous);
    }

    #[test]
    fn backward_pages_come_back_in_ascending_order() {
        let req = PageRequest {
            limit: 2,
            from_end: true,
            before: Some("k".into()),
            ..Default::default()
        };
        let page = req.finish(vec![9, 8, 7], 5);
        assert_eq!(page.rows, vec![8, 9]);
        assert!(page.has_previous);
        assert!(page.has_next);
    }
}
