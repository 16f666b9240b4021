//! What a campaign would do, before it starts: whom it reaches per device, who is left out and
//! why, sample texts, and when each device would be done.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{draft::Draft, CampaignKind, CampaignStatus};
use crate::{
    domain::{
        leads::{self, AudienceKind, LeadFilter},
        outbox::OutboxStatus,
        template::Recipient,
    },
    entities::{
        broadcast_messages as rows, campaigns, devices, enums::DeviceStatus, leads as lead_rows,
    },
    error::AppResult,
    types::ids::UserId,
};

/// How many rendered samples a preview shows.
pub const SAMPLES: usize = 5;

/// One device's part of a preview.
#[derive(Debug, Clone)]
pub struct DevicePreview {
    pub device_id: Uuid,
    pub device_name: String,
    /// Leads it would message (opted-out ones not counted).
    pub leads: i64,
    pub online: bool,
    /// From the start to its last send; `None` with nothing to send.
    pub eta: Option<Duration>,
    pub finishes_at: Option<DateTime<Utc>>,
}

/// A campaign's preview.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    /// Leads that would be messaged.
    pub leads: i64,
    /// Matching leads left out because they opted out.
    pub opted_out: i64,
    /// Of `leads`, those on devices that are not ONLINE (they wait for their device).
    pub on_offline_devices: i64,
    /// Of `leads`, those with a message of another running or paused campaign still to come.
    pub in_other_running_campaigns: i64,
    pub devices: Vec<DevicePreview>,
    pub samples: Vec<String>,
    pub distinct_texts: u64,
    /// AI campaigns: the devices that would be dealt to (ONLINE now).
    pub online_devices: i64,
    /// AI campaigns: of the matching leads, those no device has room for (they stay PENDING).
    pub left_pending: i64,
}

#[derive(Debug, FromQueryResult)]
struct DeviceRow {
    device_id: Uuid,
    matching: i64,
    opted_out: i64,
    elsewhere: i64,
}

/// The leads a draft selects (before opt-outs).
fn audience(owner: UserId, draft: &Draft) -> Condition {
    let filter = LeadFilter {
        niches: draft.niches.iter().map(|t| t.label.clone()).collect(),
        target_status: draft.target_status,
        ..LeadFilter::default()
    };
    let mut condition = leads::condition(owner, None, AudienceKind::Device, &filter);
    if !draft.device_ids.is_empty() {
        condition =
            condition.add(lead_rows::Column::DeviceId.is_in(draft.device_ids.iter().map(|d| d.0)));
    }
    condition
}

