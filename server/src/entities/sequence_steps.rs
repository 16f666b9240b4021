use sea_orm::entity::prelude::*;

pub use super::enums::StepFailure;

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sequence_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sequence_id: Uuid,
    /// 0-based.
    pub position: i32,
    /// After the previous step (the first: after enrolment).
    pub delay_minutes: i32,
    pub message: String,
    pub image_ref: Option<String>,
    pub image_mime: Option<String>,
    pub window_from: Option<String>,
    pub window_to: Option<String>,
    pub weekdays: i16,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub on_failure: StepFailure,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
