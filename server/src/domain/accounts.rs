//! Account values parsed at the edge: email, password, full name, time zone.

use crate::error::AppError;

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            })
            && email.matches('@').count() == 1
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(email))
        } else {
            Err(AppError::validation(
                "Enter a valid email address, like name@example.com.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password good enough to store: 10 to 128 characters that zxcvbn (Dropbox's strength
/// estimator: dictionaries, keyboard patterns, repeats, sequences, dates) rates hard to guess,
/// and — for an account — not the email or name or built from them.
pub struct Password(String);

const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 128;
/// zxcvbn's score 3 of 4: "safely unguessable", about 10^8 guesses or more.
const MIN_STRENGTH: u8 = 3;

impl Password {
    /// Checks a password on its own (no account to compare it with).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::check(raw, &[])
    }

    /// Checks a password for the account of `email` and `full_name`.
    pub fn for_account(raw: &str, email: &str, full_name: &str) -> Result<Self, AppError> {
        let email = email.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or_default().to_owned();
        let lowered = raw.to_lowercase();
        let built_from_email =
            lowered.contains(&email) || (local.chars().count() >= 4 && lowered.contains(&local));
        if built_from_email {
            return Err(AppError::validation(
                "Password is too weak: it must not be your email address or contain it.",
            ));
        }
        let mut inputs = vec![email.as_str(), local.as_str()];
        inputs.extend(full_name.split_whitespace());
        Self::check(raw, &inputs)
    }

    fn check(raw: &str, user_inputs: &[&str]) -> Result<Self, AppError> {
        let length = raw.chars().count();
        if length < MIN_PASSWORD {
            return Err(AppError::validation(format!(
                "Password is too weak: use at least {MIN_PASSWORD} characters."
            )));
        }
        if length > MAX_PASSWORD {
            return Err(AppError::validation(format!(
                "Password is too long: use at most {MAX_PASSWORD} characters."
            )));
        }
        let strength = zxcvbn::zxcvbn(raw, user_inputs);
        if u8::from(strength.score()) < MIN_STRENGTH {
            let hint = strength
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| format!(" ({w})"))
                .unwrap_or_default();
            return Err(AppError::validation(format!(
                "Password is too weak: it is too easy to guess{hint}. Add words or use a longer, less common phrase."
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's display name: 1 to 100 characters after trimming.
#[derive(Debug, Clone)]
pub struct FullName(String);

impl FullName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(AppError::validation("Full name cannot be empty.")),
            n if n > 100 => Err(AppError::validation(
                "Full name is too long (at most 100 characters).",
            )),
            _ if name.chars().any(char::is_control) => Err(AppError::validation(
                "Full name cannot contain control characters.",
            )),
            _ => Ok(Self(name.to_owned())),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An IANA time zone name, such as `Asia/Kuala_Lumpur`.
#[derive(Debug, Clone)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        raw.trim()
            .parse::<chrono_tz::Tz>()
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| {
                AppError::validation(format!(
                    "{} is not a known time zone; use a name like Asia/Kuala_Lumpur.",
                    crate::error::quoted(raw)
                ))
            })
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A name for an API token: 1 to 100 characters.
#[derive(Debug, Clone)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(AppError::validation("Token name cannot be empty.")),
            n if n > 100 => Err(AppError::validation(
                "Token name is too long (at most 100 characters).",
            )),
            _ => Ok(Self(name.to_owned())),
        }
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
            Email::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "a@@b.com",
            "a@b..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn weak_passwords_are_rejected() {
        // The first four were accepted before zxcvbn (found by the security probe).
        for weak in [
            "password12",
            "qwerty123456",
            "          a",
            "abcabcabca",
            "short",
            "aaaaaaaaaaaa",
            "password123",
            "1234567890",
        ] {
            let err = Password::parse(weak).unwrap_err();
            assert!(err.message().contains("too weak"), "{weak}");
        }
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("plum-orchard-42").is_ok());
        assert!(Password::parse("teal-harbor-42-lantern").is_ok());
    }

    #[test]
    fn a_password_must_not_be_built_from_the_account() {
        let email = "ana.lima@example.com";
        for weak in [
            "ana.lima@example.com",
            "Ana.Lima@Example.com!",
            "ana.lima2024!!",
            "ana.lima@example.com1",
        ] {
            let err = Password::for_account(weak, email, "Ana Lima").unwrap_err();
            assert!(err.message().contains("too weak"), "{weak}");
        }
        assert!(Password::for_account("plum-orchard-42", email, "Ana Lima").is_ok());
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        assert_eq!(
            TimeZoneName::parse("Asia/Kuala_Lumpur")
                .unwrap()
                .into_inner(),
            "Asia/Kuala_Lumpur"
        );
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("+8").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(FullName::parse("  Ana  ").unwrap().into_inner(), "Ana");
        assert!(FullName::parse("   ").is_err());
        assert!(FullName::parse(&"n".repeat(101)).is_err());
    }
}
