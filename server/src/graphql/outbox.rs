//! The outbox over GraphQL: every queued/sent message, live status changes, sending from the
//! inbox, and retrying a failed message.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, InputObject, Object, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::Stream;
use tokio::io::AsyncReadExt;

use super::{
    devices::{ConnectionCount, Device, SendCounts},
    loaders::DeviceLoader,
    state, user_events, viewer, GqlResult,
};
use crate::{
    domain::{
        idempotency::IdempotencyKey,
        outbox::{
            self,
            send::{self, Body, InboxSend, Recipient},
            CounterScope, MessageKind, OutboxFilter,
        },
        pagination::PageRequest,
    },
    entities::broadcast_messages as rows,
    error::{AppError, AppResult},
    events::{EventKind, OutboxChange},
    types::{ids::DeviceId, jid::Jid},
};

use super::inbox::Message;

/// Where an outbox message is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OutboxStatus", remote = "crate::entities::enums::OutboxStatus")]
pub enum OutboxStatusGql {
    /// Scheduled for later.
    Pending,
    /// Waiting on its device's queue.
    Queued,
    /// Being sent right now.
    Sending,
    /// WhatsApp accepted it.
    Sent,
    /// It reached the recipient's phone.
    Delivered,
    /// The recipient read it.
    Read,
    /// Not sent (see `lastError`); `retryOutboxMessage` tries again.
    Failed,
    /// Never sent, on purpose (see `lastError`, e.g. the number opted out).
    Skipped,
    /// Called off before it was sent.
    Cancelled,
}

/// What asked for a message.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::Source")]
pub enum MessageSource {
    /// A person sent it from the inbox (or the Outbox's "New message").
    Inbox,
    /// A broadcast campaign.
    Campaign,
    /// A step of a drip sequence.
    SequenceStep,
    /// An AI campaign (leads dealt over devices).
    AiCampaign,
}

pub struct OutboxMessage(pub rows::Model);

