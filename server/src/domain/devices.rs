//! Devices: their settings, their status machine and everything stored about them.
//!
//! Status writes made by the node that runs a device's session are fenced: they carry the lease
//! token that node was given, and a write with an outdated token changes nothing.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Func},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    pagination::{Cursor, Page, PageRequest},
    Ports,
};
use crate::{
    auth::accounts::phone_country,
    entities::{device_status_changes, devices, users},
    ephemeral::Ephemeral,
    error::{AppError, AppResult},
    events::{self, DeviceCommand, Event, EventKind},
    types::{
        ids::{DeviceId, UserId},
        phone::PhoneNumber,
    },
};

pub use crate::entities::enums::DeviceStatus;

/// The reason a PAIRING device gives once its QR codes ran out unscanned.
pub const QR_EXPIRED_REASON: &str = "The QR code expired. Ask for a new one.";

/// Whether a device is waiting for someone to ask for a new QR code (its codes ran out), as
/// opposed to still getting its first one or failing to reach WhatsApp at all.
pub fn qr_expired(status: DeviceStatus, reason: Option<&str>) -> bool {
    status == DeviceStatus::Pairing && reason == Some(QR_EXPIRED_REASON)
}

/// A device name: 1 to 100 characters.
#[derive(Debug, Clone)]
pub struct DeviceName(String);

impl DeviceName {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(AppError::validation("Device name cannot be empty.")),
            n if n > 100 => Err(AppError::validation(
                "Device name is too long (at most 100 characters).",
            )),
            _ => Ok(Self(name.to_owned())),
        }
    }
}

pub const DEFAULT_MIN_DELAY: i32 = 5;
pub const DEFAULT_MAX_DELAY: i32 = 15;
const MAX_DELAY_SECONDS: i32 = 3600;

/// Human-like pacing between two sends of a device, in seconds, with min ≤ max.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendDelay {
    pub min_seconds: i32,
    pub max_seconds: i32,
}

impl SendDelay {
    pub fn new(min_seconds: i32, max_seconds: i32) -> AppResult<Self> {
        if !(0..=MAX_DELAY_SECONDS).contains(&min_seconds)
            || !(0..=MAX_DELAY_SECONDS).contains(&max_seconds)
        {
            return Err(AppError::validation(format!(
                "Delays must be between 0 and {MAX_DELAY_SECONDS} seconds."
            )));
        }
        if min_seconds > max_seconds {
            return Err(AppError::validation(
                "The minimum delay cannot be larger than the maximum delay.",
            ));
        }
        Ok(Self {
            min_seconds,
            max_seconds,
        })
    }
}

/// A daily send cap: a positive number, or none.
pub fn parse_daily_cap(cap: Option<i32>) -> AppResult<Option<i32>> {
    match cap {
        Some(n) if n <= 0 => Err(AppError::validation(
            "The daily cap must be a positive number (leave it empty for no cap).",
        )),
        other => Ok(other),
    }
}

pub struct NewDevice {
    pub name: DeviceName,
    pub delay: SendDelay,
    pub daily_cap: Option<i32>,
}

/// Creates a device in PAIRING.
/// Creates a device unless its owner already has `cap` of them. The count is taken under a
/// lock on the owner's row (SQLite runs one writer at a time anyway), so parallel adds cannot
/// pass the cap together.
pub async fn create_within_cap(
    db: &DatabaseConnection,
    owner: UserId,
    new: NewDevice,
    cap: u64,
) -> AppResult<devices::Model> {
    let txn = db.begin().await?;
    users::Entity::find_by_id(owner.0)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let owned = devices::Entity::find()
        .filter(devices::Column::UserId.eq(owner.0))
        .count(&txn)
        .await?;
    if owned >= cap {
        return Err(AppError::Conflict(format!(
            "You have {owned} devices, the most one account may have ({cap}). Delete one first."
        )));
    }
    let device = create(&txn, owner, new).await?;
    txn.commit().await?;
    Ok(device)
}

