//! The outbox over GraphQL: every queued/sent message, live status changes, sending from the
//! inbox, and retrying a failed message.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, InputObject, Object, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use tokio::io::AsyncReadExt;
use tokio_stream::wrappers::BroadcastStream;

use super::{
    devices::{ConnectionCount, Device, SendCounts},
    loaders::DeviceLoader,
    state, viewer, GqlResult,
};
use crate::{
    domain::{
        devices::{self, DeviceStatus},
        outbox::{self, Content, CounterScope, MessageKind, NewMessage, OutboxFilter},
        pagination::PageRequest,
    },
    entities::broadcast_messages as rows,
    error::{AppError, AppResult},
    events::{EventKind, OutboxChange},
    media::{self, ImageType},
    state::AppState,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::{Country, PhoneNumber},
    },
    workers::dispatcher,
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

/// One message in the outbox.
pub struct OutboxMessage(pub rows::Model);

#[Object]
impl OutboxMessage {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
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
        Ok(device.filter(|d| d.user_id == self.0.user_id).map(Device))
    }
    /// E.164.
    async fn recipient_phone(&self) -> &str {
        &self.0.recipient_phone
    }
    async fn recipient_name(&self) -> Option<&str> {
        self.0.recipient_name.as_deref()
    }
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    async fn has_image(&self) -> bool {
        self.0.kind == MessageKind::Image
    }
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    async fn source(&self) -> MessageSource {
        self.0.source.into()
    }
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
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
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.scheduled_at
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
    /// WhatsApp's id of the sent message.
    async fn whatsapp_id(&self) -> Option<&str> {
        self.0.wa_message_id.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

pub type OutboxConnection = Connection<String, OutboxMessage, ConnectionCount, EmptyFields>;

#[derive(InputObject, Default)]
pub struct OutboxFilterInput {
    device_id: Option<ID>,
    /// Any of these statuses.
    statuses: Option<Vec<OutboxStatusGql>>,
    source: Option<MessageSource>,
    campaign_id: Option<ID>,
    /// Created at or after.
    from: Option<DateTime<Utc>>,
    /// Created before.
    to: Option<DateTime<Utc>>,
}

/// A status change of an outbox message.
#[derive(async_graphql::SimpleObject)]
pub struct OutboxEvent {
    id: ID,
    device_id: ID,
    campaign_id: Option<ID>,
    status: OutboxStatusGql,
    last_error: Option<String>,
    at: DateTime<Utc>,
}

impl From<&OutboxChange> for OutboxEvent {
    fn from(change: &OutboxChange) -> Self {
        Self {
            id: ID(change.id.to_string()),
            device_id: ID(change.device_id.to_string()),
            campaign_id: change.campaign_id.map(|c| ID(c.to_string())),
            status: change.status.into(),
            last_error: change.last_error.clone(),
            at: change.at,
        }
    }
}

/// Send from the inbox: to a chat (`chatJid`) or to a phone number (starts a new chat).
#[derive(InputObject)]
pub struct SendMessageInput {
    device_id: ID,
    chat_jid: Option<String>,
    phone: Option<String>,
    text: Option<String>,
    /// JPEG, PNG or WebP (checked by content), at most the configured upload size.
    image: Option<Upload>,
    caption: Option<String>,
}

fn parse_outbox_id(id: &ID) -> AppResult<i64> {
    id.parse::<i64>()
        .map_err(|_| AppError::validation(format!("{:?} is not a valid message id.", id.as_str())))
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
    /// number. The message is returned at once as PENDING and follows its outbox row.
    async fn send_message(&self, ctx: &Context<'_>, input: SendMessageInput) -> GqlResult<Message> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let device_id = DeviceId::parse(&input.device_id)?;
        let device = devices::find_owned(&app.db, viewer.user_id, device_id).await?;
        let country = crate::auth::accounts::phone_country(&app.db, viewer.user_id).await?;
        let (phone, jid) = recipient(input.chat_jid.as_deref(), input.phone.as_deref(), country)?;
        let content = match input.image {
            Some(upload) => {
                let caption = input
                    .caption
                    .or(input.text)
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty());
                stored_image(ctx, app, upload, caption).await?
            }
            None => Content::text(input.text.as_deref().unwrap_or_default())?,
        };
        if device.status == DeviceStatus::LoggedOut || device.jid.is_none() {
            return Err(AppError::DeviceOffline(
                "This device is not paired; pair it before sending.".into(),
            )
            .into());
        }
        let message = NewMessage::inbox(viewer.user_id, device_id, phone, jid, content);
        // The message shows in its thread at once, as PENDING.
        let (_, threads) = dispatcher::enqueue_with_threads(app, vec![message], true).await?;
        let recorded = threads
            .and_then(|r| r.added.into_iter().next())
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "the sent message was not recorded in its chat"
                ))
            })?;
        Ok(Message(recorded))
    }

    /// Puts a FAILED message back in its device's queue.
    async fn retry_outbox_message(&self, ctx: &Context<'_>, id: ID) -> GqlResult<OutboxMessage> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let row = outbox::retry(&app.db, viewer.user_id, parse_outbox_id(&id)?).await?;
        requeue(app, &row).await;
        Ok(OutboxMessage(row))
    }
}

