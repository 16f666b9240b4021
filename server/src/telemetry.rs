//! Logging setup: readable lines locally, JSON with `WAFLEET_LOG_FORMAT=json`.
//!
//! Never log tokens, phone numbers, message text, QR or pairing codes: use ids (`user.id`,
//! `device.id`) in dotted fields instead.

use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,fred=warn";

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
}

/// For tests: quiet unless `TEST_LOG` is set.
pub fn init_for_test() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::registry()
            .with(EnvFilter::new(
                std::env::var("TEST_LOG").unwrap_or_default(),
            ))
            .with(fmt::layer().with_test_writer())
            .try_init();
    }
}
