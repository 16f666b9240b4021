//! The event bus behind GraphQL subscriptions.
//!
//! Without Redis, events go through an in-process broadcast channel. With Redis, every event is
//! also published on one Redis pub/sub channel and each node forwards what other nodes publish
//! into its own broadcast channel, so a subscription on one node sees events published on any
//! node. A node delivers its own events directly and skips them when Redis echoes them back.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use fred::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::entities::devices;

/// One domain event, addressed to the user who owns the object it is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub user_id: Uuid,
    pub kind: EventKind,
}

/// Adjacently tagged: with the tag first, decoding needs no buffering of the whole event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", content = "data")]
pub enum EventKind {
    /// The user's profile changed.
    UserUpdated,
    /// A device was added, changed or changed status; carries the row as written.
    DeviceChanged { device: Box<devices::Model> },
    /// A device is showing a new QR code.
    DeviceQrCode {
        device_id: Uuid,
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// A pairing code to enter on the phone.
    DevicePairingCode {
        device_id: Uuid,
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// Something went wrong with a device that the user should see.
    DeviceError { device_id: Uuid, message: String },
    /// The device was deleted; carries its last state.
    DeviceDeleted { device: Box<devices::Model> },
    /// The inbox of a device changed: messages added or updated, chats changed.
    InboxChanged {
        device_id: Uuid,
        added: Vec<crate::entities::whatsapp_messages::Model>,
        updated: Vec<crate::entities::whatsapp_messages::Model>,
        chats: Vec<crate::entities::whatsapp_chats::Model>,
    },
    /// Outbox rows changed status (one event per batch of changes of one user).
    OutboxChanged { changes: Vec<OutboxChange> },
    /// For the node running the device's session (never sent to clients).
    DeviceCommand {
        device_id: Uuid,
        command: DeviceCommand,
    },
    /// These tokens were revoked, logged out or replaced: every node closes the WebSockets
    /// opened with them (never sent to clients).
    TokensRevoked { token_ids: Vec<Uuid> },
    /// A simulated-network action, for the node running the device (sim mode only).
    Sim {
        device_id: Uuid,
        command: Box<SimCommand>,
    },
}

/// One outbox row's new state, as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutboxChange {
    pub id: i64,
    pub device_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub status: String,
    pub last_error: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&crate::entities::broadcast_messages::Model> for OutboxChange {
    fn from(row: &crate::entities::broadcast_messages::Model) -> Self {
        Self {
            id: row.id,
            device_id: row.device_id,
            campaign_id: row.campaign_id,
            status: row.status.clone(),
            last_error: row.last_error.clone(),
            at: row.updated_at,
        }
    }
}

/// What the node that runs a device's session is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum DeviceCommand {
    /// Start the session if no node runs it; with a phone, pair by code instead of QR.
    Start { pair_phone: Option<String> },
    /// Restart the session now, resetting the restart count.
    Reconnect,
    /// Pair by phone number: the code comes back as `DevicePairingCode`.
    RequestPairingCode { phone: String },
    /// Unlink the device from the phone.
    LogOut,
    /// Send read receipts for these messages of a chat.
    MarkRead {
        chat_jid: String,
        message_ids: Vec<String>,
    },
    /// Stop the session (the device is being deleted).
    Stop,
}

/// Actions of the phone and of contacts on the simulated network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum SimCommand {
    ScanQr {
        phone: String,
    },
    /// Drop the connection; `silent` drops it without telling the client (only a health check
    /// can notice).
    Disconnect {
        silent: bool,
    },
    LogOut,
    Ban {
        seconds: u64,
    },
    FailSends {
        count: u32,
        error: String,
    },
    FailConnects {
        count: u32,
    },
    Inbound {
        message: crate::whatsapp::InboundMessage,
    },
    HistorySync {
        chunk: crate::whatsapp::HistoryChunk,
    },
    /// The contact's phone confirms delivery (or reading) of messages the device sent.
    Receipt {
        message_ids: Vec<String>,
        read: bool,
    },
}

