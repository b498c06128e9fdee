//! Every mutation is safe to retry: a client sends `Idempotency-Key: <key>` over HTTP (or
//! `"idempotencyKey"` in an operation's `extensions`, over WebSocket). The first request with
//! a key runs; a retry with the same key and the same operation and variables, within
//! [`KEEP_FOR`], gets the first one's answer without running again (marked
//! `extensions.idempotency.replayed`). A retry that arrives while the first still runs waits
//! for its answer, up to the operation time limit, then answers CONFLICT with
//! `extensions.retryAfter`. The same key with a different request is BAD_USER_INPUT.
//!
//! Keys are per caller (account, API key, or anonymous), claimed in the database so every api
//! instance sees them. The key itself is never stored: its row is found by a hash of it, and
//! the answer is sealed (ChaCha20-Poly1305) with another hash of it, so a stored answer,
//! which may hold tokens or a couple's notes, can be opened only by a client that holds the
//! key. Queries and subscriptions ignore keys: they change nothing.
//!
//! Nothing is kept for an anonymous caller, nor for a mutation whose answer carries credentials
//! ([`CREDENTIAL_FIELDS`]): their retries run again, so a replayed refresh token meets reuse
//! detection instead of a stored token pair. A refused request (no root field answered) keeps
//! nothing either: it changed nothing, so running it again is the same. Variables are
//! fingerprinted as canonical JSON (object keys sorted at every level), so a client that
//! rebuilds a queued request with its keys in another order is still the same request.
//!
//! One gap is left by design: if the process dies after the mutation committed and before
//! its answer was kept, the key is taken over once its lock lapses and the retry runs again.

use std::any::TypeId;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest,
};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, ServerResult, Value};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce};
use domain::idempotency::{self, KEEP_FOR, POLL_EVERY, RETRY_AFTER_SECS};
use entities::idempotency_key::{self, Claim, NewClaim};
use sha2::{Digest, Sha256};

use super::document;
use domain::input::Reason;

use crate::auth::{ANONYMOUS, Caller};
use crate::error::input_error;
use crate::error::{ErrorCode, INTERNAL_MESSAGE, code_of, server_error};
use crate::state::AppState;

/// The `Idempotency-Key` header of an HTTP request, as the endpoint read it.
#[derive(Debug, Clone)]
pub struct KeyHeader(pub String);

/// The name of the key in an operation's `extensions`.
pub const EXTENSION_KEY: &str = "idempotencyKey";

/// The name of the response extension that says whether an answer was replayed.
const RESPONSE_EXTENSION: &str = "idempotency";

/// Mutations whose answers carry credentials or set a password: never kept, always run.
pub const CREDENTIAL_FIELDS: [&str; 5] = [
    "register",
    "login",
    "refreshSession",
    "resetPassword",
    "changePassword",
];

pub struct Idempotency;

impl ExtensionFactory for Idempotency {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(IdempotencyExtension::default())
    }
}

/// One request's key and fingerprint, found while the request is prepared and used when it
/// executes.
#[derive(Default)]
struct IdempotencyExtension {
    attempt: Mutex<Option<Attempt>>,
}

struct Attempt {
    key: String,
    fingerprint: String,
}

