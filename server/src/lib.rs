//! wafleet: a GraphQL server that runs a fleet of WhatsApp devices.
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod entities;
pub mod ephemeral;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod whatsapp;
pub mod workers;
