//! `just bench dispatch`: the send path end to end.
//!
//! 1. Throughput with pacing off: BENCH_ROWS (100,000) outbox rows over BENCH_DEVICES (3000)
//!    simulated devices, PostgreSQL + Redis, from enqueue to every row SENT; next to it, the raw
//!    PostgreSQL single-row update rate of this machine (pgbench's simple-update) as the ratio's
//!    yardstick. Then the embedded default (SQLite + in-process queue) with BENCH_SQLITE_ROWS.
//! 2. Pacing accuracy: 3000 devices at min 1 s / max 2 s, BENCH_PACED_PER_DEVICE sends each; every
//!    gap between two sends of one device must be within [1 s, 2 s] + 100 ms.
//!
//! BENCH_PARTS (default `postgres,sqlite,pacing`) picks the parts to run. BENCH_BEFORE_POSTGRES and
//! BENCH_BEFORE_SQLITE (rows/s of a run before a change) are printed beside this run's figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::{
    collections::HashMap,
    process::Command,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait};
use uuid::Uuid;
use wafleet::{
    config::Config,
    domain::outbox::{self, send, Content, CounterScope, NewMessage, OutboxStatus},
    startup::Application,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

/// Paired devices of one new user, as a restart finds them.
async fn seed(
    db: &DatabaseConnection,
    devices: usize,
    delay: (i32, i32),
) -> (UserId, Vec<DeviceId>) {
    let owner = new_user(db).await;
    (
        owner,
        paired_devices(db, owner, devices, delay, DeviceStatus::Offline).await,
    )
}

fn messages(owner: UserId, devices: &[DeviceId], rows: usize, tag: &str) -> Vec<NewMessage> {
    (0..rows)
        .map(|n| {
            let phone = PhoneNumber::parse(&format!("+6019{n:07}")).unwrap();
            NewMessage::inbox(
                owner,
                devices[n % devices.len()],
                phone.clone(),
                Jid::from_phone(&phone),
                Content::Text(format!("{tag} {n}")),
            )
        })
        .collect()
}

async fn start_node(
    database_url: &str,
    redis: Option<String>,
) -> (
    wafleet::state::AppState,
    std::sync::Arc<wafleet::startup::Workers>,
    tokio::task::JoinHandle<()>,
) {
    let mut vars = vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("WAFLEET_BIND", "127.0.0.1:0".to_owned()),
        ("WAFLEET_WHATSAPP", "sim".to_owned()),
        ("WAFLEET_TYPING", "off".to_owned()),
        ("WAFLEET_CONNECTS_PER_SECOND", "2000".to_owned()),
        (
            "WAFLEET_REDIS_PREFIX",
            format!("wafleet-bench:{}:", Uuid::new_v4().simple()),
        ),
    ];
    if let Some(redis) = redis {
        vars.push(("REDIS_URL", redis));
    }
    let app = Application::build(Config::from_source(&Vars(vars)).unwrap())
        .await
        .unwrap();
    let state = app.state.clone();
    let workers = app.workers.clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    (state, workers, server)
}

