//! Input values the schema's validation lets through unread: async-graphql checks a date's or
//! a date-time's type (a string) before execution but parses it only when a resolver reads
//! it, and then reports no input path. This walks the arguments of the operation that runs
//! (variables filled in) and finds the first date or date-time that does not parse, so the
//! error can name its field (`input.schedule.startsOn`) like every other bad input.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Value as ConstValue, Variables};
use domain::input::Reason;

/// An input value that does not parse: its path, why, and what it should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsable {
    pub field: String,
    pub reason: Reason,
    pub message: String,
}

/// Checks the dates and date-times given to the operation `operation_name` selects.
pub fn check(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<(), Unparsable> {
    // A document without the operation named is refused with its own error, elsewhere.
    let Ok(operation) = super::document::select(document, operation_name) else {
        return Ok(());
    };
    let root = match operation.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else { return Ok(()) };
    let mut walk = Walk {
        registry,
        document,
        variables,
        spread: HashSet::new(),
    };
    walk.selections(root, &operation.selection_set.node)
}

struct Walk<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Fragments walked already (each is walked once).
    spread: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn selections(&mut self, parent: &str, set: &'a SelectionSet) -> Result<(), Unparsable> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let Some(meta) = self
                        .registry
                        .types
                        .get(parent)
                        .and_then(|t| t.field_by_name(field.name.node.as_str()))
                    else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        let Some(arg) = meta.args.get(name.node.as_str()) else {
                            continue;
                        };
                        let variables = self.variables;
                        let value = value
                            .node
                            .clone()
                            .into_const_with(|var| variables.get(&var).cloned().ok_or(()));
                        if let Ok(value) = value {
                            self.value(&arg.ty, &value, name.node.to_string())?;
                        }
                    }
                    let inner = named(&meta.ty).to_owned();
                    self.selections(&inner, &field.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(parent.to_owned(), |c| c.node.on.node.to_string());
                    self.selections(&on, &fragment.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.spread.insert(name) {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(name) {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        self.selections(&on, &fragment.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn value(&self, ty: &str, value: &ConstValue, path: String) -> Result<(), Unparsable> {
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => self.value(inner, value, path),
            MetaTypeName::List(inner) => match value {
                ConstValue::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, item, format!("{path}.{i}"))?;
                    }
                    Ok(())
                }
                other => self.value(inner, other, path),
            },
            MetaTypeName::Named(name) => match (name, value) {
                ("NaiveDate", ConstValue::String(text)) => {
                    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                        Ok(_) => Ok(()),
                        Err(_) => Err(Unparsable {
                            field: path,
                            reason: Reason::NotADate,
                            message: format!("`{}` is not a date as YYYY-MM-DD", shown(text)),
                        }),
                    }
                }
                ("DateTime", ConstValue::String(text)) => {
                    match text.parse::<chrono::DateTime<chrono::Utc>>() {
                        Ok(_) => Ok(()),
                        Err(_) => Err(Unparsable {
                            field: path,
                            reason: Reason::NotADate,
                            message: format!(
                                "`{}` is not a date and time as RFC 3339 (2026-03-01T18:30:00Z)",
                                shown(text)
                            ),
                        }),
                    }
                }
                (name, given) => {
                    let Some(MetaType::InputObject { input_fields, .. }) =
                        self.registry.types.get(name)
                    else {
                        return Ok(());
                    };
                    match given {
                        ConstValue::Object(fields) => {
                            for (field, given) in fields {
                                if let Some(meta) = input_fields.get(field.as_str()) {
                                    self.value(&meta.ty, given, format!("{path}.{field}"))?;
                                }
                            }
                            Ok(())
                        }
                        ConstValue::Null => Ok(()),
                        // Validation lets anything through where an object is expected.
                        _ => Err(Unparsable {
                            field: path,
                            reason: Reason::WrongType,
                            message: format!("an object of type {name} is expected here"),
                        }),
                    }
                }
            },
        }
    }
}

/// The named type inside list and non-null wrappers.
fn named(ty: &str) -> &str {
    ty.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

/// The start of client text, for a message.
fn shown(text: &str) -> String {
    let start: String = text.chars().take(40).collect();
    if start.len() < text.len() {
        format!("{start}…")
    } else {
        start
    }
}
