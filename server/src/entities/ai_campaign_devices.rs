use sea_orm::entity::prelude::*;

pub use super::enums::AiDeviceStatus;

/// A device's part in an AI campaign: where it stands there and its running totals.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_campaign_devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub device_id: Uuid,
    pub status: AiDeviceStatus,
    /// Leads dealt to it and not given back (sent, failed or still out).
    pub dealt: i32,
    pub sent: i32,
    pub failed: i32,
    /// Its latest sends in this campaign that failed, one after another.
    pub failures_in_a_row: i32,
    /// Why it is FAILED.
    pub reason: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
