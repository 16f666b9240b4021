use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        let (uuid, ts, serial) = if postgres {
            ("UUID", "TIMESTAMPTZ", "BIGSERIAL PRIMARY KEY")
        } else {
            (
                "uuid_text",
                "timestamp_with_timezone_text",
                "INTEGER PRIMARY KEY AUTOINCREMENT",
            )
        };
        for sql in [
            // A drip sequence: leads whose trigger codes contain `trigger_code` are enrolled and
            // get its steps one by one, each when due.
            format!(
                "CREATE TABLE sequences (
                    id {uuid} PRIMARY KEY,
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    name VARCHAR(200) NOT NULL,
                    trigger_code VARCHAR(40) NOT NULL,
                    trigger_pattern VARCHAR(120) NOT NULL,
                    niches VARCHAR(2000) NOT NULL,
                    niche_keys VARCHAR(2000) NOT NULL,
                    target_status VARCHAR(16),
                    status VARCHAR(8) NOT NULL,
                    stop_on_reply BOOLEAN NOT NULL,
                    next_sequence_id {uuid},
                    enrolled_until {ts},
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX uq_sequences_user_trigger ON sequences (user_id, trigger_code)"
                .to_owned(),
            format!(
                "CREATE TABLE sequence_steps (
                    id {uuid} PRIMARY KEY,
                    sequence_id {uuid} NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    delay_minutes INTEGER NOT NULL,
                    message VARCHAR(4096) NOT NULL,
                    image_ref VARCHAR(200),
                    image_mime VARCHAR(64),
                    window_from VARCHAR(8),
                    window_to VARCHAR(8),
                    weekdays SMALLINT NOT NULL,
                    min_delay_seconds INTEGER NOT NULL,
                    max_delay_seconds INTEGER NOT NULL,
                    on_failure VARCHAR(8) NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX uq_sequence_steps_position ON sequence_steps (sequence_id, position)"
                .to_owned(),
            // One per (sequence, lead). Only its next step exists as an outbox row, and only
            // once due (`step_state` SENDING until that row is final).
            format!(
                "CREATE TABLE sequence_contacts (
                    id {serial},
                    sequence_id {uuid} NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
                    user_id {uuid} NOT NULL,
                    lead_id {uuid} NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
                    device_id {uuid} NOT NULL,
                    phone VARCHAR(20) NOT NULL,
                    name VARCHAR(200) NOT NULL,
                    status VARCHAR(12) NOT NULL,
                    next_step INTEGER NOT NULL,
                    step_state VARCHAR(8) NOT NULL,
                    next_due_at {ts},
                    enrolled_at {ts} NOT NULL,
                    replied_at {ts},
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX uq_sequence_contacts_lead ON sequence_contacts (sequence_id, lead_id)"
                .to_owned(),
            "CREATE INDEX idx_sequence_contacts_due ON sequence_contacts (step_state, next_due_at) WHERE status = 'ACTIVE'"
                .to_owned(),
            "CREATE INDEX idx_sequence_contacts_phone ON sequence_contacts (device_id, phone) WHERE status = 'ACTIVE'"
                .to_owned(),
            // Enrolment looks at the leads changed since its last look.
            "CREATE INDEX idx_leads_user_updated ON leads (user_id, updated_at)".to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_leads_user_updated",
            "DROP TABLE sequence_contacts",
            "DROP TABLE sequence_steps",
            "DROP TABLE sequences",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
