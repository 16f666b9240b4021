//! The outbox (`broadcast_messages`): every message that leaves — inbox reply, campaign,
//! sequence step, AI campaign — is a row here first. The row is the truth: queues carry row ids,
//! the status column decides what happens, and a row is claimed (QUEUED → SENDING) by exactly
//! one pacer, fenced by the device's lease token, before anything is sent.
//!
//! Every status change also moves the running totals in `outbox_counters` (per device and per
//! campaign), in the same transaction, so progress is never computed by counting rows.

//!
//! - `store`: inserting, claiming, settling, receipts (and the counters with them);
//! - `queries`: reading rows and totals;
//! - `send`: the one send path every producer uses — rows in, ids on their devices' queues, the
//!   change published;
//! - `promote`: scheduled rows coming due (PENDING → QUEUED), for the scheduler.

mod promote;
mod queries;
pub mod send;
mod store;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use promote::promote_due;
pub use queries::{counters, find_owned, list, sent_since, OutboxFilter};
pub use store::{
    apply_receipt, claim, defer, delete_for_device, finish, insert, load, lock_devices, move_where,
    queued_ids, take_over, Claim, CounterDeltas, DevicesToLock, Outcome, RowOwners, TakenOver,
};

use crate::{
    error::{AppError, AppResult},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

pub use crate::entities::enums::{CounterScope, MessageKind, OutboxStatus, Source};

/// The error a row keeps when its node died between claiming and recording the send.
pub const INTERRUPTED: &str = "interrupted; delivery unknown";
/// Where a paused campaign's or sequence's unsent rows wait: PENDING until this time, which
/// never comes, so the scheduler leaves them alone until they are resumed.
pub fn held_until() -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The most characters of a text message.
pub const MAX_TEXT: usize = 4096;

/// A message body: text, or an image with an optional caption.
#[derive(Debug, Clone)]
pub enum Content {
    Text(String),
    Image {
        media_ref: String,
        mime: String,
        caption: Option<String>,
    },
}

impl Content {
    pub fn text(raw: &str) -> AppResult<Self> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(AppError::validation("The message is empty."));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(AppError::validation(format!(
                "The message is too long (at most {MAX_TEXT} characters)."
            )));
        }
        Ok(Content::Text(text.to_owned()))
    }
}

/// One message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub owner: UserId,
    pub device_id: DeviceId,
    pub phone: PhoneNumber,
    pub jid: Jid,
    pub name: Option<String>,
    pub content: Content,
    pub source: Source,
    pub source_id: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub sequence_step_id: Option<Uuid>,
    /// Pacing of this message (a campaign's); `None` uses the device's.
    pub delay: Option<(i32, i32)>,
    /// `None`: now.
    pub scheduled_at: Option<DateTime<Utc>>,
}

impl NewMessage {
    /// A message a person sends from the inbox: no campaign, sent now at the device's pacing.
    pub fn inbox(
        owner: UserId,
        device_id: DeviceId,
        phone: PhoneNumber,
        jid: Jid,
        content: Content,
    ) -> Self {
        Self {
            owner,
            device_id,
            phone,
            jid,
            name: None,
            content,
            source: Source::Inbox,
            source_id: None,
            campaign_id: None,
            sequence_step_id: None,
            delay: None,
            scheduled_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_must_have_content_and_a_limit() {
        assert!(Content::text("  ").is_err());
        assert!(Content::text(&"x".repeat(MAX_TEXT + 1)).is_err());
        assert!(matches!(Content::text(" hi ").unwrap(), Content::Text(t) if t == "hi"));
    }
}
