//! Business rules, one module per area. Nothing here knows GraphQL or HTTP.
pub mod accounts;
pub mod devices;
pub mod idempotency;
pub mod ids;
pub mod inbox;
pub mod outbox;
pub mod pagination;
pub mod phone;
