use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "whatsapp_chats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub device_id: Uuid,
    pub chat_jid: String,
    pub name: Option<String>,
    pub last_message_text: Option<String>,
    /// Seconds since the epoch.
    pub last_message_at: Option<i64>,
    pub last_message_from_me: bool,
    pub unread_count: i32,
    /// When the contact started waiting for our answer (seconds since the epoch): their first
    /// message since our last one; `None` once we answered.
    pub waiting_since: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
