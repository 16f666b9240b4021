//! The event bus behind GraphQL subscriptions and the commands for the node that runs a device.
//!
//! Without Redis, events go through an in-process broadcast channel. With Redis, every event is
//! also published on one Redis pub/sub channel and each node forwards what other nodes publish
//! into its own channel, so a subscription on one node sees events published on any node. A node
//! delivers its own events directly and skips them when Redis echoes them back.
//!
//! What travels is small, versioned DTOs (`DeviceSnapshot`, `ThreadMessage`, `ChatSummary`,
//! `OutboxChange`), built in one constructor per kind, never database rows: a migration that
//! adds a column does not change the wire format that two versions of the server share during a
//! rolling deploy.
//!
//! Subscribers of one user read that user's own channel (`for_user`), so a busy account cannot
//! push a quiet one's subscribers behind; a subscriber that falls behind anyway gets an error
//! that ends its stream (`Lagged`), never a silent gap, and resubscribes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fred::prelude::*;
use futures::{stream::BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use crate::{
    entities::{
        broadcast_messages, campaigns, devices,
        enums::{
            CampaignStatus, DeviceStatus, ImportKind, ImportStatus, MessageKind, MessageStatus,
            OutboxStatus, TagMergeMode,
        },
        import_jobs, whatsapp_chats, whatsapp_messages,
    },
    error::{AppError, AppResult},
    types::ids::{DeviceId, UserId},
    whatsapp::sim::SimCommand,
};

/// The wire format's version; a node ignores (and logs) events of another version.
pub const EVENT_VERSION: u16 = 1;

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
    /// A device was added, changed or changed status.
    DeviceChanged { device: DeviceSnapshot },
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
    DeviceDeleted { device: DeviceSnapshot },
    /// The inbox of a device changed: messages added or updated, chats changed.
    InboxChanged {
        device_id: Uuid,
        added: Vec<ThreadMessage>,
        updated: Vec<ThreadMessage>,
        chats: Vec<ChatSummary>,
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
    /// An import job moved on (after each committed batch, and at its end).
    ImportProgress { job: ImportJobSnapshot },
    /// The simulated clock moved forward (sim mode only): every node's scheduler catches up and
    /// runs what came due.
    SimClockAdvanced { offset_seconds: i64 },
    /// A campaign was created, edited, changed status, or got replies.
    CampaignChanged { campaign: CampaignSnapshot },
    /// A sequence was created, edited, deleted or changed status (pacers read its steps again).
    SequenceChanged { sequence_id: Uuid },
    /// A sequence's contacts moved on (enrolled, a step sent, answered, removed).
    SequenceProgressed { sequence_id: Uuid },
}

/// A campaign as subscribers (lists, progress, pacers' caches) see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CampaignSnapshot {
    pub id: Uuid,
    pub status: CampaignStatus,
    pub paused_reason: Option<String>,
}

/// A device as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceSnapshot {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub jid: Option<String>,
    pub status: DeviceStatus,
    pub status_reason: Option<String>,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub daily_cap: Option<i32>,
    pub banned_until: Option<DateTime<Utc>>,
    pub paired_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&devices::Model> for DeviceSnapshot {
    fn from(row: &devices::Model) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            name: row.name.clone(),
            phone: row.phone.clone(),
            jid: row.jid.clone(),
            status: row.status,
            status_reason: row.status_reason.clone(),
            min_delay_seconds: row.min_delay_seconds,
            max_delay_seconds: row.max_delay_seconds,
            daily_cap: row.daily_cap,
            banned_until: row.banned_until,
            paired_at: row.paired_at,
            last_seen_at: row.last_seen_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A message of a chat thread as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ThreadMessage {
    pub id: i64,
    pub device_id: Uuid,
    pub chat_jid: String,
    pub message_id: Option<String>,
    pub outbox_id: Option<i64>,
    pub sender_jid: String,
    pub sender_name: Option<String>,
    pub from_me: bool,
    pub kind: MessageKind,
    pub text: Option<String>,
    pub media_ref: Option<String>,
    pub caption: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: i64,
    pub status: Option<MessageStatus>,
}

impl From<&whatsapp_messages::Model> for ThreadMessage {
    fn from(row: &whatsapp_messages::Model) -> Self {
        Self {
            id: row.id,
            device_id: row.device_id,
            chat_jid: row.chat_jid.clone(),
            message_id: row.message_id.clone(),
            outbox_id: row.outbox_id,
            sender_jid: row.sender_jid.clone(),
            sender_name: row.sender_name.clone(),
            from_me: row.from_me,
            kind: row.kind,
            text: row.text.clone(),
            media_ref: row.media_ref.clone(),
            caption: row.caption.clone(),
            timestamp: row.timestamp,
            status: row.status,
        }
    }
}

/// A chat of the chat list as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatSummary {
    pub id: i64,
    pub device_id: Uuid,
    pub chat_jid: String,
    pub name: Option<String>,
    pub last_message_text: Option<String>,
    /// Seconds since the epoch.
    pub last_message_at: Option<i64>,
    pub last_message_from_me: bool,
    pub unread_count: i32,
    /// Seconds since the epoch; see `whatsapp_chats::Model::waiting_since`. Absent in events
    /// from a node of an earlier version.
    #[serde(default)]
    pub waiting_since: Option<i64>,
}

