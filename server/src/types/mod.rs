//! Value types every layer shares: identifiers, phone numbers and WhatsApp addresses.
//!
//! A leaf module: it imports nothing else of the crate, so the queue, the WhatsApp adapters, the
//! event bus and the domain can all use these types without depending on one another (or on
//! GraphQL). Parsing happens here, once, at the edge: a value of one of these types is valid.

pub mod ids;
pub mod jid;
pub mod phone;
pub mod wa_message_id;

/// Why a value sent by a client or a peer is not valid, in a sentence for a person.
///
/// Deliberately not `Display` (like `AppError`): the only way to a client is `From<InvalidValue>
/// for AppError` (in `error.rs`), which gives it the `BAD_USER_INPUT` code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The sentence the client sees.
    pub fn message(&self) -> &str {
        &self.0
    }
}
