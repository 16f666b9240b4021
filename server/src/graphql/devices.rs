//! Devices: list, pair (QR or code), settings, reconnect, log out, delete, live events.

use std::time::Duration;

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, Subscription, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::{state, viewer, GqlResult};
use crate::{
    domain::{
        devices::{
            self, DeviceFilter, DeviceName, DeviceStatus, DeviceUpdate, NewDevice, SendDelay,
        },
        ids::{DeviceId, UserId},
        pagination::PageRequest,
        phone::PhoneNumber,
    },
    entities::{device_status_changes, devices as device_rows},
    error::{AppError, AppResult},
    events::{DeviceCommand, Event, EventKind},
    state::AppState,
    workers::{
        control,
        supervisor::{qr_key, ShownQr},
    },
};

/// Where a device is in its life: PAIRING → ONLINE ⇄ RECONNECTING → OFFLINE | LOGGED_OUT | BANNED | FAILED.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DeviceStatus")]
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

impl From<DeviceStatus> for DeviceStatusGql {
    fn from(status: DeviceStatus) -> Self {
        match status {
            DeviceStatus::Pairing => Self::Pairing,
            DeviceStatus::Online => Self::Online,
            DeviceStatus::Reconnecting => Self::Reconnecting,
            DeviceStatus::Offline => Self::Offline,
            DeviceStatus::LoggedOut => Self::LoggedOut,
            DeviceStatus::Banned => Self::Banned,
            DeviceStatus::Failed => Self::Failed,
        }
    }
}

impl From<DeviceStatusGql> for DeviceStatus {
    fn from(status: DeviceStatusGql) -> Self {
        match status {
            DeviceStatusGql::Pairing => Self::Pairing,
            DeviceStatusGql::Online => Self::Online,
            DeviceStatusGql::Reconnecting => Self::Reconnecting,
            DeviceStatusGql::Offline => Self::Offline,
            DeviceStatusGql::LoggedOut => Self::LoggedOut,
            DeviceStatusGql::Banned => Self::Banned,
            DeviceStatusGql::Failed => Self::Failed,
        }
    }
}

/// A WhatsApp account linked as a companion device.
pub struct Device(pub device_rows::Model);

