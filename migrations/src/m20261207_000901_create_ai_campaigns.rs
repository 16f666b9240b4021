use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts, serial) = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => ("UUID", "TIMESTAMPTZ", "BIGSERIAL PRIMARY KEY"),
            _ => (
                "uuid_text",
                "timestamp_with_timezone_text",
                "INTEGER PRIMARY KEY AUTOINCREMENT",
            ),
        };
        for sql in [
            // A device's part in an AI campaign: its status there and its running totals, moved
            // by the scheduler's rounds (the room left is the limit minus `dealt`).
            format!(
                "CREATE TABLE ai_campaign_devices (
                    campaign_id {uuid} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
                    device_id {uuid} NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    dealt INTEGER NOT NULL,
                    sent INTEGER NOT NULL,
                    failed INTEGER NOT NULL,
                    failures_in_a_row INTEGER NOT NULL,
                    reason VARCHAR(300),
                    updated_at {ts} NOT NULL,
                    PRIMARY KEY (campaign_id, device_id)
                )"
            ),
            // One lead dealt to one device, with the outbox row that carries it. A lead has at
            // most one deal that was not given back per campaign (the partial unique index), so
            // no campaign sends a lead twice; a deal given back (the device went offline or
            // failed) keeps why and, once dealt again, to which device: the re-deal log.
            format!(
                "CREATE TABLE ai_campaign_deals (
                    id {serial},
                    campaign_id {uuid} NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
                    lead_id {uuid} NOT NULL,
                    device_id {uuid} NOT NULL,
                    row_id BIGINT NOT NULL,
                    state VARCHAR(8) NOT NULL,
                    reason VARCHAR(300),
                    redealt_to {uuid},
                    dealt_at {ts} NOT NULL,
                    settled_at {ts}
                )"
            ),
            "CREATE UNIQUE INDEX uq_ai_campaign_deals_lead ON ai_campaign_deals (campaign_id, lead_id) \
             WHERE state <> 'RETURNED'"
                .to_owned(),
            // Each round reads the deals still out (a few per device), never the settled ones.
            "CREATE INDEX idx_ai_campaign_deals_open ON ai_campaign_deals (campaign_id, device_id) \
             WHERE state = 'OPEN'"
                .to_owned(),
            "CREATE INDEX idx_ai_campaign_deals_returned ON ai_campaign_deals (campaign_id, id) \
             WHERE state = 'RETURNED'"
                .to_owned(),
            // The pool's leads a round may deal, oldest first.
            "CREATE INDEX idx_leads_pool_pending ON leads (user_id, created_at, id) \
             WHERE kind = 'POOL' AND status = 'PENDING'"
                .to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_leads_pool_pending",
            "DROP TABLE ai_campaign_deals",
            "DROP TABLE ai_campaign_devices",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
