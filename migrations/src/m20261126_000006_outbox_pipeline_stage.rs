use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Which rows the partial indexes hold, as a column derived from `status`: 1 while scheduled
/// (PENDING), 2 while on a queue (QUEUED or SENDING), NULL once settled.
///
/// No index names `status` any more, so claiming a row (QUEUED → SENDING: the stage stays 2)
/// changes no indexed value and PostgreSQL can write it as a heap-only update, without a new
/// entry in every index of the table. The free space a page keeps (fillfactor) gives those
/// updates room on the row's own page.
const STAGE: &str =
    "CASE status WHEN 'PENDING' THEN 1 WHEN 'QUEUED' THEN 2 WHEN 'SENDING' THEN 2 END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        // SQLite adds generated columns only as VIRTUAL; it has no heap-only updates to gain.
        let column = if postgres {
            format!("ALTER TABLE broadcast_messages ADD COLUMN pipeline_stage SMALLINT GENERATED ALWAYS AS ({STAGE}) STORED")
        } else {
            format!("ALTER TABLE broadcast_messages ADD COLUMN pipeline_stage INTEGER GENERATED ALWAYS AS ({STAGE}) VIRTUAL")
        };
        let mut statements = vec![
            column,
            "DROP INDEX idx_outbox_device_active".to_owned(),
            "DROP INDEX idx_outbox_pending_due".to_owned(),
            // The reconciler (QUEUED by device) and a device taken over (SENDING by device).
            "CREATE INDEX idx_outbox_device_active ON broadcast_messages (device_id, id) WHERE pipeline_stage = 2".to_owned(),
            // Scheduled rows coming due.
            "CREATE INDEX idx_outbox_pending_due ON broadcast_messages (scheduled_at) WHERE pipeline_stage = 1".to_owned(),
        ];
        if postgres {
            statements.push("ALTER TABLE broadcast_messages SET (fillfactor = 75)".to_owned());
        }
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut statements = vec![
            "DROP INDEX idx_outbox_device_active",
            "DROP INDEX idx_outbox_pending_due",
            "ALTER TABLE broadcast_messages DROP COLUMN pipeline_stage",
            "CREATE INDEX idx_outbox_device_active ON broadcast_messages (device_id, status, id) WHERE status IN ('QUEUED', 'SENDING')",
            "CREATE INDEX idx_outbox_pending_due ON broadcast_messages (scheduled_at) WHERE status = 'PENDING'",
        ];
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            statements.push("ALTER TABLE broadcast_messages RESET (fillfactor)");
        }
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
