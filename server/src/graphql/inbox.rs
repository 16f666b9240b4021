//! The WhatsApp Web view: chats, threads, read receipts and live updates.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    Context, Enum, Object, Subscription, ID,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::{devices::ConnectionCount, state, viewer, GqlResult};
use crate::{
    domain::{
        devices, inbox,
        pagination::{DEFAULT_PAGE, MAX_PAGE},
    },
    entities::{enums::MessageKind, whatsapp_chats as chats, whatsapp_messages as messages},
    error::{AppError, AppResult},
    events::{DeviceCommand, EventKind},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
    },
    workers::control,
};

/// A personal chat of a device.
pub struct Chat(pub chats::Model);

#[Object]
impl Chat {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
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
    async fn last_message_text(&self) -> Option<&str> {
        self.0.last_message_text.as_deref()
    }
    async fn last_message_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .last_message_at
            .and_then(|s| DateTime::from_timestamp(s, 0))
    }
    async fn last_message_from_me(&self) -> bool {
        self.0.last_message_from_me
    }
    async fn unread_count(&self) -> i32 {
        self.0.unread_count
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

/// A message of a chat.
pub struct Message(pub messages::Model);

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
    async fn chat_jid(&self) -> &str {
        &self.0.chat_jid
    }
    async fn sender_jid(&self) -> &str {
        &self.0.sender_jid
    }
    async fn sender_name(&self) -> Option<&str> {
        self.0.sender_name.as_deref()
    }
    async fn from_me(&self) -> bool {
        self.0.from_me
    }
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    async fn has_image(&self) -> bool {
        self.0.kind == MessageKind::Image
    }
    /// Where the image can be fetched (with your token), when we have its bytes.
    async fn media_url(&self) -> Option<String> {
        self.0.media_ref.as_ref().map(|r| format!("/media/{r}"))
    }
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    async fn timestamp(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.timestamp, 0).unwrap_or_default()
    }
    async fn status(&self) -> Option<MessageStatus> {
        self.0.status.map(Into::into)
    }
}

pub type ChatConnection = Connection<String, Chat, ConnectionCount, EmptyFields>;
pub type MessageConnection = Connection<String, Message, EmptyFields, EmptyFields>;

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
        connection.edges.extend(
            items
                .into_iter()
                .map(|c| Edge::new(cursor(c.last_message_at.unwrap_or_default(), c.id), Chat(c))),
        );
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
                .map(|m| Edge::new(cursor(m.timestamp, m.id), Message(m))),
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
        let (owner, device) = owned_device(ctx, &device_id).await?;
        let app = state(ctx);
        let (chat, ids) = inbox::mark_read(&app.db, device, chat_jid.trim()).await?;
        let chat = chat.ok_or(AppError::NotFound("Chat"))?;
        if !ids.is_empty() {
            let command = DeviceCommand::MarkRead {
                chat_jid: chat.chat_jid.clone(),
                message_ids: ids,
            };
            control::send(app, owner, device, command).await;
        }
        let changes = inbox::Ingested {
            chats: vec![chat.clone()],
            ..Default::default()
        };
        crate::workers::inbound::publish_inbox(app, owner, device, changes).await;
        Ok(Chat(chat))
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
    ) -> Result<impl Stream<Item = Message>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        let app = state(ctx).clone();
        let live = BroadcastStream::new(app.events.subscribe());
        let missed = match after {
            Some(after) => {
                let after: i64 = after
                    .parse()
                    .map_err(|_| AppError::validation("`after` is not a message id."))?;
                inbox::added_since(&app.db, device, chat_jid.as_deref(), after).await?
            }
            None => Vec::new(),
        };
        let last_missed = missed.last().map(|m| m.id).unwrap_or(i64::MIN);
        let chat_filter = chat_jid.clone();
        let live = live
            .filter_map(move |event| {
                let added = match event {
                    Ok(event) if event.user_id == owner.0 => match &event.kind {
                        EventKind::InboxChanged {
                            device_id, added, ..
                        } if *device_id == device.0 => added.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                let chat_filter = chat_filter.clone();
                let wanted: Vec<Message> = added
                    .into_iter()
                    .filter(|m| {
                        m.id > last_missed && chat_filter.as_ref().is_none_or(|c| *c == m.chat_jid)
                    })
                    .map(Message)
                    .collect();
                futures::future::ready(Some(futures::stream::iter(wanted)))
            })
            .flatten();
        Ok(futures::stream::iter(missed.into_iter().map(Message)).chain(live))
    }

    /// Status changes of the device's messages (our sends moving PENDING → SENT → DELIVERED → READ).
    async fn message_updated(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
    ) -> Result<impl Stream<Item = Message>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        let live = BroadcastStream::new(state(ctx).events.subscribe());
        Ok(live
            .filter_map(move |event| {
                let updated = match event {
                    Ok(event) if event.user_id == owner.0 => match &event.kind {
                        EventKind::InboxChanged {
                            device_id, updated, ..
                        } if *device_id == device.0 => updated.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                futures::future::ready(Some(futures::stream::iter(
                    updated.into_iter().map(Message),
                )))
            })
            .flatten())
    }

    /// Chats of the device that changed (new last message, unread count, name).
    async fn chat_updated(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
    ) -> Result<impl Stream<Item = Chat>, async_graphql::Error> {
        let (owner, device) = owned_device(ctx, &device_id).await?;
        let live = BroadcastStream::new(state(ctx).events.subscribe());
        Ok(live
            .filter_map(move |event| {
                let chats = match event {
                    Ok(event) if event.user_id == owner.0 => match &event.kind {
                        EventKind::InboxChanged {
                            device_id, chats, ..
                        } if *device_id == device.0 => chats.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                futures::future::ready(Some(futures::stream::iter(chats.into_iter().map(Chat))))
            })
            .flatten())
    }
}
