//! Schema migrations: the only place table definitions are written. They run unchanged on
//! PostgreSQL and SQLite, so only portable column types are used here.
pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_accounts_and_devices;
mod m20261126_000002_create_device_history_and_sim;
mod m20261126_000003_create_outbox;
mod m20261126_000004_create_inbox;
mod m20261126_000005_create_whatsapp_store;
mod m20261126_000006_outbox_pipeline_stage;
mod m20261202_000007_user_default_country;
mod m20261202_000008_sim_clock;
mod m20261202_000101_create_send_idempotency_keys;
mod m20261203_000201_create_audience;
mod m20261203_000301_sim_sent_attempts;
mod m20261204_000401_create_campaigns;
mod m20261204_000501_create_sequences;
mod m20261205_000601_outbox_without_user_fk;
mod m20261205_000602_sequence_contact_row;
mod m20261206_000701_chat_waiting_since;
mod m20261206_000702_outbox_without_device_fk;
mod m20261206_000703_outbox_device_sent_index;
mod m20261207_000801_sequence_contacts_sending_index;
mod m20261207_000901_create_ai_campaigns;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_accounts_and_devices::Migration),
            Box::new(m20261126_000002_create_device_history_and_sim::Migration),
            Box::new(m20261126_000003_create_outbox::Migration),
            Box::new(m20261126_000004_create_inbox::Migration),
            Box::new(m20261126_000005_create_whatsapp_store::Migration),
            Box::new(m20261126_000006_outbox_pipeline_stage::Migration),
            Box::new(m20261202_000007_user_default_country::Migration),
            Box::new(m20261202_000008_sim_clock::Migration),
            Box::new(m20261202_000101_create_send_idempotency_keys::Migration),
            Box::new(m20261203_000201_create_audience::Migration),
            Box::new(m20261203_000301_sim_sent_attempts::Migration),
            Box::new(m20261204_000401_create_campaigns::Migration),
            Box::new(m20261204_000501_create_sequences::Migration),
            Box::new(m20261205_000601_outbox_without_user_fk::Migration),
            Box::new(m20261205_000602_sequence_contact_row::Migration),
            Box::new(m20261206_000701_chat_waiting_since::Migration),
            Box::new(m20261206_000702_outbox_without_device_fk::Migration),
            Box::new(m20261206_000703_outbox_device_sent_index::Migration),
            Box::new(m20261207_000801_sequence_contacts_sending_index::Migration),
            Box::new(m20261207_000901_create_ai_campaigns::Migration),
        ]
    }
}