impl From<&whatsapp_chats::Model> for ChatSummary {
    fn from(row: &whatsapp_chats::Model) -> Self {
        Self {
            id: row.id,
            device_id: row.device_id,
            chat_jid: row.chat_jid.clone(),
            name: row.name.clone(),
            last_message_text: row.last_message_text.clone(),
            last_message_at: row.last_message_at,
            last_message_from_me: row.last_message_from_me,
            unread_count: row.unread_count,
            waiting_since: row.waiting_since,
        }
    }
}

/// One outbox row's new state, as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutboxChange {
    pub id: i64,
    pub device_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&broadcast_messages::Model> for OutboxChange {
    fn from(row: &broadcast_messages::Model) -> Self {
        Self {
            id: row.id,
            device_id: row.device_id,
            campaign_id: row.campaign_id,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error.clone(),
            at: row.updated_at,
        }
    }
}

/// An import job as subscribers see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImportJobSnapshot {
    pub id: Uuid,
    pub kind: ImportKind,
    pub device_id: Option<Uuid>,
    pub file_name: String,
    pub tag_mode: TagMergeMode,
    pub status: ImportStatus,
    pub rows_read: i64,
    pub imported: i64,
    pub updated: i64,
    pub duplicates: i64,
    pub rejected_count: i64,
    pub last_line: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&import_jobs::Model> for ImportJobSnapshot {
    fn from(job: &import_jobs::Model) -> Self {
        Self {
            id: job.id,
            kind: job.kind,
            device_id: job.device_id,
            file_name: job.file_name.clone(),
            tag_mode: job.tag_mode,
            status: job.status,
            rows_read: job.rows_read,
            imported: job.imported,
            updated: job.updated,
            duplicates: job.duplicates,
            rejected_count: job.rejected_count,
            last_line: job.last_line,
            error: job.error.clone(),
            created_at: job.created_at,
            finished_at: job.finished_at,
        }
    }
}

impl ImportJobSnapshot {
    pub fn into_model(self, user_id: Uuid) -> import_jobs::Model {
        import_jobs::Model {
            id: self.id,
            user_id,
            kind: self.kind,
            device_id: self.device_id,
            file_name: self.file_name,
            tag_mode: self.tag_mode,
            status: self.status,
            rows_read: self.rows_read,
            imported: self.imported,
            updated: self.updated,
            duplicates: self.duplicates,
            rejected_count: self.rejected_count,
            last_line: self.last_line,
            error: self.error,
            created_at: self.created_at,
            finished_at: self.finished_at,
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

/// The constructors: one per kind, from the rows they describe.
impl Event {
    pub fn user_updated(user_id: UserId) -> Self {
        Self {
            user_id: user_id.0,
            kind: EventKind::UserUpdated,
        }
    }

    pub fn device_changed(device: &devices::Model) -> Self {
        Self {
            user_id: device.user_id,
            kind: EventKind::DeviceChanged {
                device: device.into(),
            },
        }
    }

    pub fn device_deleted(device: &devices::Model) -> Self {
        Self {
            user_id: device.user_id,
            kind: EventKind::DeviceDeleted {
                device: device.into(),
            },
        }
    }

    pub fn qr_code(
        owner: UserId,
        device_id: DeviceId,
        code: String,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::DeviceQrCode {
                device_id: device_id.0,
                code,
                expires_at,
            },
        }
    }

    pub fn pairing_code(
        owner: UserId,
        device_id: DeviceId,
        code: String,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::DevicePairingCode {
                device_id: device_id.0,
                code,
                expires_at,
            },
        }
    }

    pub fn device_error(owner: UserId, device_id: DeviceId, message: String) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::DeviceError {
                device_id: device_id.0,
                message,
            },
        }
    }

    pub fn inbox_changed(
        owner: UserId,
        device_id: DeviceId,
        added: &[whatsapp_messages::Model],
        updated: &[whatsapp_messages::Model],
        chats: &[whatsapp_chats::Model],
    ) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::InboxChanged {
                device_id: device_id.0,
                added: added.iter().map(ThreadMessage::from).collect(),
                updated: updated.iter().map(ThreadMessage::from).collect(),
                chats: chats.iter().map(ChatSummary::from).collect(),
            },
        }
    }

    pub fn outbox_changed(owner: Uuid, rows: &[&broadcast_messages::Model]) -> Self {
        Self {
            user_id: owner,
            kind: EventKind::OutboxChanged {
                changes: rows.iter().map(|row| OutboxChange::from(*row)).collect(),
            },
        }
    }

    pub fn campaign_changed(campaign: &campaigns::Model) -> Self {
        Self {
            user_id: campaign.user_id,
            kind: EventKind::CampaignChanged {
                campaign: CampaignSnapshot {
                    id: campaign.id,
                    status: campaign.status,
                    paused_reason: campaign.paused_reason.clone(),
                },
            },
        }
    }

    pub fn sequence_changed(owner: Uuid, sequence_id: Uuid) -> Self {
        Self {
            user_id: owner,
            kind: EventKind::SequenceChanged { sequence_id },
        }
    }

    pub fn sequence_progressed(owner: Uuid, sequence_id: Uuid) -> Self {
        Self {
            user_id: owner,
            kind: EventKind::SequenceProgressed { sequence_id },
        }
    }

    pub fn import_progress(job: &import_jobs::Model) -> Self {
        Self {
            user_id: job.user_id,
            kind: EventKind::ImportProgress { job: job.into() },
        }
    }

    /// Every node closes the WebSockets opened with these tokens.
    pub fn tokens_revoked(owner: UserId, token_ids: Vec<Uuid>) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::TokensRevoked { token_ids },
        }
    }

    pub fn command(owner: UserId, device_id: DeviceId, command: DeviceCommand) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::DeviceCommand {
                device_id: device_id.0,
                command,
            },
        }
    }

    pub fn sim(owner: UserId, device_id: DeviceId, command: SimCommand) -> Self {
        Self {
            user_id: owner.0,
            kind: EventKind::Sim {
                device_id: device_id.0,
                command: Box::new(command),
            },
        }
    }

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
            | EventKind::ImportProgress { .. }
            | EventKind::SimClockAdvanced { .. }
            | EventKind::CampaignChanged { .. }
            | EventKind::SequenceChanged { .. }
            | EventKind::SequenceProgressed { .. }
            | EventKind::TokensRevoked { .. } => None,
        }
    }
}

