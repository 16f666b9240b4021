//! The WhatsApp Web view: chats, threads, read receipts and live updates.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, Object, Subscription, ID,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

use super::{
    devices::{ConnectionCount, Device},
    loaders::DeviceLoader,
    state, user_events, viewer, GqlResult,
};
use crate::{
    domain::{
        devices, inbox,
        pagination::{DEFAULT_PAGE, MAX_PAGE},
    },
    entities::{enums::MessageKind, whatsapp_chats as chats, whatsapp_messages as messages},
    error::{AppError, AppResult},
    events::{ChatSummary, EventKind, ThreadMessage},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
    },
};

pub struct Chat(pub ChatSummary);

impl From<chats::Model> for Chat {
    fn from(row: chats::Model) -> Self {
        Self(ChatSummary::from(&row))
    }
}

/// A personal chat of a device.
#[Object]
impl Chat {
    /// Our id of the chat.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The device the chat belongs to.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.to_string())
    }
    /// The contact's JID (`…@s.whatsapp.net`, or `…@lid` while the phone number is unknown).
    async fn jid(&self) -> &str {
        &self.0.chat_jid
    }
    /// The contact's phone number (E.164), when known.
    async fn phone(&self) -> Option<String> {
        Jid::parse(&self.0.chat_jid).ok()?.phone().map(|p| p.e164())
    }
    /// The contact's name as WhatsApp reported it.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// A preview of the newest message.
    async fn last_message_text(&self) -> Option<&str> {
        self.0.last_message_text.as_deref()
    }
    /// When the newest message was sent.
    async fn last_message_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .last_message_at
            .and_then(|s| DateTime::from_timestamp(s, 0))
    }
    /// Whether the newest message is ours.
    async fn last_message_from_me(&self) -> bool {
        self.0.last_message_from_me
    }
    /// Messages from the contact not read yet.
    async fn unread_count(&self) -> i32 {
        self.0.unread_count
    }
    /// While the newest message is the contact's: when they started waiting for an answer
    /// (their first message since our last one). Null once we answered.
    async fn waiting_since(&self) -> Option<DateTime<Utc>> {
        self.0
            .waiting_since
            .and_then(|s| DateTime::from_timestamp(s, 0))
    }
}

pub struct WaitingChat(pub ChatSummary);

/// A chat whose contact waits for our answer, with the device it is on.
#[Object]
impl WaitingChat {
    /// The chat.
    async fn chat(&self) -> Chat {
        Chat(self.0.clone())
    }
    /// The device the chat is on.
    async fn device(&self, ctx: &Context<'_>) -> GqlResult<Option<Device>> {
        let viewer = viewer(ctx)?;
        let device = ctx
            .data_unchecked::<DataLoader<DeviceLoader>>()
            .load_one(self.0.device_id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        Ok(device
            .filter(|d| d.user_id == viewer.user_id.0)
            .map(Device::from))
    }
    /// When the contact started waiting: their first message since our last one.
    async fn waiting_since(&self) -> DateTime<Utc> {
        self.0
            .waiting_since
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .unwrap_or_default()
    }
}

/// Where a message we sent is; null for messages we received.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::MessageStatus")]
pub enum MessageStatus {
    /// Not sent yet (waiting in the outbox or being sent).
    Pending,
    /// WhatsApp accepted it (one tick).
    Sent,
    /// It reached the contact's phone (two ticks).
    Delivered,
    /// The contact read it (two blue ticks).
    Read,
    /// It could not be sent (see the outbox row's error).
    Failed,
}

pub struct Message(pub ThreadMessage);

impl From<messages::Model> for Message {
    fn from(row: messages::Model) -> Self {
        Self(ThreadMessage::from(&row))
    }
}

/// A message of a chat.
#[Object]
impl Message {
    /// Our id of the message (stable, also while it is pending).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// WhatsApp's id (null while our message is pending).
    async fn whatsapp_id(&self) -> Option<&str> {
        self.0.message_id.as_deref()
    }
    /// The outbox row behind a message we sent.
    async fn outbox_id(&self) -> Option<ID> {
        self.0.outbox_id.map(|id| ID(id.to_string()))
    }
    /// The chat it belongs to.
    async fn chat_jid(&self) -> &str {
        &self.0.chat_jid
    }
    /// Who wrote it (the contact, or the chat itself for ours).
    async fn sender_jid(&self) -> &str {
        &self.0.sender_jid
    }
    /// The sender's name as WhatsApp reported it.
    async fn sender_name(&self) -> Option<&str> {
        self.0.sender_name.as_deref()
    }
    /// Whether we sent it (from here or from the phone).
    async fn from_me(&self) -> bool {
        self.0.from_me
    }
    /// The text.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    /// Whether it is an image.
    async fn has_image(&self) -> bool {
        self.0.kind == MessageKind::Image
    }
    /// Where the image can be fetched (with your token), when we have its bytes.
    async fn media_url(&self) -> Option<String> {
        self.0.media_ref.as_ref().map(|r| format!("/media/{r}"))
    }
    /// The image's caption.
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    /// When it was sent.
    async fn timestamp(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.timestamp, 0).unwrap_or_default()
    }
    /// For our own messages: where it is (null for messages we received).
    async fn status(&self) -> Option<MessageStatus> {
        self.0.status.map(Into::into)
    }
}

