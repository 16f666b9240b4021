//! Builds the application from its configuration and runs it.

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context;
use fred::prelude::*;
use tokio::net::TcpListener;

use crate::{
    auth::rate_limit::{FailureCounter, MemoryFailureCounter, RedisFailureCounter},
    config::Config,
    db,
    events::EventBus,
    graphql, http,
    metrics::Metrics,
    state::{App, AppState},
};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub state: AppState,
}

/// Connects to Redis with a small pool.
pub async fn connect_redis(url: &str) -> anyhow::Result<(Pool, fred::types::config::Config)> {
    let config =
        fred::types::config::Config::from_url(url).context("REDIS_URL is not a valid Redis URL")?;
    let pool = Builder::from_config(config.clone())
        .build_pool(4)
        .context("building the Redis pool")?;
    pool.init().await.context("connecting to Redis")?;
    Ok((pool, config))
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        let (redis, events, login_failures): (_, _, Arc<dyn FailureCounter>) =
            match &config.redis_url {
                Some(url) => {
                    let (pool, redis_config) = connect_redis(url).await?;
                    let events =
                        EventBus::redis(pool.clone(), redis_config, &config.redis_prefix).await?;
                    let counter = RedisFailureCounter {
                        redis: pool.clone(),
                        prefix: config.redis_prefix.clone(),
                    };
                    (Some(pool), events, Arc::new(counter))
                }
                None => (
                    None,
                    EventBus::in_process(),
                    Arc::new(MemoryFailureCounter::default()),
                ),
            };
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("WAFLEET_BIND: cannot listen on {}", config.bind))?;
        let state = AppState(Arc::new(App {
            config,
            db,
            redis,
            events,
            login_failures,
            metrics: Arc::new(Metrics::default()),
        }));
        let schema = graphql::build_schema(state.clone());
        let router = http::router(http::HttpState {
            app: state.clone(),
            schema,
        });
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.bind)
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("HTTP server failed")
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
