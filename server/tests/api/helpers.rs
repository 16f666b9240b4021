//! `spawn_app()` and the client helpers every test uses.

use std::{
    path::PathBuf,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use futures::{SinkExt, StreamExt};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, OnceCell};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};
use uuid::Uuid;
use wafleet::{
    auth::accounts::{create_user_cli, NewAccount},
    config::Config,
    domain::{
        accounts::{Email, FullName, Password},
        devices::{self, DeviceName, NewDevice, SendDelay},
    },
    startup::{Application, Overrides, Workers},
    state::AppState,
    telemetry,
    types::ids::{DeviceId, UserId},
    whatsapp::live::SharedTransportFactory,
};

fn postgres_base() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The migrated template database, named after a hash of the migration sources so that a
/// changed migration gets a new template.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let migrations_dir =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/src");
            let mut files: Vec<_> = std::fs::read_dir(&migrations_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            let mut hasher = Sha256::new();
            for file in files {
                hasher.update(std::fs::read(file).unwrap());
            }
            let name = format!("wafleet_tpl_{}", &hex::encode(hasher.finalize())[..16]);

            let admin = admin_connection().await;
            // One runner at a time decides whether the template exists (other test processes may run).
            admin
                .execute_unprepared("SELECT pg_advisory_lock(77001)")
                .await
                .unwrap();
            let exists = admin
                .query_one(Statement::from_string(
                    admin.get_database_backend(),
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .unwrap()
                .is_some();
            if !exists {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                let db = Database::connect(format!("{}/{name}", postgres_base()))
                    .await
                    .unwrap();
                wafleet::db::migrate(&db).await.unwrap();
                db.close().await.unwrap();
            }
            drop_stale_test_databases(&admin).await;
            admin
                .execute_unprepared("SELECT pg_advisory_unlock(77001)")
                .await
                .unwrap();
            admin.close().await.unwrap();
            name
        })
        .await
}

async fn admin_connection() -> DatabaseConnection {
    let mut options = ConnectOptions::new(format!("{}/postgres", postgres_base()));
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("PostgreSQL must run (see README)")
}

