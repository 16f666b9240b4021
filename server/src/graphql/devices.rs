//! Devices: list, pair (QR or code), settings, reconnect, log out, delete, live events.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, Subscription, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

use super::{state, user_events, viewer, GqlResult};
use crate::{
    domain::{
        devices::{
            self, DeviceFilter, DeviceName, DeviceStatus, DeviceUpdate, NewDevice, SendDelay,
        },
        outbox::OutboxStatus,
        pagination::PageRequest,
    },
    entities::{device_status_changes, devices as device_rows},
    error::AppError,
    events::{DeviceSnapshot, Event, EventKind},
    state::AppState,
    types::ids::{DeviceId, UserId},
};

/// Where a device is in its life: PAIRING → ONLINE ⇄ RECONNECTING → OFFLINE | LOGGED_OUT | BANNED | FAILED.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DeviceStatus", remote = "crate::entities::enums::DeviceStatus")]
pub enum DeviceStatusGql {
    /// Waiting for the phone to scan the QR code or enter the pairing code.
    Pairing,
    /// Connected; sends go out.
    Online,
    /// The connection dropped; reconnecting with backoff.
    Reconnecting,
    /// Paired, but its session is not running (the server stopped).
    Offline,
    /// Unlinked from the phone; pair it again with `reconnectDevice`.
    LoggedOut,
    /// Temporarily banned by WhatsApp until `bannedUntil`; sends are paused.
    Banned,
    /// Gave up after too many failed restarts in a row; `reconnectDevice` tries again.
    Failed,
}

pub struct Device(pub DeviceSnapshot);

impl From<device_rows::Model> for Device {
    fn from(row: device_rows::Model) -> Self {
        Self(DeviceSnapshot::from(&row))
    }
}

/// A WhatsApp account linked as a companion device.
#[Object]
impl Device {
    /// The device's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The name the user gave it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The phone number (E.164), once paired.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The WhatsApp JID, once paired.
    async fn jid(&self) -> Option<&str> {
        self.0.jid.as_deref()
    }
    /// Where the device is in its life.
    async fn status(&self) -> DeviceStatusGql {
        self.0.status.into()
    }
    /// Why the device is in its status (the last error, the ban reason, …).
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    /// True while PAIRING once its QR codes ran out unscanned: `reconnectDevice` gets new ones.
    /// (A PAIRING device without a QR code and with a `statusReason` otherwise cannot reach
    /// WhatsApp at all.)
    async fn qr_expired(&self) -> bool {
        devices::qr_expired(self.0.status, self.0.status_reason.as_deref())
    }
    /// Default pacing between two sends, in seconds: at least this long …
    async fn min_delay_seconds(&self) -> i32 {
        self.0.min_delay_seconds
    }
    /// … and at most this long (a random pause in between, like a person typing).
    async fn max_delay_seconds(&self) -> i32 {
        self.0.max_delay_seconds
    }
    /// At most this many sends per day; null for no cap.
    async fn daily_cap(&self) -> Option<i32> {
        self.0.daily_cap
    }
    /// While BANNED: when WhatsApp lifts the ban.
    async fn banned_until(&self) -> Option<DateTime<Utc>> {
        self.0.banned_until
    }
    /// When the phone linked the device.
    async fn paired_at(&self) -> Option<DateTime<Utc>> {
        self.0.paired_at
    }
    /// When the device was last seen online.
    async fn last_seen_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_seen_at
    }
    /// When the device was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the device last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The QR code the device shows now (while PAIRING); scan it with WhatsApp on the phone.
    async fn qr_code(&self, ctx: &Context<'_>) -> GqlResult<Option<QrCode>> {
        if self.0.status != DeviceStatus::Pairing {
            return Ok(None);
        }
        let shown = devices::current_qr(state(ctx).ephemeral.as_ref(), DeviceId(self.0.id)).await;
        Ok(shown.map(|shown| QrCode {
            code: shown.code,
            expires_at: shown.expires_at,
        }))
    }
    /// Messages of this device in the outbox, by status (running totals, not counted per query).
    async fn send_counts(&self, ctx: &Context<'_>) -> GqlResult<SendCounts> {
        let loader = ctx.data_unchecked::<DataLoader<super::loaders::DeviceCountsLoader>>();
        let counts = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
            .unwrap_or_default();
        Ok(SendCounts::from(&counts))
    }
    /// Recent chats (the inbox's window) with messages from the contact not read yet.
    async fn unread_chats(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let loader = ctx.data_unchecked::<DataLoader<super::loaders::UnreadChatsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{}", e.message())))?
            .unwrap_or(0))
    }
    /// The latest status changes, newest first.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] limit: u64,
    ) -> GqlResult<Vec<DeviceStatusChange>> {
        let rows = devices::history(&state(ctx).db, DeviceId(self.0.id), limit).await?;
        Ok(rows.into_iter().map(DeviceStatusChange).collect())
    }
}

