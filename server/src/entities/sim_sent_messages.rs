use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sim_sent_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub device_id: Uuid,
    pub to_jid: String,
    pub text: Option<String>,
    pub caption: Option<String>,
    pub has_image: bool,
    pub message_id: String,
    pub sent_at: DateTimeUtc,
    /// Sends of this (recipient, message id) the network received; the recipient shows one.
    pub attempts: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
