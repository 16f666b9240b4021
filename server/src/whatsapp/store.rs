//! whatsapp-rust's persistent session store (its `Backend`) on our own database, so one
//! PostgreSQL (or the embedded SQLite) holds the sessions of every device and any node can
//! take a device over without pairing it again.
//!
//! One `DbBackend` per device; all of them share the connection pool. The semantics are those
//! of wacore's `InMemoryBackend` (the reference implementation), checked by the conformance
//! suite in `tests/api/wa_store.rs`. The SQL is written once for both databases: `$n`
//! placeholders, `INSERT … ON CONFLICT … DO UPDATE`, `DELETE … RETURNING`.
//!
//! The SQLite pool has a single connection: a transaction here only ever awaits its own
//! statements, never anything that needs a second connection.
//!
//! The rows hold keys and contacts' identifiers: never log them.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicI32, Ordering},
        Arc,
    },
};

use async_trait::async_trait;
use bytes::Bytes;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait, Value,
};
use uuid::Uuid;
use whatsapp_rust::wacore::{
    appstate::{hash::HashState, processor::AppStateMutationMAC},
    stats::StorageResourceReport,
    store::{
        error::StoreError,
        traits::{
            merge_msg_secret_expiry, merge_msg_secret_message_ts, AppStateSyncKey, AppSyncStore,
            DeviceListRecord, DeviceStore, LidPnMappingEntry, MsgSecretEntry, MsgSecretStore,
            PendingInboundKey, PendingInboundRow, ProtocolStore, SignalStore, TcTokenEntry,
        },
        Device,
    },
};

use crate::types::ids::DeviceId;

type Result<T> = std::result::Result<T, StoreError>;

/// Rows per multi-row statement: far below either database's limit on bound parameters.
const ROWS_PER_STATEMENT: usize = 256;

/// Every table of the store (see the migration `m20261126_000005`).
const TABLES: [&str; 18] = [
    "wa_identities",
    "wa_sessions",
    "wa_prekeys",
    "wa_signed_prekeys",
    "wa_sender_keys",
    "wa_app_state_sync_keys",
    "wa_app_state_versions",
    "wa_app_state_mutation_macs",
    "wa_sender_key_devices",
    "wa_lid_pn_mappings",
    "wa_base_keys",
    "wa_device_lists",
    "wa_group_metadata",
    "wa_tc_tokens",
    "wa_sent_messages",
    "wa_pending_inbound",
    "wa_msg_secrets",
    "wa_device_state",
];

/// The session store of one device.
pub struct DbBackend {
    db: DatabaseConnection,
    device_id: DeviceId,
    /// What `create()` returns. whatsapp-rust only logs it; counted per instance from 1 like
    /// `InMemoryBackend`, since our device ids are UUIDs and do not fit its `i32`.
    next_create_id: AtomicI32,
}

impl DbBackend {
    pub fn new(db: DatabaseConnection, device_id: DeviceId) -> Self {
        Self {
            db,
            device_id,
            next_create_id: AtomicI32::new(1),
        }
    }

    /// Removes everything stored for the device (after a logout the next pairing starts from
    /// scratch). Deleting the device row does the same through `ON DELETE CASCADE`.
    pub async fn wipe(&self) -> Result<()> {
        let txn = self.db.begin().await.map_err(db_err)?;
        for table in TABLES {
            exec(
                &txn,
                self.statement(&format!("DELETE FROM {table} WHERE device_id = $1"), vec![]),
            )
            .await?;
        }
        txn.commit().await.map_err(db_err)
    }

    fn uuid(&self) -> Uuid {
        self.device_id.0
    }

    /// A statement whose `$1` is the device and `$2…` are `values`.
    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        let mut all = Vec::with_capacity(values.len() + 1);
        all.push(Value::from(self.uuid()));
        all.extend(values);
        Statement::from_sql_and_values(self.db.get_database_backend(), sql, all)
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64> {
        exec(&self.db, self.statement(sql, values)).await
    }

    async fn one(&self, sql: &str, values: Vec<Value>) -> Result<Option<QueryResult>> {
        self.db
            .query_one(self.statement(sql, values))
            .await
            .map_err(db_err)
    }

