//! Persisted queries. A mobile client sends the SHA-256 of an operation instead of its text
//! (`extensions.persistedQuery`, the protocol Apollo clients speak):
//!
//! - **Automatic** (APQ): a hash the server does not know answers `PersistedQueryNotFound`
//!   (code PERSISTED_QUERY_NOT_FOUND); the client sends the text with the hash once, the
//!   server checks the hash and remembers it (up to `REKINDLE_APQ_CACHE_SIZE` per process),
//!   and from then on the hash alone runs it, over POST or GET.
//! - **Registered**: operations listed in an Apollo persisted query manifest
//!   (`REKINDLE_PERSISTED_QUERIES_FILE`) run by hash on every instance from the start.
//! - **Persisted-only** (`REKINDLE_PERSISTED_ONLY=true`): only registered operations run, by
//!   hash or by their exact text; anything else is FORBIDDEN.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use anyhow::Context as _;
use async_graphql::{Request, ServerError, Value};
use runtime::clients::ClientSettings;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use domain::input::Reason;

use crate::error::input_error;
use crate::error::{ErrorCode, server_error};

/// The request extension the protocol uses.
const EXTENSION: &str = "persistedQuery";
/// The message Apollo clients recognise for an unknown hash.
pub const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

/// The operations this process runs by hash.
pub struct PersistedQueries {
    registered: HashMap<String, String>,
    only: bool,
    remembered: Mutex<Remembered>,
    capacity: usize,
}

/// Automatic persisted queries, forgotten oldest first.
#[derive(Default)]
struct Remembered {
    bodies: HashMap<String, String>,
    order: VecDeque<String>,
}

/// Apollo's persisted query manifest.
#[derive(Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

/// The hex SHA-256 of an operation's text, as clients compute it.
pub fn hash_of(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

fn not_registered() -> ServerError {
    server_error(
        ErrorCode::Forbidden,
        "this server runs only registered operations, and this one is not registered",
    )
}

impl PersistedQueries {
    /// Loads the manifest, if one is configured; each operation's ID must be its text's hash.
    pub fn load(settings: &ClientSettings) -> anyhow::Result<Self> {
        let mut registered = HashMap::new();
        if let Some(path) = &settings.persisted_queries_file {
            let what = format!("REKINDLE_PERSISTED_QUERIES_FILE ({})", path.display());
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {what}"))?;
            let manifest: Manifest = serde_json::from_str(&text)
                .with_context(|| format!("{what} is not a persisted query manifest"))?;
            if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
                anyhow::bail!("{what}: expected format apollo-persisted-query-manifest, version 1");
            }
            for operation in manifest.operations {
                let hash = hash_of(&operation.body);
                if operation.id.to_ascii_lowercase() != hash {
                    anyhow::bail!(
                        "{what}: operation {} is not the SHA-256 of its body ({hash})",
                        operation.id
                    );
                }
                registered.insert(hash, operation.body);
            }
        }
        Ok(Self {
            registered,
            only: settings.persisted_only,
            remembered: Mutex::default(),
            capacity: settings.apq_cache_size,
        })
    }

    /// The names of the registered operations.
    pub fn operation_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for body in self.registered.values() {
            if let Ok(document) = async_graphql::parser::parse_query(body) {
                for (name, _) in document.operations.iter() {
                    names.extend(name.map(|n| n.to_string()));
                }
            }
        }
        names
    }

    /// Fills in the text of a request sent by hash, remembers one sent with its hash, and in
    /// persisted-only mode refuses any operation not registered.
    pub fn resolve(&self, request: &mut Request) -> Result<(), ServerError> {
        let hash = match request.extensions.0.get(EXTENSION) {
            None | Some(Value::Null) => None,
            Some(Value::Object(persisted)) => {
                if persisted.get("version") != Some(&Value::from(1)) {
                    return Err(input_error(
                        "extensions.persistedQuery.version",
                        Reason::NotSupported,
                        "only version 1 of persisted queries is supported",
                    ));
                }
                match persisted.get("sha256Hash") {
                    Some(Value::String(hash)) => Some(hash.to_ascii_lowercase()),
                    _ => {
                        return Err(input_error(
                            "extensions.persistedQuery.sha256Hash",
                            Reason::Required,
                            "a persisted query needs its `sha256Hash`",
                        ));
                    }
                }
            }
            Some(_) => {
                return Err(input_error(
                    "extensions.persistedQuery",
                    Reason::WrongType,
                    "`persistedQuery` must be an object",
                ));
            }
        };
        let Some(hash) = hash else {
            if self.only && !self.registered.contains_key(&hash_of(&request.query)) {
                return Err(not_registered());
            }
            return Ok(());
        };
        if request.query.is_empty() {
            if let Some(body) = self.registered.get(&hash) {
                request.query = body.clone();
                return Ok(());
            }
            if self.only {
                return Err(not_registered());
            }
            return match self.recall(&hash) {
                Some(body) => {
                    request.query = body;
                    Ok(())
                }
                None => Err(server_error(
                    ErrorCode::PersistedQueryNotFound,
                    NOT_FOUND_MESSAGE,
                )),
            };
        }
        if hash_of(&request.query) != hash {
            return Err(server_error(
                ErrorCode::BadUserInput,
                "provided sha does not match query",
            ));
        }
        if self.registered.contains_key(&hash) {
            return Ok(());
        }
        if self.only {
            return Err(not_registered());
        }
        self.remember(hash, &request.query);
        Ok(())
    }

    fn recall(&self, hash: &str) -> Option<String> {
        let remembered = self.remembered.lock().ok()?;
        remembered.bodies.get(hash).cloned()
    }

    fn remember(&self, hash: String, body: &str) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut remembered) = self.remembered.lock() else {
            return;
        };
        if remembered.bodies.contains_key(&hash) {
            return;
        }
        while remembered.order.len() >= self.capacity {
            if let Some(oldest) = remembered.order.pop_front() {
                remembered.bodies.remove(&oldest);
            }
        }
        remembered.order.push_back(hash.clone());
        remembered.bodies.insert(hash, body.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apq(capacity: usize) -> PersistedQueries {
        PersistedQueries::load(&ClientSettings {
            cors_origins: Vec::new(),
            persisted_queries_file: None,
            persisted_only: false,
            apq_cache_size: capacity,
            changes_retention: std::time::Duration::from_secs(86_400),
        })
        .unwrap()
    }

    fn by_hash(hash: &str, query: &str) -> Request {
        let mut request = Request::new(query);
        request.extensions.0.insert(
            EXTENSION.to_owned(),
            Value::from_json(serde_json::json!({ "version": 1, "sha256Hash": hash })).unwrap(),
        );
        request
    }

    #[test]
    fn the_oldest_remembered_query_is_forgotten_first() {
        let queries = apq(2);
        for q in ["{ a }", "{ b }", "{ c }"] {
            queries.resolve(&mut by_hash(&hash_of(q), q)).unwrap();
        }
        assert!(
            queries
                .resolve(&mut by_hash(&hash_of("{ a }"), ""))
                .is_err()
        );
        let mut c = by_hash(&hash_of("{ c }"), "");
        queries.resolve(&mut c).unwrap();
        assert_eq!(c.query, "{ c }");
    }

    #[test]
    fn nothing_is_remembered_with_a_cache_of_zero() {
        let queries = apq(0);
        queries
            .resolve(&mut by_hash(&hash_of("{ a }"), "{ a }"))
            .unwrap();
        assert!(
            queries
                .resolve(&mut by_hash(&hash_of("{ a }"), ""))
                .is_err()
        );
    }
}
