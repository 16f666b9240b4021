//! AI campaigns: the user's lead pool dealt over the chosen ONLINE devices, in rounds, at most
//! `perDeviceLimit` leads per device, each lead sent at most once by the campaign.
//!
//! Every scheduler tick runs one round per RUNNING AI campaign, in one transaction that holds
//! the campaign's row (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so a second node skips a campaign
//! another is dealing; SQLite has one writer):
//!
//! 1. **settle** the deals whose rows are final: SENT or FAILED (the lead too), or given back
//!    when the row was cancelled or removed; a device's failures in a row are counted here and
//!    the third one puts it out of the campaign (FAILED);
//! 2. **give back** what a device that went away (not ONLINE, or FAILED) had not sent yet: its
//!    QUEUED and PENDING rows are removed by a conditional delete (a row being sent is never
//!    taken), their deals RETURNED with the reason, their leads PENDING again;
//! 3. **deal**: every ACTIVE, ONLINE device with room is filled up to `OPEN_PER_DEVICE` unsent
//!    rows, the pool's oldest PENDING leads claimed by one conditional update and spread by
//!    water-filling (the device with the fewest leads dealt first), so no device has two more
//!    than another while it has room; a re-dealt lead records where it went;
//! 4. **end** when nothing is out: COMPLETED when no lead is left, COMPLETED_WITH_PENDING when
//!    leads are left but no device has room (or every device failed).
//!
//! "No lead twice" rests on the database: a lead's deals in one campaign are unique unless given
//! back (a partial unique index), a deal is given back only with its QUEUED/PENDING row
//! removed in the same transaction, and claiming a lead is conditional on it being PENDING.

use std::{
    cmp::Reverse,
    collections::{BinaryHeap, HashMap, HashSet},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, OnConflict, Query, SimpleExpr},
    sea_query::{LockBehavior, LockType},
    ActiveEnum,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    TransactionTrait, Value,
};
use uuid::Uuid;

use super::{device_ids, message_kind, niches, publish, CampaignKind, CampaignStatus};
use crate::{
    domain::{
        leads::{self, LeadFilter},
        outbox::{self, send, CounterDeltas, DevicesToLock, OutboxStatus, RowOwners},
        Ports,
    },
    entities::{
        ai_campaign_deals as deals, ai_campaign_devices as parts, broadcast_messages as rows,
        campaigns, devices,
        enums::{AiDeviceStatus, AiLeadStatus, AudienceKind, DealState, DeviceStatus, Source},
        leads as lead_rows,
    },
    error::{AppError, AppResult},
    types::ids::{CampaignId, UserId},
};

/// Unsent rows a device holds at most: a round tops it up to this many (about half an hour of
/// sends at the default 10–30 s pacing), so a device that goes away gives back at most that and
/// a device that comes back finds leads left to take.
pub const OPEN_PER_DEVICE: i32 = 100;
/// Failed sends in a row that put a device out of a campaign.
pub const FAILURES_IN_A_ROW: i32 = 3;
/// Ids per statement in `IN (…)` lists (well below SQLite's bound on parameters).
const CHUNK: usize = 900;

/// Why a device's unsent leads went back to the pool.
const OFFLINE: &str = "device went offline";
const REMOVED: &str = "device removed";
const CANCELLED: &str = "campaign cancelled";

fn failed_reason() -> String {
    format!("{FAILURES_IN_A_ROW} sends failed in a row")
}

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RoundCounts {
    pub dealt: u64,
    pub settled: u64,
    pub returned: u64,
    pub ended: bool,
}

/// Starts an AI campaign once (the atomic SCHEDULED → RUNNING update) and deals its first
/// round. `None` when another node (or an earlier tick) started it.
pub async fn start(
    ports: Ports<'_>,
    campaign: &campaigns::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let txn = ports.db.begin().await?;
    let won = campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::Status,
            Expr::value(CampaignStatus::Running),
        )
        .col_expr(campaigns::Column::StartedAt, Expr::value(now))
        .col_expr(campaigns::Column::PausedReason, Expr::value(None::<String>))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Id.eq(campaign.id))
        .filter(campaigns::Column::Status.eq(CampaignStatus::Scheduled))
        .exec(&txn)
        .await?;
    if won.rows_affected == 0 {
        return Ok(None);
    }
    let chosen: Vec<Uuid> = device_ids(campaign).into_iter().map(|d| d.0).collect();
    let mut query = devices::Entity::find()
        .select_only()
        .column(devices::Column::Id)
        .column(devices::Column::Status)
        .filter(devices::Column::UserId.eq(campaign.user_id));
    if !chosen.is_empty() {
        query = query.filter(devices::Column::Id.is_in(chosen.iter().copied()));
    }
    let found: Vec<(Uuid, DeviceStatus)> = query.into_tuple().all(&txn).await?;
    let online = found
        .iter()
        .filter(|(_, s)| *s == DeviceStatus::Online)
        .count();
    if online == 0 {
        let reason = if chosen.is_empty() {
            "No device was online when it started: connect a device, then clone the campaign."
        } else {
            "None of the chosen devices was online when it started: connect one, then clone the campaign."
        };
        end(&txn, campaign.id, CampaignStatus::Failed, Some(reason), now).await?;
        txn.commit().await?;
        notify(ports, campaign.id).await?;
        return Ok(Some(0));
    }
    // All chosen devices take part (an offline one joins when it is back); with none chosen,
    // the devices online now.
    let taking_part: Vec<parts::ActiveModel> = found
        .iter()
        .filter(|(_, s)| !chosen.is_empty() || *s == DeviceStatus::Online)
        .map(|(device, _)| parts::ActiveModel {
            campaign_id: Set(campaign.id),
            device_id: Set(*device),
            status: Set(AiDeviceStatus::Active),
            dealt: Set(0),
            sent: Set(0),
            failed: Set(0),
            failures_in_a_row: Set(0),
            reason: Set(None),
            updated_at: Set(now),
        })
        .collect();
    for chunk in taking_part.chunks(CHUNK) {
        parts::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([parts::Column::CampaignId, parts::Column::DeviceId])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(campaign.id = %campaign.id, devices = found.len(), "AI campaign started");
    let round = round(ports, campaign.id, now).await?;
    Ok(Some(round.dealt))
}

