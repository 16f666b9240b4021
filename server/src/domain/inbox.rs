//! The WhatsApp Web view of a device: one ingest path for inbound messages, history sync, the
//! device's own messages from the phone, and what we send.
//!
//! Rules: personal chats only (no groups, status broadcast, newsletters or broadcast lists);
//! `@lid` addresses become the phone JID when the mapping is known; timestamps are normalised;
//! a message is stored once per (device, WhatsApp id) and its status only moves forward; only the
//! newest N messages of a chat are kept, in the same transaction; the chat's last-message fields
//! follow its newest message.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::{
    entities::{
        broadcast_messages, devices,
        enums::{MessageKind, MessageStatus},
        lid_pn_mappings, whatsapp_chats as chats, whatsapp_messages as messages,
    },
    error::{AppError, AppResult},
    events::{self, DeviceCommand, EventPublisher},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
    },
};

use super::Ports;
/// Longest inbound text or caption kept, in characters (WhatsApp's own limit); longer ones are
/// cut to it, the message is kept.
pub const MAX_INBOUND_TEXT: usize = 65_536;
/// The columns' limits: sender and chat names, WhatsApp message ids.
const MAX_NAME: usize = 200;
const MAX_MESSAGE_ID: usize = 100;

/// 2000-01-01T00:00:00Z.
const YEAR_2000: i64 = 946_684_800;
const YEAR: i64 = 365 * 24 * 3600;

/// Seconds since the epoch, whatever the phone sent: milliseconds become seconds; more than a
/// year ahead, or before 2000, becomes `now`.
pub fn normalize_timestamp(raw: i64, now: i64) -> i64 {
    let seconds = if raw > 1_000_000_000_000 {
        raw / 1000
    } else {
        raw
    };
    if seconds > now + YEAR || seconds < YEAR_2000 {
        now
    } else {
        seconds
    }
}

/// One message as any source reports it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub id: String,
    pub chat: Jid,
    pub sender: Jid,
    pub sender_alt: Option<Jid>,
    pub sender_name: Option<String>,
    pub from_me: bool,
    pub text: Option<String>,
    pub image: bool,
    pub media_ref: Option<String>,
    pub caption: Option<String>,
    /// As reported: seconds or milliseconds.
    pub timestamp: i64,
}

/// Text as the database can store it and a person can read it: no NUL (PostgreSQL cannot store
/// it) or other control characters except line breaks and tabs, at most `max` characters.
pub fn clean_text(raw: &str, max: usize) -> String {
    raw.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(max)
        .collect()
}

