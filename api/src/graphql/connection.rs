//! Relay cursor connections: argument checks and the page request they become.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::input::Reason;
use entities::page::{Page, PageRequest};

use crate::error::ApiError;

/// Page size when the client names neither `first` nor `last`.
pub const DEFAULT_PAGE: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// Fields every connection carries besides edges and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many items match, across all pages.
    pub total_count: u64,
}

/// The standard connection arguments, as the client sent them.
#[derive(Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// Checks the arguments and turns them into a page request over sort keys.
    pub fn into_request(self) -> Result<PageRequest, ApiError> {
        let size = |name: &str, value: i32| -> Result<u64, ApiError> {
            u64::try_from(value)
                .ok()
                .filter(|v| *v <= MAX_PAGE)
                .ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        Reason::OutOfRange,
                        format!("`{name}` must be between 0 and {MAX_PAGE}"),
                    )
                })
        };
        let (limit, from_end) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "last",
                    Reason::Incompatible,
                    "pass `first` or `last`, not both: a page is read from one end",
                ));
            }
            (Some(first), None) => (size("first", first)?, false),
            (None, Some(last)) => (size("last", last)?, true),
            (None, None) => (DEFAULT_PAGE, false),
        };
        Ok(PageRequest {
            after: self
                .after
                .as_deref()
                .map(|c| decode_cursor(c, "after"))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode_cursor(c, "before"))
                .transpose()?,
            limit,
            from_end,
        })
    }
}

impl PageArgs {
    /// A forward page (`first`, `after`) of a list keyed by UUID.
    pub fn forward_by_uuid(
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PageRequest, ApiError> {
        PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
        .into_uuid_request()
    }

    /// [`PageArgs::into_request`] for a list keyed by UUID: a cursor must hold one.
    pub fn into_uuid_request(self) -> Result<PageRequest, ApiError> {
        let request = self.into_request()?;
        for (field, key) in [("after", &request.after), ("before", &request.before)] {
            if key
                .as_deref()
                .is_some_and(|k| uuid::Uuid::parse_str(k).is_err())
            {
                return Err(ApiError::invalid(
                    field,
                    Reason::BadFormat,
                    "that cursor does not belong to this list",
                ));
            }
        }
        Ok(request)
    }
}

/// A page of rows as a connection; `edge` gives a row's sort key and node, or `None` to leave
/// it out.
pub fn connection_of<T, N: OutputType>(
    page: Page<T>,
    mut edge: impl FnMut(T) -> Option<(String, N)>,
) -> Connection<String, N, ConnectionTotals, EmptyFields> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        ConnectionTotals {
            total_count: page.total_count,
        },
    );
    connection.edges = page
        .rows
        .into_iter()
        .filter_map(|row| edge(row).map(|(key, node)| Edge::new(encode_cursor(&key), node)))
        .collect();
    connection
}

/// A page of a list held in memory, ascending by `key`, in the same shape SQL pages have.
pub fn page_in_memory<T>(
    rows: Vec<T>,
    key: impl Fn(&T) -> String,
    request: &PageRequest,
) -> Page<T> {
    let total_count = rows.len() as u64;
    let mut window: Vec<T> = rows
        .into_iter()
        .filter(|row| {
            let k = key(row);
            request.after.as_ref().is_none_or(|after| &k > after)
                && request.before.as_ref().is_none_or(|before| &k < before)
        })
        .collect();
    if request.from_end {
        window.reverse();
    }
    let take = usize::try_from(request.limit.saturating_add(1)).unwrap_or(usize::MAX);
    window.truncate(take);
    request.finish(window, total_count)
}

const CURSOR_PREFIX: &str = "cursor:";

/// An opaque cursor for a sort key.
pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{key}"))
}

fn decode_cursor(cursor: &str, field: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX).map(str::to_owned))
        .ok_or_else(|| {
            // Echo only the start: a cursor is client input of any size.
            let shown: String = cursor.chars().take(24).collect();
            let more = if cursor.chars().count() > 24 {
                "…"
            } else {
                ""
            };
            ApiError::invalid(
                field,
                Reason::BadFormat,
                format!("`{shown}{more}` is not a cursor this server gave out"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(
            decode_cursor(&encode_cursor("six_second_kiss"), "after").unwrap(),
            "six_second_kiss"
        );
        assert!(decode_cursor("six_second_kiss", "after").is_err());
    }

    #[test]
    fn page_arguments_are_checked() {
        let req = PageArgs::default().into_request().unwrap();
        assert_eq!((req.limit, req.from_end), (DEFAULT_PAGE, false));
        let req = PageArgs {
            last: Some(5),
            ..Default::default()
        }
        .into_request()
        .unwrap();
        assert_eq!((req.limit, req.from_end), (5, true));
        for bad in [
            PageArgs {
                first: Some(1),
                last: Some(1),
                ..Default::default()
            },
            PageArgs {
                first: Some(-1),
                ..Default::default()
            },
            PageArgs {
                last: Some(101),
                ..Default::default()
            },
            PageArgs {
                after: Some("junk".into()),
                ..Default::default()
            },
        ] {
            assert!(bad.into_request().is_err());
        }
    }
}
