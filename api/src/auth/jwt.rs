//! Access tokens: short-lived HS256 JWTs with a key id, so the signing key can be rotated while
//! tokens signed with the previous key keep verifying.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use runtime::config::{AuthSettings, Secret};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    pub role: String,
    /// The session (sign-in) the token belongs to.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// A unique id per token.
    pub jti: Uuid,
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// The signing key and every key that still verifies.
pub struct Keys {
    kid: String,
    signing: EncodingKey,
    verifying: Vec<VerifyingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

/// A key's id: the start of the SHA-256 of the secret, so it names the key without revealing it.
pub fn key_id(secret: &Secret) -> String {
    hex::encode(&Sha256::digest(secret.expose().as_bytes())[..8])
}

impl Keys {
    pub fn new(settings: &AuthSettings) -> Self {
        let mut verifying = vec![VerifyingKey {
            kid: key_id(&settings.jwt_secret),
            key: DecodingKey::from_secret(settings.jwt_secret.expose().as_bytes()),
        }];
        if let Some(previous) = &settings.jwt_previous_secret {
            verifying.push(VerifyingKey {
                kid: key_id(previous),
                key: DecodingKey::from_secret(previous.expose().as_bytes()),
            });
        }
        // Exactly one algorithm: a token claiming `none` or anything else is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 5;
        // Expiry is checked against the injected clock in `verify`, not the system's.
        validation.validate_exp = false;
        Self {
            kid: key_id(&settings.jwt_secret),
            signing: EncodingKey::from_secret(settings.jwt_secret.expose().as_bytes()),
            verifying,
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(settings.access_token_ttl)
                .unwrap_or_else(|_| chrono::Duration::minutes(15)),
        }
    }

    /// Signs an access token; answers it with its expiry.
    pub fn issue(
        &self,
        user_id: Uuid,
        role: &str,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user_id,
            role: role.to_owned(),
            sid: session_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: Uuid::new_v4(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing)?;
        Ok((token, expires_at))
    }

    /// Verifies a token's signature (with the key its `kid` names), algorithm, audience, issuer
    /// and expiry, and that it was not issued in the future nor for longer than the configured
    /// lifetime. The reason it fails is for logs only.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, &'static str> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| "malformed token")?;
        if header.alg != Algorithm::HS256 {
            return Err("unexpected algorithm");
        }
        let kid = header.kid.ok_or("token without a key id")?;
        let key = self
            .verifying
            .iter()
            .find(|k| k.kid == kid)
            .ok_or("unknown key id")?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| "invalid signature or claims")?;
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        if claims.exp + leeway < now.timestamp() {
            return Err("token expired");
        }
        if claims.iat > now.timestamp() + leeway {
            return Err("token issued in the future");
        }
        if claims.exp - claims.iat > self.ttl.num_seconds() {
            return Err("token lifetime longer than configured");
        }
        Ok(claims)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use super::*;

    /// Settings for unit tests: the given secrets and the cheapest argon2 cost.
    pub(crate) fn settings(secret: &str, previous: Option<&str>) -> AuthSettings {
        AuthSettings {
            jwt_secret: Secret::new(secret),
            jwt_previous_secret: previous.map(Secret::new),
            jwt_issuer: "rekindle".into(),
            jwt_audience: "rekindle-api".into(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(86_400),
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            argon2_parallelism: 1,
        }
    }

    /// The time these tests run at: the keys judge tokens by the time they are given.
    fn at() -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap()
    }

    #[test]
    fn expiry_is_judged_by_the_given_time() {
        let keys = Keys::new(&settings(NEW, None));
        let (token, expires_at) = keys
            .issue(Uuid::new_v4(), "member", Uuid::new_v4(), at())
            .unwrap();
        assert!(keys.verify(&token, expires_at).is_ok());
        assert_eq!(
            keys.verify(&token, expires_at + chrono::Duration::seconds(6)),
            Err("token expired"),
            "past the five seconds of leeway"
        );
    }

    fn forge(keys: &Keys, iat: i64, exp: i64) -> String {
        let claims = Claims {
            sub: Uuid::new_v4(),
            role: "member".into(),
            sid: Uuid::new_v4(),
            iat,
            exp,
            iss: "rekindle".into(),
            aud: "rekindle-api".into(),
            jti: Uuid::new_v4(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.kid.clone());
        jsonwebtoken::encode(&header, &claims, &keys.signing).unwrap()
    }

    #[test]
    fn tokens_from_the_future_or_longer_than_the_ttl_are_refused() {
        let keys = Keys::new(&settings(NEW, None));
        let now = at().timestamp();
        assert_eq!(
            keys.verify(&forge(&keys, now + 3600, now + 3600 + 900), at()),
            Err("token issued in the future")
        );
        assert_eq!(
            keys.verify(&forge(&keys, now, now + 86_400), at()),
            Err("token lifetime longer than configured")
        );
        assert!(keys.verify(&forge(&keys, now, now + 900), at()).is_ok());
    }

    const OLD: &str = "an-old-secret-that-is-long-enough-000000";
    const NEW: &str = "a-new-secret-that-is-long-enough-1111111";

    #[test]
    fn a_token_round_trips_with_its_claims() {
        let keys = Keys::new(&settings(NEW, None));
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let (token, expires_at) = keys.issue(user, "member", session, at()).unwrap();
        let claims = keys.verify(&token, at()).unwrap();
        assert_eq!(
            (claims.sub, claims.sid, claims.role.as_str()),
            (user, session, "member")
        );
        assert_eq!(claims.exp, expires_at.timestamp());
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn the_previous_key_verifies_during_a_rotation_and_not_after() {
        let before = Keys::new(&settings(OLD, None));
        let (token, _) = before
            .issue(Uuid::new_v4(), "member", Uuid::new_v4(), at())
            .unwrap();
        let during = Keys::new(&settings(NEW, Some(OLD)));
        assert!(during.verify(&token, at()).is_ok());
        let after = Keys::new(&settings(NEW, None));
        assert!(after.verify(&token, at()).is_err());
    }
}
