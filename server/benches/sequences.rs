//! `just bench sequences`: BENCH_CONTACTS (100,000) leads over BENCH_DEVICES (3000) simulated
//! devices enrolled by trigger in a 5-step sequence (steps 1 h apart, pacing off), PostgreSQL +
//! Redis, the scheduler's clock moved through every step (`run::tick` called with the moved
//! time; no waiting). Printed: enrolment time; per step, the time from due to every contact's
//! row QUEUED and to all SENT; the most unsent rows any contact had in the outbox (lazy steps:
//! 1); the database size after the run. Beside them, in the same run: a campaign's start over
//! the same leads (one `INSERT … SELECT` of as many rows), the yardstick for "due to QUEUED".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;
use wafleet::{
    config::Config,
    domain::{
        campaigns::{control, draft::CampaignInput, trigger, CampaignKind},
        outbox::{self, CounterScope, OutboxStatus},
        sequences::{
            editing::{self, SequenceInput, StepInput},
            run, SequenceStatus, StepFailure,
        },
    },
    entities::{
        campaigns as campaign_rows,
        enums::{AudienceKind, LeadSource, TargetStatus},
        leads,
    },
    startup::Application,
    types::ids::{DeviceId, UserId},
};

const STEPS: usize = 5;

async fn seed_leads(db: &DatabaseConnection, owner: UserId, devices: &[DeviceId], count: usize) {
    let now = Utc::now() - chrono::Duration::minutes(1);
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
                phone: Set(format!("+6015{n:07}")),
                target_status: Set(TargetStatus::Prospect),
                triggers: Set(",drip,".into()),
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

async fn step_total(db: &DatabaseConnection, step: Uuid, statuses: &[OutboxStatus]) -> i64 {
    let counts = outbox::counters(db, CounterScope::Step, step)
        .await
        .unwrap();
    statuses
        .iter()
        .map(|s| counts.get(s).copied().unwrap_or(0))
        .sum()
}

async fn most_unsent(db: &DatabaseConnection) -> i64 {
    count(
        db,
        "SELECT COALESCE(MAX(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM broadcast_messages \
         WHERE status IN ('PENDING', 'QUEUED', 'SENDING') GROUP BY device_id, recipient_phone) d",
    )
    .await
}

#[tokio::main]
async fn main() {
    let contacts: usize = env_or("BENCH_CONTACTS", "100000").parse().unwrap();
    let device_count: usize = env_or("BENCH_DEVICES", "3000").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let redis = env_or("TEST_REDIS_URL", "redis://127.0.0.1:6379");
    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");
    let db = wafleet::db::connect(&url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    let owner = new_user(&db).await;
    let devices = paired_devices(&db, owner, device_count, (0, 0), DeviceStatus::Offline).await;
    seed_leads(&db, owner, &devices, contacts).await;

    let app = Application::build(
        Config::from_source(&Vars(vec![
            ("DATABASE_URL", url.clone()),
            ("REDIS_URL", redis),
            ("WAFLEET_BIND", "127.0.0.1:0".to_owned()),
            ("WAFLEET_WHATSAPP", "sim".to_owned()),
            ("WAFLEET_TYPING", "off".to_owned()),
            ("WAFLEET_CONNECTS_PER_SECOND", "2000".to_owned()),
            (
                "WAFLEET_REDIS_PREFIX",
                format!("wafleet-bench:{}:", Uuid::new_v4().simple()),
            ),
        ]))
        .unwrap(),
    )
    .await
    .unwrap();
    let state = app.state.clone();
    let workers = app.workers.clone();
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    while (count(
        &db,
        "SELECT COUNT(*) AS n FROM devices WHERE status = 'ONLINE'",
    )
    .await as usize)
        < device_count
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ports = state.ports();
    let step = |delay: i32, n: usize| StepInput {
        delay_minutes: delay,
        message: format!("{{Hi|Hello}} {{name|there}}, step {n}"),
        image: None,
        keep_image: false,
        window: None,
        weekdays: Vec::new(),
        min_delay_seconds: 0,
        max_delay_seconds: 0,
        on_failure: StepFailure::Skip,
    };
    let sequence = editing::save(
        ports,
        owner,
        None,
        SequenceInput {
            name: "Drip".into(),
            trigger: "drip".into(),
            niches: Vec::new(),
            target_status: None,
            stop_on_reply: true,
            next_sequence_id: None,
            steps: (0..STEPS)
                .map(|n| step(if n == 0 { 0 } else { 60 }, n + 1))
                .collect(),
        },
    )
    .await
    .unwrap();
    let step_ids: Vec<Uuid> = wafleet::domain::sequences::steps_of(&db, sequence.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    editing::set_status(ports, owner, sequence.id, SequenceStatus::Active)
        .await
        .unwrap();

    let mut now = Utc::now();
    let started = Instant::now();
    let mut enrolled = 0;
    while enrolled < contacts as i64 {
        run::tick(ports, now).await.unwrap();
        enrolled = count(&db, "SELECT COUNT(*) AS n FROM sequence_contacts").await;
    }
    let enrol_time = started.elapsed();
    let mut worst = 0;
    let mut lines = Vec::new();
    for (n, step_id) in step_ids.iter().enumerate() {
        if n > 0 {
            now += chrono::Duration::minutes(61);
        }
        let due = Instant::now();
        loop {
            run::tick(ports, now).await.unwrap();
            let rows = step_total(
                &db,
                *step_id,
                &[
                    OutboxStatus::Pending,
                    OutboxStatus::Queued,
                    OutboxStatus::Sent,
                    OutboxStatus::Delivered,
                    OutboxStatus::Read,
                    OutboxStatus::Failed,
                ],
            )
            .await;
            if rows >= contacts as i64 {
                break;
            }
            assert!(
                due.elapsed() < Duration::from_secs(900),
                "step {} stuck at {rows}",
                n + 1
            );
        }
        let to_queued = due.elapsed();
        worst = worst.max(most_unsent(&db).await);
        while step_total(&db, *step_id, &[OutboxStatus::Sent]).await < contacts as i64 {
            assert!(
                due.elapsed() < Duration::from_secs(1800),
                "step {} not sent",
                n + 1
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let to_sent = due.elapsed();
        // Every contact moves on to the next step before the clock moves again.
        loop {
            run::tick(ports, now).await.unwrap();
            let waiting = count(
                &db,
                "SELECT COUNT(*) AS n FROM sequence_contacts WHERE step_state = 'SENDING'",
            )
            .await;
            if waiting == 0 {
                break;
            }
        }
        lines.push(format!(
            "  step {}:               due → all QUEUED {:.2} s, → all SENT {:.2} s ({:.0} rows/s)",
            n + 1,
            to_queued.as_secs_f64(),
            to_sent.as_secs_f64(),
            contacts as f64 / to_sent.as_secs_f64()
        ));
    }
    let completed = count(
        &db,
        "SELECT COUNT(*) AS n FROM sequence_contacts WHERE status = 'COMPLETED'",
    )
    .await;
    let network = count(&db, "SELECT COUNT(*) AS n FROM sim_sent_messages").await;
    let size = count(
        &db,
        "SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS n",
    )
    .await;

    // The yardstick: a campaign's start over the same leads, one INSERT … SELECT of as many rows.
    let at = Utc::now() + chrono::Duration::days(365);
    let campaign = control::create(
        ports,
        owner,
        CampaignInput {
            kind: CampaignKind::Broadcast,
            title: "Yardstick".into(),
            message: "Hi {name|there}".into(),
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
    let model = campaign_rows::Entity::find_by_id(campaign.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let yardstick = Instant::now();
    trigger::start(ports, &model, at).await.unwrap();
    let yardstick = yardstick.elapsed();

    workers.kill();
    server.abort();
    db.close().await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();

    println!("sequence of {STEPS} steps, {contacts} contacts over {device_count} simulated devices (PostgreSQL + Redis, pacing off):");
    println!("  enrolment by trigger: {:.2} s", enrol_time.as_secs_f64());
    for line in lines {
        println!("{line}");
    }
    println!("  most unsent rows of one contact at any step's peak: {worst}");
    println!(
        "  completed:            {completed} contacts; the network received {network} messages"
    );
    println!(
        "  database size:        {:.0} MiB after the run",
        size as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  same run, a campaign's start over the same {contacts} leads: {:.2} s",
        yardstick.as_secs_f64()
    );
}
