//! sea-orm entities: plain table definitions, no business rules (those live in `domain`).
pub mod api_tokens;
pub mod broadcast_messages;
pub mod device_status_changes;
pub mod devices;
pub mod outbox_counters;
pub mod sim_sent_messages;
pub mod users;
