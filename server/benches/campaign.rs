//! `just bench campaign`: a broadcast campaign of BENCH_LEADS (100,000) leads over BENCH_DEVICES
//! (3000) simulated devices, PostgreSQL + Redis, pacing off.
//!
//! Measured: the time from the trigger (the scheduler's start: the atomic SCHEDULED → RUNNING,
//! the `INSERT … SELECT` of every row with its counters, and the rows on their queues) to every
//! row QUEUED; then rows/s from the trigger to every row SENT; and how many progress events a
//! `campaignProgress` subscriber (over the real WebSocket) received meanwhile. Beside them, in
//! the same run and on the same devices: the app-side enqueue of as many messages through the
//! send path (what `just bench dispatch` measures), its time to QUEUED and its rows/s to SENT.
//! Then the same on the embedded default (SQLite + in-process queue) with BENCH_SQLITE_LEADS
//! over BENCH_SQLITE_DEVICES. BENCH_PARTS (default `postgres,sqlite`) picks the parts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use chrono::Utc;
use futures::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};
use uuid::Uuid;
use wafleet::{
    config::Config,
    domain::{
        campaigns::{control, draft::CampaignInput, progress, trigger, CampaignKind},
        outbox::{self, send, Content, CounterScope, NewMessage, OutboxStatus},
    },
    entities::{
        campaigns as campaign_rows,
        enums::{AudienceKind, LeadSource, TargetStatus},
        leads,
    },
    startup::Application,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

struct Node {
    state: wafleet::state::AppState,
    workers: std::sync::Arc<wafleet::startup::Workers>,
    server: tokio::task::JoinHandle<()>,
    address: SocketAddr,
}

async fn start_node(database_url: &str, redis: Option<&str>) -> Node {
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
        vars.push(("REDIS_URL", redis.to_owned()));
    }
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

/// A user signed up through the API (for a token the subscription can use).
async fn sign_up(address: SocketAddr) -> (UserId, String) {
    let response: Value = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .json(&json!({
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }",
            "variables": { "i": { "email": format!("bench-{}@example.com", Uuid::new_v4().simple()), "password": "correct horse battery staple", "fullName": "Bench" } }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = &response["data"]["signUp"];
    (
        UserId(data["user"]["id"].as_str().unwrap().parse().unwrap()),
        data["token"].as_str().unwrap().to_owned(),
    )
}

/// `count` leads spread over `devices`, stored in batches.
async fn seed_leads(db: &DatabaseConnection, owner: UserId, devices: &[DeviceId], count: usize) {
    let now = Utc::now();
    let all: Vec<leads::ActiveModel> = (0..count)
        .map(|n| {
            let device = devices[n % devices.len()];
            leads::ActiveModel {
                id: Set(Uuid::new_v4()),
                user_id: Set(owner.0),
                kind: Set(AudienceKind::Device),
                scope_id: Set(device.0),
                device_id: Set(Some(device.0)),
                name: Set(format!("Lead {n}")),
                phone: Set(format!("+6017{n:07}")),
                target_status: Set(TargetStatus::Prospect),
                triggers: Set(String::new()),
                notes: Set(String::new()),
                source: Set(LeadSource::Import),
                status: Set(None),
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

async fn user_total(db: &DatabaseConnection, owner: UserId, status: OutboxStatus) -> i64 {
    outbox::counters(db, CounterScope::User, owner.0)
        .await
        .unwrap()
        .get(&status)
        .copied()
        .unwrap_or(0)
}

/// Counts `campaignProgress` events over the WebSocket until the campaign is COMPLETED.
async fn count_progress_events(
    address: SocketAddr,
    token: String,
    campaign: Uuid,
) -> tokio::task::JoinHandle<usize> {
    let mut request = format!("ws://{address}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }).to_string(),
    ))
    .await
    .unwrap();
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { campaignProgress(campaignId: $id) { status totals { sent } } }",
            "variables": { "id": campaign.to_string() } } })
        .to_string(),
    ))
    .await
    .unwrap();
    // The first event (the state at subscribe time) arrives before the trigger.
    loop {
        let Some(Ok(Message::Text(text))) = ws.next().await else {
            panic!("subscription closed")
        };
        let value: Value = serde_json::from_str(&text).unwrap();
        if value["type"] == "next" {
            break;
        }
    }
    tokio::spawn(async move {
        let mut events = 0;
        while let Some(Ok(message)) = ws.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "ping" {
                let _ = ws
                    .send(Message::text(json!({"type": "pong"}).to_string()))
                    .await;
                continue;
            }
            if value["type"] != "next" {
                continue;
            }
            events += 1;
            if value["payload"]["data"]["campaignProgress"]["status"] == "COMPLETED" {
                break;
            }
        }
        events
    })
}

struct Figures {
    to_queued: Duration,
    rate: f64,
    events: usize,
    enqueue_to_queued: Duration,
    enqueue_rate: f64,
}

