//! Web Push: the message encrypted for the browser (RFC 8291, `aes128gcm` of RFC 8188) and
//! the request authorized with the server's VAPID key (RFC 8292), POSTed to the subscription's
//! endpoint (RFC 8030).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// The record size written in the header: one record holds the whole message.
const RECORD_SIZE: u32 = 4096;
/// The longest message one record holds (the record size, less the padding delimiter and the
/// AEAD tag).
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - 1 - 16;

/// Why a message could not be encrypted for a subscription.
#[derive(Debug, thiserror::Error)]
pub enum EncryptError {
    #[error("the subscription's p256dh key is not a P-256 point")]
    BadKey,
    #[error("the message is {0} bytes, more than one record holds")]
    TooLong(usize),
    #[error("key derivation failed")]
    Derivation,
}

/// Encrypts `plaintext` for the browser whose public key is `ua_public` (65 bytes) and whose
/// auth secret is `auth`, with a one-time sender key made here and `salt`: the request body.
///
/// The key agreement is `ring`'s (already in the build for TLS): its P-256 is several times
/// faster than the pure-Rust one, and it is most of what a push costs (`bench/push.sh crypto`).
pub fn encrypt(
    ua_public: &[u8],
    auth: &[u8],
    plaintext: &[u8],
    salt: [u8; 16],
) -> Result<Vec<u8>, EncryptError> {
    use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptError::TooLong(plaintext.len()));
    }
    PublicKey::from_sec1_bytes(ua_public).map_err(|_| EncryptError::BadKey)?;
    let random = ring::rand::SystemRandom::new();
    let sender =
        EphemeralPrivateKey::generate(&ECDH_P256, &random).map_err(|_| EncryptError::Derivation)?;
    let sender_public = sender
        .compute_public_key()
        .map_err(|_| EncryptError::Derivation)?;
    let sender_public = sender_public.as_ref();

    // IKM = HKDF(auth, ECDH secret, "WebPush: info" || 0 || ua_public || as_public)
    let mut key_info = Vec::with_capacity(14 + 65 + 65);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(sender_public);
    let mut ikm = [0u8; 32];
    agree_ephemeral(
        sender,
        &UnparsedPublicKey::new(&ECDH_P256, ua_public),
        |shared| Hkdf::<Sha256>::new(Some(auth), shared).expand(&key_info, &mut ikm),
    )
    .map_err(|_| EncryptError::BadKey)?
    .map_err(|_| EncryptError::Derivation)?;

    // The content-encryption key and the nonce, from the salt.
    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| EncryptError::Derivation)?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| EncryptError::Derivation)?;

    // One record, the last: the message and the delimiter 2, no further padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(2);
    let cipher = Aes128Gcm::new(&cek.into());
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), record.as_slice())
        .map_err(|_| EncryptError::Derivation)?;

    let mut body = Vec::with_capacity(16 + 4 + 1 + sender_public.len() + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    // One byte holds the key's length: it is 65.
    body.push(sender_public.len() as u8);
    body.extend_from_slice(sender_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// An ES256 JSON Web Token over `claims`, signed with `key`.
pub fn es256_jwt(
    key: &SecretKey,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> String {
    let signing = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: Signature = SigningKey::from(key).sign(signing.as_bytes());
    format!("{signing}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The `Authorization` header's value for a push to `endpoint`'s push service: a VAPID token
/// for its origin, valid until `expires` (Unix seconds), and the server's public key.
pub fn vapid_authorization(
    key: &SecretKey,
    public_key: &str,
    audience: &str,
    subject: &str,
    expires: i64,
) -> String {
    let token = es256_jwt(
        key,
        &serde_json::json!({ "typ": "JWT", "alg": "ES256" }),
        &serde_json::json!({ "aud": audience, "exp": expires, "sub": subject }),
    );
    format!("vapid t={token}, k={public_key}")
}

#[cfg(test)]
mod tests {
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    use super::*;

    /// Decrypts as a browser would (RFC 8291 from the receiving side), written apart from
    /// `encrypt` so the two check each other.
    fn decrypt(ua_secret: &SecretKey, auth: &[u8], body: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(rs, RECORD_SIZE);
        let id_len = body[20] as usize;
        let sender = &body[21..21 + id_len];
        let sealed = &body[21 + id_len..];
        let ua_public = ua_secret.public_key().to_encoded_point(false);
        let shared = p256::ecdh::diffie_hellman(
            ua_secret.to_nonzero_scalar(),
            PublicKey::from_sec1_bytes(sender).unwrap().as_affine(),
        );
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(ua_public.as_bytes());
        info.extend_from_slice(sender);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let mut plain = Aes128Gcm::new(&cek.into())
            .decrypt(&Nonce::from(nonce), sealed)
            .unwrap();
        assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
        plain
    }

    #[test]
    fn a_message_decrypts_with_the_browsers_key_only() {
        let browser = runtime::push::random_key();
        let browser_public = browser.public_key().to_encoded_point(false);
        let auth = [7u8; 16];
        let body = encrypt(
            browser_public.as_bytes(),
            &auth,
            br#"{"title":"Ana did it"}"#,
            [3u8; 16],
        )
        .unwrap();
        assert_eq!(
            decrypt(&browser, &auth, &body),
            br#"{"title":"Ana did it"}"#
        );
        let stranger = runtime::push::random_key();
        let result = std::panic::catch_unwind(|| decrypt(&stranger, &auth, &body));
        assert!(result.is_err(), "another key cannot read it");
        assert!(matches!(
            encrypt(
                browser_public.as_bytes(),
                &auth,
                &[0; MAX_PLAINTEXT + 1],
                [0; 16]
            ),
            Err(EncryptError::TooLong(_))
        ));
        assert!(matches!(
            encrypt(&[4; 65], &auth, b"x", [0; 16]),
            Err(EncryptError::BadKey)
        ));
    }

    #[test]
    fn a_vapid_token_verifies_with_the_public_key() {
        use p256::ecdsa::VerifyingKey;
        use p256::ecdsa::signature::Verifier;
        let key = runtime::push::random_key();
        let public = URL_SAFE_NO_PAD.encode(key.public_key().to_encoded_point(false).as_bytes());
        let header = vapid_authorization(&key, &public, "https://push.example", "mailto:a@b.c", 1);
        let token = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .map(|(token, k)| {
                assert_eq!(k, public);
                token
            })
            .unwrap();
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
        let verifying = VerifyingKey::from(key.public_key());
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        let claims = signed.split('.').nth(1).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example");
    }
}