pub struct DeviceStatusChange(device_status_changes::Model);

/// One status change of a device.
#[Object]
impl DeviceStatusChange {
    /// The status the device went into.
    async fn status(&self) -> DeviceStatusGql {
        self.0.status.into()
    }
    /// Why (the error, the ban reason, …).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// How many messages are in each state (running totals). `queued` includes the one being sent.
#[derive(SimpleObject, Default)]
pub struct SendCounts {
    /// Scheduled for later.
    pending: i64,
    /// Waiting on a device's queue, or being sent.
    queued: i64,
    /// Accepted by WhatsApp, not yet delivered.
    sent: i64,
    /// Delivered to the recipient's phone, not yet read.
    delivered: i64,
    /// Read by the recipient.
    read: i64,
    /// Not sent.
    failed: i64,
    /// Never sent, on purpose (e.g. opted out).
    skipped: i64,
    /// Called off before they were sent.
    cancelled: i64,
}

impl From<&std::collections::HashMap<OutboxStatus, i64>> for SendCounts {
    fn from(counts: &std::collections::HashMap<OutboxStatus, i64>) -> Self {
        let get = |s: OutboxStatus| counts.get(&s).copied().unwrap_or(0);
        Self {
            pending: get(OutboxStatus::Pending),
            queued: get(OutboxStatus::Queued) + get(OutboxStatus::Sending),
            sent: get(OutboxStatus::Sent),
            delivered: get(OutboxStatus::Delivered),
            read: get(OutboxStatus::Read),
            failed: get(OutboxStatus::Failed),
            skipped: get(OutboxStatus::Skipped),
            cancelled: get(OutboxStatus::Cancelled),
        }
    }
}

/// A QR code to show until it expires; render `code` as a QR image.
#[derive(SimpleObject, Clone)]
pub struct QrCode {
    /// The text to encode in the QR image.
    code: String,
    /// When WhatsApp stops accepting it (a new one follows).
    expires_at: DateTime<Utc>,
}

/// A code to type into WhatsApp on the phone (Linked devices → Link with phone number).
#[derive(SimpleObject, Clone)]
pub struct PairingCode {
    /// The eight characters to type.
    code: String,
    /// When the code stops working.
    expires_at: DateTime<Utc>,
}

/// The total number of items, across all pages.
#[derive(SimpleObject)]
pub struct ConnectionCount {
    /// Items matching the query on all pages together.
    total_count: u64,
}

impl ConnectionCount {
    pub fn new(total_count: u64) -> Self {
        Self { total_count }
    }
}

pub type DeviceConnection = Connection<String, Device, ConnectionCount, EmptyFields>;

/// A new device.
#[derive(InputObject)]
pub struct AddDeviceInput {
    /// What to call it, e.g. "Sales 1" (1 to 100 characters).
    name: String,
    /// Seconds at least between two sends; default 5.
    min_delay_seconds: Option<i32>,
    /// Seconds at most between two sends; default 15, at least `minDelaySeconds`.
    max_delay_seconds: Option<i32>,
    /// At most this many sends a day; leave out for no cap.
    daily_cap: Option<i32>,
}

/// Fields left out stay as they are; `dailyCap: null` removes the cap.
#[derive(InputObject)]
pub struct UpdateDeviceInput {
    /// A new name.
    name: Option<String>,
    /// Seconds at least between two sends.
    min_delay_seconds: Option<i32>,
    /// Seconds at most between two sends.
    max_delay_seconds: Option<i32>,
    /// Sends a day at most; null removes the cap.
    daily_cap: MaybeUndefined<i32>,
}

/// What `deleteDevice` removed along with the device.
#[derive(SimpleObject)]
pub struct DeleteDevicePayload {
    /// The id of the deleted device.
    device_id: ID,
    /// Chats removed.
    chats: u64,
    /// Chat messages removed.
    messages: u64,
    /// Leads of the device removed.
    leads: u64,
    /// Outbox rows removed.
    outbox: u64,
}

/// What a device event is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DeviceEventKind {
    /// The device changed (status or settings).
    Status,
    /// A new QR code to show.
    QrCode,
    /// A pairing code to enter on the phone.
    PairingCode,
    /// Something went wrong; see `message`.
    Error,
    /// The device was deleted.
    Deleted,
}

