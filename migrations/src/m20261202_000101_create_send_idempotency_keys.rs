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
        // A client's `idempotencyKey` for sendMessage: one row per (user, key) for 24 hours,
        // pointing at the outbox row the first request made (NULL while that request runs).
        for sql in [
            format!(
                "CREATE TABLE send_idempotency_keys (
                    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    idempotency_key VARCHAR(100) NOT NULL,
                    request_hash VARCHAR(64) NOT NULL,
                    outbox_id BIGINT,
                    created_at {ts} NOT NULL,
                    PRIMARY KEY (user_id, idempotency_key)
                )"
            ),
            "CREATE INDEX idx_send_idempotency_created ON send_idempotency_keys (created_at)"
                .to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE send_idempotency_keys")
            .await?;
        Ok(())
    }
}
