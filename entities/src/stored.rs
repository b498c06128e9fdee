//! Turning stored values into domain values. A value that does not parse is never replaced by
//! a default: it is a [`BadRow`], which names the table, row and column so it can be found and
//! fixed, and which callers answer as an internal error.

use std::fmt::Display;

/// A stored value that does not read as what its column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub table: &'static str,
    pub id: String,
    pub column: &'static str,
    pub detail: String,
}

impl BadRow {
    pub fn new(
        table: &'static str,
        id: impl Display,
        column: &'static str,
        detail: impl Display,
    ) -> Self {
        Self {
            table,
            id: id.to_string(),
            column,
            detail: detail.to_string(),
        }
    }
}

impl Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bad stored data in {} row {}, column {}: {}",
            self.table, self.id, self.column, self.detail
        )
    }
}

impl std::error::Error for BadRow {}

/// Reads a text column through `FromStr`, naming the row when it does not parse.
pub fn parse<T>(
    table: &'static str,
    id: impl Display,
    column: &'static str,
    value: &str,
) -> Result<T, BadRow>
where
    T: std::str::FromStr,
    T::Err: Display,
{
    value
        .parse()
        .map_err(|e: T::Err| BadRow::new(table, id, column, format!("`{value}`: {e}")))
}

/// Reads a JSON column holding an array of strings.
pub fn strings(
    table: &'static str,
    id: impl Display,
    column: &'static str,
    value: &serde_json::Value,
) -> Result<Vec<String>, BadRow> {
    serde_json::from_value(value.clone())
        .map_err(|e| BadRow::new(table, id, column, format!("not an array of strings: {e}")))
}

/// Reads a JSON column holding an array of access scope names.
pub fn scopes(
    table: &'static str,
    id: impl Display + Copy,
    value: &serde_json::Value,
) -> Result<domain::organization::Scopes, BadRow> {
    strings(table, id, "scopes", value)?
        .iter()
        .map(|s| {
            domain::organization::Scope::parse(s)
                .ok_or_else(|| BadRow::new(table, id, "scopes", format!("`{s}` is not a scope")))
        })
        .collect()
}

/// A text column's fixed set of values, stored by name.
macro_rules! stored_names {
    ($(#[$meta:meta])* $vis:vis enum $ty:ident { $($(#[$vmeta:meta])* $variant:ident => $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $ty { $($(#[$vmeta])* $variant),+ }

        impl $ty {
            /// The name stored in the column.
            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(<$ty>::$variant),)+
                    _ => Err(format!("not a {}", stringify!($ty))),
                }
            }
        }

        impl From<$ty> for sea_orm::Value {
            fn from(value: $ty) -> Self {
                value.as_str().into()
            }
        }
    };
}
pub(crate) use stored_names;

#[cfg(test)]
mod tests {
    use super::*;

    stored_names!(enum Shade { Light => "light", Dark => "dark" });

    #[test]
    fn names_round_trip_and_a_bad_one_names_its_row() {
        assert_eq!("dark".parse::<Shade>(), Ok(Shade::Dark));
        assert_eq!(Shade::Light.as_str(), "light");
        let err = parse::<Shade>("shades", 7, "shade", "grey").unwrap_err();
        assert_eq!(err.table, "shades");
        assert_eq!(err.id, "7");
        assert!(
            err.to_string().contains("shades row 7, column shade"),
            "{err}"
        );
        let list = strings("couples", 1, "goals", &serde_json::json!(["a", 2])).unwrap_err();
        assert_eq!(list.column, "goals");
    }
}
