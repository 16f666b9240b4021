//! The shared application state handed to resolvers, handlers and workers.

use std::{ops::Deref, sync::Arc};

use sea_orm::DatabaseConnection;

use crate::{
    auth::rate_limit::FailureCounter, config::Config, ephemeral::Ephemeral, events::EventBus,
    metrics::Metrics, queue::Queue,
};

pub struct App {
    pub config: Config,
    pub db: DatabaseConnection,
    pub redis: Option<fred::prelude::Pool>,
    pub events: EventBus,
    pub ephemeral: Arc<dyn Ephemeral>,
    /// The dispatch queue (Redis streams, or in process).
    pub queue: Arc<dyn Queue>,
    pub login_failures: Arc<dyn FailureCounter>,
    pub metrics: Arc<Metrics>,
}

/// Cheap to clone; everything inside is shared.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