/// One message in the outbox: everything that leaves is a row here first.
#[Object]
impl OutboxMessage {
    /// The row's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The sending device's id.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.to_string())
    }
    /// The sending device (null once deleted).
    async fn device(&self, ctx: &Context<'_>) -> GqlResult<Option<Device>> {
        let loader = ctx.data_unchecked::<DataLoader<DeviceLoader>>();
        let device = loader
            .load_one(self.0.device_id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        Ok(device
            .filter(|d| d.user_id == self.0.user_id)
            .map(Device::from))
    }
    /// The recipient's phone number (E.164).
    async fn recipient_phone(&self) -> &str {
        &self.0.recipient_phone
    }
    /// The recipient's name, when the producer knew it (a lead's name).
    async fn recipient_name(&self) -> Option<&str> {
        self.0.recipient_name.as_deref()
    }
    /// The text (for a text message).
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    /// Whether it is an image (with `caption`).
    async fn has_image(&self) -> bool {
        self.0.kind == MessageKind::Image
    }
    /// The image's caption.
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    /// What asked for the message.
    async fn source(&self) -> MessageSource {
        self.0.source.into()
    }
    /// The campaign it belongs to, if any.
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    /// Where the message is.
    async fn status(&self) -> OutboxStatusGql {
        self.0.status.into()
    }
    /// How many times a send was attempted.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the message failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it is to be sent (at the earliest).
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    /// When WhatsApp accepted it.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    /// When it reached the recipient's phone.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// When the recipient read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
    /// WhatsApp's id of the sent message.
    async fn whatsapp_id(&self) -> Option<&str> {
        self.0.wa_message_id.as_deref()
    }
    /// When the message was put in the outbox.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

pub type OutboxConnection = Connection<String, OutboxMessage, ConnectionCount, EmptyFields>;

/// Which outbox messages to list (all of them match: fields combine with AND).
#[derive(InputObject, Default)]
pub struct OutboxFilterInput {
    /// Sent from this device.
    device_id: Option<ID>,
    /// Any of these statuses.
    statuses: Option<Vec<OutboxStatusGql>>,
    /// Asked for by this kind of producer.
    source: Option<MessageSource>,
    /// Of this campaign.
    campaign_id: Option<ID>,
    /// Created at or after.
    from: Option<DateTime<Utc>>,
    /// Created before.
    to: Option<DateTime<Utc>>,
}

/// A status change of an outbox message.
#[derive(async_graphql::SimpleObject)]
pub struct OutboxEvent {
    /// The outbox message.
    id: ID,
    /// Its device.
    device_id: ID,
    /// Its campaign, if any.
    campaign_id: Option<ID>,
    /// Its new status.
    status: OutboxStatusGql,
    /// Send attempts so far (a retry adds one).
    attempts: i32,
    /// Why it failed, when it did.
    last_error: Option<String>,
    /// When the change happened; later changes of a message have later times.
    at: DateTime<Utc>,
}

impl From<&OutboxChange> for OutboxEvent {
    fn from(change: &OutboxChange) -> Self {
        Self {
            id: ID(change.id.to_string()),
            device_id: ID(change.device_id.to_string()),
            campaign_id: change.campaign_id.map(|c| ID(c.to_string())),
            status: change.status.into(),
            attempts: change.attempts,
            last_error: change.last_error.clone(),
            at: change.at,
        }
    }
}

/// Send from the inbox: to a chat (`chatJid`) or to a phone number (starts a new chat).
#[derive(InputObject)]
pub struct SendMessageInput {
    /// The device to send from (paired).
    device_id: ID,
    /// An existing chat's JID (`…@s.whatsapp.net`); or give `phone`.
    chat_jid: Option<String>,
    /// A phone number in any common form (national forms in your default country); or give
    /// `chatJid`.
    phone: Option<String>,
    /// The text; with an image it becomes the caption unless `caption` is given.
    text: Option<String>,
    /// JPEG, PNG or WebP (decoded to check it), at most the configured upload size and 8192
    /// pixels a side. One file per request.
    image: Option<Upload>,
    /// The image's caption.
    caption: Option<String>,
    /// Any string (a UUID is a good choice) that identifies this request for 24 hours: a repeat
    /// with the same key returns the first request's message and sends nothing.
    idempotency_key: Option<String>,
}

fn parse_outbox_id(id: &ID) -> AppResult<i64> {
    id.parse::<i64>().map_err(|_| {
        AppError::validation(format!(
            "{} is not a valid message id.",
            crate::error::quoted(id.as_str())
        ))
    })
}

fn parse_filter(input: OutboxFilterInput) -> AppResult<OutboxFilter> {
    Ok(OutboxFilter {
        device_id: input
            .device_id
            .as_ref()
            .map(|id| DeviceId::parse(id))
            .transpose()?,
        statuses: input
            .statuses
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        source: input.source.map(Into::into),
        campaign_id: input
            .campaign_id
            .as_deref()
            .map(|c| {
                uuid::Uuid::parse_str(c)
                    .map_err(|_| AppError::validation("Not a valid campaign id."))
            })
            .transpose()?,
        from: input.from,
        to: input.to,
    })
}

#[derive(Default)]
pub struct OutboxQuery;

#[Object]
impl OutboxQuery {
    /// All your outbox messages by status (running totals, not counted per query).
    async fn outbox_counts(&self, ctx: &Context<'_>) -> GqlResult<SendCounts> {
        let viewer = viewer(ctx)?;
        let counts = outbox::counters(&state(ctx).db, CounterScope::User, viewer.user_id.0).await?;
        Ok(SendCounts::from(&counts))
    }

    /// Every queued and sent message of yours, newest first.
    async fn outbox(
        &self,
        ctx: &Context<'_>,
        filter: Option<OutboxFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<OutboxConnection> {
        let viewer = viewer(ctx)?;
        let filter = parse_filter(filter.unwrap_or_default())?;
        let first = PageRequest::parse(first, None)?.first;
        let after = after
            .as_deref()
            .map(|a| parse_outbox_id(&ID(a.to_owned())))
            .transpose()?;
        let (items, has_next, total) =
            outbox::list(&state(ctx).db, viewer.user_id, &filter, first, after).await?;
        let mut connection = OutboxConnection::with_additional_fields(
            after.is_some(),
            has_next,
            ConnectionCount::new(total),
        );
        connection.edges.extend(
            items
                .into_iter()
                .map(|row| Edge::new(row.id.to_string(), OutboxMessage(row))),
        );
        Ok(connection)
    }
}

#[derive(Default)]
pub struct OutboxMutation;

#[Object]
impl OutboxMutation {
    /// Sends a text, or an image with an optional caption, from a device to a chat or a phone
    /// number. The message is returned at once as PENDING and follows its outbox row. With an
    /// `idempotencyKey`, repeating the request returns the first one's message and sends
    /// nothing new.
    async fn send_message(&self, ctx: &Context<'_>, input: SendMessageInput) -> GqlResult<Message> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let send = InboxSend {
            device_id: DeviceId::parse(&input.device_id)?,
            to: recipient(input.chat_jid.as_deref(), input.phone.as_deref())?,
            body: match input.image {
                Some(upload) => Body::Image {
                    bytes: read_upload(ctx, upload, app.config.upload_max_bytes).await?,
                    caption: input
                        .caption
                        .or(input.text)
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty()),
                },
                None => Body::Text(input.text.unwrap_or_default()),
            },
            idempotency_key: input
                .idempotency_key
                .as_deref()
                .map(IdempotencyKey::parse)
                .transpose()?,
        };
        let message = send::from_inbox(app.ports(), viewer.user_id, send).await?;
        Ok(Message::from(message))
    }

    /// Puts a FAILED message back in its device's queue.
    async fn retry_outbox_message(&self, ctx: &Context<'_>, id: ID) -> GqlResult<OutboxMessage> {
        let viewer = viewer(ctx)?;
        let row = send::retry(state(ctx).ports(), viewer.user_id, parse_outbox_id(&id)?).await?;
        Ok(OutboxMessage(row))
    }
}

