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

impl PageRequest {
    /// Pages through rows already in memory and sorted ascending by `key`.
    pub fn slice<T>(&self, rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let total_count = rows.len() as u64;
        let mut window: Vec<T> = rows
            .into_iter()
            .filter(|row| {
                let k = key(row);
                self.after.as_ref().is_none_or(|a| k > *a)
                    && self.before.as_ref().is_none_or(|b| k < *b)
            })
            .collect();
        let limit = usize::try_from(self.limit.saturating_add(1)).unwrap_or(usize::MAX);
        if self.from_end {
            window.reverse();
        }
        window.truncate(limit);
        self.finish(window, total_count)
    }
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
    fn in_memory_rows_page_like_queried_ones() {
        let rows: Vec<u32> = (1..=5).collect();
        let key = |n: &u32| format!("{n:03}");
        let first = PageRequest {
            limit: 2,
            ..Default::default()
        }
        .slice(rows.clone(), key);
        assert_eq!(
            (first.rows.clone(), first.has_next, first.total_count),
            (vec![1, 2], true, 5)
        );
        let last = PageRequest {
            limit: 2,
            from_end: true,
            ..Default::default()
        }
        .slice(rows.clone(), key);
        assert_eq!((last.rows, last.has_previous), (vec![4, 5], true));
        let after = PageRequest {
            limit: 9,
            after: Some(key(&3)),
            ..Default::default()
        }
        .slice(rows, key);
        assert_eq!(
            (after.rows, after.has_previous, after.has_next),
            (vec![4, 5], true, false)
        );
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
