use sea_orm_migration::{prelude::*, schema::integer};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SimSentMessages {
    Table,
    DeviceId,
    ToJid,
    MessageId,
    Attempts,
}

/// Simulated network only: a recipient keeps one copy per (sender, chat, message id), as a
/// WhatsApp phone does, so a resend with the same id is counted on the first copy (`attempts`)
/// instead of becoming a second message. The unique index is what the recorder's upsert names.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SimSentMessages::Table)
                    .add_column(integer(SimSentMessages::Attempts).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sim_sent_messages_one_per_id")
                    .table(SimSentMessages::Table)
                    .col(SimSentMessages::DeviceId)
                    .col(SimSentMessages::ToJid)
                    .col(SimSentMessages::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("sim_sent_messages_one_per_id")
                    .table(SimSentMessages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SimSentMessages::Table)
                    .drop_column(SimSentMessages::Attempts)
                    .to_owned(),
            )
            .await
    }
}
