use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DeviceStatusChanges {
    Table,
    Id,
    DeviceId,
    Status,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum SimSentMessages {
    Table,
    Id,
    DeviceId,
    ToJid,
    Text,
    Caption,
    HasImage,
    MessageId,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every status transition of a device, newest last: the device's history on screen and
        // the evidence when a device misbehaves.
        manager
            .create_table(
                Table::create()
                    .table(DeviceStatusChanges::Table)
                    .col(
                        ColumnDef::new(DeviceStatusChanges::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DeviceStatusChanges::DeviceId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeviceStatusChanges::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DeviceStatusChanges::Reason)
                            .string_len(500)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DeviceStatusChanges::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeviceStatusChanges::Table, DeviceStatusChanges::DeviceId)
                            .to(Devices::Table, Devices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_status_changes_device")
                    .table(DeviceStatusChanges::Table)
                    .col(DeviceStatusChanges::DeviceId)
                    .col(DeviceStatusChanges::Id)
                    .to_owned(),
            )
            .await?;

        // What the simulated network received: the ground truth for "sent exactly once". It is
        // a table (not memory) so that it survives a restart of the server. No foreign key: the
        // network's record outlives the device row.
        manager
            .create_table(
                Table::create()
                    .table(SimSentMessages::Table)
                    .col(
                        ColumnDef::new(SimSentMessages::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SimSentMessages::DeviceId).uuid().not_null())
                    .col(
                        ColumnDef::new(SimSentMessages::ToJid)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SimSentMessages::Text).text().null())
                    .col(ColumnDef::new(SimSentMessages::Caption).text().null())
                    .col(
                        ColumnDef::new(SimSentMessages::HasImage)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SimSentMessages::MessageId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SimSentMessages::SentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sim_sent_messages_device")
                    .table(SimSentMessages::Table)
                    .col(SimSentMessages::DeviceId)
                    .col(SimSentMessages::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SimSentMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DeviceStatusChanges::Table).to_owned())
            .await
    }
}
