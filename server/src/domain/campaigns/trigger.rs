//! The scheduler's part of campaigns: start the due ones exactly once, pause the ones found too
//! late, and complete the ones whose rows are all final.
//!
//! Starting is one transaction: the atomic SCHEDULED → RUNNING update (only one node's can
//! succeed), then one `INSERT … SELECT` of the campaign's rows from the leads it selects (keyed
//! (campaign, device, phone), `ON CONFLICT DO NOTHING`) that returns each row's id, device and
//! status, then the counters from those, by device and status. A crash or kill -9 anywhere
//! before the commit leaves nothing (the campaign is still SCHEDULED and the next tick starts it
//! again); after it, the rows are QUEUED in the outbox and the reconciler puts on the queue any
//! that did not get there.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::{device_ids, message_kind, niches, publish, CampaignKind, CampaignStatus, OPTED_OUT};
use crate::{
    domain::{
        leads::{self, AudienceKind, LeadFilter},
        outbox::{self, send, CounterDeltas, DevicesToLock, OutboxStatus, RowOwners, Source},
        Ports,
    },
    entities::{
        broadcast_messages as rows, campaigns, leads as lead_rows, opt_outs as opt_out_rows,
    },
    error::{AppError, AppResult},
    types::ids::{DeviceId, UserId},
};

/// Campaigns started per tick (each is one transaction, however many leads).
const PER_TICK: u64 = 20;

/// What one tick did to campaigns.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CampaignTicks {
    pub started: usize,
    /// Rows materialised by the campaigns started.
    pub rows: u64,
    pub paused_late: usize,
    pub completed: usize,
    /// Leads AI campaigns dealt.
    pub ai_dealt: u64,
}

/// Starts due campaigns, pauses late ones, completes finished ones.
pub async fn tick(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<CampaignTicks> {
    let mut ticks = CampaignTicks::default();
    let due = campaigns::Entity::find()
        .filter(campaigns::Column::Status.eq(CampaignStatus::Scheduled))
        .filter(campaigns::Column::ScheduledAt.lte(now))
        .order_by_asc(campaigns::Column::ScheduledAt)
        .limit(PER_TICK)
        .all(ports.db)
        .await?;
    for campaign in due {
        let late = campaign
            .scheduled_at
            .map_or(chrono::Duration::zero(), |at| now - at);
        if late > ports.config.campaign_max_late {
            if pause_late(ports, &campaign, late, now).await? {
                ticks.paused_late += 1;
            }
            continue;
        }
        let started = match campaign.kind {
            CampaignKind::Broadcast => start(ports, &campaign, now).await?,
            CampaignKind::Ai => super::ai::start(ports, &campaign, now).await?,
        };
        if let Some(rows) = started {
            ticks.started += 1;
            ticks.rows += rows;
        }
    }
    ticks.completed = complete_finished(ports, now).await?;
    ticks.ai_dealt = super::ai::tick(ports, now).await?.dealt;
    Ok(ticks)
}

/// How a late start is told: "start time missed by 9 h — resume to send".
pub fn late_reason(late: chrono::Duration) -> String {
    let hours = late.num_hours();
    let shown = if hours >= 48 {
        format!("{} days", hours / 24)
    } else if hours >= 1 {
        format!("{hours} h")
    } else {
        format!("{} min", late.num_minutes().max(1))
    };
    format!("start time missed by {shown} — resume to send")
}

async fn pause_late(
    ports: Ports<'_>,
    campaign: &campaigns::Model,
    late: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let changed = campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::Status,
            Expr::value(CampaignStatus::Paused),
        )
        .col_expr(
            campaigns::Column::PausedReason,
            Expr::value(late_reason(late)),
        )
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Id.eq(campaign.id))
        .filter(campaigns::Column::Status.eq(CampaignStatus::Scheduled))
        .exec_with_returning(ports.db)
        .await?;
    for campaign in &changed {
        publish(ports.events, campaign).await;
    }
    Ok(!changed.is_empty())
}