/// A name on one line: no control characters or bidirectional overrides (which can make a name
/// read backwards), whitespace runs as one space, at most `max` characters; `None` when nothing
/// is left.
pub fn clean_name(raw: &str, max: usize) -> Option<String> {
    let visible: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let name: String = visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// A message id that fits its column: an over-long one becomes a hash of itself, so it stays
/// unique and the same on every redelivery.
fn storable_id(id: String) -> String {
    if id.len() <= MAX_MESSAGE_ID && !id.chars().any(char::is_control) {
        return id;
    }
    use sha2::{Digest, Sha256};
    format!("H{}", hex::encode(Sha256::digest(id.as_bytes())))
}

impl Incoming {
    /// The message as it can be stored, whatever the network sent: nothing is dropped for its
    /// content.
    pub fn cleaned(self) -> Self {
        Self {
            id: storable_id(self.id),
            sender_name: self
                .sender_name
                .as_deref()
                .and_then(|name| clean_name(name, MAX_NAME)),
            text: self.text.map(|t| clean_text(&t, MAX_INBOUND_TEXT)),
            caption: self.caption.map(|c| clean_text(&c, MAX_INBOUND_TEXT)),
            ..self
        }
    }
}

/// What an ingest changed.
#[derive(Debug, Default)]
pub struct Ingested {
    pub added: Vec<messages::Model>,
    pub updated: Vec<messages::Model>,
    pub chats: Vec<chats::Model>,
}

impl Ingested {
    /// Tells the device owner's subscribers (nothing when nothing changed).
    pub async fn publish(&self, bus: &dyn EventPublisher, owner: UserId, device_id: DeviceId) {
        events::publish_inbox(
            bus,
            owner,
            device_id,
            &self.added,
            &self.updated,
            &self.chats,
        )
        .await;
    }
}

/// What the chat list shows as a chat's last message.
fn preview(message: &messages::Model) -> Option<String> {
    message
        .text
        .clone()
        .or_else(|| message.caption.clone())
        .or_else(|| (message.kind == MessageKind::Image).then(|| "📷 Photo".to_owned()))
}

pub struct IngestOptions {
    /// Messages kept per chat.
    pub keep: u64,
    /// Count new inbound messages as unread (live messages; not history).
    pub count_unread: bool,
}

/// Stores LID ↔ phone mappings the phone shared.
pub async fn remember_lids(
    db: &impl ConnectionTrait,
    device_id: DeviceId,
    pairs: &[(Jid, Jid)],
) -> AppResult<()> {
    let models: Vec<lid_pn_mappings::ActiveModel> = pairs
        .iter()
        .filter(|(lid, phone)| lid.is_lid() && phone.is_phone())
        .map(|(lid, phone)| lid_pn_mappings::ActiveModel {
            device_id: Set(device_id.0),
            lid: Set(lid.to_non_device().as_str().to_owned()),
            phone_jid: Set(phone.to_non_device().as_str().to_owned()),
        })
        .collect();
    for chunk in models.chunks(500) {
        lid_pn_mappings::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    lid_pn_mappings::Column::DeviceId,
                    lid_pn_mappings::Column::Lid,
                ])
                .update_column(lid_pn_mappings::Column::PhoneJid)
                .to_owned(),
            )
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ingests messages (of any chats) of one device in one transaction.
pub async fn ingest(
    db: &DatabaseConnection,
    device_id: DeviceId,
    incoming: Vec<Incoming>,
    names: &HashMap<String, String>,
    options: &IngestOptions,
) -> AppResult<Ingested> {
    let now = Utc::now().timestamp();
    let incoming: Vec<Incoming> = incoming.into_iter().map(Incoming::cleaned).collect();
    let txn = db.begin().await?;
    // LIDs: learn from senders that came with their phone, then resolve.
    let learned: Vec<(Jid, Jid)> = incoming
        .iter()
        .filter_map(|m| Some((m.sender.clone(), m.sender_alt.clone()?)))
        .filter(|(lid, alt)| lid.is_lid() && alt.is_phone())
        .collect();
    remember_lids(&txn, device_id, &learned).await?;
    let lids: Vec<String> = incoming
        .iter()
        .flat_map(|m| [&m.chat, &m.sender])
        .filter(|j| j.is_lid())
        .map(|j| j.to_non_device().as_str().to_owned())
        .collect();
    let known: HashMap<String, String> = if lids.is_empty() {
        HashMap::new()
    } else {
        lid_pn_mappings::Entity::find()
            .filter(lid_pn_mappings::Column::DeviceId.eq(device_id.0))
            .filter(lid_pn_mappings::Column::Lid.is_in(lids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (m.lid, m.phone_jid))
            .collect()
    };
    let resolve = |jid: &Jid| -> String {
        let plain = jid.to_non_device();
        known
            .get(plain.as_str())
            .cloned()
            .unwrap_or_else(|| plain.as_str().to_owned())
    };

    let mut by_chat: BTreeMap<String, Vec<Incoming>> = BTreeMap::new();
    for message in incoming {
        if !message.chat.is_personal() || message.id.is_empty() {
            continue;
        }
        by_chat
            .entry(resolve(&message.chat))
            .or_default()
            .push(message);
    }
    let mut result = Ingested::default();
    for (chat_jid, batch) in by_chat {
        let ids: Vec<String> = batch.iter().map(|m| m.id.clone()).collect();
        let existing: HashMap<String, messages::Model> = messages::Entity::find()
            .filter(messages::Column::DeviceId.eq(device_id.0))
            .filter(messages::Column::MessageId.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| Some((m.message_id.clone()?, m)))
            .collect();
        let mut fresh = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut unread = 0;
        for message in batch {
            if existing.contains_key(&message.id) || !seen.insert(message.id.clone()) {
                continue; // redelivered or re-synced: stored already
            }
            if !message.from_me {
                unread += 1;
            }
            let sender = if message.from_me {
                chat_jid.clone()
            } else {
                resolve(&message.sender)
            };
            fresh.push(messages::ActiveModel {
                device_id: Set(device_id.0),
                chat_jid: Set(chat_jid.clone()),
                message_id: Set(Some(message.id.clone())),
                outbox_id: Set(None),
                sender_jid: Set(sender),
                sender_name: Set(message.sender_name.clone()),
                from_me: Set(message.from_me),
                kind: Set(if message.image {
                    MessageKind::Image
                } else {
                    MessageKind::Text
                }),
                text: Set(message.text.clone()),
                media_ref: Set(message.media_ref.clone()),
                caption: Set(message.caption.clone()),
                timestamp: Set(normalize_timestamp(message.timestamp, now)),
                status: Set(message.from_me.then_some(MessageStatus::Sent)),
                created_at: Set(Utc::now()),
                ..Default::default()
            });
        }
        if fresh.is_empty() {
            continue;
        }
        let added = messages::Entity::insert_many(fresh)
            .exec_with_returning_many(&txn)
            .await?;
        let kept = trim_chat(&txn, device_id, &chat_jid, options.keep).await?;
        let added: Vec<_> = added.into_iter().filter(|m| kept.contains(&m.id)).collect();
        let chat = refresh_chat(
            &txn,
            device_id,
            &chat_jid,
            names
                .get(&chat_jid)
                .and_then(|name| clean_name(name, MAX_NAME)),
            if options.count_unread { unread } else { 0 },
        )
        .await?;
        result.added.extend(added);
        result.chats.extend(chat);
    }
    txn.commit().await?;
    Ok(result)
}

/// The thread message of one of the user's outbox rows.
pub async fn message_for_outbox(
    db: &DatabaseConnection,
    user: crate::types::ids::UserId,
    outbox_id: i64,
) -> AppResult<messages::Model> {
    let message = messages::Entity::find()
        .filter(messages::Column::OutboxId.eq(outbox_id))
        .one(db)
        .await?;
    let owned = match &message {
        Some(message) => crate::entities::devices::Entity::find_by_id(message.device_id)
            .filter(crate::entities::devices::Column::UserId.eq(user.0))
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    match message {
        Some(message) if owned => Ok(message),
        _ => Err(crate::error::AppError::Conflict(format!(
            "This request was sent already (outbox message {outbox_id}); its chat no longer shows it."
        ))),
    }
}

/// Deletes all but the newest `keep` messages of a chat; returns the ids kept.
async fn trim_chat(
    db: &impl ConnectionTrait,
    device_id: DeviceId,
    chat_jid: &str,
    keep: u64,
) -> AppResult<Vec<i64>> {
    let kept: Vec<i64> = messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::ChatJid.eq(chat_jid))
        .order_by_desc(messages::Column::Timestamp)
        .order_by_desc(messages::Column::Id)
        .limit(keep)
        .into_tuple()
        .all(db)
        .await?;
    if let Some(oldest_kept) = kept.last() {
        if kept.len() as u64 == keep {
            let boundary = messages::Entity::find_by_id(*oldest_kept).one(db).await?;
            if let Some(boundary) = boundary {
                messages::Entity::delete_many()
                    .filter(messages::Column::DeviceId.eq(device_id.0))
                    .filter(messages::Column::ChatJid.eq(chat_jid))
                    .filter(messages::Column::Id.is_not_in(kept.clone()))
                    .filter(
                        Condition::any()
                            .add(messages::Column::Timestamp.lt(boundary.timestamp))
                            .add(
                                Condition::all()
                                    .add(messages::Column::Timestamp.eq(boundary.timestamp))
                                    .add(messages::Column::Id.lt(boundary.id)),
                            ),
                    )
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(kept)
}

/// Points the chat's last-message fields at its newest message (creating the chat if needed).
async fn refresh_chat(
    db: &impl ConnectionTrait,
    device_id: DeviceId,
    chat_jid: &str,
    name: Option<String>,
    new_unread: i32,
) -> AppResult<Option<chats::Model>> {
    let Some(newest) = messages::Entity::find()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::ChatJid.eq(chat_jid))
        .order_by_desc(messages::Column::Timestamp)
        .order_by_desc(messages::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let preview = preview(&newest);
    let waiting_since = if newest.from_me {
        None
    } else {
        // Our answer and their message in the same second: they wait since it.
        Some(
            waiting_since(db, device_id, chat_jid)
                .await?
                .unwrap_or(newest.timestamp),
        )
    };
    let now = Utc::now();
    let existing = chats::Entity::find()
        .filter(chats::Column::DeviceId.eq(device_id.0))
        .filter(chats::Column::ChatJid.eq(chat_jid))
        .one(db)
        .await?;
    let chat = match existing {
        Some(chat) => {
            let unread = chat.unread_count + new_unread;
            let mut active = chats::ActiveModel::from(chat);
            if name.is_some() {
                active.name = Set(name);
            }
            active.last_message_text = Set(preview);
            active.last_message_at = Set(Some(newest.timestamp));
            active.last_message_from_me = Set(newest.from_me);
            active.waiting_since = Set(waiting_since);
            active.unread_count = Set(unread);
            active.updated_at = Set(now);
            active.update(db).await?
        }
        None => {
            chats::ActiveModel {
                device_id: Set(device_id.0),
                chat_jid: Set(chat_jid.to_owned()),
                name: Set(name.or_else(|| {
                    (!newest.from_me)
                        .then(|| newest.sender_name.clone())
                        .flatten()
                })),
                last_message_text: Set(preview),
                last_message_at: Set(Some(newest.timestamp)),
                last_message_from_me: Set(newest.from_me),
                waiting_since: Set(waiting_since),
                unread_count: Set(new_unread),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    Ok(Some(chat))
}

/// When the contact of a chat whose newest message is theirs started waiting: their first
/// message since our last one.
async fn waiting_since(
    db: &impl ConnectionTrait,
    device_id: DeviceId,
    chat_jid: &str,
) -> AppResult<Option<i64>> {
    let of_chat = || {
        messages::Entity::find()
            .select_only()
            .filter(messages::Column::DeviceId.eq(device_id.0))
            .filter(messages::Column::ChatJid.eq(chat_jid))
    };
    let answered: Option<Option<i64>> = of_chat()
        .column_as(messages::Column::Timestamp.max(), "at")
        .filter(messages::Column::FromMe.eq(true))
        .into_tuple()
        .one(db)
        .await?;
    let mut since = of_chat()
        .column_as(messages::Column::Timestamp.min(), "at")
        .filter(messages::Column::FromMe.eq(false));
    if let Some(answered) = answered.flatten() {
        since = since.filter(messages::Column::Timestamp.gt(answered));
    }
    let since: Option<Option<i64>> = since.into_tuple().one(db).await?;
    Ok(since.flatten())
}

/// Our sends in the threads: each outbox row becomes (or updates) the chat message behind it.
/// Statuses only move forward. A batch costs a handful of statements whatever its size — it runs
/// beside the send path, which can settle thousands of rows a second.
pub async fn record_sends(
    db: &DatabaseConnection,
    rows: &[broadcast_messages::Model],
    keep: u64,
) -> AppResult<Ingested> {
    let mut result = Ingested::default();
    if rows.is_empty() {
        return Ok(result);
    }
    let txn = db.begin().await?;
    let existing: HashMap<i64, messages::Model> = messages::Entity::find()
        .filter(messages::Column::OutboxId.is_in(rows.iter().map(|r| r.id)))
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.outbox_id?, m)))
        .collect();
    let now = Utc::now();
    let mut fresh = Vec::new();
    for row in rows {
        let status = row.status.in_thread();
        match existing.get(&row.id) {
            // Inbox sends were recorded as PENDING when asked for; they are few.
            Some(message) => {
                if message.status.is_some_and(|current| status <= current) {
                    continue;
                }
                let mut active = messages::ActiveModel::from(message.clone());
                active.status = Set(Some(status));
                if let Some(wa) = &row.wa_message_id {
                    active.message_id = Set(Some(wa.clone()));
                }
                if let Some(sent_at) = row.sent_at {
                    active.timestamp = Set(sent_at.timestamp());
                }
                result.updated.push(active.update(&txn).await?);
            }
            None => fresh.push(messages::ActiveModel {
                device_id: Set(row.device_id),
                chat_jid: Set(row.recipient_jid.clone()),
                message_id: Set(row.wa_message_id.clone()),
                outbox_id: Set(Some(row.id)),
                sender_jid: Set(row.recipient_jid.clone()),
                sender_name: Set(None),
                from_me: Set(true),
                kind: Set(row.kind),
                text: Set(row.text.clone()),
                media_ref: Set(row.image_ref.clone()),
                caption: Set(row.caption.clone()),
                timestamp: Set(row.sent_at.unwrap_or(row.created_at).timestamp()),
                status: Set(Some(status)),
                created_at: Set(now),
                ..Default::default()
            }),
        }
    }
    for chunk in fresh.chunks(500) {
        result.added.extend(
            messages::Entity::insert_many(chunk.to_vec())
                .exec_with_returning_many(&txn)
                .await?,
        );
    }
    if !result.added.is_empty() {
        // The newest new message of each chat becomes its last message (ours are the newest).
        let mut newest: BTreeMap<(uuid::Uuid, String), &messages::Model> = BTreeMap::new();
        for message in &result.added {
            let key = (message.device_id, message.chat_jid.clone());
            if newest
                .get(&key)
                .is_none_or(|m| (m.timestamp, m.id) < (message.timestamp, message.id))
            {
                newest.insert(key, message);
            }
        }
        let chats_rows: Vec<chats::ActiveModel> = newest
            .values()
            .map(|m| chats::ActiveModel {
                device_id: Set(m.device_id),
                chat_jid: Set(m.chat_jid.clone()),
                name: Set(None),
                last_message_text: Set(preview(m)),
                last_message_at: Set(Some(m.timestamp)),
                last_message_from_me: Set(true),
                waiting_since: Set(None),
                unread_count: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect();
        for chunk in chats_rows.chunks(500) {
            result.chats.extend(
                chats::Entity::insert_many(chunk.to_vec())
                    .on_conflict(
                        OnConflict::columns([chats::Column::DeviceId, chats::Column::ChatJid])
                            .update_columns([
                                chats::Column::LastMessageText,
                                chats::Column::LastMessageAt,
                                chats::Column::LastMessageFromMe,
                                chats::Column::WaitingSince,
                                chats::Column::UpdatedAt,
                            ])
                            .to_owned(),
                    )
                    .exec_with_returning_many(&txn)
                    .await?,
            );
        }
        // Only chats that now hold more than `keep` messages need trimming.
        let touched_chats: std::collections::HashSet<(uuid::Uuid, String)> =
            newest.into_keys().collect();
        let touched: Vec<String> = touched_chats.iter().map(|(_, chat)| chat.clone()).collect();
        // Both columns, so the (device, chat, …) index finds the touched chats' messages; by
        // chat alone every batch of sends would read the whole messages table.
        let devices: std::collections::HashSet<uuid::Uuid> =
            touched_chats.iter().map(|(device, _)| *device).collect();
        let crowded: Vec<(uuid::Uuid, String, i64)> = messages::Entity::find()
            .select_only()
            .column(messages::Column::DeviceId)
            .column(messages::Column::ChatJid)
            .column_as(messages::Column::Id.count(), "n")
            .filter(messages::Column::DeviceId.is_in(devices))
            .filter(messages::Column::ChatJid.is_in(touched))
            .group_by(messages::Column::DeviceId)
            .group_by(messages::Column::ChatJid)
            .into_tuple()
            .all(&txn)
            .await?;
        for (device_id, chat_jid, count) in crowded {
            if count as u64 > keep && touched_chats.contains(&(device_id, chat_jid.clone())) {
                let kept = trim_chat(&txn, DeviceId(device_id), &chat_jid, keep).await?;
                result.added.retain(|m| {
                    m.chat_jid != chat_jid || m.device_id != device_id || kept.contains(&m.id)
                });
            }
        }
    }
    txn.commit().await?;
    Ok(result)
}

/// Records sends in their threads now and tells the subscribers of each device. A failure is
/// logged, not raised: the outbox row is the truth, the thread a view that follows it.
pub async fn show_sends(ports: Ports<'_>, rows: &[broadcast_messages::Model]) -> Option<Ingested> {
    match record_sends(ports.db, rows, ports.config.inbox_keep).await {
        Ok(ingested) => {
            let owners: HashMap<uuid::Uuid, uuid::Uuid> =
                rows.iter().map(|r| (r.device_id, r.user_id)).collect();
            let mut by_device: BTreeMap<uuid::Uuid, Ingested> = BTreeMap::new();
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
                    changes
                        .publish(ports.events, UserId(*owner), DeviceId(device_id))
                        .await;
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

/// Marks a chat read: clears its unread count, asks the device to send read receipts, and
/// tells the subscribers.
#[tracing::instrument(name = "inbox.mark_chat_read", skip_all, fields(device.id = %device_id))]
pub async fn mark_chat_read(
    ports: Ports<'_>,
    owner: UserId,
    device_id: DeviceId,
    chat_jid: &str,
) -> AppResult<chats::Model> {
    super::devices::find_owned(ports.db, owner, device_id).await?;
    let (chat, ids) = mark_read(ports.db, device_id, chat_jid).await?;
    let chat = chat.ok_or(AppError::NotFound("Chat"))?;
    if !ids.is_empty() {
        let command = DeviceCommand::MarkRead {
            chat_jid: chat.chat_jid.clone(),
            message_ids: ids,
        };
        events::send_command(ports.events, owner, device_id, command).await;
    }
    Ingested {
        chats: vec![chat.clone()],
        ..Default::default()
    }
    .publish(ports.events, owner, device_id)
    .await;
    Ok(chat)
}

/// Receipts for messages of the device (by WhatsApp id): statuses move forward only.
pub async fn apply_receipt(
    db: &DatabaseConnection,
    device_id: DeviceId,
    ids: &[String],
    read: bool,
) -> AppResult<Vec<messages::Model>> {
    let to = if read {
        MessageStatus::Read
    } else {
        MessageStatus::Delivered
    };
    let candidates = messages::Entity::find()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::MessageId.is_in(ids.iter().cloned()))
        .filter(messages::Column::FromMe.eq(true))
        .all(db)
        .await?;
    let mut changed = Vec::new();
    for message in candidates {
        if message.status.is_none_or(|current| to > current) {
            let mut active = messages::ActiveModel::from(message);
            active.status = Set(Some(to));
            changed.push(active.update(db).await?);
        }
    }
    Ok(changed)
}

/// The device's chats with a message within the last `window_days`, newest first; `after` is
/// the (last message time, id) of the previous page's last chat.
pub async fn chats(
    db: &DatabaseConnection,
    device_id: DeviceId,
    window_days: i64,
    search: Option<&str>,
    first: u64,
    after: Option<(i64, i64)>,
) -> AppResult<(Vec<chats::Model>, bool, u64)> {
    let since = Utc::now().timestamp() - window_days * 24 * 3600;
    let mut query = chats::Entity::find()
        .filter(chats::Column::DeviceId.eq(device_id.0))
        .filter(chats::Column::LastMessageAt.gte(since));
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Condition::any()
                .add(
                    Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                        chats::Column::Name,
                    )))
                    .like(pattern.clone()),
                )
                .add(chats::Column::ChatJid.like(pattern)),
        );
    }
    let total = query.clone().count(db).await?;
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(chats::Column::LastMessageAt.lt(at))
                .add(
                    Condition::all()
                        .add(chats::Column::LastMessageAt.eq(at))
                        .add(chats::Column::Id.lt(id)),
                ),
        );
    }
    let mut items = query
        .order_by_desc(chats::Column::LastMessageAt)
        .order_by_desc(chats::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok((items, more, total))
}

/// The chats of all the owner's devices whose contact waits for our answer (the newest message
/// is theirs), in the recent window, longest waiting first, after the (waiting since, id)
/// cursor; with how many there are.
pub async fn waiting_chats(
    db: &DatabaseConnection,
    owner: UserId,
    window_days: i64,
    first: u64,
    after: Option<(i64, i64)>,
) -> AppResult<(Vec<chats::Model>, bool, u64)> {
    let since = Utc::now().timestamp() - window_days * 24 * 3600;
    let owned = Query::select()
        .column(devices::Column::Id)
        .from(devices::Entity)
        .and_where(devices::Column::UserId.eq(owner.0))
        .to_owned();
    let mut query = chats::Entity::find()
        .filter(chats::Column::WaitingSince.is_not_null())
        .filter(chats::Column::LastMessageAt.gte(since))
        .filter(chats::Column::DeviceId.in_subquery(owned));
    let total = query.clone().count(db).await?;
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(chats::Column::WaitingSince.gt(at))
                .add(
                    Condition::all()
                        .add(chats::Column::WaitingSince.eq(at))
                        .add(chats::Column::Id.gt(id)),
                ),
        );
    }
    let mut items = query
        .order_by_asc(chats::Column::WaitingSince)
        .order_by_asc(chats::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok((items, more, total))
}

/// How many recent chats of each device have messages from the contact not read yet (devices
/// without any are left out).
pub async fn unread_chats(
    db: &DatabaseConnection,
    device_ids: &[uuid::Uuid],
    window_days: i64,
) -> AppResult<HashMap<uuid::Uuid, i64>> {
    let since = Utc::now().timestamp() - window_days * 24 * 3600;
    let counts: Vec<(uuid::Uuid, i64)> = chats::Entity::find()
        .select_only()
        .column(chats::Column::DeviceId)
        .column_as(chats::Column::Id.count(), "n")
        .filter(chats::Column::DeviceId.is_in(device_ids.iter().copied()))
        .filter(chats::Column::LastMessageAt.gte(since))
        .filter(chats::Column::UnreadCount.gt(0))
        .group_by(chats::Column::DeviceId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts.into_iter().collect())
}

/// The newest `last` messages of a chat before the (timestamp, id) cursor, oldest first.
pub async fn messages(
    db: &DatabaseConnection,
    device_id: DeviceId,
    chat_jid: &str,
    last: u64,
    before: Option<(i64, i64)>,
) -> AppResult<(Vec<messages::Model>, bool)> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::ChatJid.eq(chat_jid));
    if let Some((ts, id)) = before {
        query = query.filter(
            Condition::any()
                .add(messages::Column::Timestamp.lt(ts))
                .add(
                    Condition::all()
                        .add(messages::Column::Timestamp.eq(ts))
                        .add(messages::Column::Id.lt(id)),
                ),
        );
    }
    let mut items = query
        .order_by_desc(messages::Column::Timestamp)
        .order_by_desc(messages::Column::Id)
        .limit(last + 1)
        .all(db)
        .await?;
    let more = items.len() as u64 > last;
    items.truncate(last as usize);
    items.reverse();
    Ok((items, more))
}