/// Where events are published and read: the domain and the workers take this, not the bus.
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes an event to every subscriber on every node. Never fails the caller: the event
    /// describes a change already committed, so a lost notification is logged, not raised.
    async fn publish(&self, event: Event);
    /// Every event of every user, from now on (for the workers of this node).
    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>>;
}

/// Publishes outbox changes, one event per user.
pub async fn publish_outbox(bus: &dyn EventPublisher, changed: &[broadcast_messages::Model]) {
    let mut by_user: HashMap<Uuid, Vec<&broadcast_messages::Model>> = HashMap::new();
    for row in changed {
        by_user.entry(row.user_id).or_default().push(row);
    }
    for (user_id, rows) in by_user {
        bus.publish(Event::outbox_changed(user_id, &rows)).await;
    }
}

/// Publishes what changed in a device's inbox (nothing when nothing did).
pub async fn publish_inbox(
    bus: &dyn EventPublisher,
    owner: UserId,
    device_id: DeviceId,
    added: &[whatsapp_messages::Model],
    updated: &[whatsapp_messages::Model],
    chats: &[whatsapp_chats::Model],
) {
    if added.is_empty() && updated.is_empty() && chats.is_empty() {
        return;
    }
    bus.publish(Event::inbox_changed(
        owner, device_id, added, updated, chats,
    ))
    .await;
}

/// Asks the node that runs a device's session to do something. Commands travel on the event bus,
/// so they reach the right node whichever node received the request.
pub async fn send_command(
    bus: &dyn EventPublisher,
    owner: UserId,
    device_id: DeviceId,
    command: DeviceCommand,
) {
    bus.publish(Event::command(owner, device_id, command)).await;
}

/// Waits (up to `timeout`) for the first event about `device_id` that `pick` accepts, after
/// running `trigger`. Subscribes before triggering, so the answer cannot be missed.
pub async fn request<T>(
    bus: &dyn EventPublisher,
    device_id: DeviceId,
    timeout: Duration,
    trigger: impl std::future::Future<Output = ()>,
    mut pick: impl FnMut(&EventKind) -> Option<AppResult<T>>,
) -> AppResult<T> {
    let mut events = bus.subscribe();
    trigger.await;
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) if event.device_id() == Some(device_id.0) => {
                    if let Some(answer) = pick(&event.kind) {
                        return answer;
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => {
                    return Err(AppError::Internal(anyhow::anyhow!("event bus closed")))
                }
            }
        }
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or_else(|_| {
            Err(AppError::DeviceOffline(
                "The device did not answer in time. Check that it is connected and try again."
                    .into(),
            ))
        })
}

/// How many events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 4096;
/// The same for one user's subscribers (their channel carries only their own events).
const USER_CHANNEL_CAPACITY: usize = 2048;

