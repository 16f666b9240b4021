//! Configuration, read once from the environment into one typed struct.
//!
//! `Config::from_env` is the only place that reads environment variables; everything else gets
//! the parsed `Config` passed in. A bad value stops start-up with a message naming the variable.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

/// Which WhatsApp network the devices talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhatsAppMode {
    /// The real network through whatsapp-rust.
    Live,
    /// The simulated network in `whatsapp::sim` (tests, e2e, demo, benchmarks).
    Sim,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Largest JSON request body: a query document (at most 64 KB) and its variables.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://…` or `sqlite://…` (default: `./data/wafleet.db`).
    pub database_url: String,
    /// `REDIS_URL`: unset means the in-process queue and event bus.
    pub redis_url: Option<String>,
    /// `WAFLEET_REDIS_PREFIX`: prefix of every Redis key and channel, so several deployments
    /// (or tests) can share one Redis.
    pub redis_prefix: String,
    /// `WAFLEET_BIND`: the address the HTTP server listens on.
    pub bind: SocketAddr,
    /// `WAFLEET_WHATSAPP`: `live` or `sim`.
    pub whatsapp: WhatsAppMode,
    /// `WAFLEET_WHATSAPP_URL`: WebSocket endpoint of the live network (default: WhatsApp Web's).
    /// Meant for tests that point it at an unreachable address.
    pub whatsapp_url: Option<String>,
    /// `WAFLEET_WHATSAPP_VERSION` (`2.3000.1023000000`): pins the WhatsApp Web version instead
    /// of fetching the current one over HTTP (for machines and tests without internet).
    pub whatsapp_version: Option<(u32, u32, u32)>,
    /// `WAFLEET_WHATSAPP_THREADS` (default 2): worker threads of the runtime the live clients run
    /// on, apart from the API's (Signal crypto, history inflate and mass reconnects stay there).
    pub whatsapp_threads: usize,
    /// `WAFLEET_WEB_DIR`: the built SPA to serve (default `./web/dist` when it exists).
    pub web_dir: Option<PathBuf>,
    /// `WAFLEET_MEDIA_DIR`: where uploaded and received media are stored.
    pub media_dir: PathBuf,
    /// `WAFLEET_LOG_FORMAT`: `pretty` or `json`.
    pub log_format: LogFormat,
    /// `WAFLEET_SESSION_TTL_HOURS`: how long a login session lasts.
    pub session_ttl: Duration,
    /// `WAFLEET_LOGIN_MAX_FAILURES`: failed logins per email and IP within `login_window`
    /// before further attempts are refused.
    pub login_max_failures: u32,
    /// `WAFLEET_LOGIN_WINDOW_SECONDS`.
    pub login_window: Duration,
    /// `WAFLEET_LOGIN_MAX_FAILURES_PER_IP`: failed logins from one IP address, whatever the
    /// email, within `login_window` before further attempts from it are refused.
    pub login_max_failures_per_ip: u32,
    /// `WAFLEET_MAX_DEVICES_PER_USER` (default 500): devices one user may have at once.
    pub max_devices_per_user: u64,
    /// `WAFLEET_REQUEST_TIMEOUT_SECONDS` (default 30): longest a query or mutation may run.
    pub request_timeout: Duration,
    /// `WAFLEET_ALLOWED_ORIGINS`: comma-separated origins (`https://app.example.com`) whose pages
    /// may open the GraphQL WebSocket; empty means the server's own origin only.
    pub allowed_origins: Vec<String>,
    /// `WAFLEET_WS_INIT_TIMEOUT_MS` (default 5000): a WebSocket that sends no
    /// `connection_init` within this time is closed (graphql-ws code 4408).
    pub ws_init_timeout: Duration,
    /// `WAFLEET_METRICS_BIND`: the address `/metrics` is served on, apart from the API;
    /// unset means no `/metrics` at all.
    pub metrics_bind: Option<SocketAddr>,
    /// `WAFLEET_GRAPHIQL` (`on`/`off`; default on with the simulated network, off otherwise):
    /// GraphiQL on `GET /graphql`.
    pub graphiql: bool,
    /// `WAFLEET_UPLOAD_MAX_MB`: largest accepted upload; the request body limit follows from it.
    pub upload_max_bytes: usize,
    /// `WAFLEET_IMPORT_MAX_MB` (default 50): largest accepted CSV import.
    pub import_max_bytes: usize,
    /// `WAFLEET_OPT_OUT_PHRASES`: comma-separated phrases that, as a whole inbound message, opt
    /// the sender out (added to STOP, UNSUBSCRIBE, BERHENTI).
    pub opt_out_phrases: Vec<String>,
    /// `WAFLEET_CAMPAIGN_MAX_LATE_HOURS` (default 6): a campaign found this much later than its
    /// start time does not start by itself; it pauses and says why.
    pub campaign_max_late: chrono::Duration,
    /// `WAFLEET_SIM_SEND_LATENCY_MS`: simulated network send latency (half of it before the network
    /// has the message, half for its acknowledgement to come back).
    pub sim_send_latency: Duration,
    /// `WAFLEET_SIM_SEED`: seed of the simulated network (QR codes, LIDs, ids).
    pub sim_seed: u64,
    /// `WAFLEET_SIM_QR_TTL_MS`: override of the simulated QR rotation (default 60 s then 20 s).
    pub sim_qr_ttl: Option<Duration>,
    /// `WAFLEET_SIM_AUTO_SCAN_MS`: demo — the simulated phone scans each QR code by itself.
    pub sim_auto_scan: Option<Duration>,
    /// `WAFLEET_SIM_HISTORY_CHATS`: demo — chats pushed as history after pairing (default 0).
    pub sim_history_chats: u32,
    /// `WAFLEET_SIM_CHATTER_SECONDS`: demo — contacts write to connected devices about this often.
    pub sim_chatter: Option<Duration>,
    /// `WAFLEET_SIM_RECEIPTS_MS`: demo — contacts confirm delivery this long after a send and
    /// read it as long again after that.
    pub sim_receipts: Option<Duration>,
    pub devices: DeviceSettings,
    pub dispatch: DispatchSettings,
    /// `WAFLEET_INBOX_KEEP`: messages kept per chat (default 20).
    pub inbox_keep: u64,
    /// `WAFLEET_INBOX_DAYS`: the chat list shows chats active within this many days (default 30).
    pub inbox_days: i64,
}