/// Messages of a device added after the message row `after` (for a subscriber that reconnects).
pub async fn added_since(
    db: &DatabaseConnection,
    device_id: DeviceId,
    chat_jid: Option<&str>,
    after: i64,
) -> AppResult<Vec<messages::Model>> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::Id.gt(after));
    if let Some(chat) = chat_jid {
        query = query.filter(messages::Column::ChatJid.eq(chat));
    }
    Ok(query
        .order_by_asc(messages::Column::Id)
        .limit(500)
        .all(db)
        .await?)
}

/// Clears the chat's unread count; returns the inbound message ids to acknowledge as read.
pub async fn mark_read(
    db: &DatabaseConnection,
    device_id: DeviceId,
    chat_jid: &str,
) -> AppResult<(Option<chats::Model>, Vec<String>)> {
    let chat = chats::Entity::find()
        .filter(chats::Column::DeviceId.eq(device_id.0))
        .filter(chats::Column::ChatJid.eq(chat_jid))
        .one(db)
        .await?;
    let Some(chat) = chat else {
        return Ok((None, Vec::new()));
    };
    let unread = chat.unread_count.max(0) as u64;
    let ids: Vec<String> = messages::Entity::find()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .filter(messages::Column::ChatJid.eq(chat_jid))
        .filter(messages::Column::FromMe.eq(false))
        .order_by_desc(messages::Column::Timestamp)
        .limit(unread)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.message_id)
        .collect();
    let mut active = chats::ActiveModel::from(chat);
    active.unread_count = Set(0);
    active.updated_at = Set(Utc::now());
    Ok((Some(active.update(db).await?), ids))
}

