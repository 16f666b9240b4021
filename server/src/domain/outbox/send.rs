//! The one send path. Every producer — the inbox, campaigns, sequence steps, AI campaigns —
//! puts its messages through here: the outbox rows are inserted, their ids go on their devices'
//! queues, and the change is published. The pacers' claims, fencing and crash rules then hold for
//! all of them alike; no producer talks to a queue or a pacer itself.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::{store, Content, NewMessage, OutboxStatus, MAX_TEXT};
use crate::{
    auth::accounts::phone_country,
    domain::{
        devices,
        idempotency::{self, IdempotencyKey, Once},
        inbox, Ports,
    },
    entities::{broadcast_messages as rows, enums::DeviceStatus, whatsapp_messages},
    error::{AppError, AppResult},
    events,
    media::{self, ImageProblem, ImageType},
    queue::Queue,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

/// Puts messages in the outbox and their ids on their devices' queues, and tells subscribers.
/// A message whose idempotency key exists already is left out (see `store::insert`).
pub async fn enqueue(ports: Ports<'_>, messages: Vec<NewMessage>) -> AppResult<Vec<rows::Model>> {
    let inserted = store::insert(ports.db, messages, ports.clock.now()).await?;
    push(ports.queue, &inserted).await;
    events::publish_outbox(ports.events, &inserted).await;
    Ok(inserted)
}

/// Puts the QUEUED ones of `rows` on their devices' queues, in one pipelined call however many
/// devices they belong to. A failed push is not an error: the rows are QUEUED in the outbox, and
/// the reconciler puts them on the queue.
pub async fn push(queue: &dyn Queue, rows: &[rows::Model]) {
    push_ids(
        queue,
        rows.iter()
            .filter(|r| r.status == OutboxStatus::Queued)
            .map(|r| (r.device_id, r.id)),
    )
    .await;
}

/// Puts QUEUED rows, given as (device, row id), on their devices' queues, in one pipelined call;
/// as `push`, a failed push is left to the reconciler.
pub async fn push_ids(queue: &dyn Queue, rows: impl IntoIterator<Item = (uuid::Uuid, i64)>) {
    let mut by_device: HashMap<DeviceId, Vec<i64>> = HashMap::new();
    for (device, id) in rows {
        by_device.entry(DeviceId(device)).or_default().push(id);
    }
    if by_device.is_empty() {
        return;
    }
    let batches: Vec<(DeviceId, Vec<i64>)> = by_device.into_iter().collect();
    if let Err(err) = queue.push_many(&batches).await {
        tracing::warn!(devices = batches.len(), error = %err, "queue push failed; the reconciler will retry");
    }
}

/// Who a message from the inbox goes to.
#[derive(Debug, Clone)]
pub enum Recipient {
    /// An existing chat (a personal chat's JID).
    Chat(Jid),
    /// A phone number as the person typed it (read in their default country).
    Phone(String),
}

/// What a message from the inbox carries, as received (checked here, stored only once the
/// message is accepted).
#[derive(Debug, Clone)]
pub enum Body {
    Text(String),
    Image {
        bytes: Vec<u8>,
        caption: Option<String>,
    },
}

/// A message a person sends from the inbox (or the Outbox's "New message").
#[derive(Debug, Clone)]
pub struct InboxSend {
    pub device_id: DeviceId,
    pub to: Recipient,
    pub body: Body,
    /// A repeat of a request with this key returns the first one's message and sends nothing.
    pub idempotency_key: Option<IdempotencyKey>,
}

/// Sends a message from the inbox: it shows in its chat at once, as PENDING, and follows its
/// outbox row from there. Returns the chat's message. Everything is checked before anything is
/// stored (the idempotency key, then the image file, then the row), so a refused send leaves
/// nothing behind.
#[tracing::instrument(name = "outbox.send_from_inbox", skip_all, fields(user.id = %owner, device.id = %send.device_id))]
pub async fn from_inbox(
    ports: Ports<'_>,
    owner: UserId,
    send: InboxSend,
) -> AppResult<whatsapp_messages::Model> {
    let device = devices::find_owned(ports.db, owner, send.device_id).await?;
    let (phone, jid) = match send.to {
        Recipient::Chat(jid) => {
            let phone = jid.phone().ok_or_else(|| {
                AppError::validation("Messages go to personal chats (…@s.whatsapp.net) only.")
            })?;
            (phone, jid.to_non_device())
        }
        Recipient::Phone(raw) => {
            let phone = PhoneNumber::parse_in(&raw, phone_country(ports.db, owner).await?)?;
            let jid = Jid::from_phone(&phone);
            (phone, jid)
        }
    };
    let checked = match send.body {
        Body::Text(text) => Checked::Text(Content::text(&text)?),
        Body::Image { bytes, caption } => {
            if caption
                .as_ref()
                .is_some_and(|c| c.chars().count() > MAX_TEXT)
            {
                return Err(AppError::validation("The caption is too long."));
            }
            let bytes = bytes::Bytes::from(bytes);
            let kind = media::check_image(bytes.clone())
                .await
                .map_err(image_problem)?;
            Checked::Image {
                bytes,
                kind,
                caption,
            }
        }
    };
    if device.status == DeviceStatus::LoggedOut || device.jid.is_none() {
        return Err(AppError::DeviceOffline(
            "This device is not paired; pair it before sending.".into(),
        ));
    }
    let Some(key) = send.idempotency_key else {
        return send_checked(ports, owner, send.device_id, phone, jid, checked).await;
    };
    let fingerprint = idempotency::fingerprint(&[
        &send.device_id.to_string(),
        jid.as_str(),
        &checked.fingerprint(),
    ]);
    let sent = idempotency::run_once(
        ports.db,
        owner,
        &key,
        &fingerprint,
        |message: &whatsapp_messages::Model| message.outbox_id,
        send_checked(ports, owner, send.device_id, phone, jid, checked),
    )
    .await?;
    match sent {
        Once::First(message) => Ok(message),
        Once::Repeat(outbox_id) => inbox::message_for_outbox(ports.db, owner, outbox_id).await,
    }
}

/// A message body that passed every check, not stored yet.
enum Checked {
    Text(Content),
    Image {
        bytes: bytes::Bytes,
        kind: ImageType,
        caption: Option<String>,
    },
}

impl Checked {
    /// What a repeat of the request must carry to count as the same one.
    fn fingerprint(&self) -> String {
        match self {
            Checked::Text(Content::Text(text)) => format!("text:{text}"),
            Checked::Text(_) => String::new(),
            Checked::Image { bytes, caption, .. } => format!(
                "image:{}:{}",
                hex::encode(Sha256::digest(bytes)),
                caption.as_deref().unwrap_or_default()
            ),
        }
    }
}

pub fn image_problem(problem: ImageProblem) -> AppError {
    AppError::validation(match problem {
        ImageProblem::UnknownType => "Only JPEG, PNG or WebP images can be sent.".to_owned(),
        ImageProblem::TooLarge { width, height } => format!(
            "The image is too large ({width} × {height} pixels; at most {} pixels a side and {} megapixels).",
            media::MAX_IMAGE_SIDE,
            media::MAX_IMAGE_PIXELS / 1_000_000
        ),
        ImageProblem::Broken => "The file is not a valid image.".to_owned(),
    })
}

/// Stores the image (if any) and puts the message in the outbox and its thread.
async fn send_checked(
    ports: Ports<'_>,
    owner: UserId,
    device_id: DeviceId,
    phone: PhoneNumber,
    jid: Jid,
    checked: Checked,
) -> AppResult<whatsapp_messages::Model> {
    let content = match checked {
        Checked::Text(content) => content,
        Checked::Image {
            bytes,
            kind,
            caption,
        } => Content::Image {
            media_ref: media::store(&ports.config.media_dir, &bytes, kind).await?,
            mime: kind.mime().to_owned(),
            caption,
        },
    };
    let message = NewMessage::inbox(owner, device_id, phone, jid, content);
    let inserted = store::insert(ports.db, vec![message], ports.clock.now()).await?;
    // In its thread before any pacer can take it, so the PENDING message is never overtaken by
    // its own SENT.
    let shown = inbox::show_sends(ports, &inserted).await;
    push(ports.queue, &inserted).await;
    events::publish_outbox(ports.events, &inserted).await;
    shown
        .and_then(|shown| shown.added.into_iter().next())
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the sent message was not recorded in its chat"
            ))
        })
}

/// Puts a FAILED message back on its device's queue (only when a person asks).
#[tracing::instrument(name = "outbox.retry", skip_all, fields(user.id = %owner, outbox.id = id))]
pub async fn retry(ports: Ports<'_>, owner: UserId, id: i64) -> AppResult<rows::Model> {
    let row = store::requeue_failed(ports.db, owner, id, ports.clock.now()).await?;
    push(ports.queue, std::slice::from_ref(&row)).await;
    events::publish_outbox(ports.events, std::slice::from_ref(&row)).await;
    Ok(row)
}
