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
            // Both kinds of lead in one table, so tags, search, import and export are written
            // once. A device's lead (kind DEVICE) is unique per device, a pool lead (kind POOL,
            // the AI lead list) per user: `scope_id` is the device or the user, and one plain
            // unique key serves both and every ON CONFLICT.
            format!(
                "CREATE TABLE leads (
                    id {uuid} PRIMARY KEY,
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind VARCHAR(8) NOT NULL,
                    scope_id {uuid} NOT NULL,
                    device_id {uuid} REFERENCES devices (id) ON DELETE CASCADE,
                    name VARCHAR(200) NOT NULL,
                    phone VARCHAR(20) NOT NULL,
                    target_status VARCHAR(16) NOT NULL,
                    triggers VARCHAR(1000) NOT NULL,
                    notes VARCHAR(2000) NOT NULL,
                    source VARCHAR(16) NOT NULL,
                    status VARCHAR(16),
                    sent_at {ts},
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX uq_leads_scope_phone ON leads (kind, scope_id, phone)".to_owned(),
            "CREATE INDEX idx_leads_user_kind_created ON leads (user_id, kind, created_at, id)"
                .to_owned(),
            "CREATE INDEX idx_leads_device ON leads (device_id)".to_owned(),
            // A user's tags: `tag_key` is the folded form (lowercase, accents removed) that
            // matching uses; `label` is how it was first written.
            format!(
                "CREATE TABLE tags (
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    tag_key VARCHAR(60) NOT NULL,
                    label VARCHAR(60) NOT NULL,
                    PRIMARY KEY (user_id, tag_key)
                )"
            ),
            format!(
                "CREATE TABLE lead_tags (
                    lead_id {uuid} NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
                    user_id {uuid} NOT NULL,
                    tag_key VARCHAR(60) NOT NULL,
                    PRIMARY KEY (lead_id, tag_key)
                )"
            ),
            "CREATE INDEX idx_lead_tags_user_key ON lead_tags (user_id, tag_key, lead_id)"
                .to_owned(),
            // Numbers no campaign, sequence or AI campaign of the user may message.
            format!(
                "CREATE TABLE opt_outs (
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    phone VARCHAR(20) NOT NULL,
                    reason VARCHAR(200) NOT NULL,
                    source VARCHAR(16) NOT NULL,
                    created_at {ts} NOT NULL,
                    PRIMARY KEY (user_id, phone)
                )"
            ),
            format!(
                "CREATE TABLE import_jobs (
                    id {uuid} PRIMARY KEY,
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    kind VARCHAR(16) NOT NULL,
                    device_id {uuid} REFERENCES devices (id) ON DELETE CASCADE,
                    file_name VARCHAR(255) NOT NULL,
                    tag_mode VARCHAR(8) NOT NULL,
                    status VARCHAR(8) NOT NULL,
                    rows_read BIGINT NOT NULL DEFAULT 0,
                    imported BIGINT NOT NULL DEFAULT 0,
                    updated BIGINT NOT NULL DEFAULT 0,
                    duplicates BIGINT NOT NULL DEFAULT 0,
                    rejected_count BIGINT NOT NULL DEFAULT 0,
                    last_line BIGINT NOT NULL DEFAULT 0,
                    error VARCHAR(500),
                    created_at {ts} NOT NULL,
                    finished_at {ts}
                )"
            ),
            format!(
                "CREATE TABLE import_rejections (
                    job_id {uuid} NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
                    line BIGINT NOT NULL,
                    reason VARCHAR(300) NOT NULL,
                    PRIMARY KEY (job_id, line)
                )"
            ),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in [
            "import_rejections",
            "import_jobs",
            "opt_outs",
            "lead_tags",
            "tags",
            "leads",
        ] {
            db.execute_unprepared(&format!("DROP TABLE {table}"))
                .await?;
        }
        Ok(())
    }
}
