//! Access tokens: HS256 JWTs, 15 minutes, with iss, aud, sub, iat and exp
//! required. `sid` names the session (refresh-token family) the token was
//! issued under, so logging out or a detected refresh-token reuse ends the
//! access tokens too. Expiry is checked against [`crate::clock::Clock`], not the system
//! time, so tests can expire tokens without sleeping.
//!
//! Only HMAC is used. jsonwebtoken's `rust_crypto` feature also links RSA
//! code (RUSTSEC-2023-0071), which this service never calls; see deny.toml.

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

pub const ISSUER: &str = "yeondae";
pub const AUDIENCE: &str = "yeondae-api";
pub const ACCESS_TOKEN_TTL: TimeDelta = TimeDelta::minutes(15);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// The session id.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before: Yeondae issues none, but a token carrying one is not
    /// valid until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Who an access token speaks for, once verified.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedAccess {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // exp and nbf are checked below against the service clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
        })
    }

    pub fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), ApiError> {
        let expires_at = now + ACCESS_TOKEN_TTL;
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            nbf: None,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, expires_at))
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedAccess, ApiError> {
        let invalid = || ApiError::unauthenticated("invalid access token");
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| invalid())?;
        let claims = data.claims;
        if claims.exp <= now.timestamp() {
            return Err(ApiError::unauthenticated(
                "access token expired; refresh the session",
            ));
        }
        if claims.iat > now.timestamp() + 60 || claims.nbf.is_some_and(|nbf| nbf > now.timestamp())
        {
            return Err(invalid());
        }
        let user_id = Uuid::parse_str(&claims.sub).map_err(|_| invalid())?;
        let session_id = Uuid::parse_str(&claims.sid).map_err(|_| invalid())?;
        Ok(VerifiedAccess {
            user_id,
            session_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_not_valid_before_a_future_time_is_refused() {
        let keys = JwtKeys::new(&[7u8; 32]).unwrap();
        let now = Utc::now();
        let sign = |nbf: Option<i64>| {
            let claims = AccessClaims {
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
                sub: Uuid::now_v7().to_string(),
                sid: Uuid::now_v7().to_string(),
                iat: now.timestamp(),
                exp: (now + ACCESS_TOKEN_TTL).timestamp(),
                nbf,
            };
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap()
        };
        assert!(keys.verify(&sign(None), now).is_ok());
        assert!(keys.verify(&sign(Some(now.timestamp())), now).is_ok());
        let later = sign(Some((now + TimeDelta::minutes(5)).timestamp()));
        assert!(matches!(
            keys.verify(&later, now),
            Err(ApiError::Unauthenticated(_))
        ));
        assert!(keys.verify(&later, now + TimeDelta::minutes(5)).is_ok());
    }
}