pub async fn create(
    db: &impl ConnectionTrait,
    owner: UserId,
    new: NewDevice,
) -> AppResult<devices::Model> {
    let now = Utc::now();
    let device = devices::ActiveModel {
        id: Set(DeviceId::new().0),
        user_id: Set(owner.0),
        name: Set(new.name.0),
        phone: Set(None),
        jid: Set(None),
        lid: Set(None),
        status: Set(DeviceStatus::Pairing),
        status_reason: Set(None),
        min_delay_seconds: Set(new.delay.min_seconds),
        max_delay_seconds: Set(new.delay.max_seconds),
        daily_cap: Set(new.daily_cap),
        banned_until: Set(None),
        paired_at: Set(None),
        last_seen_at: Set(None),
        lease_token: Set(0),
        lease_node: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    record_transition(db, &device, None).await?;
    tracing::info!(device.id = %device.id, user.id = %owner, "device added");
    Ok(device)
}

/// A device of `owner`; someone else's device is reported as not found.
pub async fn find_owned(
    db: &DatabaseConnection,
    owner: UserId,
    id: DeviceId,
) -> AppResult<devices::Model> {
    devices::Entity::find_by_id(id.0)
        .filter(devices::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Device"))
}

pub async fn find(db: &DatabaseConnection, id: DeviceId) -> AppResult<Option<devices::Model>> {
    Ok(devices::Entity::find_by_id(id.0).one(db).await?)
}

#[derive(Debug, Default)]
pub struct DeviceFilter {
    pub status: Option<DeviceStatus>,
    pub search: Option<String>,
}

/// The owner's devices, newest first.
pub async fn list(
    db: &DatabaseConnection,
    owner: UserId,
    filter: DeviceFilter,
    page: PageRequest,
) -> AppResult<Page<devices::Model>> {
    let mut condition = Condition::all().add(devices::Column::UserId.eq(owner.0));
    if let Some(status) = filter.status {
        condition = condition.add(devices::Column::Status.eq(status));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        condition = condition.add(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(devices::Column::Name))).like(pattern.clone()),
                )
                .add(devices::Column::Phone.like(pattern)),
        );
    }
    let total_count = devices::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = devices::Entity::find().filter(condition);
    if let Some(Cursor { created_at, id }) = page.after {
        query = query.filter(
            Condition::any()
                .add(devices::Column::CreatedAt.lt(created_at))
                .add(
                    Condition::all()
                        .add(devices::Column::CreatedAt.eq(created_at))
                        .add(devices::Column::Id.lt(id)),
                ),
        );
    }
    let mut items = query
        .order_by_desc(devices::Column::CreatedAt)
        .order_by_desc(devices::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next_page = items.len() as u64 > page.first;
    items.truncate(page.first as usize);
    Ok(Page {
        items,
        has_next_page,
        total_count,
    })
}

pub fn cursor_of(device: &devices::Model) -> Cursor {
    Cursor {
        created_at: device.created_at,
        id: device.id,
    }
}

#[derive(Debug, Default)]
pub struct DeviceUpdate {
    pub name: Option<DeviceName>,
    pub min_delay_seconds: Option<i32>,
    pub max_delay_seconds: Option<i32>,
    /// `Some(None)` removes the cap.
    pub daily_cap: Option<Option<i32>>,
}

pub async fn update(
    db: &DatabaseConnection,
    owner: UserId,
    id: DeviceId,
    update: DeviceUpdate,
) -> AppResult<devices::Model> {
    let device = find_owned(db, owner, id).await?;
    let delay = SendDelay::new(
        update.min_delay_seconds.unwrap_or(device.min_delay_seconds),
        update.max_delay_seconds.unwrap_or(device.max_delay_seconds),
    )?;
    let daily_cap = match update.daily_cap {
        Some(cap) => parse_daily_cap(cap)?,
        None => device.daily_cap,
    };
    let mut active = devices::ActiveModel::from(device);
    if let Some(name) = update.name {
        active.name = Set(name.0);
    }
    active.min_delay_seconds = Set(delay.min_seconds);
    active.max_delay_seconds = Set(delay.max_seconds);
    active.daily_cap = Set(daily_cap);
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

/// A status change, with what goes with it.
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub reason: Option<String>,
    pub banned_until: Option<DateTime<Utc>>,
}