    async fn all(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>> {
        self.db
            .query_all(self.statement(sql, values))
            .await
            .map_err(db_err)
    }

    async fn exists_where(&self, sql: &str, values: Vec<Value>) -> Result<bool> {
        Ok(self.one(sql, values).await?.is_some())
    }

    async fn blob(&self, sql: &str, values: Vec<Value>) -> Result<Option<Vec<u8>>> {
        self.one(sql, values)
            .await?
            .map(|row| get::<Vec<u8>>(&row, "v"))
            .transpose()
    }

    /// Upserts `rows` (values for `columns`, the device is added) with as few statements as
    /// possible, in one transaction when they do not fit in one statement.
    async fn upsert(
        &self,
        table: &str,
        columns: &[&str],
        on_conflict: &str,
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        if rows.len() <= ROWS_PER_STATEMENT {
            return self
                .upsert_on(&self.db, table, columns, on_conflict, rows)
                .await;
        }
        let txn = self.db.begin().await.map_err(db_err)?;
        self.upsert_on(&txn, table, columns, on_conflict, rows)
            .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn upsert_on<C: ConnectionTrait>(
        &self,
        conn: &C,
        table: &str,
        columns: &[&str],
        on_conflict: &str,
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
            let mut values = Vec::with_capacity(chunk.len() * columns.len());
            let mut tuples = Vec::with_capacity(chunk.len());
            for row in chunk {
                let first = values.len() + 2;
                tuples.push(format!(
                    "($1, {})",
                    placeholders(first, row.len()).join(", ")
                ));
                values.extend(row);
            }
            let sql = format!(
                "INSERT INTO {table} (device_id, {}) VALUES {} ON CONFLICT {on_conflict}",
                columns.join(", "),
                tuples.join(", ")
            );
            exec(conn, self.statement(&sql, values)).await?;
        }
        Ok(())
    }

    /// Runs `sql`, whose `IN ({in})` takes `keys`, in as few statements as possible (one
    /// transaction).
    async fn in_chunks(&self, sql: &str, fixed: Vec<Value>, keys: Vec<Value>) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.map_err(db_err)?;
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let first = fixed.len() + 2;
            let sql = sql.replace("{in}", &placeholders(first, chunk.len()).join(", "));
            let mut values = fixed.clone();
            values.extend(chunk.iter().cloned());
            exec(&txn, self.statement(&sql, values)).await?;
        }
        txn.commit().await.map_err(db_err)
    }

    async fn load_in_chunks(
        &self,
        sql: &str,
        fixed: Vec<Value>,
        keys: Vec<Value>,
    ) -> Result<Vec<QueryResult>> {
        let mut rows = Vec::new();
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let first = fixed.len() + 2;
            let sql = sql.replace("{in}", &placeholders(first, chunk.len()).join(", "));
            let mut values = fixed.clone();
            values.extend(chunk.iter().cloned());
            rows.extend(self.all(&sql, values).await?);
        }
        Ok(rows)
    }

    /// Upserts LID mappings in write order: a phone number resolves to the LID written last.
    async fn put_lid_mappings_in_order(&self, entries: &[LidPnMappingEntry]) -> Result<()> {
        let entries = last_wins(entries.iter().map(|e| (e.lid.as_str(), e)));
        if entries.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.map_err(db_err)?;
        let row = txn
            .query_one(self.statement(
                "SELECT COALESCE(MAX(seq), 0) AS v FROM wa_lid_pn_mappings WHERE device_id = $1",
                vec![],
            ))
            .await
            .map_err(db_err)?;
        let last = row.map(|row| get::<i64>(&row, "v")).transpose()?;
        let last = last.unwrap_or(0);
        let rows = entries
            .into_iter()
            .zip(1_i64..)
            .map(|(e, n)| {
                vec![
                    e.lid.clone().into(),
                    e.phone_number.clone().into(),
                    e.created_at.into(),
                    e.updated_at.into(),
                    e.learning_source.clone().into(),
                    (last + n).into(),
                ]
            })
            .collect();
        self.upsert_on(
            &txn,
            "wa_lid_pn_mappings",
            &[
                "lid",
                "phone_number",
                "created_at",
                "updated_at",
                "learning_source",
                "seq",
            ],
            "(device_id, lid) DO UPDATE SET phone_number = excluded.phone_number, \
             created_at = excluded.created_at, updated_at = excluded.updated_at, \
             learning_source = excluded.learning_source, seq = excluded.seq",
            rows,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }
}

async fn exec<C: ConnectionTrait>(conn: &C, statement: Statement) -> Result<u64> {
    conn.execute(statement)
        .await
        .map(|result| result.rows_affected())
        .map_err(db_err)
}

fn db_err(err: DbErr) -> StoreError {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Connection(Box::new(err)),
        _ => StoreError::Database(Box::new(err)),
    }
}

fn serde_err(err: serde_json::Error) -> StoreError {
    StoreError::Serialization(Box::new(err))
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(db_err)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(serde_err)
}

fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(serde_err)
}

fn placeholders(first: usize, count: usize) -> Vec<String> {
    (first..first + count).map(|n| format!("${n}")).collect()
}

fn count(rows: u64) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX)
}

fn id_value(id: u32) -> Value {
    i64::from(id).into()
}

fn to_id(raw: i64) -> Result<u32> {
    u32::try_from(raw)
        .map_err(|_| StoreError::Validation(format!("stored key id {raw} is out of range")))
}

/// One multi-row statement may not touch a key twice; the store applies a batch in order, so
/// the last write of a key is the one that counts.
fn last_wins<K: Hash + Eq, T>(items: impl IntoIterator<Item = (K, T)>) -> Vec<T> {
    let mut position = HashMap::new();
    let mut kept: Vec<Option<T>> = Vec::new();
    for (key, item) in items {
        match position.get(&key) {
            Some(&at) => kept[at] = Some(item),
            None => {
                position.insert(key, kept.len());
                kept.push(Some(item));
            }
        }
    }
    kept.into_iter().flatten().collect()
}

fn bytes_rows<'a>(items: impl Iterator<Item = (&'a str, &'a [u8])>) -> Vec<Vec<Value>> {
    last_wins(items.map(|(key, bytes)| (key, (key, bytes))))
        .into_iter()
        .map(|(key, bytes)| vec![key.into(), bytes.to_vec().into()])
        .collect()
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

