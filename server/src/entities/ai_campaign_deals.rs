use sea_orm::entity::prelude::*;

pub use super::enums::DealState;

/// One lead dealt to one device by an AI campaign, with the outbox row that carries it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_campaign_deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: Uuid,
    pub lead_id: Uuid,
    pub device_id: Uuid,
    pub row_id: i64,
    pub state: DealState,
    /// Why it was given back (RETURNED).
    pub reason: Option<String>,
    /// The device the lead was dealt to next, once it was.
    pub redealt_to: Option<Uuid>,
    pub dealt_at: DateTimeUtc,
    pub settled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