/// A subscriber fell this many events behind; its stream ends here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<Event>>,
    /// One channel per user with subscribers.
    users: Arc<Mutex<HashMap<Uuid, broadcast::Sender<Arc<Event>>>>>,
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
    version: u16,
    event: &'a Event,
}

/// How the messages of bus `node` begin on the channel (`Envelope` serializes `node` first).
fn own_prefix(node: Uuid) -> String {
    format!("{{\"node\":\"{node}\"")
}

/// What another node's bus reads of an `Envelope` (the node id is only for skipping).
#[derive(Deserialize)]
struct ReceivedEnvelope {
    version: u16,
    event: Event,
}

impl EventBus {
    /// A bus for one process.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            local,
            users: Arc::default(),
            redis: None,
        }
    }

    /// A bus shared by every node on the same Redis and prefix.
    pub async fn redis(
        client: Pool,
        config: fred::types::config::Config,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let mut bus = Self::in_process();
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
        let forward = bus.clone();
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
                            Ok(envelope) if envelope.version == EVENT_VERSION => {
                                forward.deliver(Arc::new(envelope.event));
                            }
                            Ok(envelope) => tracing::warn!(
                                version = envelope.version,
                                "event of another wire version on the bus; ignored"
                            ),
                            Err(err) => {
                                tracing::warn!(error = %err, "undecodable event on the bus")
                            }
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event bus forwarder lagged");
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
        bus.redis = Some(RedisPublisher {
            client,
            channel,
            node,
        });
        Ok(bus)
    }

    /// Hands an event to this node's subscribers: the workers' channel and its user's channel.
    fn deliver(&self, event: Arc<Event>) {
        if let Ok(mut users) = self.users.lock() {
            if let Some(channel) = users.get(&event.user_id) {
                if channel.send(event.clone()).is_err() {
                    // Nobody listens any more.
                    users.remove(&event.user_id);
                }
            }
        }
        let _ = self.local.send(event);
    }

    /// The events of one user, from now on. The stream ends with `Err(Lagged)` when the
    /// subscriber falls too far behind, and ends when the bus closes.
    pub fn for_user(&self, user_id: UserId) -> BoxStream<'static, Result<Arc<Event>, Lagged>> {
        let receiver = match self.users.lock() {
            Ok(mut users) => users
                .entry(user_id.0)
                .or_insert_with(|| broadcast::channel(USER_CHANNEL_CAPACITY).0)
                .subscribe(),
            // A poisoned map: the user gets no channel of their own, so nothing arrives; the
            // stream ends at once and the client resubscribes.
            Err(_) => return futures::stream::empty().boxed(),
        };
        futures::stream::unfold(Some(receiver), |receiver| async move {
            let mut receiver = receiver?;
            match receiver.recv().await {
                Ok(event) => Some((Ok(event), Some(receiver))),
                Err(RecvError::Lagged(missed)) => Some((Err(Lagged(missed)), None)),
                Err(RecvError::Closed) => None,
            }
        })
        .boxed()
    }
}

#[async_trait]
impl EventPublisher for EventBus {
    async fn publish(&self, event: Event) {
        if let Some(redis) = &self.redis {
            let envelope = Envelope {
                node: redis.node,
                version: EVENT_VERSION,
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
        self.deliver(Arc::new(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bus_recognises_its_own_messages_and_others_decode_them() {
        let node = Uuid::new_v4();
        let event = Event::device_error(UserId::new(), DeviceId::new(), "lost".into());
        let text = serde_json::to_string(&Envelope {
            node,
            version: EVENT_VERSION,
            event: &event,
        })
        .unwrap();
        assert!(text.starts_with(&own_prefix(node)));
        assert!(!text.starts_with(&own_prefix(Uuid::new_v4())));
        let received: ReceivedEnvelope = serde_json::from_str(&text).unwrap();
        assert_eq!(received.event, event);
        assert_eq!(received.version, EVENT_VERSION);
    }

    #[tokio::test]
    async fn a_user_sees_only_their_events_and_a_lagging_subscriber_is_told() {
        let bus = EventBus::in_process();
        let (alice, bob) = (UserId::new(), UserId::new());
        let mut alices = bus.for_user(alice);
        bus.publish(Event::user_updated(bob)).await;
        bus.publish(Event::user_updated(alice)).await;
        let first = alices.next().await.unwrap().unwrap();
        assert_eq!(first.user_id, alice.0);

        let mut slow = bus.for_user(alice);
        for _ in 0..USER_CHANNEL_CAPACITY + 10 {
            bus.publish(Event::user_updated(alice)).await;
        }
        assert!(matches!(slow.next().await, Some(Err(Lagged(_)))));
        assert!(
            slow.next().await.is_none(),
            "the stream ends after the error"
        );
    }
}
