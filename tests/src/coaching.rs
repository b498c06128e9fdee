//! An organization (with its admin) and a couple (Ana and Ben), made by an administrator, for
//! the coaching and API key tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

use crate::builders::{organization, pair};
use crate::{Account, TestApp, email, error_codes};

/// The organization the caller belongs to, with its coaches.
pub const MY_ORG: &str = "{ organization { id name myRole coaches { displayName role } } }";

/// The `field` of a body's data, asserting the body has no errors.
pub fn data<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(error_codes(body).is_empty(), "{body}");
    &body["data"][field]
}

/// The organization, its admin, the administrator who made it and the couple.
pub struct Setting {
    pub admin: Account,
    pub org: String,
    pub org_admin: Account,
    pub ana: Account,
    pub ben: Account,
    pub couple: String,
}

/// Makes the [`Setting`].
pub async fn setting(app: &TestApp) -> Setting {
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, org_admin) = organization(app, &admin, "Harbor Coaching").await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    let couple = pair(app, &ana, &ben).await;
    Setting {
        admin,
        org,
        org_admin,
        ana,
        ben,
        couple,
    }
}