/// How pacers send.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// `WAFLEET_TYPING` (`on`/`off`, default on): show "typing…" before each send …
    pub typing: bool,
    /// … for `WAFLEET_TYPING_MS` (default 1500; never longer than the pause before the send).
    pub typing_time: Duration,
    /// `WAFLEET_PAUSE_EVERY`: after this many sends a device rests (0, the default, never) …
    pub pause_every: u32,
    /// … for `WAFLEET_PAUSE_SECONDS` (default 60).
    pub pause: Duration,
    /// `WAFLEET_RECONCILE_MS`: how often queued rows are checked against the queue (default 10 s).
    pub reconcile_interval: Duration,
}

/// How the supervisor runs device sessions.
#[derive(Debug, Clone)]
pub struct DeviceSettings {
    /// `WAFLEET_DEVICE_RESTART_CAP`: failed restarts in a row before a device is FAILED.
    pub restart_cap: u32,
    /// `WAFLEET_DEVICE_BACKOFF_MS` / `WAFLEET_DEVICE_BACKOFF_MAX_MS`: reconnect backoff, doubled
    /// per failure up to the maximum, with ±20 % jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// `WAFLEET_DEVICE_HEALTH_MS`: how often a connected session is checked.
    pub health_interval: Duration,
    /// `WAFLEET_CONNECTS_PER_SECOND`: sessions opened per second, so a restart with thousands of
    /// devices does not reconnect them all at once.
    pub connects_per_second: u32,
    /// `WAFLEET_LEASE_TTL_MS`: with Redis, how long a node's hold on a device lasts unrenewed.
    pub lease_ttl: Duration,
}

/// A configuration error that names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

/// The source of variables: the process environment in production, a map in tests.
pub trait Env {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn parsed<T: FromStr>(env: &dyn Env, var: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match env.get(var) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e| ConfigError {
            var,
            message: format!("cannot parse {raw:?}: {e}"),
        }),
    }
}