/// Test databases are named `wafleet_t_<unix seconds>_<random>`; ones older than an hour were
/// left behind by an aborted run.
async fn drop_stale_test_databases(admin: &DatabaseConnection) {
    let rows = admin
        .query_all(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'wafleet_t_%'".to_owned(),
        ))
        .await
        .unwrap();
    let now = unix_now();
    for row in rows {
        let name: String = row.try_get("", "datname").unwrap();
        // LIKE's `_` matches any character, so check the prefix exactly here.
        if !name.starts_with("wafleet_t_") {
            continue;
        }
        let created: u64 = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if now.saturating_sub(created) > 3600 {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A fresh database cloned from the template.
pub async fn fresh_database() -> String {
    let template = template().await;
    let name = format!(
        "wafleet_t_{}_{}",
        unix_now(),
        &Uuid::new_v4().simple().to_string()[..12]
    );
    let admin = admin_connection().await;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    name
}

/// The URL of a database made by `fresh_database`.
pub fn database_url(name: &str) -> String {
    format!("{}/{name}", postgres_base())
}

/// Drops a database made by `fresh_database`.
pub async fn drop_database(name: &str) {
    let admin = admin_connection().await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    let _ = admin.close().await;
}

/// A user straight in the database, for tests below the API.
pub async fn user_in(db: &DatabaseConnection, email: &str) -> UserId {
    let account = NewAccount {
        email: Email::parse(email).unwrap(),
        password: Password::parse(PASSWORD).unwrap(),
        full_name: FullName::parse("Test Owner").unwrap(),
        time_zone: None,
        default_country: None,
    };
    UserId(create_user_cli(db, account).await.unwrap().id)
}

/// A new device of `owner` straight in the database (PAIRING, no pacing delay).
pub async fn device_in(db: &DatabaseConnection, owner: UserId) -> DeviceId {
    let new = NewDevice {
        name: DeviceName::parse("Test device").unwrap(),
        delay: SendDelay::new(0, 0).unwrap(),
        daily_cap: None,
    };
    DeviceId(devices::create(db, owner, new).await.unwrap().id)
}

/// What a test can change about the app it starts.
#[derive(Clone)]
pub struct TestOptions {
    /// `None`: a fresh PostgreSQL database. `Some(url)`: that database (to share it between nodes).
    pub database_url: Option<String>,
    pub redis: bool,
    /// Shared between nodes of one test; fresh per test otherwise.
    pub redis_prefix: Option<String>,
    pub env: Vec<(&'static str, String)>,
    /// How the live adapter reaches WhatsApp (an in-process fake endpoint).
    pub whatsapp_transport: Option<SharedTransportFactory>,
}

impl Default for TestOptions {
    fn default() -> Self {
        Self {
            database_url: None,
            redis: true,
            redis_prefix: None,
            env: Vec::new(),
            whatsapp_transport: None,
        }
    }
}

pub struct TestApp {
    pub address: String,
    /// `http://…` of the metrics listener, when the test set `WAFLEET_METRICS_BIND`.
    pub metrics_address: Option<String>,
    pub http: reqwest::Client,
    pub state: AppState,
    pub workers: std::sync::Arc<Workers>,
    pub database_url: String,
    pub redis_prefix: String,
    owned_database: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _media_dir: Option<TempDir>,
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("wafleet-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// The URL of a SQLite database file `name` in this directory, created on first connect.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}?mode=rwc", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app on PostgreSQL + Redis with the simulated WhatsApp network.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

pub async fn spawn_app_with(options: TestOptions) -> TestApp {
    telemetry::init_for_test();
    let (database_url, owned_database) = match options.database_url.clone() {
        Some(url) => (url, None),
        None => {
            let name = fresh_database().await;
            (format!("{}/{name}", postgres_base()), Some(name))
        }
    };
    let redis_prefix = options
        .redis_prefix
        .clone()
        .unwrap_or_else(|| format!("wafleet-test:{}:", Uuid::new_v4().simple()));
    let media_dir = TempDir::new();
    let mut vars: Vec<(&str, String)> = vec![
        ("DATABASE_URL", database_url.clone()),
        ("WAFLEET_BIND", "127.0.0.1:0".into()),
        ("WAFLEET_WHATSAPP", "sim".into()),
        ("WAFLEET_REDIS_PREFIX", redis_prefix.clone()),
        ("WAFLEET_MEDIA_DIR", media_dir.0.display().to_string()),
        ("WAFLEET_WEB_DIR", String::new()),
        // Fast reconnects, health checks and leases so state changes happen within a test.
        ("WAFLEET_DEVICE_BACKOFF_MS", "20".into()),
        ("WAFLEET_DEVICE_BACKOFF_MAX_MS", "200".into()),
        ("WAFLEET_DEVICE_HEALTH_MS", "200".into()),
        ("WAFLEET_CONNECTS_PER_SECOND", "1000".into()),
        ("WAFLEET_LEASE_TTL_MS", "1500".into()),
        ("WAFLEET_TYPING", "off".into()),
        ("WAFLEET_RECONCILE_MS", "300".into()),
    ];
    if options.redis {
        vars.push(("REDIS_URL", redis_url()));
    }
    for (key, value) in &options.env {
        vars.retain(|(k, _)| k != key);
        vars.push((key, value.clone()));
    }
    let config = Config::from_source(&MapEnv(vars)).expect("test config");
    start(
        config,
        options.whatsapp_transport.clone(),
        database_url,
        owned_database,
        redis_prefix,
        Some(media_dir),
    )
    .await
}

struct MapEnv<'a>(Vec<(&'a str, String)>);

impl wafleet::config::Env for MapEnv<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }
}

async fn start(
    config: Config,
    whatsapp_transport: Option<SharedTransportFactory>,
    database_url: String,
    owned_database: Option<String>,
    redis_prefix: String,
    media_dir: Option<TempDir>,
) -> TestApp {
    let app = Application::build_with(config, Overrides { whatsapp_transport })
        .await
        .expect("app builds");
    let address = format!("http://{}", app.local_addr());
    let metrics_address = app.metrics_addr().map(|a| format!("http://{a}"));
    let state = app.state.clone();
    let workers = app.workers.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        address,
        metrics_address,
        http: reqwest::Client::new(),
        state,
        workers,
        database_url,
        redis_prefix,
        owned_database,
        shutdown: Some(tx),
        server: Some(server),
        _media_dir: media_dir,
    }
}

impl TestApp {
    /// Stops the node like `kill -9`: no graceful shutdown, no lease released, nothing written.
    pub fn kill(&mut self) {
        self.workers.kill();
        if let Some(server) = self.server.take() {
            server.abort();
        }
        self.shutdown.take();
    }

