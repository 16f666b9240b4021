use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use super::enums::{AiLeadStatus, AudienceKind, LeadSource, TargetStatus};

/// A lead: a device's own (`kind` DEVICE, `device_id` set) or one of the user's AI lead pool
/// (`kind` POOL; `device_id` is the device it went out from, once dealt).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: AudienceKind,
    /// The device (DEVICE) or the user (POOL): phones are unique per (kind, scope).
    pub scope_id: Uuid,
    pub device_id: Option<Uuid>,
    pub name: String,
    pub phone: String,
    pub target_status: TargetStatus,
    /// Sequence trigger codes, folded, as `,code,code,` so one code matches exactly.
    pub triggers: String,
    pub notes: String,
    pub source: LeadSource,
    pub status: Option<AiLeadStatus>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
