//! `just bench devices`: thousands of paired simulated devices start in one process.
//!
//! Inserts N paired devices (status OFFLINE, as after a restart), starts the server against
//! PostgreSQL + Redis with the simulated network, and measures the time until every device is
//! ONLINE and the process's resident memory before and after.
//!
//! Environment: BENCH_DEVICES (default 3000), BENCH_CONNECTS_PER_SECOND (default 1000),
//! TEST_DATABASE_URL / TEST_REDIS_URL as for the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, EntityTrait, Set};
use uuid::Uuid;
use wafleet::{
    config::{Config, Env},
    entities::{devices, users},
    startup::Application,
};

struct Vars(Vec<(&'static str, String)>);

impl Env for Vars {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

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
    let user_id = Uuid::new_v4();
    let now = Utc::now();
    users::Entity::insert(users::ActiveModel {
        id: Set(user_id),
        email: Set("bench@example.com".into()),
        full_name: Set("Bench".into()),
        password_hash: Set("-".into()),
        time_zone: Set("UTC".into()),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
    })
    .exec(&db)
    .await
    .unwrap();
    let rows: Vec<devices::ActiveModel> = (0..count)
        .map(|n| devices::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            name: Set(format!("Device {n}")),
            phone: Set(Some(format!("+6010{n:07}"))),
            jid: Set(Some(format!("6010{n:07}@s.whatsapp.net"))),
            lid: Set(None),
            status: Set("OFFLINE".into()),
            status_reason: Set(None),
            min_delay_seconds: Set(5),
            max_delay_seconds: Set(15),
            daily_cap: Set(None),
            banned_until: Set(None),
            paired_at: Set(Some(now)),
            last_seen_at: Set(None),
            lease_token: Set(0),
            lease_node: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(500) {
        devices::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .unwrap();
    }

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