/// Something that happened to a device.
#[derive(SimpleObject)]
pub struct DeviceEvent {
    /// What happened.
    kind: DeviceEventKind,
    /// The device as it is now (as it was, for `DELETED`).
    device: Device,
    /// For `QR_CODE`: the code to show.
    qr_code: Option<QrCode>,
    /// For `PAIRING_CODE`: the code to enter on the phone.
    pairing_code: Option<PairingCode>,
    /// For `ERROR`: what went wrong.
    message: Option<String>,
}

#[derive(Default)]
pub struct DeviceQuery;

#[Object]
impl DeviceQuery {
    /// The user's devices, newest first.
    async fn devices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<DeviceStatusGql>,
        search: Option<String>,
    ) -> GqlResult<DeviceConnection> {
        let viewer = viewer(ctx)?;
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = DeviceFilter {
            status: status.map(Into::into),
            search,
        };
        let result = devices::list(&state(ctx).db, viewer.user_id, filter, page).await?;
        let mut connection = DeviceConnection::with_additional_fields(
            page.after.is_some(),
            result.has_next_page,
            ConnectionCount::new(result.total_count),
        );
        connection.edges.extend(
            result.items.into_iter().map(|device| {
                Edge::new(devices::cursor_of(&device).encode(), Device::from(device))
            }),
        );
        Ok(connection)
    }

    /// One device; null when it does not exist or is not yours.
    async fn device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Device>> {
        let viewer = viewer(ctx)?;
        let Ok(id) = DeviceId::parse(&id) else {
            return Ok(None);
        };
        match devices::find_owned(&state(ctx).db, viewer.user_id, id).await {
            Ok(device) => Ok(Some(device.into())),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }
}

#[derive(Default)]
pub struct DeviceMutation;

#[Object]
impl DeviceMutation {
    /// Adds a device in PAIRING; its QR code arrives on `deviceEvents`. An account has at most
    /// `WAFLEET_MAX_DEVICES_PER_USER` devices (CONFLICT past it).
    async fn add_device(&self, ctx: &Context<'_>, input: AddDeviceInput) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let new = NewDevice {
            name: DeviceName::parse(&input.name)?,
            delay: SendDelay::new(
                input
                    .min_delay_seconds
                    .unwrap_or(devices::DEFAULT_MIN_DELAY),
                input
                    .max_delay_seconds
                    .unwrap_or(devices::DEFAULT_MAX_DELAY),
            )?,
            daily_cap: devices::parse_daily_cap(input.daily_cap)?,
        };
        let device = devices::add(state(ctx).ports(), viewer.user_id, new).await?;
        Ok(device.into())
    }

    /// Pairs by phone number instead of QR: returns the code to enter on that phone.
    async fn request_pairing_code(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        phone: String,
    ) -> GqlResult<PairingCode> {
        let viewer = viewer(ctx)?;
        let device_id = DeviceId::parse(&device_id)?;
        let (code, expires_at) =
            devices::request_pairing_code(state(ctx).ports(), viewer.user_id, device_id, &phone)
                .await?;
        Ok(PairingCode { code, expires_at })
    }

    /// Changes a device's name, default delays or daily cap.
    async fn update_device(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateDeviceInput,
    ) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let update = DeviceUpdate {
            name: input.name.as_deref().map(DeviceName::parse).transpose()?,
            min_delay_seconds: input.min_delay_seconds,
            max_delay_seconds: input.max_delay_seconds,
            daily_cap: match input.daily_cap {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(cap) => Some(Some(cap)),
            },
        };
        let device = devices::change(state(ctx).ports(), viewer.user_id, id, update).await?;
        Ok(device.into())
    }

    /// Restarts the device's session now (and resets its restart count). A logged-out device
    /// starts pairing again with a new QR code.
    async fn reconnect_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let device = devices::reconnect(state(ctx).ports(), viewer.user_id, id).await?;
        Ok(device.into())
    }

    /// Unlinks the device from its phone.
    async fn log_out_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let device = devices::log_out(state(ctx).ports(), viewer.user_id, id).await?;
        Ok(device.into())
    }

    /// Deletes the device (logging it out first) with its chats, messages, leads and outbox
    /// rows, in one transaction; returns what was removed.
    async fn delete_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<DeleteDevicePayload> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let removed = devices::remove(state(ctx).ports(), viewer.user_id, id).await?;
        Ok(DeleteDevicePayload {
            device_id: ID(id.to_string()),
            chats: removed.chats,
            messages: removed.messages,
            leads: removed.leads,
            outbox: removed.outbox,
        })
    }
}