/// The key a request carries, from the header or the operation's extensions (both must agree).
fn key_of(request: &Request) -> ServerResult<Option<String>> {
    let header = request
        .data
        .get(&TypeId::of::<KeyHeader>())
        .and_then(|data| data.downcast_ref::<KeyHeader>())
        .map(|header| header.0.as_str());
    let extension = match request.extensions.0.get(EXTENSION_KEY) {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.as_str()),
        Some(_) => {
            return Err(input_error(
                &format!("extensions.{EXTENSION_KEY}"),
                Reason::WrongType,
                format!("the `{EXTENSION_KEY}` extension must be a string"),
            ));
        }
    };
    let parse = |raw: &str| {
        idempotency::parse_key(raw)
            .map(str::to_owned)
            .map_err(|err| input_error("Idempotency-Key", Reason::BadFormat, err.to_string()))
    };
    match (header, extension) {
        (None, None) => Ok(None),
        (Some(raw), None) | (None, Some(raw)) => parse(raw).map(Some),
        (Some(header), Some(extension)) => {
            let key = parse(header)?;
            if parse(extension)? != key {
                return Err(input_error(
                    "Idempotency-Key",
                    Reason::Incompatible,
                    format!(
                        "the Idempotency-Key header and the `{EXTENSION_KEY}` extension differ; send one"
                    ),
                ));
            }
            Ok(Some(key))
        }
    }
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        // Each part is length-prefixed, so no two different lists hash alike.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// What is the same for a request and its retries: the operation and its variables. Keyed by
/// the idempotency key, so the stored fingerprint says nothing of the request to a reader
/// without the key (the request may hold a password).
fn fingerprint(key: &str, request: &Request) -> String {
    let variables = serde_json::to_value(&request.variables)
        .map(canonical)
        .and_then(|value| serde_json::to_vec(&value))
        .unwrap_or_default();
    hex::encode(digest(&[
        b"rekindle idempotency request",
        key.as_bytes(),
        request
            .operation_name
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
        request.query.as_bytes(),
        &variables,
    ]))
}

/// The same JSON with every object's keys in sorted order.
fn canonical(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(String, serde_json::Value)> =
                map.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(canonical).collect())
        }
        other => other,
    }
}

/// What the key opens: where its row is, and the seal of its answer.
struct KeySecrets {
    key_hash: String,
    cipher: ChaCha20Poly1305,
}

impl KeySecrets {
    fn derive(owner: &str, key: &str) -> Self {
        let key_hash = hex::encode(digest(&[
            b"rekindle idempotency key",
            owner.as_bytes(),
            key.as_bytes(),
        ]));
        let seal = digest(&[
            b"rekindle idempotency seal",
            owner.as_bytes(),
            key.as_bytes(),
        ]);
        Self {
            key_hash,
            cipher: ChaCha20Poly1305::new(&seal.into()),
        }
    }

    /// The answer as stored: base64 of a fresh nonce and the sealed JSON.
    fn seal(&self, response: &Response) -> anyhow::Result<String> {
        let json = serde_json::to_vec(response)?;
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), json.as_slice())
            .map_err(|_| anyhow::anyhow!("the answer could not be sealed"))?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        Ok(STANDARD.encode(stored))
    }

    fn open(&self, stored: &str) -> anyhow::Result<Response> {
        let bytes = STANDARD.decode(stored)?;
        let Some((nonce, sealed)) = bytes.split_first_chunk::<12>() else {
            anyhow::bail!("a stored answer is shorter than its nonce");
        };
        let json = self
            .cipher
            .decrypt(&Nonce::from(*nonce), sealed)
            .map_err(|_| anyhow::anyhow!("a stored answer did not open with its key"))?;
        Ok(serde_json::from_slice(&json)?)
    }
}

fn marked(response: Response, replayed: bool) -> Response {
    let mut mark = async_graphql::indexmap::IndexMap::new();
    mark.insert(async_graphql::Name::new("replayed"), Value::from(replayed));
    response.extension(RESPONSE_EXTENSION, Value::Object(mark))
}

fn internal(what: &str, err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "{what}");
    Response::from_errors(vec![server_error(
        ErrorCode::InternalServerError,
        INTERNAL_MESSAGE,
    )])
}

