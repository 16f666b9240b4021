//! What arrives from WhatsApp besides connection events: messages and history sync go into the
//! inbox; receipts move outbox rows (and the thread's own messages) to DELIVERED / READ. Also the
//! recorder that puts our sends into the threads.

use std::collections::HashMap;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{dispatcher::publish_changes, supervisor::InboundSink};
use crate::{
    domain::{
        inbox::{self, Incoming, IngestOptions, Ingested},
        outbox,
    },
    entities::broadcast_messages,
    events::{Event, EventKind},
    state::AppState,
    types::ids::{DeviceId, UserId},
    whatsapp::{InboundMessage, ReceiptKind, WaEvent},
};

pub struct Inbound {
    pub app: AppState,
}

fn incoming(message: InboundMessage) -> Incoming {
    Incoming {
        id: message.id,
        chat: message.chat,
        sender: message.sender,
        sender_alt: message.sender_alt,
        sender_name: message.sender_name,
        from_me: message.from_me,
        text: message.text,
        image: message.image.is_some(),
        media_ref: None,
        caption: message.image.and_then(|i| i.caption),
        timestamp: message.timestamp,
    }
}

/// Publishes what an ingest changed, for the device's owner.
pub async fn publish_inbox(app: &AppState, owner: UserId, device_id: DeviceId, ingested: Ingested) {
    if ingested.added.is_empty() && ingested.updated.is_empty() && ingested.chats.is_empty() {
        return;
    }
    let kind = EventKind::InboxChanged {
        device_id: device_id.0,
        added: ingested.added,
        updated: ingested.updated,
        chats: ingested.chats,
    };
    app.events
        .publish(Event {
            user_id: owner.0,
            kind,
        })
        .await;
}

#[async_trait]
impl InboundSink for Inbound {
    async fn handle(&self, device_id: DeviceId, owner: UserId, event: WaEvent) {
        let app = &self.app;
        let keep = app.config.inbox_keep;
        match event {
            WaEvent::Message(message) => {
                let options = IngestOptions {
                    keep,
                    count_unread: true,
                };
                let names: HashMap<String, String> = HashMap::new();
                match inbox::ingest(
                    &app.db,
                    device_id,
                    vec![incoming(message)],
                    &names,
                    &options,
                )
                .await
                {
                    Ok(ingested) => publish_inbox(app, owner, device_id, ingested).await,
                    Err(err) => {
                        tracing::error!(device.id = %device_id, error = ?err, "cannot store an inbound message")
                    }
                }
            }
            WaEvent::HistorySync(chunk) => {
                // One conversation at a time keeps memory bounded and lets live traffic of other
                // devices interleave; this device's own events wait for its chunk.
                if let Err(err) =
                    inbox::remember_lids(&app.db, device_id, &chunk.lid_to_phone).await
                {
                    tracing::error!(device.id = %device_id, error = ?err, "cannot store LID mappings");
                }
                let options = IngestOptions {
                    keep,
                    count_unread: false,
                };
                for conversation in chunk.conversations {
                    let mut names = HashMap::new();
                    if let Some(name) = conversation.name.clone() {
                        names.insert(conversation.chat.to_non_device().as_str().to_owned(), name);
                    }
                    let messages = conversation.messages.into_iter().map(incoming).collect();
                    match inbox::ingest(&app.db, device_id, messages, &names, &options).await {
                        Ok(ingested) => publish_inbox(app, owner, device_id, ingested).await,
                        Err(err) => {
                            tracing::error!(device.id = %device_id, error = ?err, "cannot store history")
                        }
                    }
                    tokio::task::yield_now().await;
                }
            }
            WaEvent::Receipt(receipt) => {
                let read = receipt.kind == ReceiptKind::Read;
                match outbox::apply_receipt(
                    &app.db,
                    device_id,
                    &receipt.message_ids,
                    read,
                    receipt.at,
                )
                .await
                {
                    Ok(changed) => publish_changes(app, &changed).await,
                    Err(err) => {
                        tracing::error!(device.id = %device_id, error = ?err, "cannot apply a receipt")
                    }
                }
                match inbox::apply_receipt(&app.db, device_id, &receipt.message_ids, read).await {
                    Ok(updated) => {
                        let ingested = Ingested {
                            updated,
                            ..Ingested::default()
                        };
                        publish_inbox(app, owner, device_id, ingested).await;
                    }
                    Err(err) => {
                        tracing::error!(device.id = %device_id, error = ?err, "cannot apply a receipt to the inbox")
                    }
                }
            }
            _ => {}
        }
    }
}

/// Puts our sends into the threads, off the send path: the outbox is the truth, the thread is a
/// view that follows it within moments.
#[derive(Clone)]
pub struct SendRecorder {
    rows: mpsc::UnboundedSender<Vec<broadcast_messages::Model>>,
}

impl SendRecorder {
    pub fn start(app: AppState) -> (Self, tokio::task::AbortHandle) {
        let (rows, mut receiver) = mpsc::unbounded_channel::<Vec<broadcast_messages::Model>>();
        let task = tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = first;
                while batch.len() < 5000 {
                    match receiver.try_recv() {
                        Ok(more) => batch.extend(more),
                        Err(_) => break,
                    }
                }
                // The newest state of each row wins.
                let mut latest: HashMap<i64, broadcast_messages::Model> = HashMap::new();
                for row in batch {
                    latest.insert(row.id, row);
                }
                let rows: Vec<_> = latest.into_values().collect();
                record(&app, &rows).await;
            }
        });
        (Self { rows }, task.abort_handle())
    }

    pub fn record(&self, rows: &[broadcast_messages::Model]) {
        if !rows.is_empty() {
            let _ = self.rows.send(rows.to_vec());
        }
    }
}

/// Records sends in the threads now and publishes them.
pub async fn record(app: &AppState, rows: &[broadcast_messages::Model]) -> Option<Ingested> {
    match inbox::record_sends(&app.db, rows, app.config.inbox_keep).await {
        Ok(ingested) => {
            let owners: HashMap<uuid::Uuid, uuid::Uuid> =
                rows.iter().map(|r| (r.device_id, r.user_id)).collect();
            let mut by_device: HashMap<uuid::Uuid, Ingested> = HashMap::new();
            for message in &ingested.added {
                by_device
                    .entry(message.device_id)
                    .or_default()
                    .added
                    .push(message.clone());
            }
            for message in &ingested.updated {
                by_device
                    .entry(message.device_id)
                    .or_default()
                    .updated
                    .push(message.clone());
            }
            for chat in &ingested.chats {
                by_device
                    .entry(chat.device_id)
                    .or_default()
                    .chats
                    .push(chat.clone());
            }
            for (device_id, changes) in by_device {
                if let Some(owner) = owners.get(&device_id) {
                    publish_inbox(app, UserId(*owner), DeviceId(device_id), changes).await;
                }
            }
            Some(ingested)
        }
        Err(err) => {
            tracing::error!(error = ?err, "cannot record sends in the inbox");
            None
        }
    }
}