pub type ChatConnection = Connection<String, Chat, ConnectionCount, EmptyFields>;
pub type MessageConnection = Connection<String, Message, EmptyFields, EmptyFields>;
pub type WaitingChatConnection = Connection<String, WaitingChat, ConnectionCount, EmptyFields>;

fn cursor(at: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
}

fn parse_cursor(raw: &str) -> AppResult<(i64, i64)> {
    let invalid = || AppError::validation("The cursor is not valid; use one from a previous page.");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?)
        .map_err(|_| invalid())?;
    let (at, id) = text.split_once('|').ok_or_else(invalid)?;
    Ok((
        at.parse().map_err(|_| invalid())?,
        id.parse().map_err(|_| invalid())?,
    ))
}

fn page_size(n: Option<i32>) -> AppResult<u64> {
    match n {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(AppError::validation("Page sizes cannot be negative.")),
        Some(n) => Ok((n as u64).min(MAX_PAGE)),
    }
}

/// The caller's device, or NOT_FOUND.
async fn owned_device(ctx: &Context<'_>, device_id: &ID) -> AppResult<(UserId, DeviceId)> {
    let viewer = viewer(ctx)?;
    let id = DeviceId::parse(device_id)?;
    devices::find_owned(&state(ctx).db, viewer.user_id, id).await?;
    Ok((viewer.user_id, id))
}