/// Counts of what a device's delete removes, and the delete (inside its transaction).
pub async fn delete_for_device(
    db: &impl ConnectionTrait,
    device_id: DeviceId,
) -> AppResult<(u64, u64)> {
    let removed_messages = messages::Entity::delete_many()
        .filter(messages::Column::DeviceId.eq(device_id.0))
        .exec(db)
        .await?;
    let removed_chats = chats::Entity::delete_many()
        .filter(chats::Column::DeviceId.eq(device_id.0))
        .exec(db)
        .await?;
    lid_pn_mappings::Entity::delete_many()
        .filter(lid_pn_mappings::Column::DeviceId.eq(device_id.0))
        .exec(db)
        .await?;
    Ok((removed_chats.rows_affected, removed_messages.rows_affected))
}

/// Whether a media reference belongs to one of the owner's devices.
pub async fn media_owned_by(
    db: &DatabaseConnection,
    owner: uuid::Uuid,
    media_ref: &str,
) -> AppResult<bool> {
    let devices = Query::select()
        .column(crate::entities::devices::Column::Id)
        .from(crate::entities::devices::Entity)
        .and_where(Expr::col(crate::entities::devices::Column::UserId).eq(owner))
        .to_owned();
    let in_messages = messages::Entity::find()
        .filter(messages::Column::MediaRef.eq(media_ref))
        .filter(messages::Column::DeviceId.in_subquery(devices.clone()))
        .one(db)
        .await?
        .is_some();
    if in_messages {
        return Ok(true);
    }
    Ok(broadcast_messages::Entity::find()
        .filter(broadcast_messages::Column::ImageRef.eq(media_ref))
        .filter(broadcast_messages::Column::UserId.eq(owner))
        .one(db)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000;

    #[test]
    fn inbound_content_is_made_storable_not_dropped() {
        assert_eq!(clean_text("a\u{0}b\r\nc\td\u{1b}[31m", 100), "ab\nc\td[31m");
        assert_eq!(clean_text(&"x".repeat(10), 4), "xxxx");
        assert_eq!(
            clean_name(" Ana\u{0}\n Lima\u{202E}nomis ", 200).as_deref(),
            Some("Ana Limanomis")
        );
        assert_eq!(clean_name("\u{0}\u{202E} ", 200), None);
        assert_eq!(
            clean_name(&"n".repeat(1_000_000), 200).map(|n| n.len()),
            Some(200)
        );
        let short = storable_id("3EB0AAA".into());
        assert_eq!(short, "3EB0AAA");
        let long = storable_id("A".repeat(500));
        assert!(long.len() <= MAX_MESSAGE_ID);
        assert_eq!(long, storable_id("A".repeat(500)));
        assert_ne!(long, storable_id("A".repeat(501)));
    }

    #[test]
    fn timestamps_are_normalised() {
        assert_eq!(normalize_timestamp(1_700_000_000, NOW), 1_700_000_000);
        assert_eq!(normalize_timestamp(1_700_000_000_123, NOW), 1_700_000_000);
        assert_eq!(normalize_timestamp(NOW + 2 * YEAR, NOW), NOW);
        assert_eq!(normalize_timestamp(12_345, NOW), NOW);
        assert_eq!(normalize_timestamp(-5, NOW), NOW);
    }

    /// Property: whatever arrives, the result is in [2000, now + 1 year], and a plausible time in
    /// seconds or milliseconds keeps its second.
    #[test]
    fn normalised_timestamps_are_always_plausible() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..100_000 {
            let raw: i64 = match rng.gen_range(0..4) {
                0 => rng.gen(),
                1 => rng.gen_range(YEAR_2000..NOW + YEAR),
                2 => rng.gen_range(1_000_000_001..NOW + YEAR) * 1000 + rng.gen_range(0..1000),
                _ => rng.gen_range(-1_000_000..YEAR_2000),
            };
            let normalised = normalize_timestamp(raw, NOW);
            assert!(
                (YEAR_2000..=NOW + YEAR).contains(&normalised),
                "{raw} → {normalised}"
            );
            if (YEAR_2000..=NOW + YEAR).contains(&raw) {
                assert_eq!(normalised, raw);
            }
            // Milliseconds are recognised from 1e12 (September 2001) on, as WhatsApp clients do.
            if (1_000_000_000_001..=(NOW + YEAR) * 1000).contains(&raw) {
                assert_eq!(normalised, raw / 1000);
            }
        }
    }
}