async fn requeue(app: &AppState, row: &rows::Model) {
    if let Err(err) = app.queue.push(DeviceId(row.device_id), &[row.id]).await {
        tracing::warn!(error = %err, "queue push failed; the reconciler will retry");
    }
    dispatcher::publish_changes(app, std::slice::from_ref(row)).await;
}

fn recipient(
    chat_jid: Option<&str>,
    phone: Option<&str>,
    country: Option<Country>,
) -> AppResult<(PhoneNumber, Jid)> {
    match (
        chat_jid.map(str::trim).filter(|s| !s.is_empty()),
        phone.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(jid), None) => {
            let jid = Jid::parse(jid)?;
            let phone = jid.phone().ok_or_else(|| {
                AppError::validation("Messages go to personal chats (…@s.whatsapp.net) only.")
            })?;
            Ok((phone, jid.to_non_device()))
        }
        (None, Some(phone)) => {
            let phone = PhoneNumber::parse_in(phone, country)?;
            let jid = Jid::from_phone(&phone);
            Ok((phone, jid))
        }
        _ => Err(AppError::validation(
            "Give either a chat (chatJid) or a phone number, not both.",
        )),
    }
}

async fn stored_image(
    ctx: &Context<'_>,
    app: &AppState,
    upload: Upload,
    caption: Option<String>,
) -> AppResult<Content> {
    let limit = app.config.upload_max_bytes;
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
    let kind = ImageType::sniff(&bytes)
        .ok_or_else(|| AppError::validation("Only JPEG, PNG or WebP images can be sent."))?;
    if caption
        .as_ref()
        .is_some_and(|c| c.chars().count() > outbox::MAX_TEXT)
    {
        return Err(AppError::validation("The caption is too long."));
    }
    let media_ref = media::store(&app.config.media_dir, &bytes, kind).await?;
    Ok(Content::Image {
        media_ref,
        mime: kind.mime().to_owned(),
        caption,
    })
}

#[derive(Default)]
pub struct OutboxSubscription;

#[Subscription]
impl OutboxSubscription {
    /// Every status change of your outbox messages.
    async fn outbox_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = OutboxEvent>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let owner: UserId = viewer.user_id;
        let events = BroadcastStream::new(state(ctx).events.subscribe());
        Ok(events
            .filter_map(move |event| {
                let changes = match event {
                    Ok(event) if event.user_id == owner.0 => match &event.kind {
                        EventKind::OutboxChanged { changes } => {
                            changes.iter().map(OutboxEvent::from).collect()
                        }
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                futures::future::ready(Some(futures::stream::iter(changes)))
            })
            .flatten())
    }
}
