//! What arrives from WhatsApp besides connection events: messages and history sync go into the
//! inbox; receipts move outbox rows (and the thread's own messages) to DELIVERED / READ.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::{
    domain::{
        inbox::{self, Incoming, IngestOptions, Ingested},
        outbox,
    },
    events,
    state::AppState,
    types::ids::{DeviceId, UserId},
    whatsapp::{InboundMessage, InboundSink, ReceiptKind, WaEvent},
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

#[async_trait]
impl InboundSink for Inbound {
    async fn handle(&self, device_id: DeviceId, owner: UserId, event: WaEvent) {
        let app = &self.app;
        let bus = &app.events;
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
                    Ok(ingested) => {
                        // The inbox shows the message first; what it means for campaigns, opt-outs
                        // and sequences is settled right after and never delays the live thread.
                        ingested.publish(bus, owner, device_id).await;
                        if let Err(err) = crate::domain::campaigns::sending::record_replies(
                            &app.db,
                            &app.events,
                            device_id,
                            &ingested.added,
                            app.clock.now(),
                        )
                        .await
                        {
                            tracing::error!(device.id = %device_id, error = ?err, "cannot count campaign replies");
                        }
                        if let Err(err) = crate::domain::leads::opt_outs::from_inbound(
                            &app.db,
                            owner,
                            &ingested.added,
                            &app.config.opt_out_phrases,
                            app.clock.now(),
                        )
                        .await
                        {
                            tracing::error!(device.id = %device_id, error = ?err, "cannot record an inbound opt-out");
                        }
                        if let Err(err) = crate::domain::sequences::contacts::on_inbound(
                            app.ports(),
                            owner,
                            device_id,
                            &ingested.added,
                        )
                        .await
                        {
                            tracing::error!(device.id = %device_id, error = ?err, "cannot stop sequences on an answer");
                        }
                    }
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
                        Ok(ingested) => ingested.publish(bus, owner, device_id).await,
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
                    Ok(changed) => events::publish_outbox(bus, &changed).await,
                    Err(err) => {
                        tracing::error!(device.id = %device_id, error = ?err, "cannot apply a receipt")
                    }
                }
                match inbox::apply_receipt(&app.db, device_id, &receipt.message_ids, read).await {
                    Ok(updated) => {
                        Ingested {
                            updated,
                            ..Ingested::default()
                        }
                        .publish(bus, owner, device_id)
                        .await
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