#[derive(Default)]
pub struct DeviceSubscription;

#[Subscription]
impl DeviceSubscription {
    /// Status changes, QR codes, pairing codes and errors of one device, or of all your devices.
    /// A new subscriber to a PAIRING device gets its current QR code at once.
    async fn device_events(
        &self,
        ctx: &Context<'_>,
        device_id: Option<ID>,
    ) -> Result<impl Stream<Item = GqlResult<DeviceEvent>>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let app = state(ctx).clone();
        let only = match &device_id {
            Some(id) => {
                Some(devices::find_owned(&app.db, viewer.user_id, DeviceId::parse(id)?).await?)
            }
            None => None,
        };
        let mut initial = Vec::new();
        if let Some(device) = only.as_ref().filter(|d| d.status == DeviceStatus::Pairing) {
            if let Some(qr) = devices::current_qr(app.ephemeral.as_ref(), DeviceId(device.id)).await
            {
                initial.push(Ok(DeviceEvent {
                    kind: DeviceEventKind::QrCode,
                    device: device.clone().into(),
                    qr_code: Some(QrCode {
                        code: qr.code,
                        expires_at: qr.expires_at,
                    }),
                    pairing_code: None,
                    message: None,
                }));
            }
        }
        let only_id = only.map(|d| d.id);
        let owner = viewer.user_id;
        let live = user_events(ctx, owner, move |event: &Event| {
            let wanted = only_id.is_none_or(|id| event.device_id() == Some(id));
            if wanted {
                vec![event.kind.clone()]
            } else {
                Vec::new()
            }
        })
        .filter_map(move |kind| {
            let app = app.clone();
            async move {
                match kind {
                    Ok(kind) => to_device_event(&app, owner, kind).await.map(Ok),
                    Err(err) => Some(Err(err)),
                }
            }
        });
        Ok(futures::stream::iter(initial).chain(live))
    }
}

/// The device event a bus event means for a subscriber, if any. Events that carry only the
/// device's id (QR codes, pairing codes, errors: a few a minute while pairing) read the device.
async fn to_device_event(app: &AppState, owner: UserId, kind: EventKind) -> Option<DeviceEvent> {
    let load = |id: uuid::Uuid| async move {
        let device = devices::find_owned(&app.db, owner, DeviceId(id))
            .await
            .ok()?;
        Some(Device::from(device))
    };
    let event = |kind, device| DeviceEvent {
        kind,
        device,
        qr_code: None,
        pairing_code: None,
        message: None,
    };
    Some(match kind {
        EventKind::DeviceChanged { device } => event(DeviceEventKind::Status, Device(device)),
        EventKind::DeviceDeleted { device } => event(DeviceEventKind::Deleted, Device(device)),
        EventKind::DeviceQrCode {
            device_id,
            code,
            expires_at,
        } => DeviceEvent {
            qr_code: Some(QrCode { code, expires_at }),
            ..event(DeviceEventKind::QrCode, load(device_id).await?)
        },
        EventKind::DevicePairingCode {
            device_id,
            code,
            expires_at,
        } => DeviceEvent {
            pairing_code: Some(PairingCode { code, expires_at }),
            ..event(DeviceEventKind::PairingCode, load(device_id).await?)
        },
        EventKind::DeviceError { device_id, message } => DeviceEvent {
            message: Some(message),
            ..event(DeviceEventKind::Error, load(device_id).await?)
        },
        _ => return None,
    })
}