#[Object]
impl Device {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
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
    async fn status(&self) -> DeviceStatusGql {
        devices::status_of(&self.0).into()
    }
    /// Why the device is in its status (the last error, the ban reason, …).
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    /// Default pacing between two sends, in seconds.
    async fn min_delay_seconds(&self) -> i32 {
        self.0.min_delay_seconds
    }
    async fn max_delay_seconds(&self) -> i32 {
        self.0.max_delay_seconds
    }
    /// At most this many sends per day; null for no cap.
    async fn daily_cap(&self) -> Option<i32> {
        self.0.daily_cap
    }
    async fn banned_until(&self) -> Option<DateTime<Utc>> {
        self.0.banned_until
    }
    async fn paired_at(&self) -> Option<DateTime<Utc>> {
        self.0.paired_at
    }
    /// When the device was last seen online.
    async fn last_seen_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_seen_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The QR code the device shows now (while PAIRING); scan it with WhatsApp on the phone.
    async fn qr_code(&self, ctx: &Context<'_>) -> GqlResult<Option<QrCode>> {
        if devices::status_of(&self.0) != DeviceStatus::Pairing {
            return Ok(None);
        }
        Ok(current_qr(state(ctx), DeviceId(self.0.id)).await)
    }
    /// Messages of this device in the outbox, by status (running totals, not counted per query).
    async fn send_counts(&self, ctx: &Context<'_>) -> GqlResult<SendCounts> {
        let loader = ctx.data_unchecked::<async_graphql::dataloader::DataLoader<super::loaders::DeviceCountsLoader>>();
        let counts = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
            .unwrap_or_default();
        Ok(SendCounts::from(&counts))
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

async fn current_qr(app: &AppState, device_id: DeviceId) -> Option<QrCode> {
    let raw = app.ephemeral.get(&qr_key(device_id)).await.ok().flatten()?;
    let shown: ShownQr = serde_json::from_str(&raw).ok()?;
    Some(QrCode {
        code: shown.code,
        expires_at: shown.expires_at,
    })
}

/// One status change of a device.
pub struct DeviceStatusChange(device_status_changes::Model);

#[Object]
impl DeviceStatusChange {
    async fn status(&self) -> DeviceStatusGql {
        DeviceStatus::parse(&self.0.status)
            .unwrap_or(DeviceStatus::Offline)
            .into()
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// How many messages are in each state. `queued` includes the one being sent.
#[derive(SimpleObject, Default)]
pub struct SendCounts {
    pending: i64,
    queued: i64,
    sent: i64,
    delivered: i64,
    read: i64,
    failed: i64,
    skipped: i64,
    cancelled: i64,
}

impl From<&std::collections::HashMap<crate::domain::outbox::OutboxStatus, i64>> for SendCounts {
    fn from(counts: &std::collections::HashMap<crate::domain::outbox::OutboxStatus, i64>) -> Self {
        use crate::domain::outbox::OutboxStatus as S;
        let get = |s: S| counts.get(&s).copied().unwrap_or(0);
        Self {
            pending: get(S::Pending),
            queued: get(S::Queued) + get(S::Sending),
            sent: get(S::Sent),
            delivered: get(S::Delivered),
            read: get(S::Read),
            failed: get(S::Failed),
            skipped: get(S::Skipped),
            cancelled: get(S::Cancelled),
        }
    }
}

/// A QR code to show until it expires; render `code` as a QR image.
#[derive(SimpleObject, Clone)]
pub struct QrCode {
    code: String,
    expires_at: DateTime<Utc>,
}

/// A code to type into WhatsApp on the phone (Linked devices → Link with phone number).
#[derive(SimpleObject, Clone)]
pub struct PairingCode {
    code: String,
    expires_at: DateTime<Utc>,
}

/// The total number of items, across all pages.
#[derive(SimpleObject)]
pub struct ConnectionCount {
    total_count: u64,
}

impl ConnectionCount {
    pub fn new(total_count: u64) -> Self {
        Self { total_count }
    }
}

pub type DeviceConnection = Connection<String, Device, ConnectionCount, EmptyFields>;

#[derive(InputObject)]
pub struct AddDeviceInput {
    name: String,
    /// Default 5.
    min_delay_seconds: Option<i32>,
    /// Default 15; at least `minDelaySeconds`.
    max_delay_seconds: Option<i32>,
    daily_cap: Option<i32>,
}

/// Fields left out stay as they are; `dailyCap: null` removes the cap.
#[derive(InputObject)]
pub struct UpdateDeviceInput {
    name: Option<String>,
    min_delay_seconds: Option<i32>,
    max_delay_seconds: Option<i32>,
    daily_cap: MaybeUndefined<i32>,
}

/// What `deleteDevice` removed along with the device.
#[derive(SimpleObject)]
pub struct DeleteDevicePayload {
    /// The id of the deleted device.
    device_id: ID,
    chats: u64,
    messages: u64,
    leads: u64,
    outbox: u64,
}

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

#[derive(SimpleObject)]
pub struct DeviceEvent {
    kind: DeviceEventKind,
    device: Device,
    qr_code: Option<QrCode>,
    pairing_code: Option<PairingCode>,
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
            ConnectionCount {
                total_count: result.total_count,
            },
        );
        connection.edges.extend(
            result
                .items
                .into_iter()
                .map(|device| Edge::new(devices::cursor_of(&device).encode(), Device(device))),
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
            Ok(device) => Ok(Some(Device(device))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }
}

#[derive(Default)]
pub struct DeviceMutation;

/// How long a mutation waits for the node running the device to act.
const DEVICE_ANSWER: Duration = Duration::from_secs(10);

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
        let app = state(ctx);
        let device = devices::create_within_cap(
            &app.db,
            viewer.user_id,
            new,
            app.config.max_devices_per_user,
        )
        .await?;
        publish_changed(app, &device).await;
        control::send(
            app,
            viewer.user_id,
            DeviceId(device.id),
            DeviceCommand::Start { pair_phone: None },
        )
        .await;
        Ok(Device(device))
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
        let phone = PhoneNumber::parse(&phone)?;
        let app = state(ctx);
        let device = devices::find_owned(&app.db, viewer.user_id, device_id).await?;
        if device.jid.is_some() {
            return Err(AppError::Conflict("This device is already paired.".into()).into());
        }
        let trigger = control::send(
            app,
            viewer.user_id,
            device_id,
            DeviceCommand::Start {
                pair_phone: Some(phone.e164()),
            },
        );
        let code = control::request(app, device_id, DEVICE_ANSWER, trigger, |kind| match kind {
            EventKind::DevicePairingCode {
                code, expires_at, ..
            } => Some(Ok(PairingCode {
                code: code.clone(),
                expires_at: *expires_at,
            })),
            EventKind::DeviceError { message, .. } => {
                Some(Err(AppError::DeviceOffline(message.clone())))
            }
            _ => None,
        })
        .await?;
        Ok(code)
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
        let app = state(ctx);
        let device = devices::update(&app.db, viewer.user_id, id, update).await?;
        publish_changed(app, &device).await;
        Ok(Device(device))
    }

    /// Restarts the device's session now (and resets its restart count). A logged-out device
    /// starts pairing again with a new QR code.
    async fn reconnect_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let app = state(ctx);
        let mut device = devices::find_owned(&app.db, viewer.user_id, id).await?;
        if devices::status_of(&device) == DeviceStatus::LoggedOut {
            device = devices::reset_for_pairing(&app.db, id).await?;
            publish_changed(app, &device).await;
        }
        control::send(app, viewer.user_id, id, DeviceCommand::Reconnect).await;
        control::send(
            app,
            viewer.user_id,
            id,
            DeviceCommand::Start { pair_phone: None },
        )
        .await;
        Ok(Device(device))
    }

    /// Unlinks the device from its phone.
    async fn log_out_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Device> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let app = state(ctx);
        devices::find_owned(&app.db, viewer.user_id, id).await?;
        Ok(Device(log_out(app, viewer.user_id, id).await?))
    }

