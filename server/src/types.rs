//! Values parsed once at the edge ("parse, don't validate"): once a handler holds an
//! `EmailAddress` or a `DisplayName`, nothing downstream needs to check it again.

use crate::error::{AppError, AppResult};

/// A lower-cased, syntactically valid email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// # Errors
    /// `validation_failed` on `field` when it is not an address we could send to.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let value = raw.trim().to_lowercase();
        let invalid =
            || AppError::field(field, "Enter a valid email address, like maria@example.com.");
        if value.len() > 254 || value.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let address: lettre::Address = value.parse().map_err(|_| invalid())?;
        if !address.domain().contains('.')
            || address.domain().starts_with('.')
            || address.domain().ends_with('.')
        {
            return Err(invalid());
        }
        Ok(EmailAddress(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's or company's name: trimmed, 1–120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// # Errors
    /// `validation_failed` on `field` when empty, too long or containing control characters.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(AppError::field(field, "This field is required."));
        }
        if value.chars().count() > 120 {
            return Err(AppError::field(field, "Use at most 120 characters."));
        }
        if value.chars().any(char::is_control) {
            return Err(AppError::field(field, "Remove line breaks and control characters."));
        }
        Ok(DisplayName(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            EmailAddress::parse("  Maria@Example.COM ", "email").unwrap().as_str(),
            "maria@example.com"
        );
        for bad in
            ["", "maria", "maria@", "@example.com", "maria@localhost", "ma ria@example.com", "a@b."]
        {
            let err = EmailAddress::parse(bad, "email").unwrap_err();
            assert!(err.to_string().contains("valid email"), "{bad}: {err}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Acme Ltda ", "company_name").unwrap().as_str(),
            "Acme Ltda"
        );
        assert!(DisplayName::parse("   ", "name").is_err());
        assert!(DisplayName::parse(&"a".repeat(121), "name").is_err());
        assert!(DisplayName::parse("bad\nname", "name").is_err());
        assert!(DisplayName::parse("José da Silva", "name").is_ok());
    }
}