const UPSERT_IDENTITY: &str =
    "(device_id, address) DO UPDATE SET identity_key = excluded.identity_key";
const UPSERT_RECORD_BY_ADDRESS: &str =
    "(device_id, address) DO UPDATE SET record = excluded.record";
const UPSERT_PREKEY: &str =
    "(device_id, id) DO UPDATE SET record = excluded.record, uploaded = excluded.uploaded";
const UPSERT_DEVICE_LIST: &str = "(device_id, user_part) DO UPDATE SET record = excluded.record";
const UPSERT_PENDING_INBOUND: &str = "(device_id, chat, sender, message_id) DO UPDATE SET \
     message = excluded.message, created_at = excluded.created_at";

#[async_trait]
impl SignalStore for DbBackend {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        self.upsert(
            "wa_identities",
            &["address", "identity_key"],
            UPSERT_IDENTITY,
            vec![vec![address.into(), key.to_vec().into()]],
        )
        .await
    }

    async fn put_identities_batch(&self, identities: &[(Arc<str>, [u8; 32])]) -> Result<()> {
        let rows = bytes_rows(
            identities
                .iter()
                .map(|(address, key)| (address.as_ref(), key.as_slice())),
        );
        self.upsert(
            "wa_identities",
            &["address", "identity_key"],
            UPSERT_IDENTITY,
            rows,
        )
        .await
    }

    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        let key = self
            .blob(
                "SELECT identity_key AS v FROM wa_identities WHERE device_id = $1 AND address = $2",
                vec![address.into()],
            )
            .await?;
        key.map(|key| {
            <[u8; 32]>::try_from(key.as_slice()).map_err(|_| {
                StoreError::Validation(format!("stored identity key has {} bytes", key.len()))
            })
        })
        .transpose()
    }

    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_identities WHERE device_id = $1 AND address = $2",
            vec![address.into()],
        )
        .await
        .map(drop)
    }

    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        Ok(self
            .blob(
                "SELECT record AS v FROM wa_sessions WHERE device_id = $1 AND address = $2",
                vec![address.into()],
            )
            .await?
            .map(Bytes::from))
    }

    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        self.upsert(
            "wa_sessions",
            &["address", "record"],
            UPSERT_RECORD_BY_ADDRESS,
            vec![vec![address.into(), session.to_vec().into()]],
        )
        .await
    }

    async fn put_sessions_batch(&self, sessions: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows = bytes_rows(
            sessions
                .iter()
                .map(|(address, record)| (address.as_ref(), record.as_ref())),
        );
        self.upsert(
            "wa_sessions",
            &["address", "record"],
            UPSERT_RECORD_BY_ADDRESS,
            rows,
        )
        .await
    }

    async fn delete_session(&self, address: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_sessions WHERE device_id = $1 AND address = $2",
            vec![address.into()],
        )
        .await
        .map(drop)
    }

    async fn has_session(&self, address: &str) -> Result<bool> {
        self.exists_where(
            "SELECT 1 AS v FROM wa_sessions WHERE device_id = $1 AND address = $2",
            vec![address.into()],
        )
        .await
    }

    async fn has_signal_state_for_user(&self, user: &str) -> Result<bool> {
        // `user@…` (device 0) or `user:n@…`. A prefix compare rather than LIKE: SQLite's LIKE
        // ignores case and both treat `_` as a wildcard.
        let length = i32::try_from(user.chars().count() + 1).unwrap_or(i32::MAX);
        let values = || {
            vec![
                length.into(),
                format!("{user}@").into(),
                format!("{user}:").into(),
            ]
        };
        let matches = "device_id = $1 AND substr(address, 1, $2) IN ($3, $4)";
        Ok(self
            .exists_where(
                &format!("SELECT 1 AS v FROM wa_sessions WHERE {matches} LIMIT 1"),
                values(),
            )
            .await?
            || self
                .exists_where(
                    &format!("SELECT 1 AS v FROM wa_identities WHERE {matches} LIMIT 1"),
                    values(),
                )
                .await?)
    }

    async fn store_prekey(&self, id: u32, record: &[u8], uploaded: bool) -> Result<()> {
        self.upsert(
            "wa_prekeys",
            &["id", "record", "uploaded"],
            UPSERT_PREKEY,
            vec![vec![id_value(id), record.to_vec().into(), uploaded.into()]],
        )
        .await
    }

    async fn store_prekeys_batch(&self, keys: &[(u32, Bytes)], uploaded: bool) -> Result<()> {
        let rows = last_wins(keys.iter().map(|(id, record)| (*id, (*id, record))))
            .into_iter()
            .map(|(id, record)| vec![id_value(id), record.to_vec().into(), uploaded.into()])
            .collect();
        self.upsert(
            "wa_prekeys",
            &["id", "record", "uploaded"],
            UPSERT_PREKEY,
            rows,
        )
        .await
    }

    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        Ok(self
            .blob(
                "SELECT record AS v FROM wa_prekeys WHERE device_id = $1 AND id = $2",
                vec![id_value(id)],
            )
            .await?
            .map(Bytes::from))
    }

    async fn load_prekeys_batch(&self, ids: &[u32]) -> Result<Vec<(u32, Bytes)>> {
        let rows = self
            .load_in_chunks(
                "SELECT id, record FROM wa_prekeys WHERE device_id = $1 AND id IN ({in})",
                vec![],
                ids.iter().map(|&id| id_value(id)).collect(),
            )
            .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            found.insert(
                to_id(get(&row, "id")?)?,
                Bytes::from(get::<Vec<u8>>(&row, "record")?),
            );
        }
        // In the order asked for, like the reference store.
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).map(|record| (*id, record.clone())))
            .collect())
    }

    async fn mark_prekeys_uploaded(&self, ids: &[u32]) -> Result<()> {
        // UPDATE only: a key consumed since the upload snapshot must stay deleted.
        self.in_chunks(
            "UPDATE wa_prekeys SET uploaded = TRUE WHERE device_id = $1 AND id IN ({in})",
            vec![],
            ids.iter().map(|&id| id_value(id)).collect(),
        )
        .await
    }

    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.exec(
            "DELETE FROM wa_prekeys WHERE device_id = $1 AND id = $2",
            vec![id_value(id)],
        )
        .await
        .map(drop)
    }

    async fn get_max_prekey_id(&self) -> Result<u32> {
        let row = self
            .one(
                "SELECT COALESCE(MAX(id), 0) AS v FROM wa_prekeys WHERE device_id = $1",
                vec![],
            )
            .await?;
        match row {
            Some(row) => to_id(get(&row, "v")?),
            None => Ok(0),
        }
    }

    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        self.upsert(
            "wa_signed_prekeys",
            &["id", "record"],
            "(device_id, id) DO UPDATE SET record = excluded.record",
            vec![vec![id_value(id), record.to_vec().into()]],
        )
        .await
    }

    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT record AS v FROM wa_signed_prekeys WHERE device_id = $1 AND id = $2",
            vec![id_value(id)],
        )
        .await
    }

    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        self.all(
            "SELECT id, record FROM wa_signed_prekeys WHERE device_id = $1 ORDER BY id",
            vec![],
        )
        .await?
        .iter()
        .map(|row| Ok((to_id(get(row, "id")?)?, get(row, "record")?)))
        .collect()
    }

    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.exec(
            "DELETE FROM wa_signed_prekeys WHERE device_id = $1 AND id = $2",
            vec![id_value(id)],
        )
        .await
        .map(drop)
    }

    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        self.upsert(
            "wa_sender_keys",
            &["address", "record"],
            UPSERT_RECORD_BY_ADDRESS,
            vec![vec![address.into(), record.to_vec().into()]],
        )
        .await
    }

    async fn put_sender_keys_batch(&self, sender_keys: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows = bytes_rows(
            sender_keys
                .iter()
                .map(|(address, record)| (address.as_ref(), record.as_ref())),
        );
        self.upsert(
            "wa_sender_keys",
            &["address", "record"],
            UPSERT_RECORD_BY_ADDRESS,
            rows,
        )
        .await
    }

    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT record AS v FROM wa_sender_keys WHERE device_id = $1 AND address = $2",
            vec![address.into()],
        )
        .await
    }

    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_sender_keys WHERE device_id = $1 AND address = $2",
            vec![address.into()],
        )
        .await
        .map(drop)
    }
}

