//! The integration suite: one binary, every test against a fresh PostgreSQL database and its
//! own Redis key prefix, talking to the real server over HTTP and WebSocket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod ai_campaigns;
mod campaigns;
mod crash;
mod devices;
mod hardening;
mod helpers;
mod http_surface;
mod inbox;
mod leads;
mod live;
mod outbox;
mod outbox_rows;
mod phones;
mod scheduler;
mod schema;
mod sequences;
mod sqlite_smoke;
mod subscriptions;
mod wa_store;
