//! The shared application state handed to resolvers, handlers and workers.

use std::{ops::Deref, sync::Arc};

use sea_orm::DatabaseConnection;

use crate::{
    auth::rate_limit::FailureCounter, clock::Clock, config::Config, domain::Ports,
    ephemeral::Ephemeral, events::EventBus, metrics::Metrics, queue::Queue,
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
    /// The time schedules go by (in sim mode, one tests can move forward).
    pub clock: Arc<dyn Clock>,
    /// In sim mode, the same clock as `clock`, for the controls that move it.
    pub sim_clock: Option<Arc<crate::clock::SimClock>>,
}

impl App {
    /// What the domain's use cases need, borrowed from the app.
    pub fn ports(&self) -> Ports<'_> {
        Ports {
            db: &self.db,
            queue: self.queue.as_ref(),
            events: &self.events,
            ephemeral: self.ephemeral.as_ref(),
            clock: self.clock.as_ref(),
            config: &self.config,
        }
    }
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
