//! `just bench devices`: thousands of paired simulated devices start in one process.
//!
//! Inserts N paired devices (status OFFLINE, as after a restart), starts the server against
//! PostgreSQL + Redis with the simulated network, and measures the time until every device is
//! ONLINE and the process's resident memory before and after.
//!
//! Environment: BENCH_DEVICES (default 3000), BENCH_CONNECTS_PER_SECOND (default 1000),
//! TEST_DATABASE_URL / TEST_REDIS_URL as for the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;
use wafleet::{config::Config, startup::Application};

#[tokio::main]
async fn main() {
    let count: usize = env_or("BENCH_DEVICES", "3000").parse().unwrap();
    let rate = env_or("BENCH_CONNECTS_PER_SECOND", "1000");
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");

    // Arrange: N paired devices of one user, as a restart finds them.
    let db = wafleet::db::connect(&url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    let owner = new_user(&db).await;
    paired_devices(&db, owner, count, (5, 15), DeviceStatus::Offline).await;

    let config = Config::from_source(&Vars(vec![
        ("DATABASE_URL", url.clone()),
        ("REDIS_URL", redis),
        (
            "WAFLEET_REDIS_PREFIX",
            format!("wafleet-bench:{}:", Uuid::new_v4().simple()),
        ),
        ("WAFLEET_BIND", "127.0.0.1:0".into()),
        ("WAFLEET_WHATSAPP", "sim".into()),
        ("WAFLEET_CONNECTS_PER_SECOND", rate.clone()),
    ]))
    .unwrap();
    let rss_before = rss_mib();

    // Act: start the node; its supervisor opens every device.
    let started = Instant::now();
    let app = Application::build(config).await.unwrap();
    let workers = app.workers.clone();
    let server = tokio::spawn(app.run_until_stopped(std::future::pending()));
    let online_query = "SELECT COUNT(*) AS n FROM devices WHERE status = 'ONLINE'";
    let mut online = 0i64;
    let deadline = Instant::now() + Duration::from_secs(600);
    while (online as usize) < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let row = db
            .query_one(sea_orm::Statement::from_string(
                db.get_database_backend(),
                online_query.to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        online = row.try_get("", "n").unwrap();
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = rss_mib();

    println!(
        "devices: {count} paired simulated devices, connect gate {rate}/s, PostgreSQL + Redis"
    );
    println!("  online:               {online}/{count}");
    println!("  time to all ONLINE:   {:.2} s", elapsed.as_secs_f64());
    println!(
        "  sessions on this node: {}",
        workers.supervisor.running().len()
    );
    println!("  RSS before start:     {rss_before:.1} MiB");
    println!("  RSS with all online:  {rss_after:.1} MiB");
    println!(
        "  per device:           {:.1} KiB",
        (rss_after - rss_before) * 1024.0 / count as f64
    );

    workers.kill();
    server.abort();
    drop(db);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}