/// Previews a checked draft starting at `start` (its schedule, or now).
pub async fn preview(
    db: &DatabaseConnection,
    owner: UserId,
    draft: &Draft,
    start: DateTime<Utc>,
) -> AppResult<Preview> {
    if draft.kind == CampaignKind::Ai {
        return ai_preview(db, owner, draft, start).await;
    }
    let condition = audience(owner, draft);
    let opted = leads::opted_out_condition(owner);
    // A lead still to be messaged by another campaign that is running or paused.
    let elsewhere = Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(rows::Entity)
            .inner_join(
                campaigns::Entity,
                Expr::col((campaigns::Entity, campaigns::Column::Id))
                    .equals((rows::Entity, rows::Column::CampaignId)),
            )
            .and_where(
                Expr::col((rows::Entity, rows::Column::DeviceId))
                    .equals((lead_rows::Entity, lead_rows::Column::DeviceId)),
            )
            .and_where(
                Expr::col((rows::Entity, rows::Column::RecipientPhone))
                    .equals((lead_rows::Entity, lead_rows::Column::Phone)),
            )
            .and_where(Expr::col((rows::Entity, rows::Column::RepliedAt)).is_null())
            .and_where(Expr::col((rows::Entity, rows::Column::CampaignId)).is_not_null())
            .and_where(Expr::col((rows::Entity, rows::Column::Status)).is_in([
                OutboxStatus::Pending,
                OutboxStatus::Queued,
                OutboxStatus::Sending,
            ]))
            .and_where(
                Expr::col((campaigns::Entity, campaigns::Column::Status))
                    .is_in([CampaignStatus::Running, CampaignStatus::Paused]),
            )
            .to_owned(),
    );
    let one_if = |condition: sea_orm::sea_query::SimpleExpr| {
        Expr::expr(Expr::case(condition, Expr::val(1)).finally(Expr::val(0))).sum()
    };
    let per_device: Vec<DeviceRow> = lead_rows::Entity::find()
        .select_only()
        .column_as(lead_rows::Column::DeviceId, "device_id")
        .column_as(lead_rows::Column::Id.count(), "matching")
        .column_as(one_if(opted.clone()), "opted_out")
        .column_as(
            one_if(Expr::expr(opted.clone()).not().and(elsewhere)),
            "elsewhere",
        )
        .filter(condition.clone())
        .group_by(lead_rows::Column::DeviceId)
        .into_model::<DeviceRow>()
        .all(db)
        .await?;
    let device_models: HashMap<Uuid, devices::Model> = devices::Entity::find()
        .filter(devices::Column::Id.is_in(per_device.iter().map(|d| d.device_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut result = Preview {
        distinct_texts: draft.template.variants(),
        ..Preview::default()
    };
    let window = draft.send_window();
    for row in per_device {
        let Some(device) = device_models.get(&row.device_id) else {
            continue;
        };
        let leads = row.matching - row.opted_out;
        let online = device.status == DeviceStatus::Online;
        result.leads += leads;
        result.opted_out += row.opted_out;
        result.in_other_running_campaigns += row.elsewhere;
        if !online {
            result.on_offline_devices += leads;
        }
        let eta = eta(
            leads,
            draft.delay,
            window.open_seconds_per_day(),
            window.days.days().len(),
            device.daily_cap,
        );
        result.devices.push(DevicePreview {
            device_id: device.id,
            device_name: device.name.clone(),
            leads,
            online,
            eta,
            finishes_at: eta.map(|e| start + e),
        });
    }
    result.devices.sort_by(|a, b| {
        a.device_name
            .cmp(&b.device_name)
            .then(a.device_id.cmp(&b.device_id))
    });
    let samples: Vec<(String, String)> = lead_rows::Entity::find()
        .select_only()
        .column(lead_rows::Column::Name)
        .column(lead_rows::Column::Phone)
        .filter(condition)
        .filter(Expr::expr(opted).not())
        .order_by_asc(lead_rows::Column::CreatedAt)
        .limit(SAMPLES as u64)
        .into_tuple()
        .all(db)
        .await?;
    result.samples = render_samples(draft, &samples);
    Ok(result)
}

/// An AI campaign's preview: the pool's PENDING leads that match, the devices online now, and
/// the even spread a start now would deal (each device its share, up to its limit).
async fn ai_preview(
    db: &DatabaseConnection,
    owner: UserId,
    draft: &Draft,
    start: DateTime<Utc>,
) -> AppResult<Preview> {
    let filter = LeadFilter {
        niches: draft.niches.iter().map(|t| t.label.clone()).collect(),
        target_status: draft.target_status,
        status: Some(crate::entities::enums::AiLeadStatus::Pending),
        ..LeadFilter::default()
    };
    let condition = leads::condition(owner, None, AudienceKind::Pool, &filter);
    let opted = leads::opted_out_condition(owner);
    let (matching, opted_out): (i64, Option<i64>) = lead_rows::Entity::find()
        .select_only()
        .column_as(lead_rows::Column::Id.count(), "matching")
        .column_as(
            Expr::expr(Expr::case(opted.clone(), Expr::val(1)).finally(Expr::val(0))).sum(),
            "opted_out",
        )
        .filter(condition.clone())
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, Some(0)));
    let opted_out = opted_out.unwrap_or(0);
    let leads = matching - opted_out;
    let mut query = devices::Entity::find().filter(devices::Column::UserId.eq(owner.0));
    if !draft.device_ids.is_empty() {
        query = query.filter(devices::Column::Id.is_in(draft.device_ids.iter().map(|d| d.0)));
    }
    let mut fleet = query.all(db).await?;
    fleet.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let online: Vec<&devices::Model> = fleet
        .iter()
        .filter(|d| d.status == DeviceStatus::Online)
        .collect();
    let shares = spread(leads, online.len(), draft.per_device_limit);
    let window = draft.send_window();
    let mut result = Preview {
        leads: shares.iter().sum(),
        opted_out,
        distinct_texts: draft.template.variants(),
        online_devices: online.len() as i64,
        ..Preview::default()
    };
    result.left_pending = leads - result.leads;
    let mut shares = shares.into_iter();
    for device in &fleet {
        let online = device.status == DeviceStatus::Online;
        let leads = if online {
            shares.next().unwrap_or(0)
        } else {
            0
        };
        let eta = eta(
            leads,
            draft.delay,
            window.open_seconds_per_day(),
            window.days.days().len(),
            device.daily_cap,
        );
        result.devices.push(DevicePreview {
            device_id: device.id,
            device_name: device.name.clone(),
            leads,
            online,
            eta,
            finishes_at: eta.map(|e| start + e),
        });
    }
    let samples: Vec<(String, String)> = lead_rows::Entity::find()
        .select_only()
        .column(lead_rows::Column::Name)
        .column(lead_rows::Column::Phone)
        .filter(condition)
        .filter(Expr::expr(opted).not())
        .order_by_asc(lead_rows::Column::CreatedAt)
        .limit(SAMPLES as u64)
        .into_tuple()
        .all(db)
        .await?;
    result.samples = render_samples(draft, &samples);
    Ok(result)
}

