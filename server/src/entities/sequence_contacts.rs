use sea_orm::entity::prelude::*;

pub use super::enums::{ContactStatus, StepState};

/// A lead enrolled in a sequence.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sequence_contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sequence_id: Uuid,
    pub user_id: Uuid,
    pub lead_id: Uuid,
    /// The lead's device: every step goes out from it.
    pub device_id: Uuid,
    pub phone: String,
    pub name: String,
    pub status: ContactStatus,
    /// 0-based position of the next step to send.
    pub next_step: i32,
    pub step_state: StepState,
    /// The outbox row of the step being sent (while SENDING; afterwards the last one sent).
    pub row_id: Option<i64>,
    pub next_due_at: Option<DateTimeUtc>,
    pub enrolled_at: DateTimeUtc,
    pub replied_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