#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// The device's personal chats with a message in the recent window (30 days by default),
    /// newest first.
    async fn chats(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> GqlResult<ChatConnection> {
        let (_, device) = owned_device(ctx, &device_id).await?;
        let app = state(ctx);
        let after = after.as_deref().map(parse_cursor).transpose()?;
        let (items, more, total) = inbox::chats(
            &app.db,
            device,
            app.config.inbox_days,
            search.as_deref(),
            page_size(first)?,
            after,
        )
        .await?;
        let mut connection = ChatConnection::with_additional_fields(
            after.is_some(),
            more,
            ConnectionCount::new(total),
        );
        connection.edges.extend(items.into_iter().map(|c| {
            Edge::new(
                cursor(c.last_message_at.unwrap_or_default(), c.id),
                c.into(),
            )
        }));
        Ok(connection)
    }

    /// The chats of all your devices whose contact waits for an answer (the newest message is
    /// theirs), in the recent window, longest waiting first, each with its device.
    async fn waiting_chats(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<WaitingChatConnection> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let after = after.as_deref().map(parse_cursor).transpose()?;
        let (items, more, total) = inbox::waiting_chats(
            &app.db,
            viewer.user_id,
            app.config.inbox_days,
            page_size(first)?,
            after,
        )
        .await?;
        let mut connection = WaitingChatConnection::with_additional_fields(
            after.is_some(),
            more,
            ConnectionCount::new(total),
        );
        connection.edges.extend(items.into_iter().map(|c| {
            Edge::new(
                cursor(c.waiting_since.unwrap_or_default(), c.id),
                WaitingChat(ChatSummary::from(&c)),
            )
        }));
        Ok(connection)
    }

    /// A chat's messages, oldest first within the page (at most the kept number per chat).
    async fn messages(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        chat_jid: String,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<MessageConnection> {
        let (_, device) = owned_device(ctx, &device_id).await?;
        let before = before.as_deref().map(parse_cursor).transpose()?;
        let (items, more) = inbox::messages(
            &state(ctx).db,
            device,
            chat_jid.trim(),
            page_size(last)?,
            before,
        )
        .await?;
        let mut connection = MessageConnection::new(more, false);
        connection.edges.extend(
            items
                .into_iter()
                .map(|m| Edge::new(cursor(m.timestamp, m.id), m.into())),
        );
        Ok(connection)
    }
}

#[derive(Default)]
pub struct InboxMutation;

#[Object]
impl InboxMutation {
    /// Marks a chat read: clears its unread count and sends read receipts from the device.
    async fn mark_chat_read(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        chat_jid: String,
    ) -> GqlResult<Chat> {
        let viewer = viewer(ctx)?;
        let device = DeviceId::parse(&device_id)?;
        let chat =
            inbox::mark_chat_read(state(ctx).ports(), viewer.user_id, device, chat_jid.trim())
                .await?;
        Ok(chat.into())
    }
}

#[derive(Default)]
pub struct InboxSubscription;

#[Subscription]
impl InboxSubscription {
    /// New messages of a device (of one chat, if given). With `after` (a message id), the
    /// messages added since then come first, so a client that reconnects misses nothing.
    async fn message_added(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        chat_jid: Option<String>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = GqlResult<Message>>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        // Live first, then the backfill: what arrives in between is in one of them, and the
        // live part skips what the backfill already gave.
        let chat_filter = chat_jid.clone();
        let live = user_events(ctx, owner, move |event| match &event.kind {
            EventKind::InboxChanged {
                device_id, added, ..
            } if *device_id == device.0 => added
                .iter()
                .filter(|m| chat_filter.as_ref().is_none_or(|c| *c == m.chat_jid))
                .cloned()
                .collect(),
            _ => Vec::new(),
        });
        let missed = match after {
            Some(after) => {
                let after: i64 = after
                    .parse()
                    .map_err(|_| AppError::validation("`after` is not a message id."))?;
                inbox::added_since(&state(ctx).db, device, chat_jid.as_deref(), after).await?
            }
            None => Vec::new(),
        };
        let last_missed = missed.last().map(|m| m.id).unwrap_or(i64::MIN);
        let live = live.filter(move |item| {
            futures::future::ready(item.as_ref().map_or(true, |m| m.id > last_missed))
        });
        Ok(
            futures::stream::iter(missed.into_iter().map(|m| Ok(Message::from(m))))
                .chain(live.map(|item| item.map(Message))),
        )
    }

    /// Status changes of the device's messages (our sends moving PENDING → SENT → DELIVERED → READ).
    async fn message_updated(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
    ) -> Result<impl Stream<Item = GqlResult<Message>>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        Ok(user_events(ctx, owner, move |event| match &event.kind {
            EventKind::InboxChanged {
                device_id, updated, ..
            } if *device_id == device.0 => updated.iter().cloned().map(Message).collect(),
            _ => Vec::new(),
        }))
    }

    /// Chats of the device that changed (new last message, unread count, name).
    async fn chat_updated(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
    ) -> Result<impl Stream<Item = GqlResult<Chat>>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        Ok(user_events(ctx, owner, move |event| match &event.kind {
            EventKind::InboxChanged {
                device_id, chats, ..
            } if *device_id == device.0 => chats.iter().cloned().map(Chat).collect(),
            _ => Vec::new(),
        }))
    }
}
