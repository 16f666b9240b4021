use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use super::enums::{MessageKind, OutboxStatus, Source};

/// The outbox (`broadcast_messages`): one row per message that leaves.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "broadcast_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub recipient_phone: String,
    pub recipient_jid: String,
    pub recipient_name: Option<String>,
    pub kind: MessageKind,
    pub text: Option<String>,
    pub image_ref: Option<String>,
    pub image_mime: Option<String>,
    pub caption: Option<String>,
    pub source: Source,
    pub source_id: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub sequence_step_id: Option<Uuid>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub min_delay_seconds: Option<i32>,
    pub max_delay_seconds: Option<i32>,
    pub scheduled_at: DateTimeUtc,
    pub queued_at: Option<DateTimeUtc>,
    pub sending_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    /// When the recipient first answered a campaign message (campaign rows only).
    pub replied_at: Option<DateTimeUtc>,
    pub wa_message_id: Option<String>,
    pub claim_token: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
