//! Phone numbers as people type them → E.164, with Google's libphonenumber metadata (the
//! `phonenumber` crate), so "(11) 98765-4321" in a Brazilian company is `+5511987654321`.

use std::str::FromStr;

use phonenumber::{country, Mode};

use crate::error::{AppError, AppResult};

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Accepts spaces, dots, dashes, parentheses, a leading `+` or `00` (international), and
    /// national numbers, read in `default_country` (ISO alpha-2, e.g. `BR`).
    ///
    /// # Errors
    /// `validation_failed` on `field` with a sentence saying what is wrong.
    pub fn parse(raw: &str, default_country: &str, field: &str) -> AppResult<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AppError::field(field, "Enter a phone number."));
        }
        if trimmed.chars().any(|c| c.is_alphabetic()) {
            return Err(AppError::field(
                field,
                format!("{trimmed:?} is not a phone number: it contains letters."),
            ));
        }
        // "00" is the international prefix in Brazil and most of Europe.
        let normalised = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_owned(),
        };
        let region = country::Id::from_str(default_country).ok();
        let invalid = || {
            AppError::field(
                field,
                format!("{trimmed:?} is not a valid phone number. Include the area code, or the country code after a +."),
            )
        };
        let number = phonenumber::parse(region, &normalised).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(PhoneE164(number.format().mode(Mode::E164).to_string()))
    }

    /// A WhatsApp id (`wa_id`, the digits of the number with its country code) as WhatsApp sent
    /// it. WhatsApp vouches for the account, so only the shape is checked: numbering plans
    /// change faster than phone metadata, and a customer must never be dropped for it.
    pub fn from_wa_id(wa_id: &str) -> Option<Self> {
        let digits = wa_id.trim().trim_start_matches('+');
        let plausible = (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        plausible.then(|| PhoneE164(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_brazilian_numbers_become_e164() {
        for typed in [
            "(11) 98765-4321",
            "11 98765 4321",
            "11987654321",
            "+55 11 98765-4321",
            "0055 11 98765-4321",
            "+5511987654321",
        ] {
            assert_eq!(
                PhoneE164::parse(typed, "BR", "phone").unwrap().as_str(),
                "+5511987654321",
                "{typed}"
            );
        }
    }

    #[test]
    fn the_default_country_only_applies_without_a_country_code() {
        assert_eq!(
            PhoneE164::parse("+1 (415) 555-2671", "BR", "phone").unwrap().as_str(),
            "+14155552671"
        );
        assert_eq!(
            PhoneE164::parse("(415) 555-2671", "US", "phone").unwrap().as_str(),
            "+14155552671"
        );
        assert_eq!(
            PhoneE164::parse("020 7946 0958", "GB", "phone").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn whatsapp_ids_are_trusted_when_they_look_like_numbers() {
        assert_eq!(PhoneE164::from_wa_id("972987654321").unwrap().as_str(), "+972987654321");
        assert_eq!(PhoneE164::from_wa_id("5511987654321").unwrap().as_str(), "+5511987654321");
        for bad in ["", "<WHATSAPP_USER_PHONE_NUMBER>", "12345", "0123456789", "US.1349120865530"] {
            assert!(PhoneE164::from_wa_id(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn invalid_numbers_are_rejected_with_a_reason() {
        for bad in ["", "   ", "abc", "123", "+55 11 1234", "(11) 9876-43210000"] {
            let err = PhoneE164::parse(bad, "BR", "phone").unwrap_err();
            assert_eq!(err.code(), shared::ErrorCode::ValidationFailed, "{bad}");
            assert!(err.to_string().len() > 20, "{bad}: {err}");
        }
    }
}
