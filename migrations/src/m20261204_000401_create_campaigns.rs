use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts) = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => ("UUID", "TIMESTAMPTZ"),
            _ => ("uuid_text", "timestamp_with_timezone_text"),
        };
        for sql in [
            // A campaign: what to send, to whom (niches, target status, devices), when (schedule,
            // window, weekdays), at what pace, and where it is. Its rows live in the outbox.
            format!(
                "CREATE TABLE campaigns (
                    id {uuid} PRIMARY KEY,
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind VARCHAR(12) NOT NULL,
                    title VARCHAR(200) NOT NULL,
                    message VARCHAR(4096) NOT NULL,
                    image_ref VARCHAR(200),
                    image_mime VARCHAR(64),
                    niches VARCHAR(2000) NOT NULL,
                    target_status VARCHAR(16),
                    device_ids TEXT NOT NULL,
                    scheduled_at {ts},
                    window_from VARCHAR(8),
                    window_to VARCHAR(8),
                    weekdays SMALLINT NOT NULL,
                    min_delay_seconds INTEGER NOT NULL,
                    max_delay_seconds INTEGER NOT NULL,
                    per_device_limit INTEGER,
                    status VARCHAR(24) NOT NULL,
                    paused_reason VARCHAR(300),
                    started_at {ts},
                    completed_at {ts},
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE INDEX idx_campaigns_user_created ON campaigns (user_id, created_at, id)"
                .to_owned(),
            // The scheduler's question: which campaigns are due.
            "CREATE INDEX idx_campaigns_status_due ON campaigns (status, scheduled_at)".to_owned(),
            // Running totals of a campaign per device and per status (and replies), moved in the
            // same transactions as the rows: per-device progress without counting rows.
            format!(
                "CREATE TABLE campaign_counters (
                    campaign_id {uuid} NOT NULL,
                    device_id {uuid} NOT NULL,
                    metric VARCHAR(12) NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (campaign_id, device_id, metric)
                )"
            ),
            format!("ALTER TABLE broadcast_messages ADD COLUMN replied_at {ts}"),
            // An inbound message finds the campaign rows it answers (replies counted once).
            "CREATE INDEX idx_outbox_campaign_unreplied ON broadcast_messages (device_id, recipient_phone) \
             WHERE campaign_id IS NOT NULL AND replied_at IS NULL"
                .to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_outbox_campaign_unreplied",
            "ALTER TABLE broadcast_messages DROP COLUMN replied_at",
            "DROP TABLE campaign_counters",
            "DROP TABLE campaigns",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
