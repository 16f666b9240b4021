use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The contacts waiting for their step's row to settle, in id order: the scheduler pages through
/// them (`domain::sequences::run::move_on`) instead of joining every waiting contact to the
/// outbox in one statement, whose plan PostgreSQL got wrong from stale statistics (a nested loop
/// over 100,000 × 100,000 rows, 160 s a batch in `just bench sequences`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_sequence_contacts_sending ON sequence_contacts (id) \
                 WHERE status = 'ACTIVE' AND step_state = 'SENDING'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_sequence_contacts_sending")
            .await
            .map(|_| ())
    }
}
