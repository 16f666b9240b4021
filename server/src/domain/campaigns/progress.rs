//! A campaign's progress and report, read from its running counters (`campaign_counters`: per
//! device and metric), never by counting its rows.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    domain::outbox::OutboxStatus,
    entities::{
        broadcast_messages as rows, campaign_counters, campaigns, devices, enums::CampaignMetric,
    },
    error::AppResult,
};

/// Counts of a campaign (or of one of its devices). `sent` counts every row that reached SENT
/// or later; `delivered` those that reached DELIVERED or READ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: i64,
    pub pending: i64,
    pub queued: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub skipped: i64,
    pub cancelled: i64,
    pub replied: i64,
}

impl Counts {
    fn add(&mut self, metric: CampaignMetric, n: i64) {
        match metric {
            CampaignMetric::Pending => self.pending += n,
            CampaignMetric::Queued => self.queued += n,
            CampaignMetric::Sent => self.sent += n,
            CampaignMetric::Delivered => {
                self.sent += n;
                self.delivered += n;
            }
            CampaignMetric::Read => {
                self.sent += n;
                self.delivered += n;
                self.read += n;
            }
            CampaignMetric::Failed => self.failed += n,
            CampaignMetric::Skipped => self.skipped += n,
            CampaignMetric::Cancelled => self.cancelled += n,
            CampaignMetric::Replied => self.replied += n,
        }
        if metric != CampaignMetric::Replied {
            self.total += n;
        }
    }

    fn plus(&mut self, other: &Counts) {
        self.total += other.total;
        self.pending += other.pending;
        self.queued += other.queued;
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.read += other.read;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.cancelled += other.cancelled;
        self.replied += other.replied;
    }

    /// Of the sent rows, the share that `part` is (0 with nothing sent).
    pub fn rate(&self, part: i64) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            part as f64 / self.sent as f64
        }
    }
}

/// One device's part of a campaign.
#[derive(Debug, Clone)]
pub struct DeviceCounts {
    pub device_id: Uuid,
    pub device_name: String,
    pub counts: Counts,
}

/// A campaign's progress.
#[derive(Debug, Clone)]
pub struct Progress {
    pub campaign: campaigns::Model,
    pub totals: Counts,
    /// By device name.
    pub devices: Vec<DeviceCounts>,
    /// An AI campaign's devices: their status there and room (empty for a broadcast).
    pub ai_devices: Vec<super::ai::DevicePart>,
}

/// The progress of a campaign (already known to be the caller's).
pub async fn progress(db: &DatabaseConnection, campaign: campaigns::Model) -> AppResult<Progress> {
    let counters = campaign_counters::Entity::find()
        .filter(campaign_counters::Column::CampaignId.eq(campaign.id))
        .all(db)
        .await?;
    let mut by_device: HashMap<Uuid, Counts> = HashMap::new();
    for counter in counters {
        by_device
            .entry(counter.device_id)
            .or_default()
            .add(counter.metric, counter.count);
    }
    let names: HashMap<Uuid, String> = devices::Entity::find()
        .select_only()
        .column(devices::Column::Id)
        .column(devices::Column::Name)
        .filter(devices::Column::Id.is_in(by_device.keys().copied()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut totals = Counts::default();
    let mut devices: Vec<DeviceCounts> = by_device
        .into_iter()
        .map(|(device_id, counts)| {
            totals.plus(&counts);
            DeviceCounts {
                device_id,
                device_name: names
                    .get(&device_id)
                    .cloned()
                    .unwrap_or_else(|| "(deleted device)".into()),
                counts,
            }
        })
        .collect();
    devices.sort_by(|a, b| {
        a.device_name
            .cmp(&b.device_name)
            .then(a.device_id.cmp(&b.device_id))
    });
    let ai_devices = if campaign.kind == super::CampaignKind::Ai {
        super::ai::device_parts(db, &campaign).await?
    } else {
        Vec::new()
    };
    Ok(Progress {
        campaign,
        totals,
        devices,
        ai_devices,
    })
}

/// A failure reason and how many rows failed with it.
#[derive(Debug, Clone)]
pub struct FailureReason {
    pub reason: String,
    pub count: i64,
}

/// What went wrong in a campaign, most frequent first: grouped by the error each FAILED row
/// keeps (on request, from the campaign's rows; never per event).
pub async fn failures(db: &DatabaseConnection, campaign_id: Uuid) -> AppResult<Vec<FailureReason>> {
    let grouped: Vec<(Option<String>, i64)> = rows::Entity::find()
        .select_only()
        .column(rows::Column::LastError)
        .column_as(rows::Column::Id.count(), "count")
        .filter(rows::Column::CampaignId.eq(campaign_id))
        .filter(rows::Column::Status.eq(OutboxStatus::Failed))
        .group_by(rows::Column::LastError)
        .order_by_desc(rows::Column::Id.count())
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for (reason, count) in grouped {
        *merged
            .entry(reason.unwrap_or_else(|| "unknown error".into()))
            .or_default() += count;
    }
    let mut reasons: Vec<FailureReason> = merged
        .into_iter()
        .map(|(reason, count)| FailureReason { reason, count })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    Ok(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_statuses_count_as_sent_and_replies_are_not_rows() {
        let mut counts = Counts::default();
        counts.add(CampaignMetric::Sent, 2);
        counts.add(CampaignMetric::Delivered, 3);
        counts.add(CampaignMetric::Read, 5);
        counts.add(CampaignMetric::Failed, 1);
        counts.add(CampaignMetric::Replied, 4);
        assert_eq!(counts.total, 11);
        assert_eq!(counts.sent, 10);
        assert_eq!(counts.delivered, 8);
        assert_eq!(counts.read, 5);
        assert_eq!(counts.replied, 4);
        assert!((counts.rate(counts.replied) - 0.4).abs() < 1e-9);
    }
}