#[async_trait]
impl AppSyncStore for DbBackend {
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        self.one(
            "SELECT key_data, fingerprint, \"timestamp\" FROM wa_app_state_sync_keys \
             WHERE device_id = $1 AND key_id = $2",
            vec![key_id.to_vec().into()],
        )
        .await?
        .map(|row| {
            Ok(AppStateSyncKey {
                key_data: get(&row, "key_data")?,
                fingerprint: get(&row, "fingerprint")?,
                timestamp: get(&row, "timestamp")?,
            })
        })
        .transpose()
    }

    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        // The key set last is the "latest", even when it is set again.
        self.exec(
            "INSERT INTO wa_app_state_sync_keys \
             (device_id, key_id, key_data, fingerprint, \"timestamp\", seq) \
             VALUES ($1, $2, $3, $4, $5, \
             (SELECT COALESCE(MAX(seq), 0) + 1 FROM wa_app_state_sync_keys WHERE device_id = $1)) \
             ON CONFLICT (device_id, key_id) DO UPDATE SET key_data = excluded.key_data, \
             fingerprint = excluded.fingerprint, \"timestamp\" = excluded.\"timestamp\", seq = excluded.seq",
            vec![
                key_id.to_vec().into(),
                key.key_data.into(),
                key.fingerprint.into(),
                key.timestamp.into(),
            ],
        )
        .await
        .map(drop)
    }

    async fn get_version(&self, name: &str) -> Result<HashState> {
        let state = self
            .blob(
                "SELECT state AS v FROM wa_app_state_versions WHERE device_id = $1 AND name = $2",
                vec![name.into()],
            )
            .await?;
        match state {
            Some(state) => from_json(&state),
            None => Ok(HashState::default()),
        }
    }

    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        self.upsert(
            "wa_app_state_versions",
            &["name", "state"],
            "(device_id, name) DO UPDATE SET state = excluded.state",
            vec![vec![name.into(), to_json(&state)?.into()]],
        )
        .await
    }

    async fn put_mutation_macs(
        &self,
        name: &str,
        version: u64,
        mutations: &[AppStateMutationMAC],
    ) -> Result<()> {
        let version = i64::try_from(version).unwrap_or(i64::MAX);
        let rows = last_wins(mutations.iter().map(|m| (m.index_mac.as_slice(), m)))
            .into_iter()
            .map(|m| {
                vec![
                    name.into(),
                    m.index_mac.clone().into(),
                    m.value_mac.clone().into(),
                    version.into(),
                ]
            })
            .collect();
        self.upsert(
            "wa_app_state_mutation_macs",
            &["name", "index_mac", "value_mac", "version"],
            "(device_id, name, index_mac) DO UPDATE SET value_mac = excluded.value_mac, \
             version = excluded.version",
            rows,
        )
        .await
    }

    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT value_mac AS v FROM wa_app_state_mutation_macs \
             WHERE device_id = $1 AND name = $2 AND index_mac = $3",
            vec![name.into(), index_mac.to_vec().into()],
        )
        .await
    }

    async fn get_mutation_macs(
        &self,
        name: &str,
        index_macs: &[[u8; 32]],
    ) -> Result<HashMap<[u8; 32], Vec<u8>>> {
        let rows = self
            .load_in_chunks(
                "SELECT index_mac, value_mac FROM wa_app_state_mutation_macs \
                 WHERE device_id = $1 AND name = $2 AND index_mac IN ({in})",
                vec![name.into()],
                index_macs.iter().map(|mac| mac.to_vec().into()).collect(),
            )
            .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in rows {
            let index_mac: Vec<u8> = get(&row, "index_mac")?;
            // Only 32-byte index MACs can have been asked for.
            if let Ok(index_mac) = <[u8; 32]>::try_from(index_mac.as_slice()) {
                found.insert(index_mac, get(&row, "value_mac")?);
            }
        }
        Ok(found)
    }

    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        self.in_chunks(
            "DELETE FROM wa_app_state_mutation_macs \
             WHERE device_id = $1 AND name = $2 AND index_mac IN ({in})",
            vec![name.into()],
            index_macs.iter().map(|mac| mac.clone().into()).collect(),
        )
        .await
    }

    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_app_state_mutation_macs WHERE device_id = $1 AND name = $2",
            vec![name.into()],
        )
        .await
        .map(drop)
    }

    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT key_id AS v FROM wa_app_state_sync_keys WHERE device_id = $1 \
             ORDER BY seq DESC LIMIT 1",
            vec![],
        )
        .await
    }
}

