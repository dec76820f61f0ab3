//! Session tokens: an HS256 JWT in an HttpOnly cookie. The token names a `sessions` row, which is
//! what makes server-side revocation possible (logout, password change) before `exp`.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const COOKIE_NAME: &str = "mia_session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Company id the session acts for.
    pub cid: Uuid,
    /// Session row id.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

pub fn issue(secret: &[u8], claims: &Claims) -> anyhow::Result<String> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret))
        .map_err(|e| anyhow::anyhow!("signing a session token: {e}"))
}

/// Verifies signature, algorithm and expiry (no leeway: an expired session is expired).
pub fn verify(secret: &[u8], token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
        .ok()
        .map(|data| data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: Uuid::new_v4(),
            cid: Uuid::new_v4(),
            sid: Uuid::new_v4(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn valid_tokens_verify() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let c = claims(60);
        assert_eq!(verify(secret, &issue(secret, &c).unwrap()), Some(c));
    }

    #[test]
    fn tampered_expired_or_foreign_tokens_fail() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = issue(secret, &claims(60)).unwrap();
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(verify(secret, &tampered), None);
        assert_eq!(verify(b"another-secret-another-secret-xx", &token), None);
        assert_eq!(verify(secret, &issue(secret, &claims(-5)).unwrap()), None);
        assert_eq!(verify(secret, "not.a.jwt"), None);
    }
}
