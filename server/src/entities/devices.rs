use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use super::enums::DeviceStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub jid: Option<String>,
    pub lid: Option<String>,
    pub status: DeviceStatus,
    pub status_reason: Option<String>,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub daily_cap: Option<i32>,
    pub banned_until: Option<DateTimeUtc>,
    pub paired_at: Option<DateTimeUtc>,
    pub last_seen_at: Option<DateTimeUtc>,
    pub lease_token: i64,
    pub lease_node: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
