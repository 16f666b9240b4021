//! The WhatsApp boundary. Everything above it — supervisor, dispatcher, inbox — uses only the
//! traits and types here; `sim` (the simulated network) and `live` (whatsapp-rust) implement them.

pub mod live;
pub mod sim;
pub mod store;

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::domain::{ids::DeviceId, phone::PhoneNumber};

/// A WhatsApp address: `user@server` (`…@s.whatsapp.net` for phones, `…@lid`, `…@g.us`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Jid(String);

pub const PHONE_SERVER: &str = "s.whatsapp.net";

/// Longest JID accepted.
const MAX_JID: usize = 100;

impl Jid {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        // The columns that hold JIDs are 100 characters; no real one comes near.
        if raw.len() > MAX_JID {
            return Err(format!("A JID is at most {MAX_JID} characters."));
        }
        let (user, server) = raw
            .split_once('@')
            .ok_or_else(|| format!("{raw:?} is not a JID (user@server)"))?;
        let user_ok = !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
        let server_ok = !server.is_empty()
            && server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.');
        if user_ok && server_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!("{raw:?} is not a valid JID"))
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

    /// The phone number of a `…@s.whatsapp.net` JID.
    pub fn phone(&self) -> Option<PhoneNumber> {
        if !self.is_phone() {
            return None;
        }
        PhoneNumber::parse(&format!("+{}", self.to_non_device().user())).ok()
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a session could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WaError {
    #[error("not connected")]
    NotConnected,
    #[error("send failed: {0}")]
    SendFailed(String),
    #[error("connection failed: {0}")]
    ConnectFailed(String),
    #[error("{0}")]
    Other(String),
}

/// What the network accepted for one send.
#[derive(Debug, Clone)]
pub struct SendReceipt {
    /// WhatsApp's message id.
    pub message_id: String,
    pub at: DateTime<Utc>,
}

/// An image to send, already checked and stored.
#[derive(Debug, Clone)]
pub struct OutgoingImage {
    pub bytes: Bytes,
    pub mime: String,
    pub caption: Option<String>,
}

/// A message that arrived on the device (from a contact, or from the phone itself).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboundMessage {
    pub id: String,
    pub chat: Jid,
    pub sender: Jid,
    /// The sender's phone JID when `sender` is a `@lid`.
    pub sender_alt: Option<Jid>,
    pub sender_name: Option<String>,
    pub from_me: bool,
    pub text: Option<String>,
    pub image: Option<InboundImage>,
    /// As the network reported it: seconds or milliseconds since the epoch.
    pub timestamp: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboundImage {
    pub mime: String,
    pub caption: Option<String>,
    /// Downloaded bytes, when the adapter fetched them.
    #[serde(skip)]
    pub bytes: Option<Bytes>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ReceiptKind {
    Delivered,
    Read,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Receipt {
    pub chat: Jid,
    pub message_ids: Vec<String>,
    pub kind: ReceiptKind,
    pub at: DateTime<Utc>,
}

/// One conversation of a history-sync chunk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryConversation {
    pub chat: Jid,
    pub name: Option<String>,
    pub messages: Vec<InboundMessage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryChunk {
    pub conversations: Vec<HistoryConversation>,
    /// LID ↔ phone mappings the phone shared with the chunk.
    pub lid_to_phone: Vec<(Jid, Jid)>,
}

/// Everything a session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum WaEvent {
    /// Show this QR code until `expires_at`.
    QrCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// The phone asked for no more QR codes; pairing must be started again.
    QrCodesExhausted,
    /// Enter this code on the phone (pairing by phone number).
    PairingCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// The phone accepted the pairing.
    Paired {
        jid: Jid,
        lid: Option<Jid>,
    },
    Connected,
    Disconnected {
        reason: String,
    },
    LoggedOut {
        reason: String,
    },
    /// Another process took over this device's connection.
    StreamReplaced,
    TemporaryBan {
        until: DateTime<Utc>,
        reason: String,
    },
    Message(InboundMessage),
    Receipt(Receipt),
    HistorySync(HistoryChunk),
}

/// Which device to open, and what we know about it.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub device_id: DeviceId,
    /// Set once the device has paired; `None` starts QR pairing.
    pub jid: Option<Jid>,
}

/// One open connection of a device.
#[async_trait]
pub trait Session: Send + Sync {
    async fn send_text(&self, to: &Jid, text: &str) -> Result<SendReceipt, WaError>;
    async fn send_image(&self, to: &Jid, image: &OutgoingImage) -> Result<SendReceipt, WaError>;
    async fn set_typing(&self, to: &Jid, typing: bool) -> Result<(), WaError>;
    async fn mark_read(&self, chat: &Jid, message_ids: &[String]) -> Result<(), WaError>;
    /// Starts pairing by phone number; the code arrives as `WaEvent::PairingCode` too.
    async fn request_pairing_code(
        &self,
        phone: &PhoneNumber,
    ) -> Result<(String, DateTime<Utc>), WaError>;
    /// Unlinks the device from the phone.
    async fn log_out(&self) -> Result<(), WaError>;
    /// Closes the connection; the device stays linked.
    async fn shutdown(&self);
    /// Whether the connection is really up (for the health check).
    fn is_connected(&self) -> bool;
}

/// Opens device sessions.
#[async_trait]
pub trait WhatsApp: Send + Sync {
    async fn open(
        &self,
        request: OpenRequest,
    ) -> Result<(Arc<dyn Session>, mpsc::Receiver<WaEvent>), WaError>;
    /// Removes whatever the backend stores for the device (its session store).
    async fn forget(&self, device_id: DeviceId) -> Result<(), WaError>;
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
        for bad in ["", "abc", "@s.whatsapp.net", "a b@x", "x@"] {
            assert!(Jid::parse(bad).is_err(), "{bad}");
        }
    }
}
