//! The WhatsApp boundary. Everything above it — supervisor, dispatcher, inbox — uses only the
//! traits and types here; `sim` (the simulated network) and `live` (whatsapp-rust) implement them.

pub mod live;
pub mod sim;
pub mod store;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::types::{
    ids::{DeviceId, UserId},
    jid::Jid,
    phone::PhoneNumber,
};

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
    /// Sends under `message_id`, the id the outbox chose at the claim: a second send with the
    /// same id is the same message to the recipient (it keeps one copy), which is how a send
    /// interrupted by a crash is repeated without a duplicate.
    async fn send_text(
        &self,
        to: &Jid,
        text: &str,
        message_id: &str,
    ) -> Result<SendReceipt, WaError>;
    /// Like `send_text`.
    async fn send_image(
        &self,
        to: &Jid,
        image: &OutgoingImage,
        message_id: &str,
    ) -> Result<SendReceipt, WaError>;
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

/// Where what arrives besides connection events goes — messages, receipts, history sync (the
/// inbox and the outbox); the supervisor hands each device's such events to it.
#[async_trait]
pub trait InboundSink: Send + Sync {
    async fn handle(&self, device_id: DeviceId, owner: UserId, event: WaEvent);
}
