//! The keys push services need, read once at start by api and worker alike: the VAPID key
//! Web Push signs with (made and kept in the data directory in embedded mode, so browsers'
//! subscriptions outlive a restart), and which services are configured.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::push::Platform;
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand::RngCore;

use crate::config::PushSettings;

/// The server's VAPID key pair.
#[derive(Clone)]
pub struct VapidKey {
    secret: SecretKey,
    /// The public key as browsers take it (`applicationServerKey`): the uncompressed point,
    /// base64url without padding.
    pub public_key: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    fn new(secret: SecretKey) -> Self {
        let point = secret.public_key().to_encoded_point(false);
        Self {
            public_key: URL_SAFE_NO_PAD.encode(point.as_bytes()),
            secret,
        }
    }

    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }
}

/// What push needs at run time.
#[derive(Debug, Clone, Default)]
pub struct PushKeys {
    pub vapid: Option<VapidKey>,
    pub apns: bool,
    pub fcm: bool,
}

impl PushKeys {
    /// Reads (or, where allowed, makes) the keys `settings` name.
    pub fn load(settings: &PushSettings) -> anyhow::Result<Self> {
        let vapid = match &settings.vapid_key_file {
            None => None,
            Some(path) if path.exists() || !settings.vapid_key_generated => Some(read(path)?),
            Some(path) => Some(generate(path)?),
        };
        Ok(Self {
            vapid,
            apns: settings.apns.is_some(),
            fcm: settings.fcm.is_some(),
        })
    }

    /// Whether pushes to `platform` can be sent.
    pub fn serves(&self, platform: Platform) -> bool {
        match platform {
            Platform::Apns => self.apns,
            Platform::Fcm => self.fcm,
            Platform::WebPush => self.vapid.is_some(),
        }
    }
}

fn read(path: &Path) -> anyhow::Result<VapidKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("reading the VAPID key {}", path.display()))?;
    let secret = SecretKey::from_pkcs8_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "the VAPID key {} is not a PKCS#8 P-256 private key (PEM): {e}",
            path.display()
        )
    })?;
    Ok(VapidKey::new(secret))
}

/// A new random P-256 private key.
pub fn random_key() -> SecretKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // Fails only for the zero scalar or one past the group order: about 2^-32 odds.
        if let Ok(secret) = SecretKey::from_slice(&bytes) {
            return secret;
        }
    }
}

/// Makes a key and keeps it at `path` (readable by its owner only).
fn generate(path: &Path) -> anyhow::Result<VapidKey> {
    let secret = random_key();
    let pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding a new VAPID key: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    match write_private(path, pem.as_bytes()) {
        Ok(()) => {}
        // Another process (the api and a worker starting together) made it first: theirs is
        // the key.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return read(path),
        Err(err) => {
            return Err(anyhow::Error::new(err)
                .context(format!("keeping the new VAPID key at {}", path.display())));
        }
    }
    tracing::info!(path = %path.display(), "made a VAPID key for Web Push");
    Ok(VapidKey::new(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // create_new: two processes starting at once do not overwrite each other's key.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_key_is_kept_and_read_back_the_same() {
        let dir = std::env::temp_dir().join(format!("rekindle-vapid-{}", uuid::Uuid::new_v4()));
        let path = dir.join("vapid-key.pem");
        let settings = PushSettings {
            apns: None,
            fcm: None,
            vapid_key_file: Some(path.clone()),
            vapid_key_generated: true,
            vapid_subject: "mailto:push@example.com".into(),
            allow_internal: false,
        };
        let made = PushKeys::load(&settings).unwrap().vapid.unwrap();
        let again = PushKeys::load(&settings).unwrap().vapid.unwrap();
        assert_eq!(made.public_key, again.public_key);
        assert_eq!(URL_SAFE_NO_PAD.decode(&made.public_key).unwrap().len(), 65);
        let missing = PushSettings {
            vapid_key_file: Some(dir.join("absent.pem")),
            vapid_key_generated: false,
            ..settings
        };
        assert!(
            PushKeys::load(&missing).is_err(),
            "a configured key must exist"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
