//! `kill -9` of a real server process in the middle of hundreds of sends.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    time::Duration,
};

use futures::StreamExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};

use crate::helpers::{fresh_database, TempDir, PASSWORD};

struct Server {
    child: Child,
    address: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(database_url: &str, prefix: &str, media: &TempDir) -> Server {
    let port = free_port();
    let redis = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let child = Command::new(env!("CARGO_BIN_EXE_wafleet"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis)
        .env("WAFLEET_REDIS_PREFIX", prefix)
        .env("WAFLEET_BIND", format!("127.0.0.1:{port}"))
        .env("WAFLEET_WHATSAPP", "sim")
        .env("WAFLEET_MEDIA_DIR", media.0.display().to_string())
        .env("WAFLEET_SIM_SEND_LATENCY_MS", "25")
        .env("WAFLEET_TYPING", "off")
        .env("WAFLEET_LEASE_TTL_MS", "1500")
        .env("WAFLEET_RECONCILE_MS", "300")
        .env("WAFLEET_CONNECTS_PER_SECOND", "1000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{}/healthz", server.address))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn gql(address: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn statuses(db: &DatabaseConnection) -> HashMap<String, i64> {
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT status, COUNT(*) AS n FROM broadcast_messages GROUP BY status".to_owned(),
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.try_get("", "status").unwrap(),
            r.try_get("", "n").unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn kill_9_mid_send_then_restart_sends_every_row_once_or_fails_it_as_interrupted() {
    let name = fresh_database().await;
    let base = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let database_url = format!("{base}/{name}");
    let prefix = format!("wafleet-test:{}:", uuid::Uuid::new_v4().simple());
    let media = TempDir::new();
    let db = Database::connect(&database_url).await.unwrap();

    let mut first = start(&database_url, &prefix, &media).await;
    let signed = gql(
        &first.address,
        None,
        "mutation($input: SignUpInput!) { signUp(input: $input) { token } }",
        json!({ "input": { "email": "crash@example.com", "password": PASSWORD, "fullName": "Crash" } }),
    )
    .await;
    let token = signed["signUp"]["token"].as_str().unwrap().to_owned();
    let mut devices = Vec::new();
    for n in 0..5 {
        let added = gql(
            &first.address,
            Some(&token),
            "mutation($name: String!) { addDevice(input: { name: $name, minDelaySeconds: 0, maxDelaySeconds: 0 }) { id } }",
            json!({ "name": format!("K{n}") }),
        )
        .await;
        let id = added["addDevice"]["id"].as_str().unwrap().to_owned();
        // Wait for the QR code, then let the simulated phone scan it.
        for _ in 0..100 {
            let device = gql(
                &first.address,
                Some(&token),
                "query($id: ID!) { device(id: $id) { qrCode { code } } }",
                json!({ "id": id }),
            )
            .await;
            if !device["device"]["qrCode"].is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        gql(
            &first.address,
            Some(&token),
            "mutation($id: ID!, $phone: String!) { simScanQr(deviceId: $id, phone: $phone) { status } }",
            json!({ "id": id, "phone": format!("+6011000000{n}") }),
        )
        .await;
        devices.push(id);
    }
    // Many at once: enqueued one by one, the first sends would be over before the last is in.
    futures::stream::iter(0..400)
        .for_each_concurrent(16, |n| {
            let (address, token, device) = (&first.address, &token, &devices[n % 5]);
            async move {
                gql(
                    address,
                    Some(token),
                    "mutation($input: SendMessageInput!) { sendMessage(input: $input) { outboxId } }",
                    json!({ "input": { "deviceId": device, "phone": format!("+601236{n:05}"), "text": format!("crash {n}") } }),
                )
                .await;
            }
        })
        .await;

    // Kill it while sends are under way.
    loop {
        let by_status = statuses(&db).await;
        if by_status.get("SENT").copied().unwrap_or(0) >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let at_kill = statuses(&db).await;
    assert!(
        at_kill.get("QUEUED").copied().unwrap_or(0) > 0,
        "the kill came too late: {at_kill:?}"
    );

    let second = start(&database_url, &prefix, &media).await;
    let mut settled = HashMap::new();
    for _ in 0..600 {
        settled = statuses(&db).await;
        if settled.keys().all(|s| s == "SENT" || s == "FAILED") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(second);

    // Every row ended SENT or FAILED; FAILED only as interrupted, at most one per device.
    assert!(
        settled.keys().all(|s| s == "SENT" || s == "FAILED"),
        "{settled:?}"
    );
    let interrupted: i64 = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM broadcast_messages WHERE status = 'FAILED' AND last_error = 'interrupted; delivery unknown'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    let failed = settled.get("FAILED").copied().unwrap_or(0);
    assert_eq!(failed, interrupted, "{settled:?}");
    assert!(
        interrupted <= 5,
        "at most one interrupted row per device, got {interrupted}"
    );
    // The network got each message at most once, and every SENT row exactly once.
    let network = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT text, COUNT(*) AS n FROM sim_sent_messages GROUP BY text".to_owned(),
        ))
        .await
        .unwrap();
    assert!(
        network
            .iter()
            .all(|r| r.try_get::<i64>("", "n").unwrap() == 1),
        "a message reached the network twice"
    );
    let sent_rows_on_network: i64 = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM broadcast_messages b WHERE b.status = 'SENT' AND EXISTS (SELECT 1 FROM sim_sent_messages s WHERE s.text = b.text)".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    assert_eq!(
        sent_rows_on_network,
        settled.get("SENT").copied().unwrap_or(0)
    );
    assert_eq!(settled.values().sum::<i64>(), 400);
    // The running totals kept incrementally agree with the rows, crash and all.
    let counted: HashMap<String, i64> = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT status, CAST(SUM(count) AS BIGINT) AS n FROM outbox_counters WHERE scope_kind = 'device' GROUP BY status".to_owned(),
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.try_get("", "status").unwrap(), r.try_get("", "n").unwrap()))
        .filter(|(_, n): &(String, i64)| *n != 0)
        .collect();
    assert_eq!(counted, settled);
    db.close().await.unwrap();
    crate::helpers::drop_database(&name).await;
}
