//! Builds the application from its configuration and runs it.

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context;
use fred::prelude::*;
use tokio::net::TcpListener;

use crate::{
    auth::rate_limit::{FailureCounter, MemoryFailureCounter, RedisFailureCounter},
    clock::{Clock, SimClock, SystemClock},
    config::{Config, WhatsAppMode},
    db,
    ephemeral::{Ephemeral, MemoryEphemeral, RedisEphemeral},
    events::{EventBus, EventKind, EventPublisher},
    graphql, http,
    metrics::Metrics,
    queue::{memory::MemoryQueue, redis::RedisQueue, Queue},
    state::{App, AppState},
    whatsapp::{
        live::{LiveOptions, LiveWhatsApp, SharedTransportFactory},
        sim::{SimNetwork, SimTiming},
        WhatsApp,
    },
    workers::{
        dispatcher::Dispatcher,
        inbound::Inbound,
        leases::{Leases, LocalLeases, RedisLeases},
        reconciler::run_reconciler,
        recorder::SendRecorder,
        scheduler,
        supervisor::Supervisor,
    },
};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// `/metrics`, on `WAFLEET_METRICS_BIND` when it is set.
    metrics: Option<(TcpListener, axum::Router)>,
    pub state: AppState,
    pub workers: Arc<Workers>,
}

/// The background tasks of one node.
pub struct Workers {
    pub supervisor: Arc<Supervisor>,
    pub dispatcher: Arc<Dispatcher>,
    tasks: Vec<tokio::task::AbortHandle>,
    pub node_id: String,
}

impl Workers {
    /// Graceful stop: sessions closed, devices left OFFLINE, leases released.
    pub async fn stop(&self) {
        self.supervisor.stop().await;
        for task in &self.tasks {
            task.abort();
        }
    }