#[async_trait]
impl ProtocolStore for DbBackend {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        self.all(
            "SELECT device_jid, has_key FROM wa_sender_key_devices \
             WHERE device_id = $1 AND group_jid = $2",
            vec![group_jid.into()],
        )
        .await?
        .iter()
        .map(|row| Ok((get(row, "device_jid")?, get(row, "has_key")?)))
        .collect()
    }

    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        let rows = last_wins(entries.iter().map(|&(jid, has_key)| (jid, (jid, has_key))))
            .into_iter()
            .map(|(jid, has_key)| vec![group_jid.into(), jid.into(), has_key.into()])
            .collect();
        self.upsert(
            "wa_sender_key_devices",
            &["group_jid", "device_jid", "has_key"],
            "(device_id, group_jid, device_jid) DO UPDATE SET has_key = excluded.has_key",
            rows,
        )
        .await
    }

    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_sender_key_devices WHERE device_id = $1 AND group_jid = $2",
            vec![group_jid.into()],
        )
        .await
        .map(drop)
    }

    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        self.in_chunks(
            "DELETE FROM wa_sender_key_devices WHERE device_id = $1 AND device_jid IN ({in})",
            vec![],
            device_jids.iter().map(|&jid| jid.into()).collect(),
        )
        .await
    }

    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        self.exec(
            "DELETE FROM wa_sender_key_devices WHERE device_id = $1",
            vec![],
        )
        .await
        .map(drop)
    }

    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.one(
            "SELECT lid, phone_number, created_at, updated_at, learning_source \
             FROM wa_lid_pn_mappings WHERE device_id = $1 AND lid = $2",
            vec![lid.into()],
        )
        .await?
        .as_ref()
        .map(lid_mapping)
        .transpose()
    }

    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        self.one(
            "SELECT lid, phone_number, created_at, updated_at, learning_source \
             FROM wa_lid_pn_mappings WHERE device_id = $1 AND phone_number = $2 \
             ORDER BY seq DESC LIMIT 1",
            vec![phone.into()],
        )
        .await?
        .as_ref()
        .map(lid_mapping)
        .transpose()
    }

    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        self.exec(
            "INSERT INTO wa_lid_pn_mappings \
             (device_id, lid, phone_number, created_at, updated_at, learning_source, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, \
             (SELECT COALESCE(MAX(seq), 0) + 1 FROM wa_lid_pn_mappings WHERE device_id = $1)) \
             ON CONFLICT (device_id, lid) DO UPDATE SET phone_number = excluded.phone_number, \
             created_at = excluded.created_at, updated_at = excluded.updated_at, \
             learning_source = excluded.learning_source, seq = excluded.seq",
            vec![
                entry.lid.clone().into(),
                entry.phone_number.clone().into(),
                entry.created_at.into(),
                entry.updated_at.into(),
                entry.learning_source.clone().into(),
            ],
        )
        .await
        .map(drop)
    }

    async fn put_lid_mappings(&self, entries: &[LidPnMappingEntry]) -> Result<()> {
        self.put_lid_mappings_in_order(entries).await
    }

    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        self.all(
            "SELECT lid, phone_number, created_at, updated_at, learning_source \
             FROM wa_lid_pn_mappings WHERE device_id = $1",
            vec![],
        )
        .await?
        .iter()
        .map(lid_mapping)
        .collect()
    }

    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        self.upsert(
            "wa_base_keys",
            &["address", "message_id", "base_key"],
            "(device_id, address, message_id) DO UPDATE SET base_key = excluded.base_key",
            vec![vec![
                address.into(),
                message_id.into(),
                base_key.to_vec().into(),
            ]],
        )
        .await
    }

    async fn has_same_base_key(
        &self,
        address: &str,
        message_id: &str,
        current_base_key: &[u8],
    ) -> Result<bool> {
        let stored = self
            .blob(
                "SELECT base_key AS v FROM wa_base_keys \
                 WHERE device_id = $1 AND address = $2 AND message_id = $3",
                vec![address.into(), message_id.into()],
            )
            .await?;
        Ok(stored.is_some_and(|stored| stored == current_base_key))
    }

    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_base_keys WHERE device_id = $1 AND address = $2 AND message_id = $3",
            vec![address.into(), message_id.into()],
        )
        .await
        .map(drop)
    }

    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        self.upsert(
            "wa_device_lists",
            &["user_part", "record"],
            UPSERT_DEVICE_LIST,
            vec![vec![record.user.clone().into(), to_json(&record)?.into()]],
        )
        .await
    }

    async fn update_device_lists(&self, records: Vec<DeviceListRecord>) -> Result<()> {
        let rows = last_wins(records.into_iter().map(|r| (r.user.clone(), r)))
            .into_iter()
            .map(|record| Ok(vec![record.user.clone().into(), to_json(&record)?.into()]))
            .collect::<Result<Vec<_>>>()?;
        self.upsert(
            "wa_device_lists",
            &["user_part", "record"],
            UPSERT_DEVICE_LIST,
            rows,
        )
        .await
    }

    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        self.blob(
            "SELECT record AS v FROM wa_device_lists WHERE device_id = $1 AND user_part = $2",
            vec![user.into()],
        )
        .await?
        .map(|record| from_json(&record))
        .transpose()
    }

    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_device_lists WHERE device_id = $1 AND user_part = $2",
            vec![user.into()],
        )
        .await
        .map(drop)
    }

    async fn get_group_metadata(&self, group_jid: &str) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT metadata AS v FROM wa_group_metadata WHERE device_id = $1 AND group_jid = $2",
            vec![group_jid.into()],
        )
        .await
    }

    async fn put_group_metadata(&self, group_jid: &str, blob: &[u8]) -> Result<()> {
        self.upsert(
            "wa_group_metadata",
            &["group_jid", "metadata"],
            "(device_id, group_jid) DO UPDATE SET metadata = excluded.metadata",
            vec![vec![group_jid.into(), blob.to_vec().into()]],
        )
        .await
    }

    async fn delete_group_metadata(&self, group_jid: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_group_metadata WHERE device_id = $1 AND group_jid = $2",
            vec![group_jid.into()],
        )
        .await
        .map(drop)
    }

    async fn get_tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        self.one(
            "SELECT token, token_timestamp, sender_timestamp FROM wa_tc_tokens \
             WHERE device_id = $1 AND jid = $2",
            vec![jid.into()],
        )
        .await?
        .map(|row| {
            Ok(TcTokenEntry {
                token: get(&row, "token")?,
                token_timestamp: get(&row, "token_timestamp")?,
                sender_timestamp: get(&row, "sender_timestamp")?,
            })
        })
        .transpose()
    }

    async fn put_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        self.upsert(
            "wa_tc_tokens",
            &["jid", "token", "token_timestamp", "sender_timestamp"],
            "(device_id, jid) DO UPDATE SET token = excluded.token, \
             token_timestamp = excluded.token_timestamp, sender_timestamp = excluded.sender_timestamp",
            vec![vec![
                jid.into(),
                entry.token.clone().into(),
                entry.token_timestamp.into(),
                entry.sender_timestamp.into(),
            ]],
        )
        .await
    }

    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_tc_tokens WHERE device_id = $1 AND jid = $2",
            vec![jid.into()],
        )
        .await
        .map(drop)
    }

    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        self.all("SELECT jid FROM wa_tc_tokens WHERE device_id = $1", vec![])
            .await?
            .iter()
            .map(|row| get(row, "jid"))
            .collect()
    }

    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        // A row stays while either its received token or its sender bucket is live.
        self.exec(
            "DELETE FROM wa_tc_tokens WHERE device_id = $1 AND NOT ( \
             (length(token) > 0 AND token_timestamp >= $2) \
             OR (sender_timestamp IS NOT NULL AND sender_timestamp >= $3))",
            vec![token_cutoff.into(), sender_cutoff.into()],
        )
        .await
        .map(count)
    }

    async fn touch_tc_token_sender_timestamp(
        &self,
        jid: &str,
        sender_timestamp: i64,
    ) -> Result<()> {
        // One atomic upsert: the sender bucket only moves forward, token bytes are kept.
        self.exec(
            "INSERT INTO wa_tc_tokens (device_id, jid, token, token_timestamp, sender_timestamp) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (device_id, jid) DO UPDATE SET sender_timestamp = CASE \
             WHEN wa_tc_tokens.sender_timestamp IS NULL \
             OR wa_tc_tokens.sender_timestamp < excluded.sender_timestamp \
             THEN excluded.sender_timestamp ELSE wa_tc_tokens.sender_timestamp END",
            vec![jid.into(), Vec::<u8>::new().into(), sender_timestamp.into()],
        )
        .await
        .map(drop)
    }

    async fn store_received_tc_token(
        &self,
        jid: &str,
        token: &[u8],
        token_timestamp: i64,
    ) -> Result<()> {
        // Newer wins, and a byte-less placeholder never blocks a real token; the sender
        // bucket belongs to the other writer and is left alone.
        self.exec(
            "INSERT INTO wa_tc_tokens (device_id, jid, token, token_timestamp, sender_timestamp) \
             VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (device_id, jid) DO UPDATE SET token = excluded.token, \
             token_timestamp = excluded.token_timestamp \
             WHERE length(wa_tc_tokens.token) = 0 \
             OR excluded.token_timestamp >= wa_tc_tokens.token_timestamp",
            vec![jid.into(), token.to_vec().into(), token_timestamp.into()],
        )
        .await
        .map(drop)
    }

    async fn store_sent_message(
        &self,
        chat_jid: &str,
        message_id: &str,
        payload: &[u8],
    ) -> Result<()> {
        self.upsert(
            "wa_sent_messages",
            &["chat_jid", "message_id", "payload", "created_at"],
            "(device_id, chat_jid, message_id) DO UPDATE SET payload = excluded.payload, \
             created_at = excluded.created_at",
            vec![vec![
                chat_jid.into(),
                message_id.into(),
                payload.to_vec().into(),
                now_secs().into(),
            ]],
        )
        .await
    }

    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        // One statement, so two retry receipts cannot both take the message.
        self.blob(
            "DELETE FROM wa_sent_messages \
             WHERE device_id = $1 AND chat_jid = $2 AND message_id = $3 RETURNING payload AS v",
            vec![chat_jid.into(), message_id.into()],
        )
        .await
    }

    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.exec(
            "DELETE FROM wa_sent_messages WHERE device_id = $1 AND created_at < $2",
            vec![cutoff_timestamp.into()],
        )
        .await
        .map(count)
    }

    async fn store_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
        message: &[u8],
    ) -> Result<()> {
        self.store_pending_inbound_batch(&[PendingInboundRow {
            chat,
            sender,
            id,
            message,
        }])
        .await
    }

    async fn get_pending_inbound(
        &self,
        chat: &str,
        sender: &str,
        id: &str,
    ) -> Result<Option<Vec<u8>>> {
        self.blob(
            "SELECT message AS v FROM wa_pending_inbound \
             WHERE device_id = $1 AND chat = $2 AND sender = $3 AND message_id = $4",
            vec![chat.into(), sender.into(), id.into()],
        )
        .await
    }

    async fn delete_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<()> {
        self.exec(
            "DELETE FROM wa_pending_inbound \
             WHERE device_id = $1 AND chat = $2 AND sender = $3 AND message_id = $4",
            vec![chat.into(), sender.into(), id.into()],
        )
        .await
        .map(drop)
    }

    async fn delete_expired_pending_inbound(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.exec(
            "DELETE FROM wa_pending_inbound WHERE device_id = $1 AND created_at < $2",
            vec![cutoff_timestamp.into()],
        )
        .await
        .map(count)
    }

    async fn store_pending_inbound_batch(&self, rows: &[PendingInboundRow<'_>]) -> Result<()> {
        let now = now_secs();
        let rows = last_wins(rows.iter().map(|row| ((row.chat, row.sender, row.id), row)))
            .into_iter()
            .map(|row| {
                vec![
                    row.chat.into(),
                    row.sender.into(),
                    row.id.into(),
                    row.message.to_vec().into(),
                    now.into(),
                ]
            })
            .collect();
        self.upsert(
            "wa_pending_inbound",
            &["chat", "sender", "message_id", "message", "created_at"],
            UPSERT_PENDING_INBOUND,
            rows,
        )
        .await
    }

    async fn delete_pending_inbound_batch(&self, keys: &[PendingInboundKey<'_>]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.map_err(db_err)?;
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let mut values = Vec::with_capacity(chunk.len() * 3);
            let mut tuples = Vec::with_capacity(chunk.len());
            for key in chunk {
                tuples.push(format!(
                    "({})",
                    placeholders(values.len() + 2, 3).join(", ")
                ));
                values.extend([key.chat.into(), key.sender.into(), key.id.into()]);
            }
            let sql = format!(
                "DELETE FROM wa_pending_inbound WHERE device_id = $1 \
                 AND (chat, sender, message_id) IN ({})",
                tuples.join(", ")
            );
            exec(&txn, self.statement(&sql, values)).await?;
        }
        txn.commit().await.map_err(db_err)
    }
}

