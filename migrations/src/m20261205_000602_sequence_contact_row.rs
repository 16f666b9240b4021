use sea_orm_migration::{prelude::*, schema::big_integer_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SequenceContacts {
    Table,
    RowId,
}

/// A contact keeps the id of its current step's outbox row, so the scheduler finds the contacts
/// whose row is final by the row's primary key. Joining on (step, device, phone) instead let
/// PostgreSQL, with statistics of the still-empty tables, read every row of the step for each
/// contact: minutes per tick at 100,000 contacts.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SequenceContacts::Table)
                    .add_column(big_integer_null(SequenceContacts::RowId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SequenceContacts::Table)
                    .drop_column(SequenceContacts::RowId)
                    .to_owned(),
            )
            .await
    }
}
