//! `just bench ai`: an AI campaign dealing BENCH_AI_LEADS (300,000) pool leads over
//! BENCH_DEVICES (3000) simulated devices with a limit of BENCH_LIMIT (100) per device, pacing
//! off, PostgreSQL + Redis.
//!
//! Measured: the time from the start (the atomic SCHEDULED → RUNNING and the first round) to
//! every lead dealt (the rounds run by the node's own scheduler, about once a second); the time
//! to the campaign's end and its sends per second; the spread (most minus fewest sends of a
//! device; target ≤ 1). Beside them, in the same run and on the same devices: a broadcast
//! campaign of BENCH_BROADCAST_LEADS (100,000) device leads, its trigger → all SENT rate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;
use wafleet::{
    config::Config,
    domain::campaigns::{ai, control, draft::CampaignInput, progress, trigger, CampaignKind},
    entities::{
        campaigns as campaign_rows,
        enums::{AiLeadStatus, AudienceKind, CampaignStatus, LeadSource, TargetStatus},
        leads,
    },
    startup::Application,
    types::ids::{DeviceId, UserId},
};

struct Node {
    state: wafleet::state::AppState,
    workers: std::sync::Arc<wafleet::startup::Workers>,
    server: tokio::task::JoinHandle<()>,
    #[allow(dead_code)]
    address: SocketAddr,
}

async fn start_node(database_url: &str, redis: &str) -> Node {
    let vars = vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("REDIS_URL", redis.to_owned()),
        ("WAFLEET_BIND", "127.0.0.1:0".to_owned()),
        ("WAFLEET_WHATSAPP", "sim".to_owned()),
        ("WAFLEET_TYPING", "off".to_owned()),
        ("WAFLEET_CONNECTS_PER_SECOND", "2000".to_owned()),
        (
            "WAFLEET_REDIS_PREFIX",
            format!("wafleet-bench:{}:", Uuid::new_v4().simple()),
        ),
    ];
    let app = Application::build(Config::from_source(&Vars(vars)).unwrap())
        .await
        .unwrap();
    let address = app.local_addr();
    let state = app.state.clone();
    let workers = app.workers.clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    Node {
        state,
        workers,
        server,
        address,
    }
}

