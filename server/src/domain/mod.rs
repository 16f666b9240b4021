//! Business rules, one module per area. Nothing here knows GraphQL or HTTP.
pub mod accounts;
pub mod campaigns;
pub mod devices;
pub mod idempotency;
pub mod inbox;
pub mod leads;
pub mod outbox;
pub mod pagination;
pub mod send_window;
pub mod sequences;
pub mod template;

use sea_orm::DatabaseConnection;

use crate::{
    clock::Clock, config::Config, ephemeral::Ephemeral, events::EventPublisher, queue::Queue,
};

/// What the use cases talk to: the database, the device queues, the event bus, short-lived
/// state (the QR code a device shows), the clock schedules go by, and the configuration.
/// `AppState::ports` builds it; tests can build their own.
#[derive(Clone, Copy)]
pub struct Ports<'a> {
    pub db: &'a DatabaseConnection,
    pub queue: &'a dyn Queue,
    pub events: &'a dyn EventPublisher,
    pub ephemeral: &'a dyn Ephemeral,
    pub clock: &'a dyn Clock,
    pub config: &'a Config,
}