async fn wait_online(db: &DatabaseConnection, devices: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while (count(
        db,
        "SELECT COUNT(*) AS n FROM devices WHERE status = 'ONLINE'",
    )
    .await as usize)
        < devices
    {
        assert!(Instant::now() < deadline, "devices did not come online");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Enqueues `rows` messages and returns rows/second until every one is SENT.
async fn throughput(
    state: &wafleet::state::AppState,
    owner: UserId,
    devices: &[DeviceId],
    rows: usize,
) -> (f64, Duration) {
    let batch = messages(owner, devices, rows, "bench");
    let started = Instant::now();
    for chunk in batch.chunks(5000) {
        send::enqueue(state.ports(), chunk.to_vec()).await.unwrap();
    }
    let enqueued = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let sent = sent_count(&state.db, owner).await;
        if sent as usize >= rows {
            break;
        }
        assert!(Instant::now() < deadline, "only {sent} of {rows} sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (rows as f64 / started.elapsed().as_secs_f64(), enqueued)
}

/// The owner's SENT total from the outbox counters: polling it costs the database nothing
/// worth measuring, where counting rows would compete with the send path being measured.
async fn sent_count(db: &DatabaseConnection, owner: UserId) -> i64 {
    outbox::counters(db, CounterScope::User, owner.0)
        .await
        .unwrap()
        .get(&OutboxStatus::Sent)
        .copied()
        .unwrap_or(0)
}

/// pgbench's simple-update (-N) against a scratch database: this machine's single-row update rate.
fn pgbench(base: &str) -> Option<f64> {
    let name = format!("wafleet_pgbench_{}", Uuid::new_v4().simple());
    let url = format!("{base}/postgres");
    let run = |args: &[&str]| Command::new(args[0]).args(&args[1..]).output().ok();
    run(&["psql", &url, "-qc", &format!("CREATE DATABASE {name}")])?;
    let target = format!("{base}/{name}");
    run(&["pgbench", "-q", "-i", "-s", "4", &target])?;
    let output = run(&["pgbench", "-N", "-c", "8", "-j", "2", "-T", "10", &target])?;
    run(&["psql", &url, "-qc", &format!("DROP DATABASE {name}")]);
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    text.lines()
        .find(|l| l.starts_with("tps ="))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() {
    let rows: usize = env_or("BENCH_ROWS", "100000").parse().unwrap();
    let device_count: usize = env_or("BENCH_DEVICES", "3000").parse().unwrap();
    let sqlite_rows: usize = env_or("BENCH_SQLITE_ROWS", "20000").parse().unwrap();
    let sqlite_devices: usize = env_or("BENCH_SQLITE_DEVICES", "300").parse().unwrap();
    let paced_per_device: usize = env_or("BENCH_PACED_PER_DEVICE", "5").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let parts = env_or("BENCH_PARTS", "postgres,sqlite,pacing");
    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    if parts.contains("postgres") {
        postgres_throughput(&admin, &base, &redis, rows, device_count).await;
    }
    if parts.contains("sqlite") {
        sqlite_throughput(sqlite_rows, sqlite_devices).await;
    }
    if parts.contains("pacing") {
        pacing(&admin, &base, &redis, device_count, paced_per_device).await;
    }
}

/// 1a. PostgreSQL + Redis, pacing off.
async fn postgres_throughput(
    admin: &DatabaseConnection,
    base: &str,
    redis: &str,
    rows: usize,
    device_count: usize,
) {
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");
    let db = wafleet::db::connect(&url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    let (owner, devices) = seed(&db, device_count, (0, 0)).await;
    let (state, workers, server) = start_node(&url, Some(redis.to_owned())).await;
    wait_online(&db, device_count).await;
    let (rate, enqueue_time) = throughput(&state, owner, &devices, rows).await;
    let network = count(&db, "SELECT COUNT(*) AS n FROM sim_sent_messages").await;
    let doubles = count(&db, "SELECT COUNT(*) AS n FROM (SELECT text FROM sim_sent_messages GROUP BY text HAVING COUNT(*) > 1) d").await;
    let repeats = count(
        &db,
        "SELECT CAST(COALESCE(SUM(attempts - 1), 0) AS BIGINT) AS n FROM sim_sent_messages",
    )
    .await;
    workers.kill();
    server.abort();
    db.close().await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    let raw = pgbench(base);

    println!("dispatch throughput (pacing off), PostgreSQL + Redis:");
    println!("  rows:                 {rows} over {device_count} simulated devices");
    println!(
        "  enqueue:              {:.2} s",
        enqueue_time.as_secs_f64()
    );
    println!("  enqueue → all SENT:   {rate:.0} rows/s");
    println!("  on the network:       {network} messages, {doubles} seen twice, {repeats} resent under the same id");
    before("BENCH_BEFORE_POSTGRES", rate);
    match raw {
        Some(tps) => {
            println!("  pgbench simple-update: {tps:.0} updates/s (8 clients)");
            println!(
                "  ratio:                {:.2} of the raw single-row update rate",
                rate / tps
            );
        }
        None => println!("  pgbench simple-update: not available (pgbench or psql missing)"),
    }
}

/// 1b. The embedded default: SQLite + in-process queue.
async fn sqlite_throughput(sqlite_rows: usize, sqlite_devices: usize) {
    let dir = std::env::temp_dir().join(format!("wafleet-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let db = wafleet::db::connect(&sqlite_url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    let (owner, devices) = seed(&db, sqlite_devices, (0, 0)).await;
    let (state, workers, server) = start_node(&sqlite_url, None).await;
    wait_online(&db, sqlite_devices).await;
    let (sqlite_rate, _) = throughput(&state, owner, &devices, sqlite_rows).await;
    workers.kill();
    server.abort();
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    println!("dispatch throughput (pacing off), embedded default (SQLite + in-process queue):");
    println!("  rows:                 {sqlite_rows} over {sqlite_devices} simulated devices");
    println!("  enqueue → all SENT:   {sqlite_rate:.0} rows/s");
    before("BENCH_BEFORE_SQLITE", sqlite_rate);
}

/// The same figure measured before a change (rows/s, given in `variable`), beside this run's.
fn before(variable: &str, rate: f64) {
    if let Some(earlier) = std::env::var(variable)
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        println!(
            "  before the change:    {earlier:.0} rows/s ({variable}); now {:.2} of it",
            rate / earlier
        );
    }
}

/// 2. Pacing accuracy at min 1 s / max 2 s.
async fn pacing(
    admin: &DatabaseConnection,
    base: &str,
    redis: &str,
    device_count: usize,
    paced_per_device: usize,
) {
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");
    let db = wafleet::db::connect(&url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    let (owner, devices) = seed(&db, device_count, (1, 2)).await;
    let (state, workers, server) = start_node(&url, Some(redis.to_owned())).await;
    wait_online(&db, device_count).await;
    let total = device_count * paced_per_device;
    let started = Instant::now();
    for chunk in messages(owner, &devices, total, "paced").chunks(5000) {
        send::enqueue(state.ports(), chunk.to_vec()).await.unwrap();
    }
    while (sent_count(&db, owner).await as usize) < total {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "paced sends did not finish"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sent = wafleet::entities::sim_sent_messages::Entity::find()
        .all(&db)
        .await
        .unwrap();
    let mut by_device: HashMap<Uuid, Vec<chrono::DateTime<Utc>>> = HashMap::new();
    for row in sent {
        by_device
            .entry(row.device_id)
            .or_default()
            .push(row.sent_at);
    }
    let (mut gaps, mut worst_over, mut worst_under, mut outside) = (Vec::new(), 0i64, 0i64, 0usize);
    for times in by_device.values_mut() {
        times.sort();
        for pair in times.windows(2) {
            let gap = (pair[1] - pair[0]).num_milliseconds();
            gaps.push(gap);
            worst_over = worst_over.max(gap - 2000);
            worst_under = worst_under.max(1000 - gap);
            if !(1000..=2100).contains(&gap) {
                outside += 1;
            }
        }
    }
    gaps.sort_unstable();
    let median = gaps.get(gaps.len() / 2).copied().unwrap_or(0);
    workers.kill();
    server.abort();
    db.close().await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    println!("pacing accuracy, {device_count} devices at min 1 s / max 2 s, {paced_per_device} sends each:");
    println!("  gaps measured:        {}", gaps.len());
    println!("  median gap:           {median} ms");
    println!("  worst above 2 s:      {} ms", worst_over.max(0));
    println!("  worst below 1 s:      {} ms", worst_under.max(0));
    println!("  gaps outside [1 s, 2 s] + 100 ms: {outside}");
}
