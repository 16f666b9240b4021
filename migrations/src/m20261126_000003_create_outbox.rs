use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BroadcastMessages {
    Table,
    Id,
    UserId,
    DeviceId,
    RecipientPhone,
    RecipientJid,
    RecipientName,
    Kind,
    Text,
    ImageRef,
    ImageMime,
    Caption,
    Source,
    SourceId,
    CampaignId,
    SequenceStepId,
    Status,
    Attempts,
    LastError,
    MinDelaySeconds,
    MaxDelaySeconds,
    ScheduledAt,
    QueuedAt,
    SendingAt,
    SentAt,
    DeliveredAt,
    ReadAt,
    WaMessageId,
    ClaimToken,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OutboxCounters {
    Table,
    ScopeKind,
    ScopeId,
    Status,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The outbox: every message that leaves, whatever asked for it. The row is the truth;
        // queues only carry row ids.
        manager
            .create_table(
                Table::create()
                    .table(BroadcastMessages::Table)
                    .col(
                        ColumnDef::new(BroadcastMessages::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(BroadcastMessages::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(BroadcastMessages::DeviceId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::RecipientPhone)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::RecipientJid)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::RecipientName)
                            .string_len(200)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::Kind)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BroadcastMessages::Text).text().null())
                    .col(
                        ColumnDef::new(BroadcastMessages::ImageRef)
                            .string_len(200)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::ImageMime)
                            .string_len(40)
                            .null(),
                    )
                    .col(ColumnDef::new(BroadcastMessages::Caption).text().null())
                    .col(
                        ColumnDef::new(BroadcastMessages::Source)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::SourceId)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(BroadcastMessages::CampaignId).uuid().null())
                    .col(
                        ColumnDef::new(BroadcastMessages::SequenceStepId)
                            .uuid()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::Status)
                            .string_len(12)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::LastError)
                            .string_len(500)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::MinDelaySeconds)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::MaxDelaySeconds)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::ScheduledAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::QueuedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::SendingAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::DeliveredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::ReadAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::WaMessageId)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::ClaimToken)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BroadcastMessages::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BroadcastMessages::Table, BroadcastMessages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BroadcastMessages::Table, BroadcastMessages::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Partial indexes (same syntax on PostgreSQL and SQLite): a row leaves most of them when
        // it is settled, so the hot path — millions of rows going QUEUED → SENDING → SENT —
        // writes as few index entries as possible.
        let db = manager.get_connection();
        for sql in [
            // Idempotency: one message per (campaign, device, phone) and per (sequence step,
            // device, phone). Inbox sends have neither key.
            "CREATE UNIQUE INDEX uq_outbox_campaign_device_phone ON broadcast_messages (campaign_id, device_id, recipient_phone) WHERE campaign_id IS NOT NULL",
            "CREATE UNIQUE INDEX uq_outbox_step_device_phone ON broadcast_messages (sequence_step_id, device_id, recipient_phone) WHERE sequence_step_id IS NOT NULL",
            // The reconciler (QUEUED by device) and a device taken over (SENDING by device).
            "CREATE INDEX idx_outbox_device_active ON broadcast_messages (device_id, status, id) WHERE status IN ('QUEUED', 'SENDING')",
            // The Outbox screen: a user's rows, newest first.
            "CREATE INDEX idx_outbox_user_id ON broadcast_messages (user_id, id)",
            // Receipts arrive by WhatsApp message id.
            "CREATE INDEX idx_outbox_device_wa_id ON broadcast_messages (device_id, wa_message_id) WHERE wa_message_id IS NOT NULL",
            // Scheduled rows coming due.
            "CREATE INDEX idx_outbox_pending_due ON broadcast_messages (scheduled_at) WHERE status = 'PENDING'",
        ] {
            db.execute_unprepared(sql).await?;
        }

        // Running totals per device and per campaign, per status: progress without counting rows.
        manager
            .create_table(
                Table::create()
                    .table(OutboxCounters::Table)
                    .col(
                        ColumnDef::new(OutboxCounters::ScopeKind)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OutboxCounters::ScopeId).uuid().not_null())
                    .col(
                        ColumnDef::new(OutboxCounters::Status)
                            .string_len(12)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutboxCounters::Count)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(OutboxCounters::ScopeKind)
                            .col(OutboxCounters::ScopeId)
                            .col(OutboxCounters::Status),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxCounters::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BroadcastMessages::Table).to_owned())
            .await
    }
}
