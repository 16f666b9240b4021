use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "whatsapp_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub device_id: Uuid,
    pub chat_jid: String,
    /// WhatsApp's id; empty for our own message until it is sent.
    pub message_id: Option<String>,
    /// The outbox row behind a message we sent.
    pub outbox_id: Option<i64>,
    pub sender_jid: String,
    pub sender_name: Option<String>,
    pub from_me: bool,
    pub kind: super::enums::MessageKind,
    pub text: Option<String>,
    pub media_ref: Option<String>,
    pub caption: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: i64,
    /// For our own messages; null for messages we received.
    pub status: Option<super::enums::MessageStatus>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
