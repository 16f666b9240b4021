//! sea-orm entities: plain table definitions, no business rules (those live in `domain`).
pub mod api_tokens;
pub mod broadcast_messages;
pub mod device_status_changes;
pub mod devices;
pub mod enums;
pub mod lid_pn_mappings;
pub mod outbox_counters;
pub mod send_idempotency_keys;
pub mod sim_clock;
pub mod sim_sent_messages;
pub mod users;
pub mod whatsapp_chats;
pub mod whatsapp_messages;
