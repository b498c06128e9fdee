//! Global IDs as clients see them: `<Kind>:<uuid>` in URL-safe base64, opaque to clients and
//! stable for an object's life. The api decodes them; the worker writes them into webhooks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The global ID of the object of `kind` (its GraphQL type name) with this row ID.
pub fn global_id(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{}", id.simple()))
}
