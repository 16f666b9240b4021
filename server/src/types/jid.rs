//! WhatsApp addresses (JIDs).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{phone::PhoneNumber, InvalidValue};

/// A WhatsApp address: `user@server` (`…@s.whatsapp.net` for phones, `…@lid`, `…@g.us`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Jid(String);

pub const PHONE_SERVER: &str = "s.whatsapp.net";

impl Jid {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        let shown: String = raw.chars().take(60).collect();
        let (user, server) = raw
            .split_once('@')
            .ok_or_else(|| InvalidValue(format!("{shown:?} is not a JID (user@server).")))?;
        let user_ok = !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
        let server_ok = !server.is_empty()
            && server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.');
        if user_ok && server_ok && raw.len() <= 100 {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue(format!("{shown:?} is not a valid JID.")))
        }
    }

    pub fn from_phone(phone: &PhoneNumber) -> Self {
        Self(format!("{}@{PHONE_SERVER}", phone.digits()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn user(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(u, _)| u)
    }

    pub fn server(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, s)| s)
    }

    /// The user part without a device suffix (`6012…:3` → `6012…`).
    pub fn to_non_device(&self) -> Self {
        let user = self.user().split(':').next().unwrap_or_default();
        Self(format!("{user}@{}", self.server()))
    }

    pub fn is_phone(&self) -> bool {
        self.server() == PHONE_SERVER
    }

    pub fn is_lid(&self) -> bool {
        self.server() == "lid"
    }

    /// A one-to-one chat with a person (not a group, broadcast, status or newsletter).
    pub fn is_personal(&self) -> bool {
        self.is_phone() || self.is_lid()
    }

    /// The phone number of a `…@s.whatsapp.net` JID. WhatsApp's own addresses are taken as they
    /// are: a number WhatsApp serves exists, whatever our copy of the numbering plans says.
    pub fn phone(&self) -> Option<PhoneNumber> {
        if !self.is_phone() {
            return None;
        }
        PhoneNumber::from_whatsapp(self.to_non_device().user()).ok()
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jids_parse_and_classify() {
        let phone = Jid::parse("60123456789@s.whatsapp.net").unwrap();
        assert!(phone.is_personal());
        assert_eq!(phone.phone().unwrap().e164(), "+60123456789");
        assert!(Jid::parse("1203630@g.us").unwrap().server() == "g.us");
        assert!(!Jid::parse("status@broadcast").unwrap().is_personal());
        assert!(Jid::parse("123@lid").unwrap().is_lid());
        assert_eq!(
            Jid::parse("6012:3@s.whatsapp.net")
                .unwrap()
                .to_non_device()
                .as_str(),
            "6012@s.whatsapp.net"
        );
        for bad in ["", "abc", "@s.whatsapp.net", "a b@x", "x@", "a\0@x"] {
            assert!(Jid::parse(bad).is_err(), "{bad}");
        }
    }
}