    /// Deletes the device (logging it out first) with its chats, messages, leads and outbox
    /// rows, in one transaction; returns what was removed.
    async fn delete_device(&self, ctx: &Context<'_>, id: ID) -> GqlResult<DeleteDevicePayload> {
        let viewer = viewer(ctx)?;
        let id = DeviceId::parse(&id)?;
        let app = state(ctx);
        let device = devices::find_owned(&app.db, viewer.user_id, id).await?;
        if device.jid.is_some() && devices::status_of(&device) != DeviceStatus::LoggedOut {
            log_out(app, viewer.user_id, id).await?;
        }
        let removed = devices::delete(&app.db, viewer.user_id, id).await?;
        app.events
            .publish(Event {
                user_id: viewer.user_id.0,
                kind: EventKind::DeviceDeleted {
                    device: Box::new(device),
                },
            })
            .await;
        Ok(DeleteDevicePayload {
            device_id: ID(id.to_string()),
            chats: removed.chats,
            messages: removed.messages,
            leads: removed.leads,
            outbox: removed.outbox,
        })
    }
}

/// Logs the device out through the node running it; when no node runs it, marks it logged out
/// directly (there is no connection to tell the phone through).
async fn log_out(app: &AppState, owner: UserId, id: DeviceId) -> AppResult<device_rows::Model> {
    let trigger = control::send(app, owner, id, DeviceCommand::LogOut);
    let answer = control::request(
        app,
        id,
        Duration::from_secs(3),
        trigger,
        |kind| match kind {
            EventKind::DeviceChanged { device }
                if device.status == DeviceStatus::LoggedOut.as_str() =>
            {
                Some(Ok((**device).clone()))
            }
            _ => None,
        },
    )
    .await;
    match answer {
        Ok(device) => Ok(device),
        Err(AppError::DeviceOffline(_)) => {
            let device = devices::mark_logged_out(&app.db, id).await?;
            publish_changed(app, &device).await;
            Ok(device)
        }
        Err(err) => Err(err),
    }
}

async fn publish_changed(app: &AppState, device: &device_rows::Model) {
    app.events
        .publish(Event {
            user_id: device.user_id,
            kind: EventKind::DeviceChanged {
                device: Box::new(device.clone()),
            },
        })
        .await;
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
    ) -> Result<impl Stream<Item = DeviceEvent>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let app = state(ctx).clone();
        let only = match &device_id {
            Some(id) => {
                Some(devices::find_owned(&app.db, viewer.user_id, DeviceId::parse(id)?).await?)
            }
            None => None,
        };
        let mut initial = Vec::new();
        if let Some(device) = &only {
            if devices::status_of(device) == DeviceStatus::Pairing {
                if let Some(qr) = current_qr(&app, DeviceId(device.id)).await {
                    initial.push(DeviceEvent {
                        kind: DeviceEventKind::QrCode,
                        device: Device(device.clone()),
                        qr_code: Some(qr),
                        pairing_code: None,
                        message: None,
                    });
                }
            }
        }
        let only_id = only.map(|d| d.id);
        let owner = viewer.user_id.0;
        let live = BroadcastStream::new(app.events.subscribe()).filter_map(move |event| {
            let app = app.clone();
            async move {
                let event = event.ok()?;
                if event.user_id != owner || only_id.is_some_and(|id| event.device_id() != Some(id))
                {
                    return None;
                }
                to_device_event(&app, &event.kind).await
            }
        });
        Ok(futures::stream::iter(initial).chain(live))
    }
}

async fn to_device_event(app: &AppState, kind: &EventKind) -> Option<DeviceEvent> {
    let load =
        |id: uuid::Uuid| async move { devices::find(&app.db, DeviceId(id)).await.ok().flatten() };
    let event = |kind, device| DeviceEvent {
        kind,
        device: Device(device),
        qr_code: None,
        pairing_code: None,
        message: None,
    };
    Some(match kind {
        EventKind::DeviceChanged { device } => event(DeviceEventKind::Status, (**device).clone()),
        EventKind::DeviceDeleted { device } => event(DeviceEventKind::Deleted, (**device).clone()),
        EventKind::DeviceQrCode {
            device_id,
            code,
            expires_at,
        } => DeviceEvent {
            qr_code: Some(QrCode {
                code: code.clone(),
                expires_at: *expires_at,
            }),
            ..event(DeviceEventKind::QrCode, load(*device_id).await?)
        },
        EventKind::DevicePairingCode {
            device_id,
            code,
            expires_at,
        } => DeviceEvent {
            pairing_code: Some(PairingCode {
                code: code.clone(),
                expires_at: *expires_at,
            }),
            ..event(DeviceEventKind::PairingCode, load(*device_id).await?)
        },
        EventKind::DeviceError { device_id, message } => DeviceEvent {
            message: Some(message.clone()),
            ..event(DeviceEventKind::Error, load(*device_id).await?)
        },
        _ => return None,
    })
}
