use sea_orm::entity::prelude::*;

pub use super::enums::{ImportKind, ImportStatus, TagMergeMode};

/// A CSV import running in the background; its counters move with each committed batch.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: ImportKind,
    pub device_id: Option<Uuid>,
    pub file_name: String,
    pub tag_mode: TagMergeMode,
    pub status: ImportStatus,
    pub rows_read: i64,
    pub imported: i64,
    pub updated: i64,
    pub duplicates: i64,
    pub rejected_count: i64,
    /// The file's last line whose batch is committed.
    pub last_line: i64,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
