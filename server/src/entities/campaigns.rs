use sea_orm::entity::prelude::*;

pub use super::enums::{CampaignKind, CampaignStatus, TargetStatus};

/// A campaign. Its rows are in the outbox (`broadcast_messages.campaign_id`); its progress in
/// `outbox_counters` (scope campaign) and `campaign_counters` (per device).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: CampaignKind,
    pub title: String,
    /// The template as written (placeholders, spintax).
    pub message: String,
    pub image_ref: Option<String>,
    pub image_mime: Option<String>,
    /// The niche tags (labels as entered), one per line; matching is by folded key.
    pub niches: String,
    /// `None`: prospects and customers.
    pub target_status: Option<TargetStatus>,
    /// A JSON array of device ids; empty: all of the user's devices.
    pub device_ids: String,
    /// `None`: not scheduled yet (a clone waiting to be edited).
    pub scheduled_at: Option<DateTimeUtc>,
    /// `HH:MM`, in the lead's local time; both or neither.
    pub window_from: Option<String>,
    pub window_to: Option<String>,
    /// Bit mask, bit 0 = Monday (see `send_window::Weekdays`).
    pub weekdays: i16,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub per_device_limit: Option<i32>,
    pub status: CampaignStatus,
    pub paused_reason: Option<String>,
    /// When its rows were materialised; `None` until then.
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