/// Who the message goes to: a chat, or a phone number (read by the domain, in the user's
/// default country).
fn recipient(chat_jid: Option<&str>, phone: Option<&str>) -> AppResult<Recipient> {
    match (
        chat_jid.map(str::trim).filter(|s| !s.is_empty()),
        phone.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(jid), None) => Ok(Recipient::Chat(Jid::parse(jid)?)),
        (None, Some(phone)) => Ok(Recipient::Phone(phone.to_owned())),
        _ => Err(AppError::validation(
            "Give either a chat (chatJid) or a phone number, not both.",
        )),
    }
}

/// The upload's bytes, refused when larger than `limit`.
pub(crate) async fn read_upload(
    ctx: &Context<'_>,
    upload: Upload,
    limit: usize,
) -> AppResult<Vec<u8>> {
    let value = upload
        .value(ctx)
        .map_err(|_| AppError::validation("The upload could not be read."))?;
    let mut file = tokio::fs::File::from_std(value.content);
    let mut bytes = Vec::new();
    (&mut file)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|_| AppError::validation("The upload could not be read."))?;
    if bytes.len() > limit {
        return Err(AppError::validation(format!(
            "The image is too large (at most {} MB).",
            limit / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

#[derive(Default)]
pub struct OutboxSubscription;

#[Subscription]
impl OutboxSubscription {
    /// Every status change of your outbox messages.
    async fn outbox_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = GqlResult<OutboxEvent>>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        Ok(user_events(ctx, viewer.user_id, |event| {
            match &event.kind {
                EventKind::OutboxChanged { changes } => {
                    changes.iter().map(OutboxEvent::from).collect()
                }
                _ => Vec::new(),
            }
        }))
    }
}
