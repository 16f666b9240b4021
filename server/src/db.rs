//! Database connection and migrations, identical for PostgreSQL and SQLite.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};

pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_file(url) {
        if let Some(parent) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database directory {}", parent.display()))?;
        }
    }
    let mut options = ConnectOptions::new(url.to_owned());
    // SQLite takes one writer at a time, and a transaction that reads before it writes fails
    // at once ("database is locked") when another connection writes. One connection makes the
    // embedded default serialise its work instead of failing it.
    options
        .max_connections(if url.starts_with("sqlite") { 1 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .context("connecting to the database")?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers run while one writer writes; it is a property of the file.
        db.execute_unprepared("PRAGMA journal_mode=WAL;")
            .await
            .context("enabling SQLite WAL")?;
    }
    Ok(db)
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Runs pending migrations. On PostgreSQL a transaction-scoped advisory lock, held on its own
/// connection, keeps several nodes that start together from migrating at once.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    const LOCK: i64 = 0x0077_6166_6c65_6574; // "wafleet"
    let lock = if db.get_database_backend() == DbBackend::Postgres {
        let txn = db
            .begin()
            .await
            .context("opening the migration lock transaction")?;
        txn.execute(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({LOCK})"),
        ))
        .await
        .context("taking the migration lock")?;
        Some(txn)
    } else {
        None
    };
    let result = Migrator::up(db, None).await.context("running migrations");
    if let Some(txn) = lock {
        txn.commit().await.context("releasing the migration lock")?;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_file("sqlite://./data/w.db?mode=rwc"),
            Some("./data/w.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }
}
