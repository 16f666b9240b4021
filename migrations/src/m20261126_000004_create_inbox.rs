use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (id, uuid, ts) = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => ("BIGSERIAL PRIMARY KEY", "UUID", "TIMESTAMPTZ"),
            _ => (
                "INTEGER PRIMARY KEY AUTOINCREMENT",
                "uuid_text",
                "timestamp_with_timezone_text",
            ),
        };
        // The "WhatsApp Web" view of each device: its personal chats and their newest messages.
        // Times of messages are WhatsApp's (seconds since the epoch, normalised on the way in).
        for sql in [
            format!(
                "CREATE TABLE whatsapp_chats (
                    id {id},
                    device_id {uuid} NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                    chat_jid VARCHAR(100) NOT NULL,
                    name VARCHAR(200),
                    last_message_text TEXT,
                    last_message_at BIGINT,
                    last_message_from_me BOOLEAN NOT NULL DEFAULT FALSE,
                    unread_count INTEGER NOT NULL DEFAULT 0,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX uq_chats_device_jid ON whatsapp_chats (device_id, chat_jid)".to_owned(),
            "CREATE INDEX idx_chats_device_recent ON whatsapp_chats (device_id, last_message_at, id)".to_owned(),
            format!(
                "CREATE TABLE whatsapp_messages (
                    id {id},
                    device_id {uuid} NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                    chat_jid VARCHAR(100) NOT NULL,
                    message_id VARCHAR(100),
                    outbox_id BIGINT,
                    sender_jid VARCHAR(100) NOT NULL,
                    sender_name VARCHAR(200),
                    from_me BOOLEAN NOT NULL,
                    kind VARCHAR(8) NOT NULL,
                    text TEXT,
                    media_ref VARCHAR(200),
                    caption TEXT,
                    timestamp BIGINT NOT NULL,
                    status VARCHAR(12),
                    created_at {ts} NOT NULL
                )"
            ),
            // A message is stored once per device: redelivered or re-synced copies update it.
            "CREATE UNIQUE INDEX uq_messages_device_message ON whatsapp_messages (device_id, message_id) WHERE message_id IS NOT NULL".to_owned(),
            "CREATE INDEX idx_messages_chat_time ON whatsapp_messages (device_id, chat_jid, timestamp, id)".to_owned(),
            "CREATE UNIQUE INDEX uq_messages_outbox ON whatsapp_messages (outbox_id) WHERE outbox_id IS NOT NULL".to_owned(),
            // What the phone told us about LIDs, so one person never becomes two chats.
            format!(
                "CREATE TABLE lid_pn_mappings (
                    device_id {uuid} NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                    lid VARCHAR(100) NOT NULL,
                    phone_jid VARCHAR(100) NOT NULL,
                    PRIMARY KEY (device_id, lid)
                )"
            ),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["lid_pn_mappings", "whatsapp_messages", "whatsapp_chats"] {
            db.execute_unprepared(&format!("DROP TABLE {table}"))
                .await?;
        }
        Ok(())
    }
}