/// `leads` dealt evenly over `devices`, each at most `limit`: the first ones get one more.
fn spread(leads: i64, devices: usize, limit: Option<i32>) -> Vec<i64> {
    if devices == 0 {
        return Vec::new();
    }
    let cap = limit.map_or(i64::MAX, i64::from);
    let dealt = leads.min(cap.saturating_mul(devices as i64)).max(0);
    let (base, extra) = (dealt / devices as i64, dealt % devices as i64);
    (0..devices as i64)
        .map(|i| base + i64::from(i < extra))
        .collect()
}

/// Up to `SAMPLES` texts as the first leads would get them.
fn render_samples(draft: &Draft, samples: &[(String, String)]) -> Vec<String> {
    if samples.is_empty() {
        // No lead yet: how the fallbacks read for someone without a name.
        vec![draft.template.render(
            Recipient {
                name: None,
                phone: "",
            },
            1,
        )]
    } else {
        samples
            .iter()
            .enumerate()
            .map(|(n, (name, phone))| {
                let name = Some(name.as_str()).filter(|n| !n.trim().is_empty());
                draft
                    .template
                    .render(Recipient { name, phone }, n as u64 + 1)
            })
            .collect()
    }
}

/// How long a device takes for `leads` sends: the average delay between sends, stretched by the
/// share of the week its window is open, and by its daily cap (a day per capful).
fn eta(
    leads: i64,
    (min, max): (i32, i32),
    open_seconds_per_day: i64,
    open_days: usize,
    daily_cap: Option<i32>,
) -> Option<Duration> {
    if leads <= 0 {
        return None;
    }
    let average = f64::from(min + max) / 2.0;
    let sending = (leads - 1).max(0) as f64 * average;
    let open_share = (open_seconds_per_day as f64 * open_days as f64) / (7.0 * 86_400.0);
    if open_share <= 0.0 {
        return None;
    }
    let mut seconds = sending / open_share;
    if let Some(cap) = daily_cap.filter(|c| *c > 0) {
        let days_more = (leads - 1) / i64::from(cap);
        seconds = seconds.max(days_more as f64 * 86_400.0);
    }
    Some(Duration::seconds(seconds.round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_follows_delays_windows_and_caps() {
        // 11 leads at 10–30 s: 10 gaps of 20 s.
        assert_eq!(
            eta(11, (10, 30), 86_400, 7, None),
            Some(Duration::seconds(200))
        );
        // Open half of each day: twice as long.
        assert_eq!(
            eta(11, (10, 30), 43_200, 7, None),
            Some(Duration::seconds(400))
        );
        // A cap of 5 a day: the 11th goes out two days later.
        assert_eq!(eta(11, (0, 0), 86_400, 7, Some(5)), Some(Duration::days(2)));
        assert_eq!(eta(0, (10, 30), 86_400, 7, None), None);
    }

    #[test]
    fn an_ai_campaign_spreads_evenly_up_to_the_limit() {
        assert_eq!(spread(100, 10, Some(7)), vec![7; 10]);
        assert_eq!(spread(20, 5, Some(3)), vec![3; 5]);
        assert_eq!(spread(7, 3, Some(10)), vec![3, 2, 2]);
        assert_eq!(spread(5, 0, Some(3)), Vec::<i64>::new());
    }
}
