//! sea-orm entities: plain table definitions, no business rules (those live in `domain`).
pub mod api_tokens;
pub mod devices;
pub mod users;
