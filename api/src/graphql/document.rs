//! Checks on a parsed document before anything validates or executes it: which operation runs,
//! how large it is once every fragment is expanded, how many aliases it uses, how deep it nests,
//! whether it asks for the schema where introspection is off, and whether any text in it (or in
//! its variables) holds a NUL byte.
//!
//! Depth is counted outside `__schema` and `__type`: the introspection query GraphiQL,
//! graphql-codegen and Apollo's tools send nests its type references about 14 deep, more than
//! any query of data needs, so where introspection is on the schema itself holds it to
//! [`INTROSPECTION_MAX_DEPTH`] and this check holds everything else to the configured depth.
//!
//! Sizes are counted with each fragment measured once and multiplied by its uses, so a
//! document whose fragments each spread the previous one twice is measured in microseconds
//! however large it would grow.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, Value, Variables};

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// The operation to run cannot be told (an unknown name, or several and no name).
    Operation(String),
    /// Too large after expansion, too many aliases, or nested too deep.
    TooLarge(String),
    /// `__schema` or `__type` asked of a server whose introspection is off.
    Introspection,
    /// Text holding a NUL byte.
    Nul,
}

/// The limits a document is held to.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub max_selections: usize,
    pub max_aliases: usize,
    /// Nesting allowed outside introspection.
    pub max_depth: usize,
    /// Whether `__schema` and `__type` may be asked.
    pub introspection: bool,
}

/// How deep an introspection query may nest, where introspection is on.
pub const INTROSPECTION_MAX_DEPTH: usize = 24;

/// The root fields that read the schema itself.
const INTROSPECTION_FIELDS: [&str; 2] = ["__schema", "__type"];

/// Checks `document` as `operation_name` selects it.
pub fn check(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    limits: DocumentLimits,
) -> Result<(), DocumentError> {
    let operation = select(document, operation_name)?;
    if !limits.introspection
        && root_fields(document, operation_name)
            .iter()
            .any(|field| INTROSPECTION_FIELDS.contains(field))
    {
        return Err(DocumentError::Introspection);
    }
    let mut measure = Measure::new(document);
    let size = measure.set(&operation.selection_set.node);
    if size.selections > limits.max_selections {
        return Err(DocumentError::TooLarge(format!(
            "the operation selects {} fields once its fragments are expanded; at most {} are allowed",
            display_count(size.selections),
            limits.max_selections
        )));
    }
    if size.aliases > limits.max_aliases {
        return Err(DocumentError::TooLarge(format!(
            "the operation uses {} aliases; at most {} are allowed",
            display_count(size.aliases),
            limits.max_aliases
        )));
    }
    if size.depth > limits.max_depth {
        return Err(DocumentError::TooLarge(format!(
            "the operation is nested too deep: {} levels, at most {} are allowed",
            size.depth, limits.max_depth
        )));
    }
    if measure.has_nul || variables.values().any(value_has_nul) {
        return Err(DocumentError::Nul);
    }
    Ok(())
}

fn display_count(n: usize) -> String {
    if n == usize::MAX {
        "too many".to_owned()
    } else {
        n.to_string()
    }
}

/// Whether the operation `operation_name` selects is a query, a mutation or a subscription;
/// `None` when it cannot be told (which [`check`] refuses).
pub fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    select(document, operation_name).ok().map(|op| op.ty)
}

/// The names of the root fields the request's operation selects (through root fragments too;
/// each fragment is read once, so a cycle ends).
pub fn root_fields<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Vec<&'d str> {
    fn walk<'d>(
        document: &'d ExecutableDocument,
        set: &'d SelectionSet,
        seen: &mut Vec<&'d str>,
        into: &mut Vec<&'d str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => into.push(field.node.name.node.as_str()),
                Selection::InlineFragment(inline) => {
                    walk(document, &inline.node.selection_set.node, seen, into);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name);
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        walk(document, &fragment.node.selection_set.node, seen, into);
                    }
                }
            }
        }
    }
    let mut fields = Vec::new();
    if let Ok(operation) = select(document, operation_name) {
        walk(
            document,
            &operation.selection_set.node,
            &mut Vec::new(),
            &mut fields,
        );
    }
    fields
}

/// The operation a request runs: the named one, or the only one.
pub(crate) fn select<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<&'d OperationDefinition, DocumentError> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), None) => Ok(&op.node),
        (DocumentOperations::Single(_), Some(name)) => Err(unknown_operation(name)),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .get(name)
            .map(|op| &op.node)
            .ok_or_else(|| unknown_operation(name)),
        (DocumentOperations::Multiple(ops), None) => {
            let mut all = ops.values();
            match (all.next(), all.next()) {
                (Some(only), None) => Ok(&only.node),
                _ => Err(DocumentError::Operation(
                    "the document holds several operations: name the one to run in `operationName`"
                        .to_owned(),
                )),
            }
        }
    }
}

fn unknown_operation(name: &str) -> DocumentError {
    let shown: String = name.chars().take(64).collect();
    DocumentError::Operation(format!("the document has no operation named `{shown}`"))
}

#[derive(Debug, Clone, Copy, Default)]
struct Size {
    selections: usize,
    aliases: usize,
    /// The deepest nesting of fields, introspection's left out.
    depth: usize,
}