impl Event {
    /// The device this event is about, if any.
    pub fn device_id(&self) -> Option<Uuid> {
        match &self.kind {
            EventKind::DeviceChanged { device } | EventKind::DeviceDeleted { device } => {
                Some(device.id)
            }
            EventKind::DeviceQrCode { device_id, .. }
            | EventKind::DevicePairingCode { device_id, .. }
            | EventKind::DeviceError { device_id, .. }
            | EventKind::DeviceCommand { device_id, .. }
            | EventKind::Sim { device_id, .. }
            | EventKind::InboxChanged { device_id, .. } => Some(*device_id),
            EventKind::UserUpdated
            | EventKind::OutboxChanged { .. }
            | EventKind::TokensRevoked { .. } => None,
        }
    }
}

/// How many events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<Event>>,
    redis: Option<RedisPublisher>,
}

#[derive(Clone)]
struct RedisPublisher {
    client: Pool,
    channel: String,
    /// This bus's id on the channel: its own events are delivered locally and skipped when they
    /// come back from Redis, so a node never decodes what it published itself.
    node: Uuid,
}

/// An event on the Redis channel, with the bus that published it.
#[derive(Serialize)]
struct Envelope<'a> {
    node: Uuid,
    event: &'a Event,
}

/// How the messages of bus `node` begin on the channel (`Envelope` serializes `node` first).
fn own_prefix(node: Uuid) -> String {
    format!("{{\"node\":\"{node}\"")
}

/// What another node's bus reads of an `Envelope` (the node id is only for skipping).
#[derive(Deserialize)]
struct ReceivedEnvelope {
    event: Event,
}

impl EventBus {
    /// A bus for one process.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self { local, redis: None }
    }

    /// A bus shared by every node on the same Redis and prefix.
    pub async fn redis(
        client: Pool,
        config: fred::types::config::Config,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let (local, _) = broadcast::channel(CHANNEL_CAPACITY);
        let channel = format!("{prefix}events");
        let subscriber = Builder::from_config(config)
            .build_subscriber_client()
            .context("building the Redis subscriber")?;
        subscriber
            .init()
            .await
            .context("connecting the Redis subscriber")?;
        // Re-subscribes by itself after a reconnect.
        let _resubscribe = subscriber.manage_subscriptions();
        subscriber
            .subscribe(channel.clone())
            .await
            .context("subscribing to the event channel")?;
        let mut messages = subscriber.message_rx();
        let forward = local.clone();
        let node = Uuid::new_v4();
        let own = own_prefix(node);
        tokio::spawn(async move {
            // Keeps the subscriber client alive as long as the forwarding task runs.
            let _subscriber = subscriber;
            loop {
                match messages.recv().await {
                    Ok(message) => {
                        let Some(text) = message.value.as_str() else {
                            continue;
                        };
                        if text.starts_with(&own) {
                            continue;
                        }
                        match serde_json::from_str::<ReceivedEnvelope>(&text) {
                            Ok(envelope) => {
                                let _ = forward.send(Arc::new(envelope.event));
                            }
                            Err(err) => {
                                tracing::warn!(error = %err, "undecodable event on the bus")
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event bus forwarder lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(Self {
            local,
            redis: Some(RedisPublisher {
                client,
                channel,
                node,
            }),
        })
    }

    /// Publishes an event to every subscriber on every node. Never fails the caller: the event
    /// describes a change already committed, so a lost notification is logged, not raised.
    pub async fn publish(&self, event: Event) {
        if let Some(redis) = &self.redis {
            let envelope = Envelope {
                node: redis.node,
                event: &event,
            };
            match serde_json::to_string(&envelope) {
                Ok(payload) => {
                    let sent: Result<i64, _> =
                        redis.client.next().publish(&redis.channel, payload).await;
                    if let Err(err) = sent {
                        tracing::warn!(error = %err, "publishing on Redis failed; only this node's subscribers get the event");
                    }
                }
                Err(err) => tracing::error!(error = %err, "cannot encode event"),
            }
        }
        let _ = self.local.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bus_recognises_its_own_messages_and_others_decode_them() {
        let node = Uuid::new_v4();
        let event = Event {
            user_id: Uuid::new_v4(),
            kind: EventKind::DeviceError {
                device_id: Uuid::new_v4(),
                message: "lost".into(),
            },
        };
        let text = serde_json::to_string(&Envelope {
            node,
            event: &event,
        })
        .unwrap();
        assert!(text.starts_with(&own_prefix(node)));
        assert!(!text.starts_with(&own_prefix(Uuid::new_v4())));
        let received: ReceivedEnvelope = serde_json::from_str(&text).unwrap();
        assert_eq!(received.event, event);
    }
}