/// One round of every RUNNING AI campaign.
pub async fn tick(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<RoundCounts> {
    let running: Vec<Uuid> = campaigns::Entity::find()
        .select_only()
        .column(campaigns::Column::Id)
        .filter(campaigns::Column::Status.eq(CampaignStatus::Running))
        .filter(campaigns::Column::Kind.eq(CampaignKind::Ai))
        .into_tuple()
        .all(ports.db)
        .await?;
    let mut total = RoundCounts::default();
    for id in running {
        let counts = round(ports, id, now).await?;
        total.dealt += counts.dealt;
        total.settled += counts.settled;
        total.returned += counts.returned;
        total.ended |= counts.ended;
    }
    // Paused, cancelled or ended campaigns with sends still out (a row being sent when it
    // stopped): those settle as they finish, so their leads end SENT or FAILED, never ASSIGNED.
    let out = Query::select()
        .expr(Expr::val(1))
        .from(deals::Entity)
        .and_where(
            Expr::col((deals::Entity, deals::Column::CampaignId))
                .equals((campaigns::Entity, campaigns::Column::Id)),
        )
        .and_where(Expr::col((deals::Entity, deals::Column::State)).eq(DealState::Open))
        .to_owned();
    let stopped: Vec<Uuid> = campaigns::Entity::find()
        .select_only()
        .column(campaigns::Column::Id)
        .filter(campaigns::Column::Kind.eq(CampaignKind::Ai))
        .filter(
            campaigns::Column::Status
                .is_not_in([CampaignStatus::Running, CampaignStatus::Scheduled]),
        )
        .filter(Expr::exists(out))
        .into_tuple()
        .all(ports.db)
        .await?;
    for id in stopped {
        let txn = ports.db.begin().await?;
        let held = campaigns::Entity::find_by_id(id)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .one(&txn)
            .await?;
        if held.is_none() {
            continue;
        }
        let settled = settle_all(&txn, id, now).await?;
        txn.commit().await?;
        total.settled += settled;
        if settled > 0 {
            notify(ports, id).await?;
        }
    }
    Ok(total)
}

/// The devices taking part, by id, as the round changes them.
type Parts = HashMap<Uuid, parts::Model>;

/// One round of one campaign (see the module comment).
pub async fn round(
    ports: Ports<'_>,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<RoundCounts> {
    let txn = ports.db.begin().await?;
    let Some(campaign) = campaigns::Entity::find_by_id(campaign_id)
        .filter(campaigns::Column::Status.eq(CampaignStatus::Running))
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .one(&txn)
        .await?
    else {
        return Ok(RoundCounts::default());
    };
    let mut counts = RoundCounts::default();
    let mut deltas = CounterDeltas::default();
    let mut taking_part: Parts = parts::Entity::find()
        .filter(parts::Column::CampaignId.eq(campaign.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.device_id, p))
        .collect();
    let before = taking_part.clone();
    let statuses: HashMap<Uuid, DeviceStatus> = devices::Entity::find()
        .select_only()
        .column(devices::Column::Id)
        .column(devices::Column::Status)
        .filter(devices::Column::Id.is_in(taking_part.keys().copied()))
        .into_tuple::<(Uuid, DeviceStatus)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();

    counts.settled = settle(&txn, campaign.id, &mut taking_part, now).await?;

    // Devices that went away give back what they have not sent.
    let mut away: HashMap<&'static str, Vec<Uuid>> = HashMap::new();
    for part in taking_part.values() {
        if part.dealt == part.sent + part.failed {
            continue;
        }
        let reason = match statuses.get(&part.device_id) {
            None => REMOVED,
            Some(DeviceStatus::Online) if part.status != AiDeviceStatus::Failed => continue,
            Some(DeviceStatus::Online) => "failed",
            Some(_) => OFFLINE,
        };
        away.entry(reason).or_default().push(part.device_id);
    }
    for (reason, devices) in away {
        let reason = if reason == "failed" {
            failed_reason()
        } else {
            reason.to_owned()
        };
        counts.returned += give_back(
            &txn,
            campaign.id,
            &devices,
            &reason,
            &mut taking_part,
            &mut deltas,
            now,
        )
        .await?;
    }

    let dealt = deal(
        &txn,
        &campaign,
        &statuses,
        &mut taking_part,
        &mut deltas,
        now,
    )
    .await?;
    counts.dealt = dealt.len() as u64;

    for part in taking_part.values_mut() {
        if part.status != AiDeviceStatus::Failed {
            part.status = match campaign.per_device_limit {
                Some(limit) if part.dealt >= limit => AiDeviceStatus::LimitReached,
                _ => AiDeviceStatus::Active,
            };
        }
    }
    let changed: Vec<parts::Model> = taking_part
        .values()
        .filter(|p| before.get(&p.device_id) != Some(*p))
        .cloned()
        .collect();
    save_parts(&txn, changed.clone(), now).await?;
    deltas.apply(&txn).await?;

    let out: i32 = taking_part
        .values()
        .map(|p| p.dealt - p.sent - p.failed)
        .sum();
    if out == 0 && dealt.is_empty() {
        let has_room = taking_part
            .values()
            .any(|p| p.status == AiDeviceStatus::Active);
        let left = leads_left(&txn, &campaign).await?;
        if left == 0 {
            end(&txn, campaign.id, CampaignStatus::Completed, None, now).await?;
            counts.ended = true;
        } else if !has_room {
            let why = if taking_part
                .values()
                .all(|p| p.status == AiDeviceStatus::Failed)
            {
                "every device failed"
            } else {
                "every device reached its limit"
            };
            let reason = format!(
                "{left} lead{} left for a later campaign: {why}.",
                if left == 1 { "" } else { "s" }
            );
            end(
                &txn,
                campaign.id,
                CampaignStatus::CompletedWithPending,
                Some(&reason),
                now,
            )
            .await?;
            counts.ended = true;
        }
        // Otherwise devices with room are offline: the campaign waits for them.
    }
    txn.commit().await?;
    send::push_ids(ports.queue, dealt.iter().map(|r| (r.device_id, r.id))).await;
    if counts.ended
        || counts.dealt > 0
        || counts.settled > 0
        || counts.returned > 0
        || !changed.is_empty()
    {
        notify(ports, campaign.id).await?;
    }
    Ok(counts)
}

async fn notify(ports: Ports<'_>, campaign_id: Uuid) -> AppResult<()> {
    if let Some(current) = campaigns::Entity::find_by_id(campaign_id)
        .one(ports.db)
        .await?
    {
        publish(ports.events, &current).await;
    }
    Ok(())
}

async fn end(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    status: CampaignStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    campaigns::Entity::update_many()
        .col_expr(campaigns::Column::Status, Expr::value(status))
        .col_expr(
            campaigns::Column::PausedReason,
            Expr::value(reason.map(str::to_owned)),
        )
        .col_expr(campaigns::Column::CompletedAt, Expr::value(now))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Id.eq(campaign_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// An open deal whose row is final (or gone).
#[derive(Debug, FromQueryResult)]
struct Settled {
    id: i64,
    lead_id: Uuid,
    device_id: Uuid,
    row_status: Option<OutboxStatus>,
    row_updated_at: Option<DateTime<Utc>>,
}

/// Settles the campaign's open deals whose rows are final: SENT or FAILED (the lead too), given
/// back when the row was cancelled or removed. Counts failures in a row per device; the third
/// puts the device out of the campaign. How many deals were settled.
pub async fn settle(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    taking_part: &mut Parts,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let open = [
        OutboxStatus::Pending,
        OutboxStatus::Queued,
        OutboxStatus::Sending,
    ];
    let select = Query::select()
        .expr_as(
            Expr::col((deals::Entity, deals::Column::Id)),
            Alias::new("id"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::LeadId)),
            Alias::new("lead_id"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::DeviceId)),
            Alias::new("device_id"),
        )
        .expr_as(
            Expr::col((rows::Entity, rows::Column::Status)),
            Alias::new("row_status"),
        )
        .expr_as(
            Expr::col((rows::Entity, rows::Column::UpdatedAt)),
            Alias::new("row_updated_at"),
        )
        .from(deals::Entity)
        .join(
            JoinType::LeftJoin,
            rows::Entity,
            Expr::col((rows::Entity, rows::Column::Id))
                .equals((deals::Entity, deals::Column::RowId)),
        )
        .and_where(Expr::col((deals::Entity, deals::Column::CampaignId)).eq(campaign_id))
        .and_where(Expr::col((deals::Entity, deals::Column::State)).eq(DealState::Open))
        .cond_where(
            Condition::any()
                .add(Expr::col((rows::Entity, rows::Column::Id)).is_null())
                .add(Expr::col((rows::Entity, rows::Column::Status)).is_not_in(open)),
        )
        .to_owned();
    let backend = txn.get_database_backend();
    let mut settled = Settled::find_by_statement(backend.build(&select))
        .all(txn)
        .await?;
    if settled.is_empty() {
        return Ok(0);
    }
    // In the order they ended, so failures in a row are counted in the order they happened.
    settled.sort_by_key(|s| (s.row_updated_at, s.id));
    let (mut sent, mut failed, mut returned) = (Vec::new(), Vec::new(), Vec::new());
    for deal in &settled {
        let Some(part) = taking_part.get_mut(&deal.device_id) else {
            continue;
        };
        match deal.row_status {
            Some(OutboxStatus::Sent | OutboxStatus::Delivered | OutboxStatus::Read) => {
                part.sent += 1;
                part.failures_in_a_row = 0;
                sent.push(deal);
            }
            Some(OutboxStatus::Failed) => {
                part.failed += 1;
                part.failures_in_a_row += 1;
                if part.failures_in_a_row >= FAILURES_IN_A_ROW
                    && part.status != AiDeviceStatus::Failed
                {
                    part.status = AiDeviceStatus::Failed;
                    part.reason = Some(failed_reason());
                }
                failed.push(deal);
            }
            // Cancelled (the campaign was), skipped, or removed with its device.
            _ => {
                part.dealt -= 1;
                returned.push(deal);
            }
        }
    }
    for (state, group, lead_status) in [
        (DealState::Sent, &sent, Some(AiLeadStatus::Sent)),
        (DealState::Failed, &failed, Some(AiLeadStatus::Failed)),
        (DealState::Returned, &returned, Some(AiLeadStatus::Pending)),
    ] {
        for chunk in group.chunks(CHUNK) {
            let reason = (state == DealState::Returned).then(|| {
                if chunk.iter().any(|d| d.row_status.is_none()) {
                    REMOVED
                } else {
                    CANCELLED
                }
            });
            deals::Entity::update_many()
                .col_expr(deals::Column::State, Expr::value(state))
                .col_expr(
                    deals::Column::Reason,
                    Expr::value(reason.map(str::to_owned)),
                )
                .col_expr(deals::Column::SettledAt, Expr::value(now))
                .filter(deals::Column::Id.is_in(chunk.iter().map(|d| d.id)))
                .exec(txn)
                .await?;
            let mut update = lead_rows::Entity::update_many()
                .col_expr(lead_rows::Column::Status, Expr::value(lead_status))
                .col_expr(lead_rows::Column::UpdatedAt, Expr::value(now));
            update = match state {
                DealState::Sent => update.col_expr(lead_rows::Column::SentAt, Expr::value(now)),
                DealState::Returned => {
                    update.col_expr(lead_rows::Column::DeviceId, Expr::value(None::<Uuid>))
                }
                _ => update,
            };
            update
                .filter(lead_rows::Column::Id.is_in(chunk.iter().map(|d| d.lead_id)))
                .exec(txn)
                .await?;
        }
    }
    Ok(settled.len() as u64)
}

/// Gives back the unsent leads of `devices`: their QUEUED and PENDING rows of the campaign are
/// removed (conditionally: a row being sent stays and settles as usual; a pacer holding a
/// removed row's id finds nothing to claim), their deals RETURNED with `reason`, their leads
/// PENDING. Removing rather than cancelling keeps the campaign's totals to the messages that
/// carry a lead, and lets the lead come back to the same device later. How many.
async fn give_back(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    devices: &[Uuid],
    reason: &str,
    taking_part: &mut Parts,
    deltas: &mut CounterDeltas,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let cancelled = rows::Entity::delete_many()
        .filter(rows::Column::CampaignId.eq(campaign_id))
        .filter(rows::Column::DeviceId.is_in(devices.iter().copied()))
        .filter(rows::Column::Status.is_in([OutboxStatus::Queued, OutboxStatus::Pending]))
        .exec_with_returning(txn)
        .await?;
    for row in &cancelled {
        deltas.removed(row, row.status);
    }
    for row in &cancelled {
        if let Some(part) = taking_part.get_mut(&row.device_id) {
            part.dealt -= 1;
        }
    }
    for chunk in cancelled.chunks(CHUNK) {
        deals::Entity::update_many()
            .col_expr(deals::Column::State, Expr::value(DealState::Returned))
            .col_expr(deals::Column::Reason, Expr::value(reason))
            .col_expr(deals::Column::SettledAt, Expr::value(now))
            .filter(deals::Column::CampaignId.eq(campaign_id))
            .filter(deals::Column::State.eq(DealState::Open))
            .filter(deals::Column::RowId.is_in(chunk.iter().map(|r| r.id)))
            .exec(txn)
            .await?;
        lead_rows::Entity::update_many()
            .col_expr(
                lead_rows::Column::Status,
                Expr::value(AiLeadStatus::Pending),
            )
            .col_expr(lead_rows::Column::DeviceId, Expr::value(None::<Uuid>))
            .col_expr(lead_rows::Column::UpdatedAt, Expr::value(now))
            .filter(
                lead_rows::Column::Id.is_in(
                    chunk
                        .iter()
                        .filter_map(|r| r.source_id.as_deref()?.parse::<Uuid>().ok()),
                ),
            )
            .filter(lead_rows::Column::Status.eq(AiLeadStatus::Assigned))
            .exec(txn)
            .await?;
    }
    if !cancelled.is_empty() {
        tracing::info!(campaign.id = %campaign_id, leads = cancelled.len(), reason, "AI campaign leads given back");
    }
    Ok(cancelled.len() as u64)
}

/// The condition of the pool leads the campaign may deal: PENDING, matching, not opted out.
fn candidates(campaign: &campaigns::Model) -> Condition {
    let filter = LeadFilter {
        niches: niches(campaign),
        target_status: campaign.target_status,
        status: Some(AiLeadStatus::Pending),
        opted_out: Some(false),
        ..LeadFilter::default()
    };
    leads::condition(UserId(campaign.user_id), None, AudienceKind::Pool, &filter)
}

/// How many leads the campaign could still deal.
async fn leads_left(txn: &DatabaseTransaction, campaign: &campaigns::Model) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(lead_rows::Entity::find()
        .filter(candidates(campaign))
        .count(txn)
        .await?)
}

