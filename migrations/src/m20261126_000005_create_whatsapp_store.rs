use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table of whatsapp-rust's session store, oldest dependency first.
const TABLES: [&str; 18] = [
    "wa_device_state",
    "wa_identities",
    "wa_sessions",
    "wa_prekeys",
    "wa_signed_prekeys",
    "wa_sender_keys",
    "wa_app_state_sync_keys",
    "wa_app_state_versions",
    "wa_app_state_mutation_macs",
    "wa_sender_key_devices",
    "wa_lid_pn_mappings",
    "wa_base_keys",
    "wa_device_lists",
    "wa_group_metadata",
    "wa_tc_tokens",
    "wa_sent_messages",
    "wa_pending_inbound",
    "wa_msg_secrets",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, blob) = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => ("UUID", "BYTEA"),
            _ => ("uuid_text", "BLOB"),
        };
        // whatsapp-rust's persistent session store (its `Backend` trait), one device per
        // `device_id`, so any node can open any device. Rows are opaque to us: Signal records,
        // keys and serde blobs written and read only by `whatsapp::store`. Unix seconds
        // throughout, as whatsapp-rust passes them.
        let device = format!("device_id {uuid} NOT NULL REFERENCES devices (id) ON DELETE CASCADE");
        for sql in [
            // The `Device` record (keys, identity, counters) as JSON.
            format!(
                "CREATE TABLE wa_device_state (
                    {device},
                    data {blob} NOT NULL,
                    PRIMARY KEY (device_id)
                )"
            ),
            format!(
                "CREATE TABLE wa_identities (
                    {device},
                    address TEXT NOT NULL,
                    identity_key {blob} NOT NULL,
                    PRIMARY KEY (device_id, address)
                )"
            ),
            format!(
                "CREATE TABLE wa_sessions (
                    {device},
                    address TEXT NOT NULL,
                    record {blob} NOT NULL,
                    PRIMARY KEY (device_id, address)
                )"
            ),
            format!(
                "CREATE TABLE wa_prekeys (
                    {device},
                    id BIGINT NOT NULL,
                    record {blob} NOT NULL,
                    uploaded BOOLEAN NOT NULL DEFAULT FALSE,
                    PRIMARY KEY (device_id, id)
                )"
            ),
            format!(
                "CREATE TABLE wa_signed_prekeys (
                    {device},
                    id BIGINT NOT NULL,
                    record {blob} NOT NULL,
                    PRIMARY KEY (device_id, id)
                )"
            ),
            format!(
                "CREATE TABLE wa_sender_keys (
                    {device},
                    address TEXT NOT NULL,
                    record {blob} NOT NULL,
                    PRIMARY KEY (device_id, address)
                )"
            ),
            // `seq` orders the keys by when they were set: the latest one is asked for.
            format!(
                "CREATE TABLE wa_app_state_sync_keys (
                    {device},
                    key_id {blob} NOT NULL,
                    key_data {blob} NOT NULL,
                    fingerprint {blob} NOT NULL,
                    timestamp BIGINT NOT NULL,
                    seq BIGINT NOT NULL,
                    PRIMARY KEY (device_id, key_id)
                )"
            ),
            format!(
                "CREATE TABLE wa_app_state_versions (
                    {device},
                    name TEXT NOT NULL,
                    state {blob} NOT NULL,
                    PRIMARY KEY (device_id, name)
                )"
            ),
            format!(
                "CREATE TABLE wa_app_state_mutation_macs (
                    {device},
                    name TEXT NOT NULL,
                    index_mac {blob} NOT NULL,
                    value_mac {blob} NOT NULL,
                    version BIGINT NOT NULL,
                    PRIMARY KEY (device_id, name, index_mac)
                )"
            ),
            format!(
                "CREATE TABLE wa_sender_key_devices (
                    {device},
                    group_jid TEXT NOT NULL,
                    device_jid TEXT NOT NULL,
                    has_key BOOLEAN NOT NULL,
                    PRIMARY KEY (device_id, group_jid, device_jid)
                )"
            ),
            // `seq` orders the writes: a phone number resolves to the LID written last.
            format!(
                "CREATE TABLE wa_lid_pn_mappings (
                    {device},
                    lid TEXT NOT NULL,
                    phone_number TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    learning_source TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    PRIMARY KEY (device_id, lid)
                )"
            ),
            "CREATE INDEX idx_wa_lid_pn_mappings_phone ON wa_lid_pn_mappings (device_id, phone_number, seq)".to_owned(),
            format!(
                "CREATE TABLE wa_base_keys (
                    {device},
                    address TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    base_key {blob} NOT NULL,
                    PRIMARY KEY (device_id, address, message_id)
                )"
            ),
            // `DeviceListRecord` as JSON; `user_part` is the user of a phone number or LID.
            format!(
                "CREATE TABLE wa_device_lists (
                    {device},
                    user_part TEXT NOT NULL,
                    record {blob} NOT NULL,
                    PRIMARY KEY (device_id, user_part)
                )"
            ),
            format!(
                "CREATE TABLE wa_group_metadata (
                    {device},
                    group_jid TEXT NOT NULL,
                    metadata {blob} NOT NULL,
                    PRIMARY KEY (device_id, group_jid)
                )"
            ),
            format!(
                "CREATE TABLE wa_tc_tokens (
                    {device},
                    jid TEXT NOT NULL,
                    token {blob} NOT NULL,
                    token_timestamp BIGINT NOT NULL,
                    sender_timestamp BIGINT,
                    PRIMARY KEY (device_id, jid)
                )"
            ),
            format!(
                "CREATE TABLE wa_sent_messages (
                    {device},
                    chat_jid TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    payload {blob} NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (device_id, chat_jid, message_id)
                )"
            ),
            "CREATE INDEX idx_wa_sent_messages_age ON wa_sent_messages (device_id, created_at)".to_owned(),
            format!(
                "CREATE TABLE wa_pending_inbound (
                    {device},
                    chat TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    message {blob} NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (device_id, chat, sender, message_id)
                )"
            ),
            "CREATE INDEX idx_wa_pending_inbound_age ON wa_pending_inbound (device_id, created_at)".to_owned(),
            // `expires_at = 0` never expires.
            format!(
                "CREATE TABLE wa_msg_secrets (
                    {device},
                    chat TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    msg_id TEXT NOT NULL,
                    secret {blob} NOT NULL,
                    expires_at BIGINT NOT NULL,
                    message_ts BIGINT NOT NULL,
                    PRIMARY KEY (device_id, chat, sender, msg_id)
                )"
            ),
            "CREATE INDEX idx_wa_msg_secrets_expiry ON wa_msg_secrets (device_id, expires_at)".to_owned(),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in TABLES.iter().rev() {
            db.execute_unprepared(&format!("DROP TABLE {table}"))
                .await?;
        }
        Ok(())
    }
}