/// `count` leads: of the devices (round robin) when `devices` is given, else of the AI pool.
async fn seed_leads(
    db: &DatabaseConnection,
    owner: UserId,
    devices: Option<&[DeviceId]>,
    count: usize,
    prefix: &str,
) {
    let now = Utc::now() - chrono::Duration::minutes(1);
    let all: Vec<leads::ActiveModel> = (0..count)
        .map(|n| {
            let device = devices.map(|d| d[n % d.len()]);
            leads::ActiveModel {
                id: Set(Uuid::new_v4()),
                user_id: Set(owner.0),
                kind: Set(if device.is_some() {
                    AudienceKind::Device
                } else {
                    AudienceKind::Pool
                }),
                scope_id: Set(device.map_or(owner.0, |d| d.0)),
                device_id: Set(device.map(|d| d.0)),
                name: Set(format!("Lead {n}")),
                phone: Set(format!("{prefix}{n:07}")),
                target_status: Set(TargetStatus::Prospect),
                triggers: Set(String::new()),
                notes: Set(String::new()),
                source: Set(LeadSource::Import),
                status: Set(device.is_none().then_some(AiLeadStatus::Pending)),
                sent_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    for chunk in all.chunks(2000) {
        leads::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
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

fn input(kind: CampaignKind, title: &str, limit: Option<i32>) -> CampaignInput {
    CampaignInput {
        kind,
        title: title.into(),
        message: "{Hi|Hello} {name|there}, {our sale|the sale} starts today".into(),
        image: None,
        remove_image: false,
        niches: Vec::new(),
        target_status: None,
        device_ids: Vec::new(),
        // Far in the future, so the node's own scheduler leaves the start to the bench.
        scheduled_at: Some(Utc::now() + chrono::Duration::days(365)),
        window: None,
        weekdays: Vec::new(),
        min_delay_seconds: 0,
        max_delay_seconds: 0,
        per_device_limit: limit,
    }
}

async fn campaign(db: &DatabaseConnection, id: Uuid) -> campaign_rows::Model {
    campaign_rows::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::main]
async fn main() {
    let ai_leads: usize = env_or("BENCH_AI_LEADS", "300000").parse().unwrap();
    let broadcast_leads: usize = env_or("BENCH_BROADCAST_LEADS", "100000").parse().unwrap();
    let device_count: usize = env_or("BENCH_DEVICES", "3000").parse().unwrap();
    let limit: i32 = env_or("BENCH_LIMIT", "100").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");

    let node = start_node(&url, &redis).await;
    let db = node.state.db.clone();
    let owner = new_user(&db).await;
    node.workers.kill();
    node.server.abort();
    // Seeded while no node runs; the next one's supervisor starts the devices it finds.
    let devices = paired_devices(&db, owner, device_count, (0, 0), DeviceStatus::Offline).await;
    seed_leads(&db, owner, Some(&devices), broadcast_leads, "+6017").await;
    seed_leads(&db, owner, None, ai_leads, "+6019").await;
    db.execute_unprepared("ANALYZE").await.unwrap();
    let node = start_node(&url, &redis).await;
    wait_online(&db, device_count).await;

    // The yardstick: a broadcast campaign on the same devices.
    let broadcast = control::create(
        node.state.ports(),
        owner,
        input(CampaignKind::Broadcast, "Broadcast", None),
    )
    .await
    .unwrap();
    let model = campaign(&db, broadcast.id).await;
    let started = Instant::now();
    let at = model.scheduled_at.unwrap();
    trigger::start(node.state.ports(), &model, at)
        .await
        .unwrap()
        .unwrap();
    loop {
        let totals = progress::progress(&db, campaign(&db, broadcast.id).await)
            .await
            .unwrap()
            .totals;
        if totals.sent as usize >= broadcast_leads {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1800));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let broadcast_rate = broadcast_leads as f64 / started.elapsed().as_secs_f64();

    // The AI campaign.
    let created = control::create(
        node.state.ports(),
        owner,
        input(CampaignKind::Ai, "AI", Some(limit)),
    )
    .await
    .unwrap();
    let model = campaign(&db, created.id).await;
    let dealable = ai_leads.min(device_count * limit as usize) as i64;
    let started = Instant::now();
    ai::start(node.state.ports(), &model, model.scheduled_at.unwrap())
        .await
        .unwrap()
        .unwrap();
    let first_round = started.elapsed();
    let dealt_sql = format!(
        "SELECT COALESCE(SUM(dealt), 0) AS n FROM ai_campaign_devices WHERE campaign_id = '{}'",
        created.id
    );
    let mut to_dealt = None;
    let ended = loop {
        if to_dealt.is_none() && count(&db, &dealt_sql).await >= dealable {
            to_dealt = Some(started.elapsed());
        }
        let current = campaign(&db, created.id).await;
        if matches!(
            current.status,
            CampaignStatus::Completed
                | CampaignStatus::CompletedWithPending
                | CampaignStatus::Failed
        ) {
            break current;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "the AI campaign did not end"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let to_end = started.elapsed();
    let to_dealt = to_dealt.unwrap_or(to_end);
    let parts = ai::device_parts(&db, &ended).await.unwrap();
    let sent: i64 = parts.iter().map(|p| i64::from(p.sent)).sum();
    let most = parts.iter().map(|p| p.sent).max().unwrap_or(0);
    let fewest = parts.iter().map(|p| p.sent).min().unwrap_or(0);
    let network = count(&db, "SELECT COUNT(*) AS n FROM sim_sent_messages").await;
    let distinct = count(
        &db,
        "SELECT COUNT(DISTINCT to_jid) AS n FROM sim_sent_messages",
    )
    .await;
    node.workers.kill();
    node.server.abort();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();

    println!("AI campaign (PostgreSQL + Redis):");
    println!(
        "  pool:                 {ai_leads} leads, {device_count} simulated devices, limit {limit} per device, pacing off"
    );
    println!("  start → first round:  {:.2} s", first_round.as_secs_f64());
    println!(
        "  start → all dealt:    {:.2} s ({dealable} leads; target ≤ 10 s)",
        to_dealt.as_secs_f64()
    );
    println!(
        "  start → {}: {:.2} s, {:.0} sends/s",
        sea_orm::ActiveEnum::to_value(&ended.status),
        to_end.as_secs_f64(),
        sent as f64 / to_end.as_secs_f64()
    );
    println!(
        "  spread:               {} (most {most}, fewest {fewest} sends per device; target ≤ 1)",
        most - fewest
    );
    println!(
        "  network:              {network} messages received, {distinct} distinct recipients ({} broadcast + {sent} AI)",
        broadcast_leads
    );
    println!(
        "  same run, broadcast:  {broadcast_leads} device leads, trigger → all SENT {broadcast_rate:.0} rows/s"
    );
    println!(
        "  ratio:                {:.2}× the broadcast's rate",
        sent as f64 / to_end.as_secs_f64() / broadcast_rate
    );
    assert_eq!(
        network,
        broadcast_leads as i64 + sent,
        "a message sent twice"
    );
}
