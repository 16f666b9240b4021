//! `just bench inbox`: history-sync ingest rate, live messages of another device during a big
//! sync, and `chats` query latency for a device with 500 chats under 50 concurrent clients.
//! PostgreSQL + Redis, simulated network. BENCH_CHATS (500), BENCH_PER_CHAT (20),
//! BENCH_CLIENTS (50), BENCH_QUERIES (2000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use uuid::Uuid;
use wafleet::{
    config::Config,
    startup::Application,
    types::{ids::UserId, jid::Jid},
    whatsapp::{HistoryChunk, HistoryConversation, InboundMessage, InboundSink, WaEvent},
    workers::inbound::Inbound,
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn gql(
    http: &reqwest::Client,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = http
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn message(chat: &Jid, id: String, text: String, timestamp: i64) -> InboundMessage {
    InboundMessage {
        id,
        chat: chat.clone(),
        sender: chat.clone(),
        sender_alt: None,
        sender_name: None,
        from_me: false,
        text: Some(text),
        image: None,
        timestamp,
    }
}

#[tokio::main]
async fn main() {
    let chats: usize = env_or("BENCH_CHATS", "500").parse().unwrap();
    let per_chat: usize = env_or("BENCH_PER_CHAT", "20").parse().unwrap();
    let clients: usize = env_or("BENCH_CLIENTS", "50").parse().unwrap();
    let queries: usize = env_or("BENCH_QUERIES", "2000").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");

    let config = Config::from_source(&Vars(vec![
        ("DATABASE_URL", url.clone()),
        ("REDIS_URL", redis),
        (
            "WAFLEET_REDIS_PREFIX",
            format!("wafleet-bench:{}:", Uuid::new_v4().simple()),
        ),
        ("WAFLEET_BIND", "127.0.0.1:0".into()),
        ("WAFLEET_WHATSAPP", "sim".into()),
    ]))
    .unwrap();
    let app = Application::build(config).await.unwrap();
    let address = format!("http://{}", app.local_addr());
    let state = app.state.clone();
    let workers = app.workers.clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    let http = reqwest::Client::new();
    let signed = gql(
        &http,
        &address,
        None,
        "mutation { signUp(input: { email: \"inbox-bench@example.com\", password: \"plum-orchard-42\", fullName: \"Bench\" }) { token user { id } } }",
        json!({}),
    )
    .await;
    let token = signed["signUp"]["token"].as_str().unwrap().to_owned();
    let owner = UserId(Uuid::parse_str(signed["signUp"]["user"]["id"].as_str().unwrap()).unwrap());
    let now = Utc::now();
    let device_ids = paired_devices(&state.db, owner, 2, (0, 0), DeviceStatus::Online).await;
    let (busy, other) = (device_ids[0], device_ids[1]);

    // 1. A history sync of chats × per_chat messages into one device, while another device
    //    receives live messages.
    let stamp = now.timestamp() - 86_400;
    let conversations: Vec<HistoryConversation> = (0..chats)
        .map(|c| {
            let chat = Jid::parse(&format!("6017{c:07}@s.whatsapp.net")).unwrap();
            let messages = (0..per_chat)
                .map(|m| {
                    message(
                        &chat,
                        format!("H{c}-{m}"),
                        format!("history {c}/{m}"),
                        (stamp + (c * per_chat + m) as i64) * 1000,
                    )
                })
                .collect();
            HistoryConversation {
                chat,
                name: Some(format!("Contact {c}")),
                messages,
            }
        })
        .collect();
    let total = chats * per_chat;
    let sink = Arc::new(Inbound { app: state.clone() });
    let live_sink = sink.clone();
    let stop_live = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = stop_live.clone();
    let live = tokio::spawn(async move {
        let mut latencies = Vec::new();
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let chat = Jid::parse(&format!("6018{n:07}@s.whatsapp.net")).unwrap();
            let started = Instant::now();
            let event = WaEvent::Message(message(
                &chat,
                format!("LIVE{n}"),
                "live".into(),
                Utc::now().timestamp(),
            ));
            live_sink.handle(other, owner, event).await;
            latencies.push(started.elapsed());
            n += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        latencies
    });
    let started = Instant::now();
    // Chunks of 50 conversations, as phones send them.
    for chunk in conversations.chunks(50) {
        let chunk = HistoryChunk {
            conversations: chunk.to_vec(),
            lid_to_phone: Vec::new(),
        };
        sink.handle(busy, owner, WaEvent::HistorySync(chunk)).await;
    }
    let sync_time = started.elapsed();
    stop_live.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut live_latencies = live.await.unwrap();
    live_latencies.sort();
    let stored: i64 = state
        .db
        .query_one(Statement::from_string(
            state.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM whatsapp_messages".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();

    // 2. `chats` latency under concurrent clients.
    let query = "query($id: ID!) { chats(deviceId: $id, first: 50) { edges { node { jid name lastMessageText lastMessageAt unreadCount } } } }";
    let per_client = queries / clients;
    let mut tasks = Vec::new();
    let query_started = Instant::now();
    for _ in 0..clients {
        let http = http.clone();
        let address = address.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let started = Instant::now();
                let data = gql(
                    &http,
                    &address,
                    Some(&token),
                    query,
                    json!({ "id": busy.to_string() }),
                )
                .await;
                assert_eq!(
                    data["chats"]["edges"].as_array().unwrap().len(),
                    chats.min(50)
                );
                times.push(started.elapsed());
            }
            times
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let query_time = query_started.elapsed();
    latencies.sort();

    println!("inbox: history sync of {total} messages over {chats} chats (chunks of 50 chats), PostgreSQL + Redis");
    println!(
        "  ingest:               {:.2} s, {:.0} messages/s ({stored} stored, {} kept per chat)",
        sync_time.as_secs_f64(),
        total as f64 / sync_time.as_secs_f64(),
        per_chat.min(20)
    );
    if !live_latencies.is_empty() {
        println!(
            "  live messages of another device during the sync: {} handled, p50 {:.1} ms, max {:.1} ms",
            live_latencies.len(),
            percentile(&live_latencies, 0.5).as_secs_f64() * 1000.0,
            live_latencies.last().unwrap().as_secs_f64() * 1000.0
        );
    }
    println!("chats query, device with {chats} chats, first 50, {clients} concurrent clients, {} queries:", latencies.len());
    println!(
        "  p50:                  {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0
    );
    println!(
        "  p99:                  {:.1} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!(
        "  throughput:           {:.0} queries/s",
        latencies.len() as f64 / query_time.as_secs_f64()
    );

    workers.kill();
    server.abort();
    drop(state);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}