    /// Stops the node gracefully and waits until it has.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.workers.kill();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(name) = self.owned_database.take() {
            // Drop runs outside async; a short-lived runtime on its own thread removes the database.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let admin = admin_connection().await;
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                });
            })
            .join();
        }
    }
}

/// A GraphQL response, with helpers to read data and error codes.
#[derive(Debug, Clone)]
pub struct GqlResponse(pub Value);

impl GqlResponse {
    pub fn data(&self) -> &Value {
        if let Some(errors) = self.0.get("errors") {
            panic!("unexpected errors: {errors}");
        }
        &self.0["data"]
    }

    /// The `extensions.code` of the first error (panics when there is none).
    pub fn error_code(&self) -> String {
        self.0["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error, got {}", self.0))
            .to_owned()
    }

    pub fn error_message(&self) -> String {
        self.0["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A signed-up user with a session token.
pub struct TestUser {
    pub id: String,
    pub token: String,
}

pub const PASSWORD: &str = "plum-orchard-42";

impl TestApp {
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> GqlResponse {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        GqlResponse(response.json().await.expect("JSON response"))
    }

    pub async fn sign_up(&self, email: &str) -> TestUser {
        let response = self
            .gql(
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email } } }",
                json!({ "input": { "email": email, "password": PASSWORD, "fullName": "Test User" } }),
            )
            .await;
        let data = response.data();
        TestUser {
            id: data["signUp"]["user"]["id"].as_str().unwrap().to_owned(),
            token: data["signUp"]["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A fresh user with a unique email.
    pub async fn new_user(&self) -> TestUser {
        self.sign_up(&format!("user-{}@example.com", Uuid::new_v4().simple()))
            .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .state
            .db
            .query_one(Statement::from_string(
                self.state.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }

    /// A device's status read straight from the database (works while the server is stopped).
    pub async fn status_in_database(&self, device_id: &str) -> String {
        let row = self
            .state
            .db
            .query_one(Statement::from_string(
                self.state.db.get_database_backend(),
                format!("SELECT status FROM devices WHERE id = '{device_id}'"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "status").unwrap()
    }

    /// Opens a graphql-ws connection authenticated with `token` (if any).
    pub async fn ws_connect(&self, token: Option<&str>) -> Result<WsClient, String> {
        WsClient::connect(&self.address, token).await
    }
}

/// A minimal graphql-transport-ws client.
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u32,
}

impl WsClient {
    pub async fn connect(http_address: &str, token: Option<&str>) -> Result<Self, String> {
        let mut client = Self::open(http_address, None).await?;
        client.init(token).await?;
        Ok(client)
    }

    /// Opens the socket (as a page of `origin`, if given) without sending `connection_init`.
    pub async fn open(http_address: &str, origin: Option<&str>) -> Result<Self, String> {
        let url = format!("{}/graphql/ws", http_address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self { stream, next_id: 0 })
    }

    /// Sends `connection_init` with `token` and waits for the ack.
    pub async fn init(&mut self, token: Option<&str>) -> Result<(), String> {
        let payload = match token {
            Some(token) => json!({ "authorization": format!("Bearer {token}") }),
            None => json!({}),
        };
        self.stream
            .send(Message::text(
                json!({ "type": "connection_init", "payload": payload }).to_string(),
            ))
            .await
            .map_err(|e| e.to_string())?;
        match self.recv().await {
            Some(msg) if msg["type"] == "connection_ack" => Ok(()),
            Some(other) => Err(other.to_string()),
            None => Err("connection closed".into()),
        }
    }

    /// The next JSON message; `None` when the server closed the connection. A close frame is
    /// returned as `{"type": "close", "code": …, "reason": …}`.
    pub async fn recv(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("no WebSocket message within 10 s")?;
            match message {
                Ok(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        let _ = self
                            .stream
                            .send(Message::text(json!({"type": "pong"}).to_string()))
                            .await;
                        continue;
                    }
                    return Some(value);
                }
                Ok(Message::Close(frame)) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((0, String::new()));
                    return Some(json!({ "type": "close", "code": code, "reason": reason }));
                }
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Starts a subscription and returns its id.
    pub async fn subscribe(&mut self, query: &str, variables: Value) -> String {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.stream
            .send(Message::text(
                json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
                    .to_string(),
            ))
            .await
            .unwrap();
        id
    }

    /// The next `next` payload of any subscription.
    pub async fn next_payload(&mut self) -> Value {
        loop {
            let message = self.recv().await.expect("connection open");
            match message["type"].as_str() {
                Some("next") => return message["payload"].clone(),
                Some("error") | Some("close") => panic!("subscription failed: {message}"),
                _ => continue,
            }
        }
    }
}

/// Waits until `check` holds, polling; panics with `what` after `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl TestApp {
    /// Adds a device and returns its id.
    pub async fn add_device(&self, token: &str, name: &str) -> String {
        let response = self
            .gql(
                Some(token),
                "mutation($input: AddDeviceInput!) { addDevice(input: $input) { id status } }",
                json!({ "input": { "name": name } }),
            )
            .await;
        assert_eq!(response.data()["addDevice"]["status"], "PAIRING");
        response.data()["addDevice"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The device as GraphQL returns it.
    pub async fn device(&self, token: &str, id: &str) -> Value {
        let response = self
            .gql(
                Some(token),
                "query($id: ID!) { device(id: $id) { id name phone jid status statusReason bannedUntil \
                 minDelaySeconds maxDelaySeconds dailyCap qrCode { code expiresAt } history { status reason } } }",
                json!({ "id": id }),
            )
            .await;
        response.data()["device"].clone()
    }

    pub async fn wait_for_status(&self, token: &str, id: &str, status: &str) -> Value {
        let mut last = Value::Null;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            last = self.device(token, id).await;
            if last["status"] == status {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("device {id} never reached {status}; last seen: {last}");
    }

    /// Adds a device and pairs it with `phone` through the simulated phone.
    pub async fn paired_device(&self, token: &str, name: &str, phone: &str) -> String {
        let id = self.add_device(token, name).await;
        eventually(Duration::from_secs(10), "a QR code to show", || async {
            !self.device(token, &id).await["qrCode"].is_null()
        })
        .await;
        let scanned = self
            .gql(
                Some(token),
                "mutation($id: ID!, $phone: String!) { simScanQr(deviceId: $id, phone: $phone) { status phone } }",
                json!({ "id": id, "phone": phone }),
            )
            .await;
        assert_eq!(scanned.data()["simScanQr"]["status"], "ONLINE");
        id
    }
}

impl TestApp {
    /// Sets a device's pacing (seconds).
    pub async fn set_delays(&self, token: &str, device_id: &str, min: i32, max: i32) {
        self.gql(
            Some(token),
            "mutation($id: ID!, $input: UpdateDeviceInput!) { updateDevice(id: $id, input: $input) { id } }",
            json!({ "id": device_id, "input": { "minDelaySeconds": min, "maxDelaySeconds": max } }),
        )
        .await
        .data();
    }

    /// Sends a text from the inbox; returns the outbox id.
    pub async fn send_text(&self, token: &str, device_id: &str, phone: &str, text: &str) -> String {
        let response = self
            .gql(
                Some(token),
                "mutation($input: SendMessageInput!) { sendMessage(input: $input) { outboxId status chatJid } }",
                json!({ "input": { "deviceId": device_id, "phone": phone, "text": text } }),
            )
            .await;
        assert_eq!(response.data()["sendMessage"]["status"], "PENDING");
        response.data()["sendMessage"]["outboxId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// What the simulated network received from a device.
    pub async fn sim_sent(&self, token: &str, device_id: &str) -> Vec<Value> {
        let response = self
            .gql(
                Some(token),
                "query($id: ID!) { simSent(deviceId: $id) { to text caption hasImage messageId at attempts } }",
                json!({ "id": device_id }),
            )
            .await;
        response.data()["simSent"].as_array().unwrap().clone()
    }

    /// Outbox rows by status, straight from the database.
    pub async fn outbox_by_status(&self) -> std::collections::HashMap<String, i64> {
        let rows = self
            .state
            .db
            .query_all(Statement::from_string(
                self.state.db.get_database_backend(),
                "SELECT status, COUNT(*) AS n FROM broadcast_messages GROUP BY status".to_owned(),
            ))
            .await
            .unwrap();
        rows.into_iter()
            .map(|r| {
                (
                    r.try_get::<String>("", "status").unwrap(),
                    r.try_get::<i64>("", "n").unwrap(),
                )
            })
            .collect()
    }
}