async fn run(
    database_url: &str,
    redis: Option<&str>,
    lead_count: usize,
    device_count: usize,
) -> Figures {
    let node = start_node(database_url, redis).await;
    let db = node.state.db.clone();
    let (owner, token) = sign_up(node.address).await;
    node.workers.kill();
    node.server.abort();
    // Seeded while no node runs; the next one's supervisor starts the devices it finds.
    let devices = paired_devices(&db, owner, device_count, (0, 0), DeviceStatus::Offline).await;
    seed_leads(&db, owner, &devices, lead_count).await;
    let node = start_node(database_url, redis).await;
    wait_online(&db, device_count).await;

    // Far in the future, so the node's own scheduler leaves it to the measured trigger.
    let at = Utc::now() + chrono::Duration::days(365);
    let created = control::create(
        node.state.ports(),
        owner,
        CampaignInput {
            kind: CampaignKind::Broadcast,
            title: "Bench".into(),
            message: "{Hi|Hello} {name|there}, {our sale|the sale} starts today".into(),
            image: None,
            remove_image: false,
            niches: Vec::new(),
            target_status: None,
            device_ids: Vec::new(),
            scheduled_at: Some(at),
            window: None,
            weekdays: Vec::new(),
            min_delay_seconds: 0,
            max_delay_seconds: 0,
            per_device_limit: None,
        },
    )
    .await
    .unwrap();
    let events = count_progress_events(node.address, token, created.id).await;
    let campaign = campaign_rows::Entity::find_by_id(created.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    let rows = trigger::start(node.state.ports(), &campaign, at)
        .await
        .unwrap()
        .unwrap();
    let to_queued = started.elapsed();
    assert_eq!(rows as usize, lead_count);
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        let current = campaign_rows::Entity::find_by_id(created.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let totals = progress::progress(&db, current).await.unwrap().totals;
        if totals.sent as usize >= lead_count {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {lead_count} sent",
            totals.sent
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rate = lead_count as f64 / started.elapsed().as_secs_f64();
    let events = tokio::time::timeout(Duration::from_secs(30), events)
        .await
        .unwrap()
        .unwrap();
    let network = count(&db, "SELECT COUNT(*) AS n FROM sim_sent_messages").await;
    assert_eq!(network as usize, lead_count, "what the network received");

    // The same number of messages through the app-side send path, on the same devices.
    let before = user_total(&db, owner, OutboxStatus::Sent).await;
    let messages: Vec<NewMessage> = (0..lead_count)
        .map(|n| {
            let phone = PhoneNumber::parse(&format!("+6018{n:07}")).unwrap();
            NewMessage::inbox(
                owner,
                devices[n % devices.len()],
                phone.clone(),
                Jid::from_phone(&phone),
                Content::Text(format!("direct {n}")),
            )
        })
        .collect();
    let started = Instant::now();
    for chunk in messages.chunks(5000) {
        send::enqueue(node.state.ports(), chunk.to_vec())
            .await
            .unwrap();
    }
    let enqueue_to_queued = started.elapsed();
    while (user_total(&db, owner, OutboxStatus::Sent).await - before) < lead_count as i64 {
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "direct sends did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let enqueue_rate = lead_count as f64 / started.elapsed().as_secs_f64();
    node.workers.kill();
    node.server.abort();
    Figures {
        to_queued,
        rate,
        events,
        enqueue_to_queued,
        enqueue_rate,
    }
}

fn report(title: &str, leads: usize, devices: usize, f: &Figures) {
    println!("{title}:");
    println!("  campaign:             {leads} leads over {devices} simulated devices, pacing off");
    println!(
        "  trigger → all QUEUED: {:.2} s (start, INSERT … SELECT, counters, queue push)",
        f.to_queued.as_secs_f64()
    );
    println!("  trigger → all SENT:   {:.0} rows/s", f.rate);
    println!(
        "  progress events:      {} delivered to one campaignProgress subscriber",
        f.events
    );
    println!(
        "  same run, send path (the dispatch bench's path), {leads} messages on the same devices:"
    );
    println!(
        "    enqueue → QUEUED:   {:.2} s",
        f.enqueue_to_queued.as_secs_f64()
    );
    println!("    enqueue → all SENT: {:.0} rows/s", f.enqueue_rate);
    println!(
        "  ratio:                {:.2}× the send path's rows/s; QUEUED {:.1}× sooner",
        f.rate / f.enqueue_rate,
        f.enqueue_to_queued.as_secs_f64() / f.to_queued.as_secs_f64().max(1e-9)
    );
}

#[tokio::main]
async fn main() {
    let leads: usize = env_or("BENCH_LEADS", "100000").parse().unwrap();
    let devices: usize = env_or("BENCH_DEVICES", "3000").parse().unwrap();
    let sqlite_leads: usize = env_or("BENCH_SQLITE_LEADS", "20000").parse().unwrap();
    let sqlite_devices: usize = env_or("BENCH_SQLITE_DEVICES", "300").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let parts = env_or("BENCH_PARTS", "postgres,sqlite");
    if parts.contains("postgres") {
        let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
        let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{base}/{name}");
        let figures = run(&url, Some(&redis), leads, devices).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        report("campaign (PostgreSQL + Redis)", leads, devices, &figures);
    }
    if parts.contains("sqlite") {
        let dir = std::env::temp_dir().join(format!("wafleet-bench-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        let figures = run(&url, None, sqlite_leads, sqlite_devices).await;
        let _ = std::fs::remove_dir_all(&dir);
        report(
            "campaign (embedded default: SQLite + in-process queue)",
            sqlite_leads,
            sqlite_devices,
            &figures,
        );
    }
}