/// A device's room in this round: how many it may be dealt now.
fn wants(part: &parts::Model, limit: Option<i32>) -> i32 {
    let out = part.dealt - part.sent - part.failed;
    let room = limit.map_or(i32::MAX, |l| l - part.dealt);
    (OPEN_PER_DEVICE - out).min(room).max(0)
}

/// A row a round wrote, as its `INSERT` returns it.
#[derive(Debug, FromQueryResult)]
pub struct Written {
    pub id: i64,
    pub device_id: Uuid,
    pub source_id: Option<String>,
}

/// Deals the next round: claims the oldest PENDING leads the devices have room for and writes
/// their rows. The rows written.
async fn deal(
    txn: &DatabaseTransaction,
    campaign: &campaigns::Model,
    statuses: &HashMap<Uuid, DeviceStatus>,
    taking_part: &mut Parts,
    deltas: &mut CounterDeltas,
    now: DateTime<Utc>,
) -> AppResult<Vec<Written>> {
    let mut open: Vec<(Uuid, i32)> = taking_part
        .values()
        .filter(|p| p.status != AiDeviceStatus::Failed)
        .filter(|p| statuses.get(&p.device_id) == Some(&DeviceStatus::Online))
        .map(|p| (p.device_id, wants(p, campaign.per_device_limit)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let wanted: i64 = open.iter().map(|(_, n)| i64::from(*n)).sum();
    if wanted == 0 {
        return Ok(Vec::new());
    }
    let devices: Vec<Uuid> = open.iter().map(|(d, _)| *d).collect();
    let locked = outbox::lock_devices(txn, DevicesToLock::Ids(&devices)).await?;
    open.retain(|(d, _)| locked.contains(d));
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    let mut claimed = if postgres {
        // Read now, claimed with the plan below (one write of each lead, not two).
        lead_rows::Entity::find()
            .filter(candidates(campaign))
            .order_by_asc(lead_rows::Column::CreatedAt)
            .order_by_asc(lead_rows::Column::Id)
            .limit(wanted as u64)
            .all(txn)
            .await?
    } else {
        // Claim the oldest matching PENDING leads: conditional, so a lead another campaign
        // claimed meanwhile is left out rather than dealt twice.
        let oldest = Query::select()
            .column(lead_rows::Column::Id)
            .from(lead_rows::Entity)
            .cond_where(candidates(campaign))
            .order_by(lead_rows::Column::CreatedAt, sea_orm::Order::Asc)
            .order_by(lead_rows::Column::Id, sea_orm::Order::Asc)
            .limit(wanted as u64)
            .to_owned();
        lead_rows::Entity::update_many()
            .col_expr(
                lead_rows::Column::Status,
                Expr::value(AiLeadStatus::Assigned),
            )
            .col_expr(lead_rows::Column::UpdatedAt, Expr::value(now))
            .filter(lead_rows::Column::Id.in_subquery(oldest))
            .filter(lead_rows::Column::Status.eq(AiLeadStatus::Pending))
            .exec_with_returning(txn)
            .await?
    };
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    claimed.sort_by_key(|l| (l.created_at, l.id));
    // A lead given back by a device may go to any other, but never twice to the same device
    // (the campaign's row for that device and number exists already).
    // The campaign's leads given back and not dealt again yet (few: they come from devices
    // that went away); only those can have had a row of this campaign.
    let given_back: Vec<(i64, Uuid)> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::LeadId)
        .filter(deals::Column::CampaignId.eq(campaign.id))
        .filter(deals::Column::State.eq(DealState::Returned))
        .filter(deals::Column::RedealtTo.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    let returning: HashSet<Uuid> = given_back.iter().map(|(_, lead)| *lead).collect();
    let phones_back: Vec<String> = claimed
        .iter()
        .filter(|l| returning.contains(&l.id))
        .map(|l| l.phone.clone())
        .collect();
    let mut tried: HashSet<(String, Uuid)> = HashSet::new();
    for chunk in phones_back.chunks(CHUNK) {
        let pairs: Vec<(String, Uuid)> = rows::Entity::find()
            .select_only()
            .column(rows::Column::RecipientPhone)
            .column(rows::Column::DeviceId)
            .filter(rows::Column::CampaignId.eq(campaign.id))
            .filter(rows::Column::RecipientPhone.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        tried.extend(pairs);
    }
    let levels: HashMap<Uuid, i32> = open
        .iter()
        .map(|(d, _)| (*d, taking_part.get(d).map_or(0, |p| p.dealt)))
        .collect();
    let plan = water_fill(&claimed, &open, &levels, &tried);
    let mut unplaced: Vec<Uuid> = Vec::new();
    let mut placed: Vec<(&lead_rows::Model, Uuid)> = Vec::with_capacity(claimed.len());
    for (lead, device) in claimed.iter().zip(&plan) {
        match device {
            Some(device) => placed.push((lead, *device)),
            None => unplaced.push(lead.id),
        }
    }
    let written = if postgres {
        claim_and_write_postgres(txn, campaign, &placed, now).await?
    } else {
        // The leads no device may take now were claimed: they go back.
        for chunk in unplaced.chunks(CHUNK) {
            lead_rows::Entity::update_many()
                .col_expr(
                    lead_rows::Column::Status,
                    Expr::value(AiLeadStatus::Pending),
                )
                .filter(lead_rows::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
        write_placed(txn, campaign, &placed, now).await?
    };
    let mut per_device: HashMap<Uuid, i64> = HashMap::new();
    for row in &written {
        *per_device.entry(row.device_id).or_default() += 1;
        if let Some(part) = taking_part.get_mut(&row.device_id) {
            part.dealt += 1;
        }
    }
    for (device, n) in per_device {
        let owners = RowOwners {
            device,
            user: campaign.user_id,
            campaign: Some(campaign.id),
            step: None,
        };
        deltas.added(&owners, OutboxStatus::Queued, n);
    }
    record_redeals(txn, &given_back, &written).await?;
    Ok(written)
}

/// Leads per statement of a PostgreSQL round (one JSON parameter each).
const PLACED_PER_STATEMENT: usize = 20_000;

/// PostgreSQL: each chunk of the plan is one statement with the plan as one JSON parameter —
/// the claim of its leads (`PENDING → ASSIGNED` with their device, conditional: a lead another
/// campaign or node took meanwhile is left out rather than dealt twice), their outbox rows
/// (`INSERT … SELECT` from the claimed leads) and their deals, in data-modifying CTEs. Claiming
/// first and writing each lead again for its device, and a multi-row `VALUES` insert of 900
/// rows at a time, took 32 s to deal 300,000 leads in `just bench ai`.
async fn claim_and_write_postgres(
    txn: &DatabaseTransaction,
    campaign: &campaigns::Model,
    placed: &[(&lead_rows::Model, Uuid)],
    now: DateTime<Utc>,
) -> AppResult<Vec<Written>> {
    #[derive(serde::Serialize)]
    struct Placement {
        lead_id: Uuid,
        device_id: Uuid,
    }
    let kind = message_kind(campaign);
    // The JID of a phone number: its digits at WhatsApp's server (as `Jid::from_phone`).
    let sql = "WITH plan AS ( \
           SELECT r.lead_id, r.device_id \
           FROM jsonb_to_recordset($1::jsonb) AS r(lead_id uuid, device_id uuid)), \
         claimed AS ( \
           UPDATE leads SET status = $13, device_id = p.device_id, updated_at = $11 \
           FROM plan p WHERE leads.id = p.lead_id AND leads.status = $14 \
           RETURNING leads.id, leads.phone, leads.name, p.device_id), \
         written AS ( \
           INSERT INTO broadcast_messages (user_id, device_id, recipient_phone, recipient_jid, \
             recipient_name, kind, image_ref, image_mime, source, source_id, campaign_id, status, \
             attempts, min_delay_seconds, max_delay_seconds, scheduled_at, queued_at, \
             created_at, updated_at) \
           SELECT $2, c.device_id, c.phone, SUBSTR(c.phone, 2) || '@s.whatsapp.net', \
             NULLIF(c.name, ''), $3, $4, $5, $6, c.id::text, $7, $8, 0, $9, $10, $11, $11, $11, $11 \
           FROM claimed c \
           RETURNING id, device_id, source_id), \
         dealt AS ( \
           INSERT INTO ai_campaign_deals (campaign_id, lead_id, device_id, row_id, state, dealt_at) \
           SELECT $7, w.source_id::uuid, w.device_id, w.id, $12, $11 FROM written w) \
         SELECT id, device_id, source_id FROM written";
    let mut written = Vec::with_capacity(placed.len());
    for chunk in placed.chunks(PLACED_PER_STATEMENT) {
        let plan: Vec<Placement> = chunk
            .iter()
            .map(|(lead, device)| Placement {
                lead_id: lead.id,
                device_id: *device,
            })
            .collect();
        let plan = serde_json::to_value(&plan).map_err(|e| AppError::Internal(e.into()))?;
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            vec![
                Value::Json(Some(Box::new(plan))),
                campaign.user_id.into(),
                kind.to_value().into(),
                campaign.image_ref.clone().into(),
                campaign.image_mime.clone().into(),
                Source::AiCampaign.to_value().into(),
                campaign.id.into(),
                OutboxStatus::Queued.to_value().into(),
                campaign.min_delay_seconds.into(),
                campaign.max_delay_seconds.into(),
                now.into(),
                DealState::Open.to_value().into(),
                AiLeadStatus::Assigned.to_value().into(),
                AiLeadStatus::Pending.to_value().into(),
            ],
        );
        written.extend(Written::find_by_statement(statement).all(txn).await?);
    }
    Ok(written)
}

/// SQLite (one writer, a bound on parameters): the rows in chunks, then their deals, then the
/// leads' devices from their deals.
async fn write_placed(
    txn: &DatabaseTransaction,
    campaign: &campaigns::Model,
    placed: &[(&lead_rows::Model, Uuid)],
    now: DateTime<Utc>,
) -> AppResult<Vec<Written>> {
    let backend = txn.get_database_backend();
    let models: Vec<rows::ActiveModel> = placed
        .iter()
        .map(|(lead, device)| row_for(campaign, lead, *device, now))
        .collect();
    let mut written: Vec<Written> = Vec::with_capacity(models.len());
    for chunk in models.chunks(CHUNK) {
        // Only what the round needs back (ids, devices, leads), not every column of every row.
        let mut insert = rows::Entity::insert_many(chunk.to_vec()).into_query();
        insert.returning(Query::returning().columns([
            rows::Column::Id,
            rows::Column::DeviceId,
            rows::Column::SourceId,
        ]));
        written.extend(
            Written::find_by_statement(backend.build(&insert))
                .all(txn)
                .await?,
        );
    }
    let new_deals: Vec<deals::ActiveModel> = written
        .iter()
        .filter_map(|row| {
            let lead = row.source_id.as_deref()?.parse::<Uuid>().ok()?;
            Some(deals::ActiveModel {
                campaign_id: Set(campaign.id),
                lead_id: Set(lead),
                device_id: Set(row.device_id),
                row_id: Set(row.id),
                state: Set(DealState::Open),
                reason: Set(None),
                redealt_to: Set(None),
                dealt_at: Set(now),
                settled_at: Set(None),
                ..Default::default()
            })
        })
        .collect();
    for chunk in new_deals.chunks(CHUNK) {
        deals::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    // The device each lead went out from, from its deal (one statement per chunk of leads).
    let device_of_deal = Query::select()
        .column((deals::Entity, deals::Column::DeviceId))
        .from(deals::Entity)
        .and_where(Expr::col((deals::Entity, deals::Column::CampaignId)).eq(campaign.id))
        .and_where(
            Expr::col((deals::Entity, deals::Column::LeadId))
                .equals((lead_rows::Entity, lead_rows::Column::Id)),
        )
        .and_where(Expr::col((deals::Entity, deals::Column::State)).ne(DealState::Returned))
        .to_owned();
    let leads: Vec<Uuid> = placed.iter().map(|(lead, _)| lead.id).collect();
    for chunk in leads.chunks(CHUNK) {
        lead_rows::Entity::update_many()
            .col_expr(
                lead_rows::Column::DeviceId,
                SimpleExpr::SubQuery(
                    None,
                    Box::new(device_of_deal.clone().into_sub_query_statement()),
                ),
            )
            .filter(lead_rows::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(written)
}

/// Where each lead goes: the device with the fewest leads dealt (then by id) that still wants
/// one and has not had this number yet; `None` when no device may take it.
fn water_fill(
    leads: &[lead_rows::Model],
    open: &[(Uuid, i32)],
    levels: &HashMap<Uuid, i32>,
    tried: &HashSet<(String, Uuid)>,
) -> Vec<Option<Uuid>> {
    let mut wants: HashMap<Uuid, i32> = open.iter().copied().collect();
    let mut heap: BinaryHeap<Reverse<(i32, Uuid)>> = open
        .iter()
        .map(|(d, _)| Reverse((levels.get(d).copied().unwrap_or(0), *d)))
        .collect();
    let mut plan = Vec::with_capacity(leads.len());
    for lead in leads {
        let mut skipped = Vec::new();
        let mut chosen = None;
        while let Some(Reverse((level, device))) = heap.pop() {
            if tried.contains(&(lead.phone.clone(), device)) {
                skipped.push(Reverse((level, device)));
                continue;
            }
            chosen = Some(device);
            let left = wants.entry(device).or_default();
            *left -= 1;
            if *left > 0 {
                heap.push(Reverse((level + 1, device)));
            }
            break;
        }
        heap.extend(skipped);
        plan.push(chosen);
    }
    plan
}

/// The outbox row of one lead dealt to one device; its text is rendered when it is sent.
fn row_for(
    campaign: &campaigns::Model,
    lead: &lead_rows::Model,
    device: Uuid,
    now: DateTime<Utc>,
) -> rows::ActiveModel {
    let kind = message_kind(campaign);
    rows::ActiveModel {
        user_id: Set(campaign.user_id),
        device_id: Set(device),
        recipient_phone: Set(lead.phone.clone()),
        // The JID of a phone number: its digits at WhatsApp's server (as `Jid::from_phone`).
        recipient_jid: Set(format!(
            "{}@s.whatsapp.net",
            lead.phone.trim_start_matches('+')
        )),
        recipient_name: Set(Some(lead.name.clone()).filter(|n| !n.is_empty())),
        kind: Set(kind),
        text: Set(None),
        image_ref: Set(campaign.image_ref.clone()),
        image_mime: Set(campaign.image_mime.clone()),
        caption: Set(None),
        source: Set(Source::AiCampaign),
        source_id: Set(Some(lead.id.to_string())),
        campaign_id: Set(Some(campaign.id)),
        sequence_step_id: Set(None),
        status: Set(OutboxStatus::Queued),
        attempts: Set(0),
        last_error: Set(None),
        min_delay_seconds: Set(Some(campaign.min_delay_seconds)),
        max_delay_seconds: Set(Some(campaign.max_delay_seconds)),
        scheduled_at: Set(now),
        queued_at: Set(Some(now)),
        sending_at: Set(None),
        sent_at: Set(None),
        delivered_at: Set(None),
        read_at: Set(None),
        replied_at: Set(None),
        wa_message_id: Set(None),
        claim_token: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Leads given back earlier (`given_back`: deal, lead) and dealt again now: each earlier deal
/// records where its lead went.
async fn record_redeals(
    txn: &DatabaseTransaction,
    given_back: &[(i64, Uuid)],
    written: &[Written],
) -> AppResult<()> {
    if given_back.is_empty() {
        return Ok(());
    }
    let device_of: HashMap<Uuid, Uuid> = written
        .iter()
        .filter_map(|r| Some((r.source_id.as_deref()?.parse::<Uuid>().ok()?, r.device_id)))
        .collect();
    let again = given_back.iter().copied();
    // Few: only leads given back; grouped by the device they went to.
    let mut by_device: HashMap<Uuid, Vec<i64>> = HashMap::new();
    for (deal, lead) in again {
        if let Some(device) = device_of.get(&lead) {
            by_device.entry(*device).or_default().push(deal);
        }
    }
    for (device, ids) in by_device {
        for chunk in ids.chunks(CHUNK) {
            deals::Entity::update_many()
                .col_expr(deals::Column::RedealtTo, Expr::value(device))
                .filter(deals::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Writes the devices' parts that changed (one statement per chunk, whatever the fleet's size).
async fn save_parts(
    txn: &DatabaseTransaction,
    changed: Vec<parts::Model>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let models: Vec<parts::ActiveModel> = changed
        .into_iter()
        .map(|p| parts::ActiveModel {
            campaign_id: Set(p.campaign_id),
            device_id: Set(p.device_id),
            status: Set(p.status),
            dealt: Set(p.dealt),
            sent: Set(p.sent),
            failed: Set(p.failed),
            failures_in_a_row: Set(p.failures_in_a_row),
            reason: Set(p.reason),
            updated_at: Set(now),
        })
        .collect();
    for chunk in models.chunks(CHUNK) {
        parts::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([parts::Column::CampaignId, parts::Column::DeviceId])
                    .update_columns([
                        parts::Column::Status,
                        parts::Column::Dealt,
                        parts::Column::Sent,
                        parts::Column::Failed,
                        parts::Column::FailuresInARow,
                        parts::Column::Reason,
                        parts::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// After a campaign's unsent rows were cancelled (`cancelCampaign`): its deals are given back
/// and their leads return to the pool, in the cancel's transaction.
pub async fn release_cancelled(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    settle_all(txn, campaign_id, now).await.map(|_| ())
}

/// Settles a campaign's finished deals with its devices' totals (a campaign not running).
async fn settle_all(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut taking_part: Parts = parts::Entity::find()
        .filter(parts::Column::CampaignId.eq(campaign_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.device_id, p))
        .collect();
    let before = taking_part.clone();
    let settled = settle(txn, campaign_id, &mut taking_part, now).await?;
    let changed = taking_part
        .into_values()
        .filter(|p| before.get(&p.device_id) != Some(p))
        .collect();
    save_parts(txn, changed, now).await?;
    Ok(settled)
}

/// Before a campaign is deleted: the leads it still holds go back to the pool.
pub async fn release_all(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let held = Query::select()
        .column(deals::Column::LeadId)
        .from(deals::Entity)
        .and_where(Expr::col(deals::Column::CampaignId).eq(campaign_id))
        .and_where(Expr::col(deals::Column::State).eq(DealState::Open))
        .to_owned();
    lead_rows::Entity::update_many()
        .col_expr(
            lead_rows::Column::Status,
            Expr::value(AiLeadStatus::Pending),
        )
        .col_expr(lead_rows::Column::DeviceId, Expr::value(None::<Uuid>))
        .col_expr(lead_rows::Column::UpdatedAt, Expr::value(now))
        .filter(lead_rows::Column::Id.in_subquery(held))
        .filter(lead_rows::Column::Status.eq(AiLeadStatus::Assigned))
        .exec(txn)
        .await?;
    Ok(())
}

/// After a campaign's FAILED rows went back to the queue (`retryFailed`): their deals are open
/// again, their leads ASSIGNED, and a device put out for failing takes part again.
pub async fn reopen_retried(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    retried: &[rows::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut per_device: HashMap<Uuid, i32> = HashMap::new();
    for row in retried {
        *per_device.entry(row.device_id).or_default() += 1;
    }
    for chunk in retried.chunks(CHUNK) {
        deals::Entity::update_many()
            .col_expr(deals::Column::State, Expr::value(DealState::Open))
            .col_expr(deals::Column::SettledAt, Expr::value(None::<DateTime<Utc>>))
            .filter(deals::Column::CampaignId.eq(campaign_id))
            .filter(deals::Column::State.eq(DealState::Failed))
            .filter(deals::Column::RowId.is_in(chunk.iter().map(|r| r.id)))
            .exec(txn)
            .await?;
        lead_rows::Entity::update_many()
            .col_expr(
                lead_rows::Column::Status,
                Expr::value(AiLeadStatus::Assigned),
            )
            .col_expr(lead_rows::Column::UpdatedAt, Expr::value(now))
            .filter(
                lead_rows::Column::Id.is_in(
                    chunk
                        .iter()
                        .filter_map(|r| r.source_id.as_deref()?.parse::<Uuid>().ok()),
                ),
            )
            .exec(txn)
            .await?;
    }
    let changed: Vec<parts::Model> = parts::Entity::find()
        .filter(parts::Column::CampaignId.eq(campaign_id))
        .filter(parts::Column::DeviceId.is_in(per_device.keys().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|mut p| {
            p.failed -= per_device.get(&p.device_id).copied().unwrap_or(0);
            p.failures_in_a_row = 0;
            if p.status == AiDeviceStatus::Failed {
                p.status = AiDeviceStatus::Active;
                p.reason = None;
            }
            p
        })
        .collect();
    save_parts(txn, changed, now).await
}

/// A device's part in an AI campaign, for its progress.
#[derive(Debug, Clone)]
pub struct DevicePart {
    pub device_id: Uuid,
    pub device_name: String,
    pub online: bool,
    pub status: AiDeviceStatus,
    pub dealt: i32,
    pub sent: i32,
    pub failed: i32,
    /// Leads it may still be dealt (`None`: no limit).
    pub room: Option<i32>,
    pub reason: Option<String>,
}

/// The devices of an AI campaign (already known to be the caller's), by name.
pub async fn device_parts(
    db: &sea_orm::DatabaseConnection,
    campaign: &campaigns::Model,
) -> AppResult<Vec<DevicePart>> {
    let taking_part = parts::Entity::find()
        .filter(parts::Column::CampaignId.eq(campaign.id))
        .all(db)
        .await?;
    let known: HashMap<Uuid, (String, DeviceStatus)> = devices::Entity::find()
        .select_only()
        .column(devices::Column::Id)
        .column(devices::Column::Name)
        .column(devices::Column::Status)
        .filter(devices::Column::Id.is_in(taking_part.iter().map(|p| p.device_id)))
        .into_tuple::<(Uuid, String, DeviceStatus)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, status)| (id, (name, status)))
        .collect();
    let mut out: Vec<DevicePart> = taking_part
        .into_iter()
        .map(|p| {
            let (name, status) = known
                .get(&p.device_id)
                .cloned()
                .unwrap_or_else(|| ("(removed device)".to_owned(), DeviceStatus::Offline));
            DevicePart {
                device_id: p.device_id,
                device_name: name,
                online: status == DeviceStatus::Online,
                status: p.status,
                dealt: p.dealt,
                sent: p.sent,
                failed: p.failed,
                room: campaign.per_device_limit.map(|l| (l - p.dealt).max(0)),
                reason: p.reason,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.device_name
            .cmp(&b.device_name)
            .then(a.device_id.cmp(&b.device_id))
    });
    Ok(out)
}

/// One lead given back by a device, and where it went next.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Redeal {
    pub id: i64,
    pub lead_id: Uuid,
    pub lead_name: Option<String>,
    pub lead_phone: Option<String>,
    pub from_device: Uuid,
    pub to_device: Option<Uuid>,
    pub reason: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// The campaign's re-deal log, newest first, at most `first` entries (and how many in all).
pub async fn redeals(
    db: &sea_orm::DatabaseConnection,
    owner: UserId,
    id: CampaignId,
    first: u64,
) -> AppResult<(Vec<Redeal>, u64)> {
    use sea_orm::PaginatorTrait;
    let campaign = super::find_owned(db, owner, id).await?;
    let total = deals::Entity::find()
        .filter(deals::Column::CampaignId.eq(campaign.id))
        .filter(deals::Column::State.eq(DealState::Returned))
        .count(db)
        .await?;
    let select = Query::select()
        .expr_as(
            Expr::col((deals::Entity, deals::Column::Id)),
            Alias::new("id"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::LeadId)),
            Alias::new("lead_id"),
        )
        .expr_as(
            Expr::col((lead_rows::Entity, lead_rows::Column::Name)),
            Alias::new("lead_name"),
        )
        .expr_as(
            Expr::col((lead_rows::Entity, lead_rows::Column::Phone)),
            Alias::new("lead_phone"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::DeviceId)),
            Alias::new("from_device"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::RedealtTo)),
            Alias::new("to_device"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::Reason)),
            Alias::new("reason"),
        )
        .expr_as(
            Expr::col((deals::Entity, deals::Column::SettledAt)),
            Alias::new("at"),
        )
        .from(deals::Entity)
        .join(
            JoinType::LeftJoin,
            lead_rows::Entity,
            Expr::col((lead_rows::Entity, lead_rows::Column::Id))
                .equals((deals::Entity, deals::Column::LeadId)),
        )
        .and_where(Expr::col((deals::Entity, deals::Column::CampaignId)).eq(campaign.id))
        .and_where(Expr::col((deals::Entity, deals::Column::State)).eq(DealState::Returned))
        .order_by((deals::Entity, deals::Column::Id), sea_orm::Order::Desc)
        .limit(first)
        .to_owned();
    let entries = Redeal::find_by_statement(db.get_database_backend().build(&select))
        .all(db)
        .await?;
    Ok((entries, total))
}

/// Checks the AI campaign's own rules on a draft: a limit per device above 0.
pub fn check_limit(limit: Option<i32>) -> AppResult<i32> {
    match limit {
        Some(limit) if limit > 0 => Ok(limit),
        Some(_) => Err(AppError::validation(
            "The limit per device must be more than 0.",
        )),
        None => Err(AppError::validation(
            "An AI campaign needs a limit per device (how many leads each device may get).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(phone: &str) -> lead_rows::Model {
        lead_rows::Model {
            id: Uuid::new_v4(),
            user_id: Uuid::nil(),
            kind: AudienceKind::Pool,
            scope_id: Uuid::nil(),
            device_id: None,
            name: String::new(),
            phone: phone.to_owned(),
            target_status: crate::entities::enums::TargetStatus::Prospect,
            triggers: String::new(),
            notes: String::new(),
            source: crate::entities::enums::LeadSource::Manual,
            status: Some(AiLeadStatus::Pending),
            sent_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn water_filling_spreads_leads_evenly_and_fills_the_emptiest_first() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let leads: Vec<_> = (0..7).map(|i| lead(&format!("+6012345{i:04}"))).collect();
        let open = [(a, 5), (b, 5), (c, 5)];
        // `a` had 2 already: the others catch up first.
        let levels = HashMap::from([(a, 2), (b, 0), (c, 0)]);
        let plan = water_fill(&leads, &open, &levels, &HashSet::new());
        let count = |d| plan.iter().filter(|p| **p == Some(d)).count();
        assert_eq!((count(a), count(b), count(c)), (1, 3, 3));
    }

    #[test]
    fn a_lead_never_goes_back_to_a_device_that_had_it_and_stops_where_no_room_is_left() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let leads = vec![
            lead("+60123450001"),
            lead("+60123450002"),
            lead("+60123450003"),
        ];
        let tried = HashSet::from([("+60123450001".to_owned(), a)]);
        let plan = water_fill(&leads, &[(a, 1), (b, 1)], &HashMap::new(), &tried);
        assert_eq!(plan, vec![Some(b), Some(a), None]);
    }

    #[test]
    fn a_device_is_topped_up_to_its_round_within_its_limit() {
        let part = parts::Model {
            campaign_id: Uuid::nil(),
            device_id: Uuid::nil(),
            status: AiDeviceStatus::Active,
            dealt: 10,
            sent: 4,
            failed: 1,
            failures_in_a_row: 0,
            reason: None,
            updated_at: Utc::now(),
        };
        assert_eq!(wants(&part, None), OPEN_PER_DEVICE - 5);
        assert_eq!(wants(&part, Some(12)), 2);
        assert_eq!(wants(&part, Some(10)), 0);
    }
}