    /// Simulates a crash (`kill -9`): everything stops at once, nothing is released.
    pub fn kill(&self) {
        self.supervisor.kill();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// What differs between one node (in process) and several (Redis).
struct Shared {
    login_failures: Arc<dyn FailureCounter>,
    ephemeral: Arc<dyn Ephemeral>,
    leases: Arc<dyn Leases>,
    queue: Arc<dyn Queue>,
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

/// What a caller may replace when building the application (tests).
#[derive(Default)]
pub struct Overrides {
    /// How the live adapter reaches WhatsApp, instead of the network (e.g. an in-process fake
    /// WhatsApp endpoint). The adapter itself is still the app's, on the app's database.
    pub whatsapp_transport: Option<SharedTransportFactory>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Overrides::default()).await
    }

    pub async fn build_with(config: Config, overrides: Overrides) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        // An import that was running when a server stopped will not finish by itself.
        let interrupted = crate::domain::leads::import::fail_interrupted(&db, chrono::Utc::now())
            .await
            .map_err(|err| anyhow::anyhow!(err.message()))?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "import jobs interrupted by a restart marked failed"
            );
        }
        let node_id = uuid::Uuid::new_v4().simple().to_string();
        let (redis, events, shared) = match &config.redis_url {
            Some(url) => {
                let (pool, redis_config) = connect_redis(url).await?;
                let events =
                    EventBus::redis(pool.clone(), redis_config.clone(), &config.redis_prefix)
                        .await?;
                let queue =
                    RedisQueue::connect(pool.clone(), redis_config, &config.redis_prefix, &node_id)
                        .await?;
                let prefix = config.redis_prefix.clone();
                let shared = Shared {
                    login_failures: Arc::new(RedisFailureCounter {
                        redis: pool.clone(),
                        prefix: prefix.clone(),
                    }),
                    ephemeral: Arc::new(RedisEphemeral {
                        redis: pool.clone(),
                        prefix: prefix.clone(),
                    }),
                    leases: Arc::new(RedisLeases {
                        redis: pool.clone(),
                        prefix,
                        node_id: node_id.clone(),
                        ttl: config.devices.lease_ttl,
                    }),
                    queue: Arc::new(queue),
                };
                (Some(pool), events, shared)
            }
            None => (
                None,
                EventBus::in_process(),
                Shared {
                    login_failures: Arc::new(MemoryFailureCounter::default()),
                    ephemeral: Arc::new(MemoryEphemeral::default()),
                    leases: Arc::new(LocalLeases),
                    queue: Arc::new(MemoryQueue::default()),
                },
            ),
        };
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("WAFLEET_BIND: cannot listen on {}", config.bind))?;
        let metrics_listener = match config.metrics_bind {
            Some(bind) => Some(
                TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("WAFLEET_METRICS_BIND: cannot listen on {bind}"))?,
            ),
            None => None,
        };
        let sim = config.whatsapp == WhatsAppMode::Sim;
        let sim_clock = if sim {
            let offset = crate::clock::stored_offset(&db)
                .await
                .context("reading the simulated clock")?;
            Some(Arc::new(SimClock::with_offset(offset)))
        } else {
            None
        };
        let clock: Arc<dyn Clock> = match &sim_clock {
            Some(sim_clock) => sim_clock.clone(),
            None => Arc::new(SystemClock),
        };
        let state = AppState(Arc::new(App {
            config,
            clock,
            sim_clock,
            db,
            redis,
            events,
            ephemeral: shared.ephemeral,
            queue: shared.queue,
            login_failures: shared.login_failures,
            metrics: Arc::new(Metrics::default()),
        }));
        let mut tasks = Vec::new();
        let whatsapp: Arc<dyn WhatsApp> = if sim {
            let mut timing = SimTiming {
                send_latency: state.config.sim_send_latency,
                auto_scan: state.config.sim_auto_scan,
                history_chats: state.config.sim_history_chats,
                chatter: state.config.sim_chatter,
                receipts: state.config.sim_receipts,
                ..SimTiming::default()
            };
            if let Some(ttl) = state.config.sim_qr_ttl {
                timing.first_qr_ttl = ttl;
                timing.qr_ttl = ttl;
            }
            let network = SimNetwork::new(state.db.clone(), state.config.sim_seed, timing);
            tasks.push(network.listen(sim_commands(&state.events)).abort_handle());
            network
        } else {
            // The bots get a runtime of their own so their bursts cannot starve this one.
            LiveWhatsApp::new(
                state.db.clone(),
                LiveOptions {
                    url: state.config.whatsapp_url.clone(),
                    version: state.config.whatsapp_version,
                    transport: overrides.whatsapp_transport,
                    worker_threads: state.config.whatsapp_threads,
                },
            )?
        };
        let (recorder, recorder_task) = SendRecorder::start(state.clone());
        tasks.push(recorder_task);
        let dispatcher = Dispatcher::new(state.clone(), recorder);
        tasks.extend(dispatcher.start());
        tasks.push(tokio::spawn(run_reconciler(state.clone(), dispatcher.clone())).abort_handle());
        tasks.push(tokio::spawn(scheduler::run(state.clone())).abort_handle());
        let supervisor = Supervisor::new(
            state.clone(),
            whatsapp,
            shared.leases,
            Arc::new(Inbound { app: state.clone() }),
            dispatcher.clone(),
            node_id.clone(),
        );
        tasks.push(tokio::spawn(supervisor.clone().run()).abort_handle());
        let (sockets, sockets_task) = http::LiveSockets::start(state.clone());
        tasks.push(sockets_task);
        let workers = Arc::new(Workers {
            supervisor,
            dispatcher,
            tasks,
            node_id,
        });
        let schema = graphql::build_schema(state.clone(), sim);
        let http_state = http::HttpState {
            app: state.clone(),
            schema,
            sockets,
        };
        let metrics = metrics_listener.map(|l| (l, http::metrics_router(http_state.clone())));
        let router = http::router(http_state);
        Ok(Self {
            listener,
            router,
            metrics,
            state,
            workers,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.bind)
    }

    /// Where `/metrics` is served, when `WAFLEET_METRICS_BIND` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stopping = tokio_util::sync::CancellationToken::new();
        if let Some((listener, router)) = self.metrics {
            let stopped = stopping.clone().cancelled_owned();
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, router)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            });
        }
        let shutdown = {
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                stopping.cancel();
            }
        };
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("HTTP server failed");
        self.workers.stop().await;
        served
    }
}

/// The simulated-network commands published on the bus, for the network of this node (which
/// knows nothing of the bus itself).
fn sim_commands(
    bus: &EventBus,
) -> tokio::sync::mpsc::UnboundedReceiver<(
    crate::types::ids::DeviceId,
    crate::whatsapp::sim::SimCommand,
)> {
    let (commands, receiver) = tokio::sync::mpsc::unbounded_channel();
    let mut events = bus.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let EventKind::Sim { device_id, command } = &event.kind {
                        let device = crate::types::ids::DeviceId(*device_id);
                        if commands.send((device, (**command).clone())).is_err() {
                            return;
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "simulated network lagged behind the event bus");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    receiver
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