/// Starts one campaign: `None` when another node (or an earlier tick) did. The number of rows
/// otherwise.
pub async fn start(
    ports: Ports<'_>,
    campaign: &campaigns::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let db = ports.db;
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
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
    outbox::lock_devices(&txn, DevicesToLock::OfUser(UserId(campaign.user_id))).await?;
    let inserted = StartedRow::find_by_statement(backend.build(&materialise(campaign, now)?))
        .all(&txn)
        .await?;
    count_started(&txn, campaign, &inserted).await?;
    if inserted.is_empty() {
        campaigns::Entity::update_many()
            .col_expr(
                campaigns::Column::Status,
                Expr::value(CampaignStatus::Completed),
            )
            .col_expr(campaigns::Column::CompletedAt, Expr::value(now))
            .filter(campaigns::Column::Id.eq(campaign.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    send::push_ids(
        ports.queue,
        inserted
            .iter()
            .filter(|r| r.status == OutboxStatus::Queued)
            .map(|r| (r.device_id, r.id)),
    )
    .await;
    if let Some(current) = campaigns::Entity::find_by_id(campaign.id).one(db).await? {
        publish(ports.events, &current).await;
    }
    tracing::info!(campaign.id = %campaign.id, rows = inserted.len(), "campaign started");
    Ok(Some(inserted.len() as u64))
}

/// A row a campaign's start wrote, as its `INSERT` returns it.
#[derive(Debug, FromQueryResult)]
struct StartedRow {
    id: i64,
    device_id: Uuid,
    status: OutboxStatus,
}

/// The `INSERT … SELECT` of a campaign's rows: one per lead that matches, from the lead's own
/// device; opted-out numbers SKIPPED "opted out". The text is rendered when each row is sent.
fn materialise(
    campaign: &campaigns::Model,
    now: DateTime<Utc>,
) -> AppResult<sea_orm::sea_query::InsertStatement> {
    let owner = UserId(campaign.user_id);
    let filter = LeadFilter {
        niches: niches(campaign),
        target_status: campaign.target_status,
        ..LeadFilter::default()
    };
    let mut condition = leads::condition(owner, None, AudienceKind::Device, &filter);
    let chosen = device_ids(campaign);
    if !chosen.is_empty() {
        condition = condition
            .add(lead_rows::Column::DeviceId.is_in(chosen.into_iter().map(|d: DeviceId| d.0)));
    }
    // One lookup of the number per lead (a LEFT JOIN), read by the three columns that depend on it.
    let opted = Expr::col((opt_out_rows::Entity, opt_out_rows::Column::Phone)).is_not_null();
    let kind = message_kind(campaign);
    let select = Query::select()
        .expr(Expr::col((lead_rows::Entity, lead_rows::Column::UserId)))
        .expr(Expr::col((lead_rows::Entity, lead_rows::Column::DeviceId)))
        .expr(Expr::col((lead_rows::Entity, lead_rows::Column::Phone)))
        // The JID of a phone number: its digits at WhatsApp's server (as `Jid::from_phone`).
        .expr(Expr::cust("SUBSTR(leads.phone, 2) || '@s.whatsapp.net'"))
        .expr(Expr::cust("NULLIF(leads.name, '')"))
        .expr(Expr::val(kind.to_value()))
        .expr(Expr::val(campaign.image_ref.clone()))
        .expr(Expr::val(campaign.image_mime.clone()))
        .expr(Expr::val(Source::Campaign.to_value()))
        .expr(Expr::val(campaign.id))
        .expr(
            Expr::case(opted.clone(), Expr::val(OutboxStatus::Skipped.to_value()))
                .finally(Expr::val(OutboxStatus::Queued.to_value())),
        )
        .expr(Expr::val(0))
        .expr(Expr::case(opted.clone(), Expr::val(OPTED_OUT)).finally(Expr::cust("NULL")))
        .expr(Expr::val(campaign.min_delay_seconds))
        .expr(Expr::val(campaign.max_delay_seconds))
        .expr(Expr::val(now))
        .expr(Expr::case(opted.not(), Expr::val(now)).finally(Expr::cust("NULL")))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from(lead_rows::Entity)
        .left_join(
            opt_out_rows::Entity,
            Condition::all()
                .add(Expr::col((opt_out_rows::Entity, opt_out_rows::Column::UserId)).eq(owner.0))
                .add(
                    Expr::col((opt_out_rows::Entity, opt_out_rows::Column::Phone))
                        .equals((lead_rows::Entity, lead_rows::Column::Phone)),
                ),
        )
        .cond_where(condition)
        .to_owned();
    Ok(Query::insert()
        .into_table(rows::Entity)
        .columns([
            rows::Column::UserId,
            rows::Column::DeviceId,
            rows::Column::RecipientPhone,
            rows::Column::RecipientJid,
            rows::Column::RecipientName,
            rows::Column::Kind,
            rows::Column::ImageRef,
            rows::Column::ImageMime,
            rows::Column::Source,
            rows::Column::CampaignId,
            rows::Column::Status,
            rows::Column::Attempts,
            rows::Column::LastError,
            rows::Column::MinDelaySeconds,
            rows::Column::MaxDelaySeconds,
            rows::Column::ScheduledAt,
            rows::Column::QueuedAt,
            rows::Column::CreatedAt,
            rows::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the campaign's insert: {e}")))?
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .returning(Query::returning().columns([
            rows::Column::Id,
            rows::Column::DeviceId,
            rows::Column::Status,
        ]))
        .to_owned())
}

/// The counters of a campaign's new rows, from what its `INSERT` returned, by device and status
/// (never a statement per lead): every counter scope is derived from them, written in the order
/// `CounterDeltas::apply` locks counter rows, so a pacer recording sends at the same time cannot
/// deadlock with it.
async fn count_started(
    txn: &DatabaseTransaction,
    campaign: &campaigns::Model,
    started: &[StartedRow],
) -> AppResult<()> {
    let mut counts: HashMap<(Uuid, OutboxStatus), i64> = HashMap::new();
    for row in started {
        *counts.entry((row.device_id, row.status)).or_default() += 1;
    }
    let mut deltas = CounterDeltas::default();
    for ((device, status), n) in counts {
        let owners = RowOwners {
            device,
            user: campaign.user_id,
            campaign: Some(campaign.id),
            step: None,
        };
        deltas.added(&owners, status, n);
    }
    deltas.apply(txn).await
}

/// Puts a campaign's QUEUED rows (of one device, if given) on their devices' queues, reading
/// only their ids. A row already on its queue is harmless twice: the claim decides.
pub async fn push_queued(
    ports: Ports<'_>,
    campaign_id: Uuid,
    device: Option<DeviceId>,
) -> AppResult<usize> {
    let mut query = rows::Entity::find()
        .select_only()
        .column(rows::Column::Id)
        .column(rows::Column::DeviceId)
        .filter(rows::Column::CampaignId.eq(campaign_id))
        .filter(rows::Column::Status.eq(OutboxStatus::Queued));
    if let Some(device) = device {
        query = query.filter(rows::Column::DeviceId.eq(device.0));
    }
    let ids: Vec<(i64, Uuid)> = query
        .order_by_asc(rows::Column::Id)
        .into_tuple()
        .all(ports.db)
        .await?;
    let count = ids.len();
    send::push_ids(
        ports.queue,
        ids.into_iter().map(|(id, device)| (device, id)),
    )
    .await;
    Ok(count)
}

/// RUNNING campaigns with no row left to send become COMPLETED (from the counters: SENDING
/// counts as QUEUED, so a row in flight keeps its campaign running).
async fn complete_finished(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<usize> {
    let open = Query::select()
        .expr(Expr::val(1))
        .from(crate::entities::outbox_counters::Entity)
        .and_where(Expr::cust("outbox_counters.scope_kind = 'campaign'"))
        .and_where(
            Expr::col((
                crate::entities::outbox_counters::Entity,
                crate::entities::outbox_counters::Column::ScopeId,
            ))
            .equals((campaigns::Entity, campaigns::Column::Id)),
        )
        .and_where(Expr::cust(
            "outbox_counters.status IN ('PENDING', 'QUEUED') AND outbox_counters.count <> 0",
        ))
        .to_owned();
    let done = campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::Status,
            Expr::value(CampaignStatus::Completed),
        )
        .col_expr(campaigns::Column::CompletedAt, Expr::value(now))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Status.eq(CampaignStatus::Running))
        .filter(campaigns::Column::Kind.eq(CampaignKind::Broadcast))
        .filter(Expr::exists(open).not())
        .exec_with_returning(ports.db)
        .await?;
    for campaign in &done {
        publish(ports.events, campaign).await;
    }
    Ok(done.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_start_says_by_how_much() {
        assert_eq!(
            late_reason(chrono::Duration::hours(9)),
            "start time missed by 9 h — resume to send"
        );
        assert_eq!(
            late_reason(chrono::Duration::hours(72)),
            "start time missed by 3 days — resume to send"
        );
    }
}
