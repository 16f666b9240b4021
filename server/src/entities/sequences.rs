use sea_orm::entity::prelude::*;

pub use super::enums::{SequenceStatus, TargetStatus};

/// A drip sequence.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sequences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// Folded, as lead trigger codes are.
    pub trigger_code: String,
    /// The LIKE pattern that finds the code in a lead's `,a,b,` triggers.
    pub trigger_pattern: String,
    /// Niche labels as entered, one per line.
    pub niches: String,
    /// The same, folded, as `,a,b,` (empty: every lead).
    pub niche_keys: String,
    pub target_status: Option<TargetStatus>,
    pub status: SequenceStatus,
    pub stop_on_reply: bool,
    pub next_sequence_id: Option<Uuid>,
    /// Leads changed before this time were looked at for enrolment.
    pub enrolled_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