fn lid_mapping(row: &QueryResult) -> Result<LidPnMappingEntry> {
    Ok(LidPnMappingEntry {
        lid: get(row, "lid")?,
        phone_number: get(row, "phone_number")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        learning_source: get(row, "learning_source")?,
    })
}

#[async_trait]
impl MsgSecretStore for DbBackend {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        let stored = entries.len();
        // Repeats within the batch merge exactly as they would one after the other.
        let mut merged: Vec<MsgSecretEntry> = Vec::with_capacity(entries.len());
        let mut position: HashMap<(Arc<str>, Arc<str>, Arc<str>), usize> = HashMap::new();
        for entry in entries {
            let key = (
                entry.chat.clone(),
                entry.sender.clone(),
                entry.msg_id.clone(),
            );
            match position.get(&key) {
                Some(&at) => {
                    let earlier = &mut merged[at];
                    earlier.secret = entry.secret;
                    earlier.expires_at =
                        merge_msg_secret_expiry(earlier.expires_at, entry.expires_at);
                    earlier.message_ts =
                        merge_msg_secret_message_ts(earlier.message_ts, entry.message_ts);
                }
                None => {
                    position.insert(key, merged.len());
                    merged.push(entry);
                }
            }
        }
        let rows = merged
            .into_iter()
            .map(|e| {
                vec![
                    e.chat.as_ref().into(),
                    e.sender.as_ref().into(),
                    e.msg_id.as_ref().into(),
                    e.secret.to_vec().into(),
                    e.expires_at.into(),
                    e.message_ts.into(),
                ]
            })
            .collect();
        // The SQL form of `merge_msg_secret_expiry` and `merge_msg_secret_message_ts`.
        self.upsert(
            "wa_msg_secrets",
            &["chat", "sender", "msg_id", "secret", "expires_at", "message_ts"],
            "(device_id, chat, sender, msg_id) DO UPDATE SET secret = excluded.secret, \
             expires_at = CASE WHEN wa_msg_secrets.expires_at = 0 OR excluded.expires_at = 0 THEN 0 \
             WHEN excluded.expires_at > wa_msg_secrets.expires_at THEN excluded.expires_at \
             ELSE wa_msg_secrets.expires_at END, \
             message_ts = CASE WHEN excluded.message_ts > wa_msg_secrets.message_ts \
             THEN excluded.message_ts ELSE wa_msg_secrets.message_ts END",
            rows,
        )
        .await?;
        Ok(stored)
    }

    async fn get_msg_secret(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<Vec<u8>>> {
        Ok(self
            .get_msg_secret_with_ts(chat, sender, msg_id)
            .await?
            .map(|(secret, _)| secret))
    }

    async fn get_msg_secret_with_ts(
        &self,
        chat: &str,
        sender: &str,
        msg_id: &str,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        self.one(
            "SELECT secret, message_ts FROM wa_msg_secrets \
             WHERE device_id = $1 AND chat = $2 AND sender = $3 AND msg_id = $4",
            vec![chat.into(), sender.into(), msg_id.into()],
        )
        .await?
        .map(|row| Ok((get(&row, "secret")?, get(&row, "message_ts")?)))
        .transpose()
    }

    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.exec(
            "DELETE FROM wa_msg_secrets \
             WHERE device_id = $1 AND expires_at <> 0 AND expires_at <= $2",
            vec![cutoff_timestamp.into()],
        )
        .await
        .map(count)
    }
}

