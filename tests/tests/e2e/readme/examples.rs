//! The README's GraphQL examples as a test reads them: fenced `graphql` blocks, cut into
//! operations, each with the comment above it; and the values earlier answers gave, by the path
//! that gave them, to fill in the placeholders (`"<plan id>"`) and variables (`$replyId`) that
//! later examples show.

use serde_json::Value;

/// One operation of a README example.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The README line it starts on, for failure messages.
    pub line: usize,
    /// The comment lines right above it (or above its group), without `#`.
    pub comment: String,
    /// The operation's text, as pasted.
    pub text: String,
}

/// Every operation of every fenced `graphql` block, in README order.
pub fn operations(readme: &str) -> Vec<Operation> {
    let mut found = Vec::new();
    let mut block: Option<Vec<(usize, &str)>> = None;
    for (number, line) in readme.lines().enumerate() {
        match (&mut block, line.trim_end()) {
            (None, "```graphql") => block = Some(Vec::new()),
            (Some(lines), "```") => {
                found.extend(split(lines));
                block = None;
            }
            (Some(lines), _) => lines.push((number + 1, line)),
            (None, _) => {}
        }
    }
    found
}

/// The first fenced block of `language` after the line `heading`.
pub fn block_after(readme: &str, heading: &str, language: &str) -> Option<String> {
    let after = &readme[readme.find(&format!("\n{heading}\n"))?..];
    let fence = format!("```{language}\n");
    let start = after.find(&fence)? + fence.len();
    let end = after[start..].find("```")?;
    Some(after[start..start + end].to_owned())
}

/// Cuts a block into its top-level operations: one starts at a line that begins outside any
/// braces, and ends where its braces close.
fn split(lines: &[(usize, &str)]) -> Vec<Operation> {
    let mut operations = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    let mut current: Option<Operation> = None;
    let mut depth = 0usize;
    for (number, line) in lines {
        let trimmed = line.trim();
        if current.is_none() {
            if let Some(text) = trimmed.strip_prefix('#') {
                comment.push(text.trim());
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            current = Some(Operation {
                line: *number,
                comment: comment.join(" "),
                text: String::new(),
            });
            comment.clear();
        }
        let Some(operation) = current.as_mut() else {
            continue;
        };
        operation.text.push_str(line);
        operation.text.push('\n');
        let mut in_string = false;
        for c in line.chars() {
            match c {
                '"' => in_string = !in_string,
                '#' if !in_string => break,
                '{' if !in_string => depth += 1,
                '}' if !in_string => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth == 0 && operation.text.contains('}') {
            operations.extend(current.take());
        }
    }
    operations
}

/// What kind of operation the text is.
pub fn is_subscription(text: &str) -> bool {
    text.trim_start().starts_with("subscription")
}

/// The variables an operation declares: `$replyId: ID!` gives `replyId`.
pub fn variables(text: &str) -> Vec<String> {
    let Some(header) = text.split('{').next() else {
        return Vec::new();
    };
    header
        .split('$')
        .skip(1)
        .filter_map(|rest| rest.split(':').next())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// The placeholders an operation shows: `"<invite code, such as 7KQ4-MXDRTW>"` gives the
/// literal and its key, `invite code`.
pub fn placeholders(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("\"<") {
        let Some(end) = rest[start..].find(">\"") else {
            break;
        };
        let literal = &rest[start..start + end + 2];
        let inner = &literal[2..literal.len() - 2];
        let key = inner.split(',').next().unwrap_or(inner).trim().to_owned();
        found.push((literal.to_owned(), key));
        rest = &rest[start + end + 2..];
    }
    found
}

/// Words of a name: `conversationId` and `conversation id` both give `conversation`, `id`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if (c.is_uppercase() || !c.is_alphanumeric()) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Every value the answers so far held, by the words of its path (connections' `edges` and
/// `node` left out), latest last.
#[derive(Default)]
pub struct Answers {
    values: Vec<(Vec<String>, Value)>,
}

impl Answers {
    pub fn record(&mut self, data: &Value) {
        self.walk(data, Vec::new());
    }

    fn walk(&mut self, value: &Value, path: Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields {
                    let mut path = path.clone();
                    if key != "edges" && key != "node" {
                        path.extend(words(key));
                    }
                    self.walk(field, path);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, path.clone());
                }
            }
            Value::Null => {}
            leaf => self.values.push((path, leaf.clone())),
        }
    }

    /// The latest value whose path ends with `key`'s words.
    pub fn find(&self, key: &str) -> Option<&Value> {
        let wanted = words(key);
        self.values
            .iter()
            .rev()
            .find(|(path, _)| path.ends_with(&wanted))
            .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_block_is_cut_into_operations_with_their_comments() {
        let readme = "text\n```graphql\n# 1. Ana\n#    registers.\nmutation {\n  a(x: \"}#\") { b }\n}\n{ c }\n\n# 2. Ben\nsubscription($replyId: ID!, $n: Int) { d(id: $replyId) { e } }\n```\n```sh\n{ f }\n```\n";
        let found = operations(readme);
        let texts: Vec<&str> = found.iter().map(|o| o.text.trim()).collect();
        assert_eq!(
            texts,
            [
                "mutation {\n  a(x: \"}#\") { b }\n}",
                "{ c }",
                "subscription($replyId: ID!, $n: Int) { d(id: $replyId) { e } }"
            ]
        );
        assert_eq!(found[0].comment, "1. Ana registers.");
        assert_eq!(found[0].line, 5);
        assert_eq!(found[1].comment, "");
        assert_eq!(found[2].comment, "2. Ben");
        assert!(is_subscription(&found[2].text));
        assert_eq!(variables(&found[2].text), ["replyId", "n"]);
    }

    #[test]
    fn placeholders_are_found_by_their_key_and_filled_from_the_latest_answer() {
        let text = r#"{ a(id: "<plan id>", code: "<invite code, such as 7KQ4-MXDRTW>") }"#;
        assert_eq!(
            placeholders(text),
            [
                ("\"<plan id>\"".to_owned(), "plan id".to_owned()),
                (
                    "\"<invite code, such as 7KQ4-MXDRTW>\"".to_owned(),
                    "invite code".to_owned()
                )
            ]
        );
        let mut answers = Answers::default();
        answers.record(&json!({ "createPlan": { "plan": { "id": "P1" } } }));
        answers.record(&json!({ "kiss": { "item": { "id": "I1" } },
                                "x": { "edges": [{ "node": { "planId": "P2" } }] } }));
        assert_eq!(answers.find("plan id"), Some(&json!("P2")));
        assert_eq!(answers.find("kiss item id"), Some(&json!("I1")));
        assert_eq!(answers.find("planId"), Some(&json!("P2")));
        assert_eq!(answers.find("talk item id"), None);
    }
}
