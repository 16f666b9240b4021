//! Typed identifiers, so a device id can never be passed where a user id is expected.

use std::fmt;

use uuid::Uuid;

use super::InvalidValue;

macro_rules! uuid_id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Identifier of a ", $what, ".")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// Parses an id received from a client.
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                Uuid::parse_str(raw.trim()).map(Self).map_err(|_| {
                    let shown: String = raw.chars().take(40).collect();
                    InvalidValue(format!("{shown:?} is not a valid {} id.", $what))
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

uuid_id!(UserId, "user");
uuid_id!(ApiTokenId, "API token");
uuid_id!(DeviceId, "device");
uuid_id!(LeadId, "lead");
uuid_id!(ImportJobId, "import job");
uuid_id!(CampaignId, "campaign");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_reject_garbage() {
        let id = DeviceId::new();
        assert_eq!(DeviceId::parse(&id.to_string()).unwrap(), id);
        let err = DeviceId::parse("42").unwrap_err();
        assert!(err.message().contains("not a valid device id"));
    }

    #[test]
    fn a_huge_id_is_not_echoed_back_whole() {
        let err = DeviceId::parse(&"x".repeat(1_000_000)).unwrap_err();
        assert!(err.message().len() < 100);
    }
}
