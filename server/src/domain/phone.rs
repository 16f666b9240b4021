//! Phone numbers, accepted in common human forms and kept as E.164 (`+60123456789`).

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts `+60 12-345 6789`, `0060123456789`, `60123456789`, `(+1) 555 010 9999`.
    /// A national number (leading single 0) is refused: without a country code it is ambiguous.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AppError::validation("Phone number is empty."));
        }
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.')))
        {
            return Err(AppError::validation(
                "Phone number may only contain digits, spaces, +, -, ( ) and dots.",
            ));
        }
        let plus = trimmed.starts_with('+') || trimmed.starts_with("(+");
        let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if !plus {
            if let Some(rest) = digits.strip_prefix("00") {
                digits = rest.to_owned();
            } else if digits.starts_with('0') {
                return Err(AppError::validation(
                    "Include the country code, e.g. +60 12-345 6789.",
                ));
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(AppError::validation(
                "A phone number has 8 to 15 digits including the country code, e.g. +60123456789.",
            ));
        }
        Ok(Self(digits))
    }

    /// `+` and the digits.
    pub fn e164(&self) -> String {
        format!("+{}", self.0)
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_forms_become_e164() {
        for raw in [
            "+60 12-345 6789",
            "0060123456789",
            "60123456789",
            "+60.12.345.6789",
            "(+60) 123456789",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().e164(),
                "+60123456789",
                "{raw}"
            );
        }
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        for (raw, reason) in [
            ("", "empty"),
            ("0123456789", "country code"),
            ("+60 abc", "only contain"),
            ("+1234", "8 to 15"),
            ("+1234567890123456", "8 to 15"),
        ] {
            let err = PhoneNumber::parse(raw).unwrap_err();
            assert!(err.message().contains(reason), "{raw}: {}", err.message());
        }
    }
}