impl Size {
    /// Two selections side by side.
    fn add(self, other: Size) -> Size {
        Size {
            selections: self.selections.saturating_add(other.selections),
            aliases: self.aliases.saturating_add(other.aliases),
            depth: self.depth.max(other.depth),
        }
    }
}

struct Measure<'d> {
    document: &'d ExecutableDocument,
    /// Fragments measured so far; `None` while one is being measured (a cycle, which
    /// validation reports, counts as empty here).
    fragments: HashMap<&'d Name, Option<Size>>,
    has_nul: bool,
}

impl<'d> Measure<'d> {
    fn new(document: &'d ExecutableDocument) -> Self {
        Self {
            document,
            fragments: HashMap::new(),
            has_nul: false,
        }
    }

    fn set(&mut self, set: &'d SelectionSet) -> Size {
        let mut size = Size::default();
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    for (_, value) in &field.arguments {
                        // Variables in the literal are checked with the request's variables.
                        let literal = value
                            .node
                            .clone()
                            .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null));
                        self.has_nul |= literal.as_ref().is_ok_and(value_has_nul);
                    }
                    let inner = self.set(&field.selection_set.node);
                    let introspection = INTROSPECTION_FIELDS.contains(&field.name.node.as_str());
                    Size {
                        selections: inner.selections.saturating_add(1),
                        aliases: inner
                            .aliases
                            .saturating_add(usize::from(field.alias.is_some())),
                        depth: if introspection { 0 } else { inner.depth + 1 },
                    }
                }
                Selection::InlineFragment(fragment) => self.set(&fragment.node.selection_set.node),
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name),
            };
            size = size.add(part);
        }
        size
    }

    fn fragment(&mut self, name: &'d Positioned<Name>) -> Size {
        match self.fragments.get(&name.node) {
            Some(Some(size)) => return *size,
            Some(None) => return Size::default(),
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(&name.node) else {
            return Size::default();
        };
        self.fragments.insert(&name.node, None);
        let size = self.set(&fragment.node.selection_set.node);
        self.fragments.insert(&name.node, Some(size));
        size
    }
}

fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(k, v)| k.contains('\0') || value_has_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: DocumentLimits = DocumentLimits {
        max_selections: 100,
        max_aliases: 5,
        max_depth: 3,
        introspection: true,
    };

    fn run(query: &str, name: Option<&str>) -> Result<(), DocumentError> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check(&doc, name, &Variables::default(), LIMITS)
    }

    #[test]
    fn fragments_that_double_are_measured_without_expanding_them() {
        let mut query = String::from("query { ...F0 }\nfragment F30 on Query { __typename }\n");
        for i in 0..30 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{next} ...F{next} }}\n",
                next = i + 1
            ));
        }
        let started = std::time::Instant::now();
        let err = run(&query, None).unwrap_err();
        assert!(matches!(err, DocumentError::TooLarge(_)), "{err:?}");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn inline_fragments_and_aliases_count_where_they_are_used() {
        let ok = "{ a: __typename ... on Query { b: __typename } }";
        assert_eq!(run(ok, None), Ok(()));
        let many = "{ ...F ...F ...F } fragment F on Query { a: __typename b: __typename }";
        assert!(
            matches!(run(many, None), Err(DocumentError::TooLarge(m)) if m.contains("6 aliases"))
        );
    }

    #[test]
    fn the_operation_must_be_named_when_there_are_several_and_must_exist() {
        let two = "query A { __typename } query B { __typename }";
        assert!(matches!(run(two, None), Err(DocumentError::Operation(_))));
        assert!(matches!(
            run(two, Some("C")),
            Err(DocumentError::Operation(_))
        ));
        assert_eq!(run(two, Some("B")), Ok(()));
        assert!(matches!(
            run("{ __typename }", Some("A")),
            Err(DocumentError::Operation(_))
        ));
    }

    #[test]
    fn nul_bytes_in_literals_and_variables_are_found() {
        assert_eq!(
            run(r#"{ __type(name: "a\u0000b") { name } }"#, None),
            Err(DocumentError::Nul)
        );
        let doc =
            async_graphql::parser::parse_query("query($n: String!) { __type(name: $n) { name } }")
                .unwrap();
        let vars = Variables::from_json(serde_json::json!({ "n": "x\u{0}" }));
        assert_eq!(check(&doc, None, &vars, LIMITS), Err(DocumentError::Nul));
    }

    #[test]
    fn depth_is_counted_through_fragments_and_outside_introspection() {
        assert_eq!(run("{ a { b { c } } }", None), Ok(()));
        let deep = "{ a { ...F } } fragment F on A { b { c { d } } }";
        assert!(
            matches!(run(deep, None), Err(DocumentError::TooLarge(m)) if m.contains("too deep: 4 levels"))
        );
        let schema = "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }";
        assert_eq!(run(schema, None), Ok(()));
        let closed = DocumentLimits {
            introspection: false,
            ..LIMITS
        };
        let doc = async_graphql::parser::parse_query(schema).unwrap();
        assert_eq!(
            check(&doc, None, &Variables::default(), closed),
            Err(DocumentError::Introspection)
        );
        let typename = async_graphql::parser::parse_query("{ __typename }").unwrap();
        assert_eq!(
            check(&typename, None, &Variables::default(), closed),
            Ok(())
        );
    }

    #[test]
    fn fragment_cycles_do_not_loop() {
        let cyclic = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert_eq!(run(cyclic, None), Ok(()));
    }
}
