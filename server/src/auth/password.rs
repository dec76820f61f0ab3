//! Password hashing (argon2id with the crate's OWASP-recommended defaults) and strength rules.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use shared::ErrorCode;

use crate::error::{AppError, AppResult};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

/// Checks length and guessability (zxcvbn score ≥ 3 of 4, which also rejects passwords built from
/// the user's own email, name or company).
///
/// # Errors
/// `weak_password` on the `password` field, with a sentence saying what to change.
pub fn check_strength(password: &str, user_inputs: &[&str]) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(weak(format!("Use at least {MIN_LENGTH} characters.")));
    }
    if chars > MAX_LENGTH {
        return Err(weak(format!("Use at most {MAX_LENGTH} characters.")));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "It is too easy to guess.".into());
        return Err(weak(format!(
            "This password is too weak: {hint} Add more unrelated words or characters."
        )));
    }
    Ok(())
}

fn weak(message: String) -> AppError {
    AppError::new(ErrorCode::WeakPassword, message).with_field("password")
}

/// # Errors
/// Only if the hasher fails, which it does not for valid input.
pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
}

/// Constant-time verification against a stored PHC string.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a random password, verified against when the account does not exist so that
/// "unknown email" and "wrong password" take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id() {
        let hashed = hash("Correct-Horse-Battery-42").unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("Correct-Horse-Battery-42", &hashed));
        assert!(!verify("correct-horse-battery-42", &hashed));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn strength_rules_explain_themselves() {
        let err = check_strength("short", &[]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::WeakPassword);
        assert!(err.to_string().contains("at least 10"));
        assert!(check_strength("password123", &[]).is_err());
        assert!(check_strength("maria.silva@acme.com", &["maria.silva@acme.com"]).is_err());
        assert!(check_strength("Correct-Horse-Battery-42", &[]).is_ok());
        assert!(check_strength(&"x".repeat(200), &[]).is_err());
    }
}
