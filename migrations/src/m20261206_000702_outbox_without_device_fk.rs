use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL only: the outbox row's `device_id` loses its foreign key. Its check ran once per
/// row (measured: a tenth of a 100,000-row campaign start). Writers of rows lock their devices
/// against deletion instead, once per statement, and a device's delete locks the device before
/// it removes the device's rows (`outbox::lock_devices`), so no row outlives its device. SQLite
/// keeps the key: its check is a plain lookup.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE broadcast_messages DROP CONSTRAINT IF EXISTS broadcast_messages_device_id_fkey",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE broadcast_messages ADD CONSTRAINT broadcast_messages_device_id_fkey \
                 FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE",
            )
            .await
            .map(|_| ())
    }
}
