use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A chat whose newest message is the contact's keeps when the contact started waiting: the
/// time of their first message since our last one (seconds since the epoch, as
/// `last_message_at`), cleared when we answer. The fleet-wide "waiting for a reply" list reads
/// it by its own index, oldest first, instead of looking through every chat's messages.
/// Chats that are waiting already start from their newest message (their earlier unanswered
/// messages are not looked up).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE whatsapp_chats ADD COLUMN waiting_since BIGINT",
            "UPDATE whatsapp_chats SET waiting_since = last_message_at \
             WHERE last_message_from_me = false AND last_message_at IS NOT NULL",
            "CREATE INDEX idx_chats_waiting ON whatsapp_chats (waiting_since, id) \
             WHERE waiting_since IS NOT NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_chats_waiting",
            "ALTER TABLE whatsapp_chats DROP COLUMN waiting_since",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
