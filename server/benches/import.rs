//! `just bench import`: a CSV of BENCH_IMPORT_ROWS (100,000) leads (name, phone, niches)
//! imported into one device through the import job (streamed, 2,000-row batches), PostgreSQL:
//! rows/s and the process's peak RSS; beside it, `psql \copy` of the same file into a bare table
//! of three text columns, in the same run (the floor of getting the bytes into PostgreSQL).
//! Then the embedded default (SQLite) with the same file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::{
    io::Write,
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;
use wafleet::{
    config::Config,
    domain::leads::import::{self, ImportRequest},
    entities::enums::{ImportKind, ImportStatus, TagMergeMode},
    events::EventPublisher,
    startup::Application,
};

fn write_csv(path: &std::path::Path, rows: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "name,phone,niches").unwrap();
    let niches = ["Beauty", "Fashion;VIP", "Hair", "Beauty;Hair;Promo"];
    for n in 0..rows {
        writeln!(file, "Lead {n},+6016{n:07},{}", niches[n % niches.len()]).unwrap();
    }
}

/// Imports the file and returns (rows/s, peak RSS in MiB, rows imported).
async fn import_once(database_url: &str, csv: &std::path::Path, rows: usize) -> (f64, f64, i64) {
    let app = Application::build(
        Config::from_source(&Vars(vec![
            ("DATABASE_URL", database_url.to_owned()),
            ("WAFLEET_BIND", "127.0.0.1:0".to_owned()),
            ("WAFLEET_WHATSAPP", "sim".to_owned()),
            ("WAFLEET_IMPORT_MAX_MB", "512".to_owned()),
        ]))
        .unwrap(),
    )
    .await
    .unwrap();
    let state = app.state.clone();
    let owner = new_user(&state.db).await;
    let device = paired_devices(&state.db, owner, 1, (0, 0), DeviceStatus::Offline).await[0];
    let events: Arc<dyn EventPublisher> = Arc::new(state.events.clone());
    let started = Instant::now();
    let job = import::start(
        &state.db,
        events,
        state.clock.clone(),
        owner,
        None,
        ImportRequest {
            kind: ImportKind::Leads,
            device: Some(device),
            file_name: "bench.csv".into(),
            tag_mode: TagMergeMode::Merge,
            file: std::fs::File::open(csv).unwrap(),
        },
        512 * 1024 * 1024,
    )
    .await
    .unwrap();
    let mut peak = rss_mib();
    let done = loop {
        let current = import::job(&state.db, owner, wafleet::types::ids::ImportJobId(job.id))
            .await
            .unwrap()
            .unwrap();
        peak = peak.max(rss_mib());
        if current.status != ImportStatus::Running {
            break current;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "import did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let elapsed = started.elapsed();
    assert_eq!(done.status, ImportStatus::Done, "{:?}", done.error);
    assert_eq!(done.imported as usize, rows, "rows imported");
    drop(app);
    (rows as f64 / elapsed.as_secs_f64(), peak, done.imported)
}

/// `psql \copy` of the file into a table of three text columns: rows/s.
fn copy_reference(url: &str, csv: &std::path::Path, rows: usize) -> Option<f64> {
    let run = |sql: &str| {
        Command::new("psql")
            .args([url, "-qc", sql])
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    run("CREATE TABLE copy_reference (name TEXT, phone TEXT, niches TEXT)")?;
    let started = Instant::now();
    run(&format!(
        "\\copy copy_reference FROM '{}' WITH (FORMAT csv, HEADER true)",
        csv.display()
    ))?;
    Some(rows as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    let rows: usize = env_or("BENCH_IMPORT_ROWS", "100000").parse().unwrap();
    let base = env_or("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432");
    let dir = std::env::temp_dir().join(format!("wafleet-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("leads.csv");
    write_csv(&csv, rows);
    let size_mib = std::fs::metadata(&csv).unwrap().len() as f64 / (1024.0 * 1024.0);

    let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
    let name = format!("wafleet_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base}/{name}");
    let (rate, peak, imported) = import_once(&url, &csv, rows).await;
    let reference = copy_reference(&url, &csv, rows);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();

    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let (sqlite_rate, sqlite_peak, _) = import_once(&sqlite_url, &csv, rows).await;
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "CSV import of {rows} leads ({size_mib:.1} MiB, 3 columns, 1–3 tags each) into one device:"
    );
    println!("  PostgreSQL:           {rate:.0} rows/s, {imported} imported, peak RSS {peak:.0} MiB (the whole process)");
    match reference {
        Some(copy) => println!(
            "  psql \\copy (same file, bare 3-column table): {copy:.0} rows/s; import = {:.2}× of it",
            rate / copy
        ),
        None => println!("  psql \\copy:           not available (psql missing)"),
    }
    println!("  SQLite (embedded):    {sqlite_rate:.0} rows/s, peak RSS {sqlite_peak:.0} MiB");
}