/// Writes a status change made by the node holding lease `token`. `Ok(None)` when the token is
/// no longer current (another node took over) or the device is gone: the caller must stop.
pub async fn transition(
    db: &DatabaseConnection,
    id: DeviceId,
    token: i64,
    status: DeviceStatus,
    change: Transition,
) -> AppResult<Option<devices::Model>> {
    let now = Utc::now();
    let mut update = devices::Entity::update_many()
        .col_expr(devices::Column::Status, Expr::value(status))
        .col_expr(
            devices::Column::StatusReason,
            Expr::value(change.reason.clone()),
        )
        .col_expr(devices::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            devices::Column::BannedUntil,
            Expr::value(change.banned_until),
        );
    if status == DeviceStatus::Online {
        update = update.col_expr(devices::Column::LastSeenAt, Expr::value(now));
    }
    let result = update
        .filter(devices::Column::Id.eq(id.0))
        .filter(devices::Column::LeaseToken.eq(token))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    let Some(device) = find(db, id).await? else {
        return Ok(None);
    };
    record_transition(db, &device, change.reason).await?;
    Ok(Some(device))
}

/// Stores the identity the phone gave the device when it paired.
pub async fn record_pairing(
    db: &DatabaseConnection,
    id: DeviceId,
    token: i64,
    jid: &str,
    lid: Option<&str>,
    phone: Option<&PhoneNumber>,
) -> AppResult<bool> {
    let result = devices::Entity::update_many()
        .col_expr(devices::Column::Jid, Expr::value(jid))
        .col_expr(devices::Column::Lid, Expr::value(lid))
        .col_expr(
            devices::Column::Phone,
            Expr::value(phone.map(PhoneNumber::e164)),
        )
        .col_expr(devices::Column::PairedAt, Expr::value(Utc::now()))
        .col_expr(devices::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(devices::Column::Id.eq(id.0))
        .filter(devices::Column::LeaseToken.eq(token))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn record_transition(
    db: &impl ConnectionTrait,
    device: &devices::Model,
    reason: Option<String>,
) -> AppResult<()> {
    device_status_changes::ActiveModel {
        device_id: Set(device.id),
        status: Set(device.status),
        reason: Set(reason),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes over the device for a node: bumps the fencing token (the database is its authority,
/// so a token is never reused even if Redis forgets) and returns the new token.
pub async fn take_lease(
    db: &DatabaseConnection,
    id: DeviceId,
    node: &str,
) -> AppResult<Option<i64>> {
    let txn = db.begin().await?;
    let result = devices::Entity::update_many()
        .col_expr(
            devices::Column::LeaseToken,
            Expr::col(devices::Column::LeaseToken).add(1),
        )
        .col_expr(devices::Column::LeaseNode, Expr::value(node))
        .filter(devices::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let token = devices::Entity::find_by_id(id.0)
        .one(&txn)
        .await?
        .map(|d| d.lease_token);
    txn.commit().await?;
    Ok(token)
}

/// Devices whose session should run: paired and not stopped for good.
pub async fn runnable(db: &DatabaseConnection) -> AppResult<Vec<devices::Model>> {
    Ok(devices::Entity::find()
        .filter(devices::Column::Jid.is_not_null())
        .filter(devices::Column::Status.is_in([
            DeviceStatus::Online,
            DeviceStatus::Reconnecting,
            DeviceStatus::Offline,
            DeviceStatus::Banned,
        ]))
        .order_by_asc(devices::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Prepares a device to pair again (after a logout): forgets its identity.
pub async fn reset_for_pairing(db: &DatabaseConnection, id: DeviceId) -> AppResult<devices::Model> {
    devices::Entity::update_many()
        .col_expr(devices::Column::Jid, Expr::value(Option::<String>::None))
        .col_expr(devices::Column::Lid, Expr::value(Option::<String>::None))
        .col_expr(devices::Column::Status, Expr::value(DeviceStatus::Pairing))
        .col_expr(
            devices::Column::StatusReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(devices::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(devices::Column::Id.eq(id.0))
        .exec(db)
        .await?;
    let device = find(db, id).await?.ok_or(AppError::NotFound("Device"))?;
    record_transition(db, &device, Some("pairing again".into())).await?;
    Ok(device)
}

/// Marks a device logged out when no node runs its session (nothing to tell the phone through).
pub async fn mark_logged_out(db: &DatabaseConnection, id: DeviceId) -> AppResult<devices::Model> {
    let reason = "Logged out from the dashboard.";
    devices::Entity::update_many()
        .col_expr(
            devices::Column::Status,
            Expr::value(DeviceStatus::LoggedOut),
        )
        .col_expr(devices::Column::StatusReason, Expr::value(reason))
        .col_expr(devices::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(devices::Column::Id.eq(id.0))
        .exec(db)
        .await?;
    let device = find(db, id).await?.ok_or(AppError::NotFound("Device"))?;
    record_transition(db, &device, Some(reason.into())).await?;
    Ok(device)
}

/// What `delete` removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub chats: u64,
    pub messages: u64,
    pub leads: u64,
    pub outbox: u64,
}

/// Deletes the device and everything stored for it, in one transaction.
pub async fn delete(db: &DatabaseConnection, owner: UserId, id: DeviceId) -> AppResult<Removed> {
    let txn = db.begin().await?;
    // Locked first, so no outbox row is written for it meanwhile (see `outbox::lock_devices`).
    let device = devices::Entity::find_by_id(id.0)
        .filter(devices::Column::UserId.eq(owner.0))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("Device"))?;
    let (chats, messages) = super::inbox::delete_for_device(&txn, id).await?;
    let removed = Removed {
        outbox: super::outbox::delete_for_device(&txn, id).await?,
        leads: super::leads::delete_for_device(&txn, id).await?,
        chats,
        messages,
    };
    device_status_changes::Entity::delete_many()
        .filter(device_status_changes::Column::DeviceId.eq(device.id))
        .exec(&txn)
        .await?;
    devices::Entity::delete_by_id(device.id).exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(device.id = %device.id, "device deleted");
    Ok(removed)
}

/// The recent status history of a device, newest first.
pub async fn history(
    db: &DatabaseConnection,
    id: DeviceId,
    limit: u64,
) -> AppResult<Vec<device_status_changes::Model>> {
    Ok(device_status_changes::Entity::find()
        .filter(device_status_changes::Column::DeviceId.eq(id.0))
        .order_by_desc(device_status_changes::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The QR code a device currently shows, kept so a new subscriber sees it at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShownQr {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

fn qr_key(device_id: DeviceId) -> String {
    format!("qr:{device_id}")
}

/// The QR code the device shows now, if any.
pub async fn current_qr(ephemeral: &dyn Ephemeral, device_id: DeviceId) -> Option<ShownQr> {
    let raw = ephemeral.get(&qr_key(device_id)).await.ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

/// Remembers the QR code the device shows until it expires, and tells the owner's subscribers.
pub async fn show_qr(ports: Ports<'_>, owner: UserId, device_id: DeviceId, shown: ShownQr) {
    let ttl = (shown.expires_at - Utc::now())
        .to_std()
        .unwrap_or(Duration::from_secs(1));
    if let Ok(json) = serde_json::to_string(&shown) {
        if let Err(err) = ports.ephemeral.set(&qr_key(device_id), &json, ttl).await {
            tracing::warn!(error = %err, "cannot keep the current QR code");
        }
    }
    ports
        .events
        .publish(Event::qr_code(
            owner,
            device_id,
            shown.code,
            shown.expires_at,
        ))
        .await;
}

/// The device shows no QR code any more (paired, expired, stopped).
pub async fn clear_qr(ephemeral: &dyn Ephemeral, device_id: DeviceId) {
    let _ = ephemeral.delete(&qr_key(device_id)).await;
}

/// How long a mutation waits for the node running the device to act.
const DEVICE_ANSWER: Duration = Duration::from_secs(10);

/// Adds a device in PAIRING and asks a node to start its session; its QR code then arrives on
/// the event bus.
#[tracing::instrument(name = "devices.add", skip_all, fields(user.id = %owner))]
pub async fn add(ports: Ports<'_>, owner: UserId, new: NewDevice) -> AppResult<devices::Model> {
    let device = create_within_cap(ports.db, owner, new, ports.config.max_devices_per_user).await?;
    ports.events.publish(Event::device_changed(&device)).await;
    events::send_command(
        ports.events,
        owner,
        DeviceId(device.id),
        DeviceCommand::Start { pair_phone: None },
    )
    .await;
    Ok(device)
}

/// Starts pairing by phone number: the code to enter on that phone (Linked devices → Link with
/// phone number), as the node running the device got it from WhatsApp.
#[tracing::instrument(name = "devices.request_pairing_code", skip_all, fields(device.id = %id))]
pub async fn request_pairing_code(
    ports: Ports<'_>,
    owner: UserId,
    id: DeviceId,
    phone: &str,
) -> AppResult<(String, DateTime<Utc>)> {
    let phone = PhoneNumber::parse_in(phone, phone_country(ports.db, owner).await?)?;
    let device = find_owned(ports.db, owner, id).await?;
    if device.jid.is_some() {
        return Err(AppError::Conflict("This device is already paired.".into()));
    }
    let trigger = events::send_command(
        ports.events,
        owner,
        id,
        DeviceCommand::Start {
            pair_phone: Some(phone.e164()),
        },
    );
    events::request(
        ports.events,
        id,
        DEVICE_ANSWER,
        trigger,
        |kind| match kind {
            EventKind::DevicePairingCode {
                code, expires_at, ..
            } => Some(Ok((code.clone(), *expires_at))),
            EventKind::DeviceError { message, .. } => {
                Some(Err(AppError::DeviceOffline(message.clone())))
            }
            _ => None,
        },
    )
    .await
}

/// Changes a device's settings and tells its pacer and subscribers.
pub async fn change(
    ports: Ports<'_>,
    owner: UserId,
    id: DeviceId,
    changes: DeviceUpdate,
) -> AppResult<devices::Model> {
    let device = update(ports.db, owner, id, changes).await?;
    ports.events.publish(Event::device_changed(&device)).await;
    Ok(device)
}

/// Restarts the device's session now (and resets its restart count); a logged-out device
/// starts pairing again with a new QR code.
#[tracing::instrument(name = "devices.reconnect", skip_all, fields(device.id = %id))]
pub async fn reconnect(ports: Ports<'_>, owner: UserId, id: DeviceId) -> AppResult<devices::Model> {
    let mut device = find_owned(ports.db, owner, id).await?;
    if device.status == DeviceStatus::LoggedOut {
        device = reset_for_pairing(ports.db, id).await?;
        ports.events.publish(Event::device_changed(&device)).await;
    }
    events::send_command(ports.events, owner, id, DeviceCommand::Reconnect).await;
    events::send_command(
        ports.events,
        owner,
        id,
        DeviceCommand::Start { pair_phone: None },
    )
    .await;
    Ok(device)
}

/// Unlinks the device from its phone through the node running it; when no node runs it, marks
/// it logged out directly (there is no connection to tell the phone through).
#[tracing::instrument(name = "devices.log_out", skip_all, fields(device.id = %id))]
pub async fn log_out(ports: Ports<'_>, owner: UserId, id: DeviceId) -> AppResult<devices::Model> {
    find_owned(ports.db, owner, id).await?;
    let trigger = events::send_command(ports.events, owner, id, DeviceCommand::LogOut);
    let answer =
        events::request(
            ports.events,
            id,
            Duration::from_secs(3),
            trigger,
            |kind| match kind {
                EventKind::DeviceChanged { device } if device.status == DeviceStatus::LoggedOut => {
                    Some(Ok(()))
                }
                _ => None,
            },
        )
        .await;
    match answer {
        Ok(()) => find(ports.db, id)
            .await?
            .ok_or(AppError::NotFound("Device")),
        Err(AppError::DeviceOffline(_)) => {
            let device = mark_logged_out(ports.db, id).await?;
            ports.events.publish(Event::device_changed(&device)).await;
            Ok(device)
        }
        Err(err) => Err(err),
    }
}

/// Deletes the device (logging it out first) with everything stored for it; returns what was
/// removed.
#[tracing::instrument(name = "devices.delete", skip_all, fields(device.id = %id))]
pub async fn remove(ports: Ports<'_>, owner: UserId, id: DeviceId) -> AppResult<Removed> {
    let device = find_owned(ports.db, owner, id).await?;
    if device.jid.is_some() && device.status != DeviceStatus::LoggedOut {
        log_out(ports, owner, id).await?;
    }
    let removed = delete(ports.db, owner, id).await?;
    ports.events.publish(Event::device_deleted(&device)).await;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_must_be_ordered_and_bounded() {
        assert!(SendDelay::new(5, 15).is_ok());
        assert!(SendDelay::new(0, 0).is_ok());
        assert!(SendDelay::new(10, 5)
            .unwrap_err()
            .message()
            .contains("minimum"));
        assert!(SendDelay::new(-1, 5).is_err());
        assert!(SendDelay::new(1, 100_000).is_err());
    }

    #[test]
    fn daily_caps_are_positive() {
        assert_eq!(parse_daily_cap(None).unwrap(), None);
        assert_eq!(parse_daily_cap(Some(300)).unwrap(), Some(300));
        assert!(parse_daily_cap(Some(0)).is_err());
    }
}
