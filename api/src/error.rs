//! The API's one error type, and the fixed set of codes clients can rely on.
//!
//! Every error that reaches a client carries `extensions.code` from [`ErrorCode`] and a human
//! message; internal details are logged once, here, and never sent.

use async_graphql::{ErrorExtensionValues, ServerError};
use domain::input::{Reason, Refusal};
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
    /// For BAD_USER_INPUT: the input field's path (`input.schedule.localTime`) and why.
    pub field: Option<(String, Reason)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            field: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// BAD_USER_INPUT about the input field at `field` (a path such as `input.name`).
    pub fn invalid(field: impl Into<String>, reason: Reason, message: impl Into<String>) -> Self {
        let mut err = Self::new(ErrorCode::BadUserInput, message);
        err.field = Some((field.into(), reason));
        err
    }

    /// A domain refusal about a field of the input object at `object` (such as `input` or
    /// `input.schedule`).
    pub fn refused(object: &str, refusal: &dyn Refusal) -> Self {
        Self::invalid(
            join(object, refusal.field()),
            refusal.reason(),
            refusal.to_string(),
        )
    }

    /// Names the input field a bad input is about (`input.newPassword` for a password refused
    /// where the form calls it a new one).
    pub fn at(mut self, field: &str) -> Self {
        if let Some((named, _)) = self.field.as_mut() {
            *named = field.to_owned();
        }
        self
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

/// `object.field`, or `object` alone when the field is not named.
fn join(object: &str, field: &str) -> String {
    if field.is_empty() {
        object.to_owned()
    } else {
        format!("{object}.{field}")
    }
}

impl From<domain::account::AccountError> for ApiError {
    fn from(err: domain::account::AccountError) -> Self {
        Self::refused("input", &err)
    }
}

impl From<domain::couple::CoupleError> for ApiError {
    fn from(err: domain::couple::CoupleError) -> Self {
        match err {
            domain::couple::CoupleError::Full => Self::conflict(err.to_string()),
            _ => Self::refused("input", &err),
        }
    }
}

impl From<domain::plan::PlanError> for ApiError {
    fn from(err: domain::plan::PlanError) -> Self {
        match err {
            domain::plan::PlanError::LoggedDifferently => Self::conflict(err.to_string()),
            _ => Self::refused("input", &err),
        }
    }
}

impl From<domain::checkin::CheckInError> for ApiError {
    fn from(err: domain::checkin::CheckInError) -> Self {
        match err {
            domain::checkin::CheckInError::Revealed { .. } => Self::conflict(err.to_string()),
            _ => Self::refused("input", &err),
        }
    }
}

impl From<domain::breaks::BreakError> for ApiError {
    fn from(err: domain::breaks::BreakError) -> Self {
        match err {
            domain::breaks::BreakError::Settled(..) => Self::conflict(err.to_string()),
            _ => Self::refused("input", &err),
        }
    }
}

impl From<domain::catalog::CatalogError> for ApiError {
    fn from(err: domain::catalog::CatalogError) -> Self {
        Self::refused("input", &err)
    }
}

impl From<domain::schedule::ScheduleError> for ApiError {
    fn from(err: domain::schedule::ScheduleError) -> Self {
        Self::refused("input", &err)
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
        if let Some((field, reason)) = err.field {
            extensions.set("field", field);
            extensions.set("reason", reason.as_str());
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

/// A BAD_USER_INPUT server error about the input at `field`, for failures outside resolvers.
pub fn input_error(field: &str, reason: Reason, message: impl Into<String>) -> ServerError {
    let mut err = ServerError::new(message, None);
    mark_input(&mut err, field, reason);
    err
}

/// Makes `err` a BAD_USER_INPUT about the input at `field`.
pub fn mark_input(err: &mut ServerError, field: &str, reason: Reason) {
    let extensions = err.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("field", field);
    extensions.set("reason", reason.as_str());
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

/// A request-level BAD_USER_INPUT body about the part of the request at `field` (a query
/// parameter, a header, the body).
pub fn input_error_body(field: &str, reason: Reason, message: &str) -> serde_json::Value {
    serde_json::json!({
        "errors": [{
            "message": message,
            "extensions": {
                "code": ErrorCode::BadUserInput.as_str(),
                "field": field,
                "reason": reason.as_str(),
            }
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table of reasons lists every reason, once, in the code's order, and
    /// nothing else.
    #[test]
    fn the_readme_documents_every_reason() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("| `reason` | the value… |")
            .nth(1)
            .expect("the README has the table of reasons");
        let documented: Vec<&str> = table
            .lines()
            .skip(2)
            .take_while(|line| line.starts_with("| `"))
            .filter_map(|line| line.split('`').nth(1))
            .collect();
        let known: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(documented, known);
    }

    #[test]
    fn a_bad_input_names_its_field_and_reason() {
        let refusal = domain::plan::PlanError::PlanName(Reason::TooLong);
        let err = async_graphql::Error::from(ApiError::refused("input.plan", &refusal));
        let extensions = err.extensions.expect("extensions");
        assert_eq!(
            extensions.get("field"),
            Some(&async_graphql::Value::from("input.plan.name"))
        );
        assert_eq!(
            extensions.get("reason"),
            Some(&async_graphql::Value::from("TOO_LONG"))
        );
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("BAD_USER_INPUT"))
        );
    }
}
