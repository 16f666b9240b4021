use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL only: the outbox row's `user_id` loses its foreign key. A campaign start writes
/// 100,000 rows of one user in one statement, and the key's check locks that one `users` row once
/// per row (a third of the start's time, measured). The row still goes with its owner: it belongs
/// to its device (`ON DELETE CASCADE`), the device to the user, and `user_id` is copied from the
/// device when the row is written. SQLite keeps the key: its check is a plain lookup.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE broadcast_messages DROP CONSTRAINT IF EXISTS broadcast_messages_user_id_fkey",
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
                "ALTER TABLE broadcast_messages ADD CONSTRAINT broadcast_messages_user_id_fkey \
                 FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
            )
            .await
            .map(|_| ())
    }
}
