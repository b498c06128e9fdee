//! Values that must never be printed.

use std::fmt;

use base64::Engine;
use rand::RngCore;

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// What a secret generated for development (none configured) starts with.
const GENERATED_PREFIX: &str = "generated-";

/// A random secret, for development when none is configured.
pub(super) fn generated_secret() -> Secret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(format!(
        "{GENERATED_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Whether `secret` was generated because none was configured.
pub(super) fn is_generated(secret: &Secret) -> bool {
    secret.expose().starts_with(GENERATED_PREFIX)
}
