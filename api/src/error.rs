//! The API's one error type, and the fixed set of codes clients can rely on.
//!
//! Every error that reaches a client carries `extensions.code` from [`ErrorCode`] and a human
//! message; internal details are logged once, here, and never sent.

use async_graphql::{ErrorExtensionValues, ServerError};
use entities::constraint::Unique;
use sea_orm::DbErr;

/// The stable error codes, following the ones GraphQL clients already know (Apollo's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    GraphqlParseFailed,
    GraphqlValidationFailed,
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    InternalServerError,
    /// Apollo's code for a persisted query hash the server does not know: the client sends
    /// the query's text with it.
    PersistedQueryNotFound,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
        }
    }
}

/// The message every internal failure answers with.
pub const INTERNAL_MESSAGE: &str = "something went wrong on our side; it has been logged";

/// An error a resolver or handler answers with. Deliberately not `Display`, so it can only
/// become a GraphQL error through [`From<ApiError>`], which keeps its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// For RATE_LIMITED: seconds until another attempt is allowed.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// A write was saved but the job it asks for could not be queued: logged, and answered as
    /// an internal error the client may retry (every such mutation is idempotent).
    pub fn queue(cause: anyhow::Error) -> Self {
        Self::internal(&format!("queueing a job: {cause:#}")).with_retry_after(1)
    }

    /// Logs `cause` with its detail and answers the generic internal error.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorCode::InternalServerError, INTERNAL_MESSAGE)
    }
}

/// What a client is told when a write breaks a unique constraint, by the constraint's name.
/// One that is not listed is an internal error: it means a rule the code does not know of.
fn conflict_message(unique: Unique) -> Option<&'static str> {
    match unique {
        Unique::UserEmail => Some("an account with this email already exists"),
        Unique::ActiveMembership => Some("you are already in a couple; leave it first"),
        Unique::ActivePlan => Some("the couple already has an active plan; archive it first"),
        Unique::Membership
        | Unique::CompletionOnce
        | Unique::RitualKey
        | Unique::InstrumentVersion
        | Unique::CheckInAnswer
        | Unique::IdempotencyKey => None,
    }
}

impl ApiError {
    /// The CONFLICT a write meets when `unique` already holds, whether a check found it first
    /// or the constraint did: the same answer either way.
    pub fn already(unique: Unique) -> Self {
        Self::conflict(conflict_message(unique).unwrap_or("that already exists"))
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match Unique::violated_by(&err).and_then(conflict_message) {
            Some(message) => Self::conflict(message),
            None => Self::internal(&err),
        }
    }
}

impl From<entities::BadRow> for ApiError {
    fn from(bad: entities::BadRow) -> Self {
        tracing::error!(
            table = bad.table,
            row.id = %bad.id,
            column = bad.column,
            detail = %bad.detail,
            "bad stored data"
        );
        Self::new(ErrorCode::InternalServerError, INTERNAL_MESSAGE)
    }
}

impl From<domain::account::AccountError> for ApiError {
    fn from(err: domain::account::AccountError) -> Self {
        Self::bad_input(err.to_string())
    }
}

impl From<domain::couple::CoupleError> for ApiError {
    fn from(err: domain::couple::CoupleError) -> Self {
        match err {
            domain::couple::CoupleError::Full => Self::conflict(err.to_string()),
            _ => Self::bad_input(err.to_string()),
        }
    }
}

impl From<domain::plan::PlanError> for ApiError {
    fn from(err: domain::plan::PlanError) -> Self {
        match err {
            domain::plan::PlanError::LoggedDifferently => Self::conflict(err.to_string()),
            _ => Self::bad_input(err.to_string()),
        }
    }
}

impl From<domain::checkin::CheckInError> for ApiError {
    fn from(err: domain::checkin::CheckInError) -> Self {
        match err {
            domain::checkin::CheckInError::Revealed { .. } => Self::conflict(err.to_string()),
            _ => Self::bad_input(err.to_string()),
        }
    }
}

impl From<domain::breaks::BreakError> for ApiError {
    fn from(err: domain::breaks::BreakError) -> Self {
        match err {
            domain::breaks::BreakError::Settled(..) => Self::conflict(err.to_string()),
            _ => Self::bad_input(err.to_string()),
        }
    }
}

impl From<domain::catalog::CatalogError> for ApiError {
    fn from(err: domain::catalog::CatalogError) -> Self {
        Self::bad_input(err.to_string())
    }
}

impl From<domain::schedule::ScheduleError> for ApiError {
    fn from(err: domain::schedule::ScheduleError) -> Self {
        Self::bad_input(err.to_string())
    }
}

/// Reaching request data that is always there (the state, the caller): missing means the
/// schema was built wrong, which is ours to fix.
impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        Self::internal(&err.message)
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        Self::internal(&err)
    }
}

impl From<crate::auth::password::HashError> for ApiError {
    fn from(err: crate::auth::password::HashError) -> Self {
        match err {
            crate::auth::password::HashError::Busy => Self::new(
                ErrorCode::RateLimited,
                "the server is busy checking other passwords; try again in a moment",
            )
            .with_retry_after(1),
            crate::auth::password::HashError::Failed(_) => Self::internal(&err),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", err.code.as_str());
        if let Some(seconds) = err.retry_after {
            extensions.set("retryAfter", seconds);
        }
        async_graphql::Error {
            message: err.message,
            source: None,
            extensions: Some(extensions),
        }
    }
}

/// A new server error with `message` and `code`, for failures outside any resolver.
pub fn server_error(code: ErrorCode, message: impl Into<String>) -> ServerError {
    with_code(ServerError::new(message, None), code)
}

/// Sets `code` on a server error unless it already has one.
pub fn with_code(mut err: ServerError, code: ErrorCode) -> ServerError {
    if code_of(&err).is_none() {
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
    err
}

/// The code an error already carries, if any.
pub fn code_of(err: &ServerError) -> Option<&async_graphql::Value> {
    err.extensions.as_ref().and_then(|ext| ext.get("code"))
}

/// A request-level error body (for failures before GraphQL execution), shaped like GraphQL's.
pub fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    })
}
