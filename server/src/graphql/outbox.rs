//! The outbox over GraphQL: every queued/sent message, live status changes, sending from the
//! inbox, and retrying a failed message.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, InputObject, Object, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use sha2::Digest;
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
        idempotency::{self, IdempotencyKey, Once},
        ids::{DeviceId, UserId},
        inbox,
        outbox::{self, Content, NewMessage, OutboxFilter, OutboxStatus, Source},
        pagination::PageRequest,
        phone::PhoneNumber,
    },
    entities::broadcast_messages as rows,
    error::{AppError, AppResult},
    events::{EventKind, OutboxChange},
    media::{self, ImageProblem, ImageType},
    state::AppState,
    whatsapp::Jid,
    workers::dispatcher,
};

use super::inbox::Message;

/// Where an outbox message is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "OutboxStatus")]
pub enum OutboxStatusGql {
    /// Scheduled for later.
    Pending,
    /// Waiting on its device's queue.
    Queued,
    /// Being sent right now.
    Sending,
    Sent,
    Delivered,
    Read,
    /// Not sent (see `lastError`); `retryOutboxMessage` tries again.
    Failed,
    Skipped,
    Cancelled,
}

impl From<OutboxStatus> for OutboxStatusGql {
    fn from(s: OutboxStatus) -> Self {
        match s {
            OutboxStatus::Pending => Self::Pending,
            OutboxStatus::Queued => Self::Queued,
            OutboxStatus::Sending => Self::Sending,
            OutboxStatus::Sent => Self::Sent,
            OutboxStatus::Delivered => Self::Delivered,
            OutboxStatus::Read => Self::Read,
            OutboxStatus::Failed => Self::Failed,
            OutboxStatus::Skipped => Self::Skipped,
            OutboxStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<OutboxStatusGql> for OutboxStatus {
    fn from(s: OutboxStatusGql) -> Self {
        match s {
            OutboxStatusGql::Pending => Self::Pending,
            OutboxStatusGql::Queued => Self::Queued,
            OutboxStatusGql::Sending => Self::Sending,
            OutboxStatusGql::Sent => Self::Sent,
            OutboxStatusGql::Delivered => Self::Delivered,
            OutboxStatusGql::Read => Self::Read,
            OutboxStatusGql::Failed => Self::Failed,
            OutboxStatusGql::Skipped => Self::Skipped,
            OutboxStatusGql::Cancelled => Self::Cancelled,
        }
    }
}

/// What asked for a message.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MessageSource {
    Inbox,
    Campaign,
    SequenceStep,
    AiCampaign,
}

impl From<MessageSource> for Source {
    fn from(s: MessageSource) -> Self {
        match s {
            MessageSource::Inbox => Self::Inbox,
            MessageSource::Campaign => Self::Campaign,
            MessageSource::SequenceStep => Self::SequenceStep,
            MessageSource::AiCampaign => Self::AiCampaign,
        }
    }
}

impl From<Source> for MessageSource {
    fn from(s: Source) -> Self {
        match s {
            Source::Inbox => Self::Inbox,
            Source::Campaign => Self::Campaign,
            Source::SequenceStep => Self::SequenceStep,
            Source::AiCampaign => Self::AiCampaign,
        }
    }
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
        self.0.kind == "image"
    }
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    async fn source(&self) -> MessageSource {
        Source::parse(&self.0.source)
            .unwrap_or(Source::Inbox)
            .into()
    }
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    async fn status(&self) -> OutboxStatusGql {
        outbox::status_of(&self.0).into()
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
            status: OutboxStatus::parse(&change.status)
                .unwrap_or(OutboxStatus::Failed)
                .into(),
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
    /// JPEG, PNG or WebP (decoded to check it), at most the configured upload size and 8192
    /// pixels a side. One file per request.
    image: Option<Upload>,
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
        let counts = outbox::counters(&state(ctx).db, "user", viewer.user_id.0).await?;
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
        let device_id = DeviceId::parse(&input.device_id)?;
        let key = input
            .idempotency_key
            .as_deref()
            .map(IdempotencyKey::parse)
            .transpose()?;
        let device = devices::find_owned(&app.db, viewer.user_id, device_id).await?;
        let (phone, jid) = recipient(input.chat_jid.as_deref(), input.phone.as_deref())?;
        let image = match input.image {
            Some(upload) => Some(checked_image(ctx, app, upload).await?),
            None => None,
        };
        let caption = input
            .caption
            .or_else(|| input.text.clone())
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        let text = match &image {
            Some(_) => {
                check_caption(caption.as_deref())?;
                None
            }
            None => Some(Content::text(input.text.as_deref().unwrap_or_default())?),
        };
        if matches!(devices::status_of(&device), DeviceStatus::LoggedOut) || device.jid.is_none() {
            return Err(AppError::DeviceOffline(
                "This device is not paired; pair it before sending.".into(),
            )
            .into());
        }
        // Accepted: from here on something is stored (the key, then the file, then the row).
        let send = send_accepted(
            app,
            viewer.user_id,
            device_id,
            &jid,
            phone,
            text,
            image.clone(),
            caption.clone(),
        );
        let message = match &key {
            None => send.await?,
            Some(key) => {
                let fingerprint = send_fingerprint(
                    device_id,
                    &jid,
                    input.text.as_deref(),
                    caption.as_deref(),
                    image.as_ref(),
                );
                match idempotency::run_once(
                    &app.db,
                    viewer.user_id,
                    key,
                    &fingerprint,
                    |m| m.outbox_id,
                    send,
                )
                .await?
                {
                    Once::First(message) => message,
                    Once::Repeat(outbox_id) => {
                        inbox::message_for_outbox(&app.db, viewer.user_id, outbox_id).await?
                    }
                }
            }
        };
        Ok(Message(message))
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

fn recipient(chat_jid: Option<&str>, phone: Option<&str>) -> AppResult<(PhoneNumber, Jid)> {
    match (
        chat_jid.map(str::trim).filter(|s| !s.is_empty()),
        phone.map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (Some(jid), None) => {
            let jid = Jid::parse(jid).map_err(AppError::Validation)?;
            let phone = jid.phone().ok_or_else(|| {
                AppError::validation("Messages go to personal chats (…@s.whatsapp.net) only.")
            })?;
            Ok((phone, jid.to_non_device()))
        }
        (None, Some(phone)) => {
            let phone = PhoneNumber::parse(phone)?;
            let jid = Jid::from_phone(&phone);
            Ok((phone, jid))
        }
        _ => Err(AppError::validation(
            "Give either a chat (chatJid) or a phone number, not both.",
        )),
    }
}

/// What a repeat of this send must match to count as the same request.
fn send_fingerprint(
    device_id: DeviceId,
    jid: &Jid,
    text: Option<&str>,
    caption: Option<&str>,
    image: Option<&(bytes::Bytes, ImageType)>,
) -> String {
    let digest = image.map(|(bytes, _)| hex::encode(sha2::Sha256::digest(bytes)));
    idempotency::fingerprint(&[
        &device_id.to_string(),
        jid.as_str(),
        text.unwrap_or_default(),
        caption.unwrap_or_default(),
        digest.as_deref().unwrap_or_default(),
    ])
}

/// Stores the image (if any) and puts the message in the outbox and its thread.
#[expect(clippy::too_many_arguments)]
async fn send_accepted(
    app: &AppState,
    user: UserId,
    device_id: DeviceId,
    jid: &Jid,
    phone: PhoneNumber,
    text: Option<Content>,
    image: Option<(bytes::Bytes, ImageType)>,
    caption: Option<String>,
) -> AppResult<crate::entities::whatsapp_messages::Model> {
    let jid = jid.clone();
    let content = match (image, text) {
        (Some((bytes, kind)), _) => Content::Image {
            media_ref: media::store(&app.config.media_dir, &bytes, kind).await?,
            mime: kind.mime().to_owned(),
            caption,
        },
        (None, Some(text)) => text,
        (None, None) => return Err(AppError::validation("The message is empty.")),
    };
    let message = NewMessage::inbox(user, device_id, phone, jid, content);
    // The message shows in its thread at once, as PENDING.
    let (_, threads) = dispatcher::enqueue_with_threads(app, vec![message], true).await?;
    threads
        .and_then(|r| r.added.into_iter().next())
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the sent message was not recorded in its chat"
            ))
        })
}

/// A caption may be missing, but not longer than a text.
fn check_caption(caption: Option<&str>) -> AppResult<()> {
    if caption.is_some_and(|c| c.chars().count() > outbox::MAX_TEXT) {
        return Err(AppError::validation("The caption is too long."));
    }
    Ok(())
}

/// Reads the upload and checks it is an image we send (decoded, within the size limits).
/// Nothing is stored yet.
async fn checked_image(
    ctx: &Context<'_>,
    app: &AppState,
    upload: Upload,
) -> AppResult<(bytes::Bytes, ImageType)> {
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
    let bytes = bytes::Bytes::from(bytes);
    let kind = media::check_image(bytes.clone()).await.map_err(|problem| {
        AppError::validation(match problem {
            ImageProblem::UnknownType => "Only JPEG, PNG or WebP images can be sent.".to_owned(),
            ImageProblem::TooLarge { width, height } => format!(
                "The image is too large ({width} × {height} pixels; at most {} pixels a side and {} megapixels).",
                media::MAX_IMAGE_SIDE,
                media::MAX_IMAGE_PIXELS / 1_000_000
            ),
            ImageProblem::Broken => "The file is not a valid image.".to_owned(),
        })
    })?;
    Ok((bytes, kind))
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