#[async_trait::async_trait]
impl Extension for IdempotencyExtension {
    /// Runs inside the request policy's preparation, which parses the document and names the
    /// caller; then finds the key and, for a mutation, the request's fingerprint.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut request = next.run(ctx, request).await?;
        let Some(key) = key_of(&request)? else {
            return Ok(request);
        };
        let operation_name = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else {
            return Ok(request);
        };
        let is_mutation = document::operation_type(document, operation_name.as_deref())
            == Some(OperationType::Mutation);
        let carries_credentials = document::root_fields(document, operation_name.as_deref())
            .iter()
            .any(|field| CREDENTIAL_FIELDS.contains(field));
        let anonymous =
            Caller::of(&request).is_none_or(|caller| caller.idempotency_owner() == ANONYMOUS);
        if is_mutation && !carries_credentials && !anonymous {
            let fingerprint = fingerprint(&key, &request);
            if let Ok(mut attempt) = self.attempt.lock() {
                *attempt = Some(Attempt { key, fingerprint });
            }
        }
        Ok(request)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let attempt = self.attempt.lock().ok().and_then(|mut a| a.take());
        let (Some(attempt), Ok(state)) = (attempt, ctx.data::<AppState>()) else {
            return next.run(ctx, operation_name).await;
        };
        let owner = ctx
            .data_opt::<Caller>()
            .map_or_else(|| ANONYMOUS.to_owned(), Caller::idempotency_owner);
        let secrets = KeySecrets::derive(&owner, &attempt.key);
        let timeout = state.settings.graphql.operation_timeout;
        let (Ok(lock_for), Ok(keep_for)) = (
            chrono::Duration::from_std(idempotency::lock_for(timeout)),
            chrono::Duration::from_std(KEEP_FOR),
        ) else {
            return internal("an idempotency duration is out of range", "");
        };
        let claim = NewClaim {
            owner: &owner,
            key_hash: &secrets.key_hash,
            fingerprint: &attempt.fingerprint,
            lock_for,
            keep_for,
        };
        let waiting_since = Instant::now();
        loop {
            match idempotency_key::claim(&state.db, &claim, state.clock.now()).await {
                Err(err) => return internal("an idempotency key could not be claimed", err),
                Ok(Claim::Run(id)) => {
                    let response = next.run(ctx, operation_name).await;
                    keep(state, &secrets, id, &response).await;
                    return marked(response, false);
                }
                Ok(Claim::Done(stored)) => {
                    return match secrets.open(&stored) {
                        Ok(response) => marked(response, true),
                        Err(err) => internal("a kept answer could not be replayed", err),
                    };
                }
                Ok(Claim::Mismatch) => {
                    return Response::from_errors(vec![input_error(
                        "Idempotency-Key",
                        Reason::Duplicate,
                        "this Idempotency-Key was used with a different request; send a new key for a new request",
                    )]);
                }
                Ok(Claim::Running) if waiting_since.elapsed() >= timeout => {
                    let mut err = server_error(
                        ErrorCode::Conflict,
                        "a request with this Idempotency-Key is still running; retry with the same key",
                    );
                    err.extensions
                        .get_or_insert_with(Default::default)
                        .set("retryAfter", RETRY_AFTER_SECS);
                    return Response::from_errors(vec![err]);
                }
                Ok(Claim::Running) => tokio::time::sleep(POLL_EVERY).await,
            }
        }
    }
}

/// Keeps the answer for the retries, or lets the key go when the answer is not worth keeping
/// (a refusal, which changed nothing, or a failure on our side: the retry should run again).
async fn keep(state: &AppState, secrets: &KeySecrets, id: uuid::Uuid, response: &Response) {
    // An error without a code yet is an unexpected failure the policy will mask as internal.
    let codes = response.errors.iter().map(|err| match code_of(err) {
        Some(Value::String(code)) => code.as_str(),
        _ => ErrorCode::InternalServerError.as_str(),
    });
    let answered = match &response.data {
        Value::Object(fields) => fields.values().any(|v| *v != Value::Null),
        _ => false,
    };
    if answered && idempotency::keeps_answer(codes) {
        match secrets.seal(response) {
            Ok(sealed) => match idempotency_key::finish(&state.db, id, sealed).await {
                Ok(()) => return,
                Err(err) => {
                    tracing::error!(error = %err, "an answer could not be kept for retries")
                }
            },
            Err(err) => tracing::error!(error = %err, "an answer could not be sealed"),
        }
    }
    if let Err(err) = idempotency_key::release(&state.db, id).await {
        tracing::error!(error = %err, "an idempotency key could not be released");
    }
}

#[cfg(test)]
mod tests;
