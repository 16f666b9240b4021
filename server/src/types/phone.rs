//! Phone numbers, accepted in common human forms and kept as E.164 (`+60123456789`).
//!
//! Parsing and validation are libphonenumber's (the `phonenumber` crate): a number must belong
//! to a country calling code that exists and have a length and prefix that country uses. National
//! forms (`012-345 6789`, how most lead lists arrive) are read with the user's default country.

use std::fmt;

use phonenumber::country;

use super::InvalidValue;

/// A country, as an ISO 3166-1 alpha-2 code (`MY`) that libphonenumber knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(country::Id);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim().to_ascii_uppercase();
        let shown: String = raw.chars().take(20).collect();
        if code.len() != 2 {
            return Err(InvalidValue(format!(
                "{shown:?} is not a country code; use two letters, e.g. MY."
            )));
        }
        code.parse::<country::Id>().map(Self).map_err(|_| {
            InvalidValue(format!(
                "{shown:?} is not a country code; use two letters, e.g. MY."
            ))
        })
    }

    /// The two-letter code, e.g. `MY`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

/// Every country libphonenumber has a numbering plan for, with its calling code, by code.
pub fn countries() -> Vec<(Country, u16)> {
    let mut all: Vec<(Country, u16)> = phonenumber::metadata::DATABASE
        .iter()
        .filter_map(|plan| Some((Country(plan.id().parse().ok()?), plan.country_code())))
        .collect();
    all.sort_by(|a, b| a.0.code().cmp(b.0.code()));
    all.dedup_by(|a, b| a.0 == b.0);
    all
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// The lengths (after the country code) of the numbers one can dial in the numbering plans of a
/// country code: fixed lines, mobiles and the other dialable kinds.
fn possible_lengths(plans: &[&phonenumber::Metadata]) -> Vec<u16> {
    use phonenumber::Type;
    const DIALABLE: [Type; 11] = [
        Type::Unknown,
        Type::FixedLine,
        Type::Mobile,
        Type::TollFree,
        Type::PremiumRate,
        Type::SharedCost,
        Type::PersonalNumber,
        Type::Voip,
        Type::Pager,
        Type::Uan,
        Type::Voicemail,
    ];
    let mut lengths: Vec<u16> = plans
        .iter()
        .flat_map(|plan| {
            DIALABLE
                .iter()
                .filter_map(|kind| plan.descriptors().get(*kind))
                .flat_map(|descriptor| descriptor.possible_length().iter().copied())
        })
        .collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

const TOO_SHORT_OR_LONG: &str =
    "A phone number has 8 to 15 digits including the country code, e.g. +60123456789.";

impl PhoneNumber {
    /// A number in international form: `+60 12-345 6789`, `0060123456789`, `60123456789`,
    /// `(+1) 555 010 9999`. A national number (leading 0) is refused: without a country it is
    /// ambiguous (see `parse_in`).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        Self::parse_in(raw, None)
    }

    /// Like `parse`, and national forms (`012-345 6789`) are read as numbers of `default`.
    pub fn parse_in(raw: &str, default: Option<Country>) -> Result<Self, InvalidValue> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(InvalidValue::new("Phone number is empty."));
        }
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.' | '/')))
        {
            return Err(InvalidValue::new(
                "Phone number may only contain digits, spaces, +, -, ( ) and dots.",
            ));
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let plus = trimmed.starts_with('+') || trimmed.starts_with("(+");
        let international = if plus {
            Some(digits.clone())
        } else {
            digits.strip_prefix("00").map(str::to_owned)
        };
        if let Some(international) = international {
            return Self::international(&international);
        }
        match (default, digits.starts_with('0')) {
            (None, true) => Err(InvalidValue::new(
                "Include the country code, e.g. +60 12-345 6789 (or set your country in Settings).",
            )),
            (None, false) => Self::international(&digits),
            (Some(country), true) => Self::national(&digits, country),
            // `60123456789` with country MY: libphonenumber sees the country code in it. A number
            // that is not valid in the default country is tried as an international one.
            (Some(country), false) => Self::national(&digits, country)
                .or_else(|national| Self::international(&digits).map_err(|_| national)),
        }
    }

    /// A WhatsApp address's digits: WhatsApp serves the number, so only its length is checked.
    pub fn from_whatsapp(digits: &str) -> Result<Self, InvalidValue> {
        if !digits.chars().all(|c| c.is_ascii_digit())
            || !(8..=15).contains(&digits.len())
            || digits.starts_with('0')
        {
            return Err(InvalidValue::new(TOO_SHORT_OR_LONG));
        }
        Ok(Self(digits.to_owned()))
    }

    fn international(digits: &str) -> Result<Self, InvalidValue> {
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(InvalidValue::new(TOO_SHORT_OR_LONG));
        }
        Self::checked(phonenumber::parse(None, format!("+{digits}")))
    }

    fn national(digits: &str, country: Country) -> Result<Self, InvalidValue> {
        Self::checked(phonenumber::parse(Some(country.0), digits))
    }

    /// libphonenumber's "possible number": the country calling code is assigned and the number
    /// has a length that country uses. Whether the number has WhatsApp is WhatsApp's to say;
    /// the digits of a number that passes are what the network is asked about.
    fn checked(
        parsed: Result<phonenumber::PhoneNumber, phonenumber::ParseError>,
    ) -> Result<Self, InvalidValue> {
        let number = parsed.map_err(|err| match err {
            phonenumber::ParseError::InvalidCountryCode => {
                InvalidValue::new("The number does not start with a country calling code that exists; check the + and the first digits.")
            }
            _ => InvalidValue::new(TOO_SHORT_OR_LONG),
        })?;
        let code = number.code().value();
        let Some(plans) = phonenumber::metadata::DATABASE.by_code(&code) else {
            return Err(InvalidValue(format!(
                "+{code} is not a country calling code; check the number."
            )));
        };
        let national = number.national().to_string();
        let length = u16::try_from(national.len()).unwrap_or(u16::MAX);
        let lengths = possible_lengths(&plans);
        if !lengths.contains(&length) {
            let (min, max) = (
                lengths.iter().min().copied().unwrap_or(0),
                lengths.iter().max().copied().unwrap_or(0),
            );
            let place = plans.first().map_or("that country", |plan| plan.id());
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(InvalidValue(format!(
                "This number has the wrong length for {place}: after +{code} come {expected} digits, not {length}."
            )));
        }
        let digits = format!("{code}{national}");
        if !(8..=15).contains(&digits.len()) {
            return Err(InvalidValue::new(TOO_SHORT_OR_LONG));
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

    /// The country the number belongs to: for a code several countries share (+1, +7, +44 …),
    /// the one its digits belong to, else the code's main country.
    pub fn country(&self) -> Option<Country> {
        let number = phonenumber::parse(None, self.e164()).ok()?;
        number
            .country()
            .id()
            .or_else(|| {
                let code = number.code().value();
                let plans = phonenumber::metadata::DATABASE.by_code(&code)?;
                let main = plans
                    .iter()
                    .find(|plan| plan.is_main_country_for_code())
                    .or(plans.first())?;
                main.id().parse().ok()
            })
            .map(Country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn my() -> Option<Country> {
        Some(Country::parse("my").unwrap())
    }

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
    fn national_forms_need_and_use_the_default_country() {
        for raw in ["012-345 6789", "0123456789", "012 345 6789", "60123456789"] {
            assert_eq!(
                PhoneNumber::parse_in(raw, my()).unwrap().e164(),
                "+60123456789",
                "{raw}"
            );
        }
        // An international number stays itself whatever the default country.
        assert_eq!(
            PhoneNumber::parse_in("+44 7700 900123", my())
                .unwrap()
                .e164(),
            "+447700900123"
        );
        assert_eq!(
            PhoneNumber::parse_in("07700 900123", Some(Country::parse("GB").unwrap()))
                .unwrap()
                .e164(),
            "+447700900123"
        );
        let err = PhoneNumber::parse("012-345 6789").unwrap_err();
        assert!(err.message().contains("country code"), "{}", err.message());
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        for (raw, reason) in [
            ("", "empty"),
            ("0123456789", "country code"),
            ("+60 abc", "only contain"),
            ("+1234", "8 to 15"),
            ("+1234567890123456", "8 to 15"),
            ("+999 1234 5678", "country calling code"),
            ("+60 12 34", "8 to 15"),
            ("+60 1234 5678 9012", "wrong length for MY"),
            ("+60 12\0 345 6789", "only contain"),
        ] {
            let err = PhoneNumber::parse(raw).unwrap_err();
            assert!(err.message().contains(reason), "{raw}: {}", err.message());
        }
        let err = PhoneNumber::parse_in("012 34", my()).unwrap_err();
        assert!(err.message().contains("8 to 15") || err.message().contains("length"));
    }

    #[test]
    fn numbers_know_their_country() {
        let number = PhoneNumber::parse("+60123456789").unwrap();
        assert_eq!(number.country().unwrap().code(), "MY");
        let number = PhoneNumber::parse("+1 212 555 0100").unwrap();
        assert_eq!(number.country().unwrap().code(), "US");
    }

    #[test]
    fn every_country_has_a_calling_code() {
        let all = countries();
        assert!(all.len() > 200);
        assert!(all.iter().any(|(c, code)| c.code() == "MY" && *code == 60));
    }

    #[test]
    fn countries_are_two_known_letters() {
        assert_eq!(Country::parse(" my ").unwrap().code(), "MY");
        assert!(Country::parse("Malaysia").is_err());
        assert!(Country::parse("XX").is_err());
    }
}
