//! What the benchmarks share: configuration from a list, environment knobs, seeding paired
//! devices the way a restart finds them, and small measurements.
#![allow(dead_code)]

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, Statement};
use uuid::Uuid;
pub use wafleet::entities::enums::DeviceStatus;
use wafleet::{
    config::Env,
    entities::{devices, users},
    types::ids::{DeviceId, UserId},
};

/// The allocator the `wafleet` binary uses, so a benchmark measures what runs in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Configuration variables given as a list instead of the process environment.
pub struct Vars(pub Vec<(&'static str, String)>);

impl Env for Vars {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// `SELECT COUNT(*) AS n …`
pub async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get("", "n")
    .unwrap()
}

/// This process's resident memory.
pub fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A user straight in the database (benchmarks do not log in).
pub async fn new_user(db: &DatabaseConnection) -> UserId {
    let id = Uuid::new_v4();
    let now = Utc::now();
    users::Entity::insert(users::ActiveModel {
        id: Set(id),
        email: Set(format!("bench-{id}@example.com")),
        full_name: Set("Bench".into()),
        password_hash: Set("-".into()),
        time_zone: Set("UTC".into()),
        default_country: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
    })
    .exec(db)
    .await
    .unwrap();
    UserId(id)
}

/// `count` paired devices of `owner` in `status`, with the given pacing.
pub async fn paired_devices(
    db: &DatabaseConnection,
    owner: UserId,
    count: usize,
    delay: (i32, i32),
    status: DeviceStatus,
) -> Vec<DeviceId> {
    let now = Utc::now();
    let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
    let rows: Vec<devices::ActiveModel> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| devices::ActiveModel {
            id: Set(*id),
            user_id: Set(owner.0),
            name: Set(format!("Device {n}")),
            phone: Set(Some(format!("+6010{n:07}"))),
            jid: Set(Some(format!("6010{n:07}@s.whatsapp.net"))),
            lid: Set(None),
            status: Set(status),
            status_reason: Set(None),
            min_delay_seconds: Set(delay.0),
            max_delay_seconds: Set(delay.1),
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
            .exec(db)
            .await
            .unwrap();
    }
    ids.into_iter().map(DeviceId).collect()
}
