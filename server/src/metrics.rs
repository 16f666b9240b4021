//! Prometheus text metrics: HTTP requests, GraphQL errors by code, the database pool.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex};

use sea_orm::DatabaseConnection;

#[derive(Default)]
pub struct Metrics {
    http_requests: Mutex<BTreeMap<(String, u16), u64>>,
    graphql_errors: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn record_http(&self, method: &str, status: u16) {
        if let Ok(mut map) = self.http_requests.lock() {
            *map.entry((method.to_owned(), status)).or_default() += 1;
        }
    }

    pub fn record_graphql_error(&self, code: &str) {
        if let Ok(mut map) = self.graphql_errors.lock() {
            *map.entry(code.to_owned()).or_default() += 1;
        }
    }

    pub fn render(&self, db: &DatabaseConnection) -> String {
        let mut out = String::new();
        out.push_str("# HELP wafleet_http_requests_total HTTP requests by method and status.\n");
        out.push_str("# TYPE wafleet_http_requests_total counter\n");
        if let Ok(map) = self.http_requests.lock() {
            for ((method, status), count) in map.iter() {
                let _ = writeln!(
                    out,
                    "wafleet_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP wafleet_graphql_errors_total GraphQL errors by extensions.code.\n");
        out.push_str("# TYPE wafleet_graphql_errors_total counter\n");
        if let Ok(map) = self.graphql_errors.lock() {
            for (code, count) in map.iter() {
                let _ = writeln!(
                    out,
                    "wafleet_graphql_errors_total{{code=\"{code}\"}} {count}"
                );
            }
        }
        let (size, idle) = pool_stats(db);
        out.push_str("# HELP wafleet_db_pool_connections Database pool connections.\n");
        out.push_str("# TYPE wafleet_db_pool_connections gauge\n");
        let _ = writeln!(out, "wafleet_db_pool_connections{{state=\"open\"}} {size}");
        let _ = writeln!(out, "wafleet_db_pool_connections{{state=\"idle\"}} {idle}");
        out
    }
}

fn pool_stats(db: &DatabaseConnection) -> (u32, usize) {
    match db {
        DatabaseConnection::SqlxPostgresPoolConnection(_) => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseConnection::SqlxSqlitePoolConnection(_) => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}
