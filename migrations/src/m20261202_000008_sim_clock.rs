use sea_orm_migration::{prelude::*, schema::big_integer};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SimClock {
    Table,
    Id,
    OffsetSeconds,
}

/// Simulated network only: how far the scheduler's clock runs ahead of the machine's
/// (`simAdvanceClock`), kept here so every node and a restarted one go by the same time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SimClock::Table)
                    .col(
                        ColumnDef::new(SimClock::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(big_integer(SimClock::OffsetSeconds).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SimClock::Table).to_owned())
            .await
    }
}
