//! What arrives from WhatsApp besides connection events: receipts move outbox rows to
//! DELIVERED / READ. (Inbound messages and history sync belong to the inbox.)

use async_trait::async_trait;

use super::{dispatcher::publish_changes, supervisor::InboundSink};
use crate::{
    domain::{
        ids::{DeviceId, UserId},
        outbox,
    },
    state::AppState,
    whatsapp::{ReceiptKind, WaEvent},
};

pub struct Inbound {
    pub app: AppState,
}

#[async_trait]
impl InboundSink for Inbound {
    async fn handle(&self, device_id: DeviceId, _owner: UserId, event: WaEvent) {
        match event {
            WaEvent::Receipt(receipt) => {
                let read = receipt.kind == ReceiptKind::Read;
                match outbox::apply_receipt(
                    &self.app.db,
                    device_id,
                    &receipt.message_ids,
                    read,
                    receipt.at,
                )
                .await
                {
                    Ok(changed) => publish_changes(&self.app, &changed).await,
                    Err(err) => {
                        tracing::error!(device.id = %device_id, error = ?err, "cannot apply a receipt")
                    }
                }
            }
            WaEvent::Message(_) | WaEvent::HistorySync(_) => {
                tracing::debug!(device.id = %device_id, "inbound message without an inbox consumer");
            }
            _ => {}
        }
    }
}