fn positive(env: &dyn Env, var: &'static str, default: u64) -> Result<u64, ConfigError> {
    let value: u64 = parsed(env, var, default)?;
    if value == 0 {
        return Err(ConfigError {
            var,
            message: "must be greater than 0".into(),
        });
    }
    Ok(value)
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(env: &dyn Env) -> Result<Self, ConfigError> {
        let database_url = env
            .get("DATABASE_URL")
            .unwrap_or_else(|| "sqlite://./data/wafleet.db?mode=rwc".to_string());
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:"))
        {
            return Err(ConfigError {
                var: "DATABASE_URL",
                message: "must start with postgres:// or sqlite:".into(),
            });
        }
        let redis_url = env.get("REDIS_URL");
        if let Some(url) = &redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError {
                    var: "REDIS_URL",
                    message: "must start with redis:// or rediss://".into(),
                });
            }
        }
        let whatsapp = match env.get("WAFLEET_WHATSAPP").as_deref().map(str::trim) {
            None | Some("live") => WhatsAppMode::Live,
            Some("sim") => WhatsAppMode::Sim,
            Some(other) => {
                return Err(ConfigError {
                    var: "WAFLEET_WHATSAPP",
                    message: format!("{other:?} is not one of: live, sim"),
                })
            }
        };
        let log_format = match env.get("WAFLEET_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    var: "WAFLEET_LOG_FORMAT",
                    message: format!("{other:?} is not one of: pretty, json"),
                })
            }
        };
        let web_dir = match env.get("WAFLEET_WEB_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if !dir.join("index.html").is_file() {
                    return Err(ConfigError {
                        var: "WAFLEET_WEB_DIR",
                        message: format!(
                            "{} has no index.html (build the SPA first)",
                            dir.display()
                        ),
                    });
                }
                Some(dir)
            }
            None => Some(PathBuf::from("./web/dist")).filter(|d| d.join("index.html").is_file()),
        };
        let session_hours: u64 = parsed(env, "WAFLEET_SESSION_TTL_HOURS", 24 * 30)?;
        let login_window: u64 = parsed(env, "WAFLEET_LOGIN_WINDOW_SECONDS", 15 * 60)?;
        let upload_mb: usize = parsed(env, "WAFLEET_UPLOAD_MAX_MB", 16)?;
        if upload_mb == 0 || upload_mb > 1024 {
            return Err(ConfigError {
                var: "WAFLEET_UPLOAD_MAX_MB",
                message: "must be between 1 and 1024".into(),
            });
        }
        let import_mb: usize = parsed(env, "WAFLEET_IMPORT_MAX_MB", 50)?;
        if import_mb == 0 || import_mb > 4096 {
            return Err(ConfigError {
                var: "WAFLEET_IMPORT_MAX_MB",
                message: "must be between 1 and 4096".into(),
            });
        }
        let opt_out_phrases = env
            .get("WAFLEET_OPT_OUT_PHRASES")
            .map(|list| {
                list.split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let max_late_hours: i64 = parsed(env, "WAFLEET_CAMPAIGN_MAX_LATE_HOURS", 6)?;
        if !(1..=24 * 365).contains(&max_late_hours) {
            return Err(ConfigError {
                var: "WAFLEET_CAMPAIGN_MAX_LATE_HOURS",
                message: "must be between 1 and 8760".into(),
            });
        }
        let whatsapp_threads: usize = parsed(env, "WAFLEET_WHATSAPP_THREADS", 2)?;
        if whatsapp_threads == 0 || whatsapp_threads > 64 {
            return Err(ConfigError {
                var: "WAFLEET_WHATSAPP_THREADS",
                message: "must be between 1 and 64".into(),
            });
        }
        let redis_prefix = env
            .get("WAFLEET_REDIS_PREFIX")
            .unwrap_or_else(|| "wafleet:".into());
        let allowed_origins = env
            .get("WAFLEET_ALLOWED_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(|origin| origin.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|origin| !origin.is_empty())
            .collect::<Vec<_>>();
        if let Some(bad) = allowed_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")))
        {
            return Err(ConfigError {
                var: "WAFLEET_ALLOWED_ORIGINS",
                message: format!("{bad:?} is not an origin like https://app.example.com"),
            });
        }
        let graphiql = match env.get("WAFLEET_GRAPHIQL").as_deref().map(str::trim) {
            None => whatsapp == WhatsAppMode::Sim,
            Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError {
                    var: "WAFLEET_GRAPHIQL",
                    message: format!("{other:?} is not one of: on, off"),
                })
            }
        };
        let metrics_bind = match env.get("WAFLEET_METRICS_BIND") {
            None => None,
            Some(_) => Some(parsed(
                env,
                "WAFLEET_METRICS_BIND",
                SocketAddr::from(([127, 0, 0, 1], 9090)),
            )?),
        };
        Ok(Self {
            database_url,
            redis_url,
            redis_prefix,
            bind: parsed(env, "WAFLEET_BIND", SocketAddr::from(([0, 0, 0, 0], 8080)))?,
            whatsapp,
            whatsapp_url: env
                .get("WAFLEET_WHATSAPP_URL")
                .map(|url| url.trim().to_owned()),
            whatsapp_threads,
            whatsapp_version: match env.get("WAFLEET_WHATSAPP_VERSION") {
                None => None,
                Some(raw) => {
                    let parts: Vec<u32> = raw
                        .trim()
                        .split('.')
                        .filter_map(|p| p.parse().ok())
                        .collect();
                    match parts[..] {
                        [major, minor, patch] => Some((major, minor, patch)),
                        _ => {
                            return Err(ConfigError {
                                var: "WAFLEET_WHATSAPP_VERSION",
                                message: format!("{raw:?} is not a version like 2.3000.1023000000"),
                            })
                        }
                    }
                }
            },
            web_dir,
            media_dir: PathBuf::from(
                env.get("WAFLEET_MEDIA_DIR")
                    .unwrap_or_else(|| "./data/media".into()),
            ),
            log_format,
            session_ttl: Duration::from_secs(session_hours * 3600),
            login_max_failures: parsed(env, "WAFLEET_LOGIN_MAX_FAILURES", 10)?,
            login_window: Duration::from_secs(login_window),
            login_max_failures_per_ip: positive(env, "WAFLEET_LOGIN_MAX_FAILURES_PER_IP", 100)?
                as u32,
            max_devices_per_user: positive(env, "WAFLEET_MAX_DEVICES_PER_USER", 500)?,
            request_timeout: Duration::from_secs(positive(
                env,
                "WAFLEET_REQUEST_TIMEOUT_SECONDS",
                30,
            )?),
            allowed_origins,
            ws_init_timeout: Duration::from_millis(positive(
                env,
                "WAFLEET_WS_INIT_TIMEOUT_MS",
                5000,
            )?),
            metrics_bind,
            graphiql,
            upload_max_bytes: upload_mb * 1024 * 1024,
            import_max_bytes: import_mb * 1024 * 1024,
            opt_out_phrases,
            campaign_max_late: chrono::Duration::hours(max_late_hours),
            sim_send_latency: Duration::from_millis(parsed(env, "WAFLEET_SIM_SEND_LATENCY_MS", 0)?),
            sim_seed: parsed(env, "WAFLEET_SIM_SEED", 1)?,
            sim_qr_ttl: match env.get("WAFLEET_SIM_QR_TTL_MS") {
                None => None,
                Some(_) => Some(Duration::from_millis(positive(
                    env,
                    "WAFLEET_SIM_QR_TTL_MS",
                    1,
                )?)),
            },
            sim_auto_scan: match env.get("WAFLEET_SIM_AUTO_SCAN_MS") {
                None => None,
                Some(_) => Some(Duration::from_millis(positive(
                    env,
                    "WAFLEET_SIM_AUTO_SCAN_MS",
                    1,
                )?)),
            },
            sim_history_chats: parsed(env, "WAFLEET_SIM_HISTORY_CHATS", 0)?,
            sim_chatter: match env.get("WAFLEET_SIM_CHATTER_SECONDS") {
                None => None,
                Some(_) => Some(Duration::from_secs(positive(
                    env,
                    "WAFLEET_SIM_CHATTER_SECONDS",
                    1,
                )?)),
            },
            sim_receipts: match env.get("WAFLEET_SIM_RECEIPTS_MS") {
                None => None,
                Some(_) => Some(Duration::from_millis(positive(
                    env,
                    "WAFLEET_SIM_RECEIPTS_MS",
                    1,
                )?)),
            },
            devices: DeviceSettings {
                restart_cap: positive(env, "WAFLEET_DEVICE_RESTART_CAP", 5)? as u32,
                backoff_base: Duration::from_millis(positive(
                    env,
                    "WAFLEET_DEVICE_BACKOFF_MS",
                    1000,
                )?),
                backoff_max: Duration::from_millis(positive(
                    env,
                    "WAFLEET_DEVICE_BACKOFF_MAX_MS",
                    60_000,
                )?),
                health_interval: Duration::from_millis(positive(
                    env,
                    "WAFLEET_DEVICE_HEALTH_MS",
                    30_000,
                )?),
                connects_per_second: positive(env, "WAFLEET_CONNECTS_PER_SECOND", 50)? as u32,
                lease_ttl: Duration::from_millis(positive(env, "WAFLEET_LEASE_TTL_MS", 15_000)?),
            },
            inbox_keep: positive(env, "WAFLEET_INBOX_KEEP", 20)?,
            inbox_days: positive(env, "WAFLEET_INBOX_DAYS", 30)? as i64,
            dispatch: DispatchSettings {
                typing: match env.get("WAFLEET_TYPING").as_deref().map(str::trim) {
                    None | Some("on") => true,
                    Some("off") => false,
                    Some(other) => {
                        return Err(ConfigError {
                            var: "WAFLEET_TYPING",
                            message: format!("{other:?} is not one of: on, off"),
                        })
                    }
                },
                typing_time: Duration::from_millis(parsed(env, "WAFLEET_TYPING_MS", 1500)?),
                pause_every: parsed(env, "WAFLEET_PAUSE_EVERY", 0)?,
                pause: Duration::from_secs(parsed(env, "WAFLEET_PAUSE_SECONDS", 60)?),
                reconcile_interval: Duration::from_millis(positive(
                    env,
                    "WAFLEET_RECONCILE_MS",
                    10_000,
                )?),
            },
        })
    }

    /// Largest accepted multipart request body: one upload (an image or a CSV import) plus room
    /// for the GraphQL document around it.
    pub fn body_limit_bytes(&self) -> usize {
        self.upload_max_bytes.max(self.import_max_bytes) + 1024 * 1024
    }

    /// Largest accepted JSON request body (queries are not files).
    pub fn json_body_limit_bytes(&self) -> usize {
        JSON_BODY_LIMIT
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_environment() {
        let config = Config::from_source(&[("X", "y")]).unwrap();
        assert!(config.database_url.starts_with("sqlite:"));
        assert_eq!(config.whatsapp, WhatsAppMode::Live);
        assert_eq!(config.bind.port(), 8080);
        assert!(config.redis_url.is_none());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Config::from_source(&[("WAFLEET_BIND", "nowhere")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_BIND");
        let err = Config::from_source(&[("WAFLEET_WHATSAPP", "fake")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_WHATSAPP");
        let err = Config::from_source(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        let err = Config::from_source(&[("WAFLEET_WHATSAPP_VERSION", "2.3000")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_WHATSAPP_VERSION");
        let pinned =
            Config::from_source(&[("WAFLEET_WHATSAPP_VERSION", "2.3000.1023000000")]).unwrap();
        assert_eq!(pinned.whatsapp_version, Some((2, 3000, 1_023_000_000)));
        let err = Config::from_source(&[("WAFLEET_WHATSAPP_THREADS", "0")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_WHATSAPP_THREADS");
        let err = Config::from_source(&[("WAFLEET_UPLOAD_MAX_MB", "0")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_UPLOAD_MAX_MB");
        let err = Config::from_source(&[("WAFLEET_ALLOWED_ORIGINS", "evil.example")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_ALLOWED_ORIGINS");
        let err = Config::from_source(&[("WAFLEET_METRICS_BIND", "9090")]).unwrap_err();
        assert_eq!(err.var, "WAFLEET_METRICS_BIND");
    }

    #[test]
    fn origins_are_normalised_and_graphiql_follows_the_mode() {
        let config = Config::from_source(&[(
            "WAFLEET_ALLOWED_ORIGINS",
            " https://App.example.com/ ,http://localhost:5173",
        )])
        .unwrap();
        assert_eq!(
            config.allowed_origins,
            vec!["https://app.example.com", "http://localhost:5173"]
        );
        assert!(!config.graphiql);
        assert!(
            Config::from_source(&[("WAFLEET_WHATSAPP", "sim")])
                .unwrap()
                .graphiql
        );
        assert!(
            Config::from_source(&[("WAFLEET_GRAPHIQL", "on")])
                .unwrap()
                .graphiql
        );
    }
}