#[async_trait]
impl DeviceStore for DbBackend {
    async fn save(&self, device: &Device) -> Result<()> {
        self.upsert(
            "wa_device_state",
            &["data"],
            "(device_id) DO UPDATE SET data = excluded.data",
            vec![vec![to_json(device)?.into()]],
        )
        .await
    }

    async fn load(&self) -> Result<Option<Device>> {
        self.blob(
            "SELECT data AS v FROM wa_device_state WHERE device_id = $1",
            vec![],
        )
        .await?
        .map(|data| from_json(&data))
        .transpose()
    }

    async fn exists(&self) -> Result<bool> {
        self.exists_where(
            "SELECT 1 AS v FROM wa_device_state WHERE device_id = $1",
            vec![],
        )
        .await
    }

    async fn create(&self) -> Result<i32> {
        let id = self.next_create_id.fetch_add(1, Ordering::Relaxed);
        // Fresh keys, so `exists()` holds afterwards; an existing device is never replaced.
        self.exec(
            "INSERT INTO wa_device_state (device_id, data) VALUES ($1, $2) \
             ON CONFLICT (device_id) DO NOTHING",
            vec![to_json(&Device::new())?.into()],
        )
        .await?;
        Ok(id)
    }

    async fn resource_report(&self) -> StorageResourceReport {
        // The rows live in the database, not in this process.
        StorageResourceReport {
            memory_bytes: Some(0),
            ..StorageResourceReport::default()
        }
    }
}
