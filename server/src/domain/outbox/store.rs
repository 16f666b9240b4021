//! Writing outbox rows: inserting them, claiming them for a send, settling them, receipts, and
//! the running totals in `outbox_counters` that move in the same transactions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::LockType,
    sea_query::{Alias, Expr, Func, OnConflict},
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::{Content, CounterScope, MessageKind, NewMessage, OutboxStatus, INTERRUPTED};
use crate::{
    entities::{
        broadcast_messages as rows, campaign_counters, devices, enums::CampaignMetric,
        outbox_counters,
    },
    error::{AppError, AppResult},
    types::{
        ids::{DeviceId, UserId},
        wa_message_id,
    },
};

/// The scopes an outbox row is counted in.
#[derive(Debug, Clone, Copy)]
pub struct RowOwners {
    pub device: Uuid,
    pub user: Uuid,
    pub campaign: Option<Uuid>,
    pub step: Option<Uuid>,
}

impl RowOwners {
    fn of(row: &rows::Model) -> Self {
        Self {
            device: row.device_id,
            user: row.user_id,
            campaign: row.campaign_id,
            step: row.sequence_step_id,
        }
    }

    /// The counter scopes the row is counted in.
    fn scopes(&self) -> impl Iterator<Item = (CounterScope, Uuid)> {
        [
            (CounterScope::Device, self.device),
            (CounterScope::User, self.user),
        ]
        .into_iter()
        .chain(self.campaign.map(|c| (CounterScope::Campaign, c)))
        .chain(self.step.map(|s| (CounterScope::Step, s)))
    }
}

/// SENDING lasts a moment and is counted as QUEUED, so claiming a row changes no counter.
fn counted(status: OutboxStatus) -> OutboxStatus {
    if status == OutboxStatus::Sending {
        OutboxStatus::Queued
    } else {
        status
    }
}

/// A change of one or more counters: (scope kind, scope id, status) += delta, and a campaign's
/// per-device totals (campaign, device, metric) += delta.
#[derive(Debug, Default)]
pub struct CounterDeltas(
    HashMap<(CounterScope, Uuid, OutboxStatus), i64>,
    HashMap<(Uuid, Uuid, CampaignMetric), i64>,
);

impl CounterDeltas {
    /// A row moved from `from` (None: new) to `to`. SENDING lasts a moment and is counted as
    /// QUEUED, so claiming a row changes no counter.
    pub fn moved(&mut self, row: &rows::Model, from: Option<OutboxStatus>, to: OutboxStatus) {
        self.shift(&RowOwners::of(row), from, to, 1);
    }

    /// A row in `status` removed (an AI campaign taking back an unsent lead).
    pub fn removed(&mut self, row: &rows::Model, status: OutboxStatus) {
        let owners = RowOwners::of(row);
        let status = counted(status);
        for (kind, id) in owners.scopes() {
            *self.0.entry((kind, id, status)).or_default() -= 1;
        }
        if let Some(campaign) = owners.campaign {
            *self
                .1
                .entry((campaign, owners.device, status.into()))
                .or_default() -= 1;
        }
    }

    /// `n` new rows of the same owners, all in `status` (a campaign's start, counted by one
    /// `GROUP BY` instead of row by row).
    pub fn added(&mut self, owners: &RowOwners, status: OutboxStatus, n: i64) {
        self.shift(owners, None, status, n);
    }

    fn shift(&mut self, owners: &RowOwners, from: Option<OutboxStatus>, to: OutboxStatus, n: i64) {
        let (from, to) = (from.map(counted), counted(to));
        if from == Some(to) {
            return;
        }
        for (kind, id) in owners.scopes() {
            if let Some(from) = from {
                *self.0.entry((kind, id, from)).or_default() -= n;
            }
            *self.0.entry((kind, id, to)).or_default() += n;
        }
        if let Some(campaign) = owners.campaign {
            if let Some(from) = from {
                *self
                    .1
                    .entry((campaign, owners.device, from.into()))
                    .or_default() -= n;
            }
            *self
                .1
                .entry((campaign, owners.device, to.into()))
                .or_default() += n;
        }
    }

    /// `n` recipients of a campaign on a device answered.
    pub fn replied(&mut self, campaign: Uuid, device: Uuid, n: i64) {
        *self
            .1
            .entry((campaign, device, CampaignMetric::Replied))
            .or_default() += n;
    }

    pub async fn apply(self, db: &impl ConnectionTrait) -> AppResult<()> {
        // Always the same order, so concurrent transactions lock counter rows in the same order
        // and cannot deadlock on them.
        let mut deltas: Vec<_> = self
            .0
            .into_iter()
            .filter(|(_, delta)| *delta != 0)
            .collect();
        deltas.sort_by(|((k1, i1, s1), _), ((k2, i2, s2), _)| {
            (k1, i1, s1.to_value()).cmp(&(k2, i2, s2.to_value()))
        });
        let models: Vec<outbox_counters::ActiveModel> = deltas
            .into_iter()
            .map(|((kind, id, status), delta)| outbox_counters::ActiveModel {
                scope_kind: Set(kind),
                scope_id: Set(id),
                status: Set(status),
                count: Set(delta),
            })
            .collect();
        if !models.is_empty() {
            outbox_counters::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([
                        outbox_counters::Column::ScopeKind,
                        outbox_counters::Column::ScopeId,
                        outbox_counters::Column::Status,
                    ])
                    .value(
                        outbox_counters::Column::Count,
                        Expr::col((outbox_counters::Entity, outbox_counters::Column::Count)).add(
                            Expr::col((Alias::new("excluded"), outbox_counters::Column::Count)),
                        ),
                    )
                    .to_owned(),
                )
                .exec(db)
                .await?;
        }
        let mut per_device: Vec<_> = self.1.into_iter().filter(|(_, d)| *d != 0).collect();
        per_device.sort_by_key(|(key, _)| *key);
        if per_device.is_empty() {
            return Ok(());
        }
        // Few statements however many devices: 900 rows × 4 values stay far below SQLite's bound.
        for chunk in per_device.chunks(900) {
            let models: Vec<campaign_counters::ActiveModel> = chunk
                .iter()
                .map(
                    |((campaign, device, metric), delta)| campaign_counters::ActiveModel {
                        campaign_id: Set(*campaign),
                        device_id: Set(*device),
                        metric: Set(*metric),
                        count: Set(*delta),
                    },
                )
                .collect();
            campaign_counters::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns([
                        campaign_counters::Column::CampaignId,
                        campaign_counters::Column::DeviceId,
                        campaign_counters::Column::Metric,
                    ])
                    .value(
                        campaign_counters::Column::Count,
                        Expr::col((campaign_counters::Entity, campaign_counters::Column::Count))
                            .add(Expr::col((
                                Alias::new("excluded"),
                                campaign_counters::Column::Count,
                            ))),
                    )
                    .to_owned(),
                )
                .exec(db)
                .await?;
        }
        Ok(())
    }
}

/// Which devices rows may be written for: PostgreSQL keeps no foreign key from an outbox row to
/// its device (checked once per row, it was a tenth of a 100,000-row campaign start, measured).
/// A writer locks the devices of its rows instead (`FOR KEY SHARE`, one statement), in the
/// transaction that writes them, and a device's delete locks the device (`FOR UPDATE`) before it
/// removes its rows. So rows never outlive their device: the writer waits for a delete and then
/// finds no device (and no lead or contact of it), or the delete waits for the writer and then
/// removes its rows too. SQLite keeps the key (a plain lookup there) and takes no lock.
/// `devices`: these ids, or every device of `owner`. Returns the devices that exist.
pub async fn lock_devices(
    txn: &DatabaseTransaction,
    devices: DevicesToLock<'_>,
) -> AppResult<HashSet<Uuid>> {
    let query = devices::Entity::find()
        .select_only()
        .column(devices::Column::Id);
    let query = match devices {
        DevicesToLock::Ids(ids) => query.filter(devices::Column::Id.is_in(ids.iter().copied())),
        DevicesToLock::OfUser(owner) => query.filter(devices::Column::UserId.eq(owner.0)),
    };
    Ok(query
        .lock(LockType::KeyShare)
        .into_tuple::<Uuid>()
        .all(txn)
        .await?
        .into_iter()
        .collect())
}

/// The devices `lock_devices` locks.
#[derive(Debug, Clone, Copy)]
pub enum DevicesToLock<'a> {
    Ids(&'a [Uuid]),
    OfUser(UserId),
}

/// Inserts messages (QUEUED, or PENDING when scheduled later). A message whose idempotency key
/// (campaign or sequence step, device, phone) exists already is left out, not doubled.
pub async fn insert(
    db: &DatabaseConnection,
    messages: Vec<NewMessage>,
    now: DateTime<Utc>,
) -> AppResult<Vec<rows::Model>> {
    let txn = db.begin().await?;
    let wanted: HashSet<Uuid> = messages.iter().map(|m| m.device_id.0).collect();
    let wanted: Vec<Uuid> = wanted.into_iter().collect();
    if lock_devices(&txn, DevicesToLock::Ids(&wanted)).await?.len() < wanted.len() {
        return Err(AppError::NotFound("Device"));
    }
    let mut inserted = Vec::with_capacity(messages.len());
    let mut deltas = CounterDeltas::default();
    // Few, large statements; 900 rows × 30 columns stay below SQLite's 32,766 bound parameters
    // per statement, with room for a few more columns.
    for chunk in messages.chunks(900) {
        let models: Vec<rows::ActiveModel> = chunk.iter().map(|m| to_active(m, now)).collect();
        let created = rows::Entity::insert_many(models)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_with_returning_many(&txn)
            .await?;
        for row in &created {
            deltas.moved(row, None, row.status);
        }
        inserted.extend(created);
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(inserted)
}

fn to_active(message: &NewMessage, now: DateTime<Utc>) -> rows::ActiveModel {
    let scheduled_at = message.scheduled_at.unwrap_or(now);
    let status = if scheduled_at > now {
        OutboxStatus::Pending
    } else {
        OutboxStatus::Queued
    };
    let (kind, text, image_ref, image_mime, caption) = match &message.content {
        Content::Text(text) => (MessageKind::Text, Some(text.clone()), None, None, None),
        Content::Image {
            media_ref,
            mime,
            caption,
        } => (
            MessageKind::Image,
            None,
            Some(media_ref.clone()),
            Some(mime.clone()),
            caption.clone(),
        ),
    };
    rows::ActiveModel {
        user_id: Set(message.owner.0),
        device_id: Set(message.device_id.0),
        recipient_phone: Set(message.phone.e164()),
        recipient_jid: Set(message.jid.as_str().to_owned()),
        recipient_name: Set(message.name.clone()),
        kind: Set(kind),
        text: Set(text),
        image_ref: Set(image_ref),
        image_mime: Set(image_mime),
        caption: Set(caption),
        source: Set(message.source),
        source_id: Set(message.source_id.clone()),
        campaign_id: Set(message.campaign_id),
        sequence_step_id: Set(message.sequence_step_id),
        status: Set(status),
        attempts: Set(0),
        last_error: Set(None),
        min_delay_seconds: Set(message.delay.map(|d| d.0)),
        max_delay_seconds: Set(message.delay.map(|d| d.1)),
        scheduled_at: Set(scheduled_at),
        queued_at: Set((status == OutboxStatus::Queued).then_some(now)),
        sending_at: Set(None),
        sent_at: Set(None),
        delivered_at: Set(None),
        read_at: Set(None),
        wa_message_id: Set(None),
        claim_token: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Rows by id (for the pacers).
pub async fn load(db: &DatabaseConnection, ids: &[i64]) -> AppResult<Vec<rows::Model>> {
    let txn = by_id_transaction(db).await?;
    let found = rows::Entity::find()
        .filter(rows::Column::Id.is_in(ids.iter().copied()))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(found)
}

/// A transaction for statements that name their rows by id, thousands at a time. On
/// PostgreSQL the planner prices a primary-key lookup as a random disk read and, for a table
/// of some 100,000 rows, picks a scan of the whole table for 2,000 ids instead (50 ms per
/// statement, seen in the dispatch benchmark); this transaction rules table scans out.
async fn by_id_transaction(db: &DatabaseConnection) -> AppResult<DatabaseTransaction> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await?;
    }
    Ok(txn)
}

/// A claim: row `row_id` for device `device_id`, by the holder of lease `token`.
#[derive(Debug, Clone)]
pub struct Claim {
    pub row_id: i64,
    pub device_id: DeviceId,
    pub token: i64,
    /// A campaign row's text (or caption) rendered for its recipient; kept on the row unless
    /// the row has one already (a retry sends the words it had).
    pub rendered: Option<String>,
}

/// Claims rows QUEUED → SENDING in one statement. A row is claimed only if it is still QUEUED
/// and the claimer's token is its device's current lease token; the claimed rows are returned.
///
/// The same statement names the WhatsApp message the row becomes: a row without an id gets a
/// new one (WhatsApp's format), a row that has one keeps it (a row put back in QUEUED, or
/// retried). The send then uses exactly that id, so whoever sends the row again — a node taking
/// the device over after a crash — sends the same message, which the recipient keeps once.
pub async fn claim(db: &DatabaseConnection, claims: &[Claim]) -> AppResult<Vec<rows::Model>> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let values = PerRow::new(
        backend,
        claims.iter().map(|c| {
            (
                c.row_id,
                vec![
                    c.token.into(),
                    wa_message_id::generate().into(),
                    c.rendered.clone().into(),
                ],
            )
        }),
    );
    let sql = format!(
        "{} UPDATE broadcast_messages AS b SET status = 'SENDING', sending_at = {now}, updated_at = {now}, \
         attempts = b.attempts + 1, claim_token = d.lease_token, \
         wa_message_id = COALESCE(b.wa_message_id, {}), \
         text = CASE WHEN b.kind = 'text' THEN COALESCE(b.text, {rendered}) ELSE b.text END, \
         caption = CASE WHEN b.kind = 'image' THEN COALESCE(b.caption, {rendered}) ELSE b.caption END \
         FROM {}, devices AS d \
         WHERE {} AND d.id = b.device_id AND d.lease_token = {} AND b.status = 'QUEUED' {}",
        values.with,
        values.value_as(1, "TEXT"),
        values.table,
        values.rows,
        values.value_as(0, "BIGINT"),
        returning(backend),
        now = param(backend, 1),
        rendered = values.value_as(2, "TEXT"),
    );
    // SENDING counts as QUEUED (see `CounterDeltas::moved`), so a claim touches no counter.
    let txn = by_id_transaction(db).await?;
    let claimed = rows::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [vec![Utc::now().into()], values.binds].concat(),
        ))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

/// How one batched statement gives each of its rows (by id) values of its own.
///
/// PostgreSQL: the ids inline (`b.id IN (…)`) and the values as one JSON object parameter,
/// `{"id": [value, …]}`, read per row. No join: with a join the plan depends on the estimated
/// number of QUEUED rows, which right after a large enqueue is stale (the statistics still say
/// "few"), and the planner then scanned every QUEUED row for each batch or compared every row
/// with every value (seen: 0.9 s for 10 claims with 99,000 rows queued, 134 ms for 637).
/// SQLite looks rows up by rowid whatever it estimates: a VALUES list joined by id.
struct PerRow {
    /// The WITH clause that holds the values: `j(o)`, the JSON object (PostgreSQL), or
    /// `v(id, value0, …)`, the VALUES list (SQLite).
    with: String,
    /// Its name, for the FROM clause.
    table: &'static str,
    /// The condition that names the rows.
    rows: String,
    /// Parameters from `$2` / `?2` on.
    binds: Vec<sea_orm::Value>,
    backend: DbBackend,
}

impl PerRow {
    /// Every row has the same number of values (at least one).
    fn new(backend: DbBackend, values: impl Iterator<Item = (i64, Vec<sea_orm::Value>)>) -> Self {
        let values: Vec<(i64, Vec<sea_orm::Value>)> = values.collect();
        match backend {
            DbBackend::Postgres => {
                let ids: Vec<String> = values.iter().map(|(id, _)| id.to_string()).collect();
                let object: serde_json::Map<String, serde_json::Value> = values
                    .into_iter()
                    .map(|(id, row)| {
                        let row = row.into_iter().map(json_of).collect();
                        (id.to_string(), serde_json::Value::Array(row))
                    })
                    .collect();
                Self {
                    // Decoded once per statement, not once per row.
                    with: "WITH j AS MATERIALIZED (SELECT CAST($2 AS jsonb) AS o)".to_owned(),
                    table: "j",
                    rows: format!("b.id IN ({})", ids.join(", ")),
                    binds: vec![serde_json::Value::Object(object).to_string().into()],
                    backend,
                }
            }
            _ => {
                let width = values.first().map_or(1, |(_, row)| row.len());
                let mut binds = Vec::with_capacity(values.len() * width);
                // Ids are integers we produced, written inline; values are bound.
                let tuples: Vec<String> = values
                    .into_iter()
                    .map(|(id, row)| {
                        let mut tuple = id.to_string();
                        for value in row {
                            binds.push(value);
                            tuple.push_str(", ");
                            tuple.push_str(&param(backend, binds.len() + 1));
                        }
                        format!("({tuple})")
                    })
                    .collect();
                let columns: Vec<String> = (0..width).map(|n| format!("value{n}")).collect();
                Self {
                    with: format!(
                        "WITH v(id, {}) AS (VALUES {})",
                        columns.join(", "),
                        tuples.join(", ")
                    ),
                    table: "v",
                    rows: "b.id = v.id".to_owned(),
                    binds,
                    backend,
                }
            }
        }
    }

    /// The row's value number `n`, as SQL type `sql_type`.
    fn value_as(&self, n: usize, sql_type: &str) -> String {
        match self.backend {
            DbBackend::Postgres => {
                format!("CAST(j.o -> CAST(b.id AS TEXT) ->> {n} AS {sql_type})")
            }
            _ => format!("v.value{n}"),
        }
    }
}

fn json_of(value: sea_orm::Value) -> serde_json::Value {
    match value {
        sea_orm::Value::BigInt(Some(n)) => n.into(),
        sea_orm::Value::String(Some(text)) => (*text).into(),
        // `None` of any type (no rendered text) is JSON null, read as SQL NULL.
        _ => serde_json::Value::Null,
    }
}

/// The partial indexes' condition for rows on a queue (QUEUED or SENDING); see migration
/// `m20261126_000006`. Queries name it so the planner can use those indexes.
fn on_a_queue() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust("pipeline_stage = 2")
}

fn param(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

fn returning(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "RETURNING b.*",
        _ => "RETURNING *",
    }
}

/// Sets SENDING rows to `status` with a per-row text column (`wa_message_id` or `last_error`)
/// in one statement.
async fn settle(
    txn: &impl ConnectionTrait,
    status: OutboxStatus,
    column: &str,
    values: &[(i64, String)],
    sent: bool,
) -> AppResult<Vec<rows::Model>> {
    let backend = txn.get_database_backend();
    let texts = PerRow::new(
        backend,
        values
            .iter()
            .map(|(id, text)| (*id, vec![text.clone().into()])),
    );
    let sent_at = if sent {
        format!(", sent_at = {}", param(backend, 1))
    } else {
        String::new()
    };
    let clear_error = if sent { ", last_error = NULL" } else { "" };
    let sql = format!(
        "{} UPDATE broadcast_messages AS b SET status = '{}', {column} = {}, updated_at = {}{sent_at}{clear_error} \
         FROM {} WHERE {} AND b.status = 'SENDING' {}",
        texts.with,
        status.to_value(),
        texts.value_as(0, "TEXT"),
        param(backend, 1),
        texts.table,
        texts.rows,
        returning(backend),
    );
    Ok(rows::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [vec![Utc::now().into()], texts.binds].concat(),
        ))
        .all(txn)
        .await?)
}

/// How a send ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent {
        wa_message_id: String,
    },
    Failed {
        error: String,
    },
    /// Not sent at all (the device went offline before the send): back to QUEUED.
    NotSent,
}

/// Records the outcomes of sends (SENDING → SENT / FAILED / QUEUED) in one transaction.
pub async fn finish(
    db: &DatabaseConnection,
    outcomes: &[(i64, Outcome)],
) -> AppResult<Vec<rows::Model>> {
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let txn = by_id_transaction(db).await?;
    let mut changed = Vec::new();
    let sent: Vec<(i64, String)> = outcomes
        .iter()
        .filter_map(|(id, o)| match o {
            Outcome::Sent { wa_message_id } => Some((*id, wa_message_id.clone())),
            _ => None,
        })
        .collect();
    if !sent.is_empty() {
        changed.extend(settle(&txn, OutboxStatus::Sent, "wa_message_id", &sent, true).await?);
    }
    let failed: Vec<(i64, String)> = outcomes
        .iter()
        .filter_map(|(id, o)| match o {
            Outcome::Failed { error } => Some((*id, error.chars().take(500).collect())),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        changed.extend(settle(&txn, OutboxStatus::Failed, "last_error", &failed, false).await?);
    }
    let not_sent: Vec<i64> = outcomes
        .iter()
        .filter_map(|(id, o)| matches!(o, Outcome::NotSent).then_some(*id))
        .collect();
    if !not_sent.is_empty() {
        changed.extend(
            rows::Entity::update_many()
                .col_expr(rows::Column::Status, Expr::value(OutboxStatus::Queued))
                .col_expr(rows::Column::UpdatedAt, Expr::value(now))
                .filter(rows::Column::Id.is_in(not_sent))
                .filter(rows::Column::Status.eq(OutboxStatus::Sending))
                .exec_with_returning(&txn)
                .await?,
        );
    }
    let mut deltas = CounterDeltas::default();
    for row in &changed {
        deltas.moved(row, Some(OutboxStatus::Sending), row.status);
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Puts QUEUED rows back to PENDING until `at` (a campaign row outside its send window): the
/// scheduler queues them again when their window opens, and their pacer moves on meanwhile.
/// One statement per distinct time (leads of one zone share their window's opening).
pub async fn defer(
    db: &DatabaseConnection,
    rows_until: &[(i64, DateTime<Utc>)],
) -> AppResult<Vec<rows::Model>> {
    if rows_until.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_time: HashMap<DateTime<Utc>, Vec<i64>> = HashMap::new();
    for (id, at) in rows_until {
        by_time.entry(*at).or_default().push(*id);
    }
    let txn = by_id_transaction(db).await?;
    let mut changed = Vec::new();
    for (at, ids) in by_time {
        changed.extend(
            rows::Entity::update_many()
                .col_expr(rows::Column::Status, Expr::value(OutboxStatus::Pending))
                .col_expr(rows::Column::ScheduledAt, Expr::value(at))
                .col_expr(rows::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(rows::Column::Id.is_in(ids))
                .filter(rows::Column::Status.eq(OutboxStatus::Queued))
                .exec_with_returning(&txn)
                .await?,
        );
    }
    let mut deltas = CounterDeltas::default();
    for row in &changed {
        deltas.moved(row, Some(OutboxStatus::Queued), OutboxStatus::Pending);
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Moves the rows that `rows_of` names and are in status `from` to `to`, in one statement: a
/// row going to PENDING waits until `held_until` (its campaign or sequence is paused), one
/// going to QUEUED is queued now. The counters' changes are added to `deltas`.
pub async fn move_where(
    txn: &DatabaseTransaction,
    rows_of: Condition,
    from: OutboxStatus,
    to: OutboxStatus,
    now: DateTime<Utc>,
    deltas: &mut CounterDeltas,
) -> AppResult<Vec<rows::Model>> {
    let mut update = rows::Entity::update_many()
        .col_expr(rows::Column::Status, Expr::value(to))
        .col_expr(rows::Column::UpdatedAt, Expr::value(now));
    match to {
        OutboxStatus::Pending => {
            update = update.col_expr(rows::Column::ScheduledAt, Expr::value(super::held_until()));
        }
        OutboxStatus::Queued => {
            update = update.col_expr(rows::Column::QueuedAt, Expr::value(now));
        }
        _ => {}
    }
    let moved = update
        .filter(rows_of)
        .filter(rows::Column::Status.eq(from))
        .exec_with_returning(txn)
        .await?;
    for row in &moved {
        deltas.moved(row, Some(from), to);
    }
    Ok(moved)
}

/// What a node taking a device over found in SENDING, left by an earlier holder that died.
#[derive(Debug, Default)]
pub struct TakenOver {
    /// Rows that carry their WhatsApp id: claimed again by the new holder (still SENDING,
    /// `attempts` + 1), to be sent again under that id and settled as usual.
    pub resend: Vec<rows::Model>,
    /// Rows without an id (claimed before ids were chosen at the claim): they may or may not
    /// have gone out and a resend could not be recognised, so they became FAILED
    /// "interrupted; delivery unknown".
    pub interrupted: Vec<rows::Model>,
}

/// A node taking a device over (lease `token`): rows left in SENDING by an earlier holder may
/// or may not have gone out. One with a stored WhatsApp id is claimed again for a resend with
/// that id (the recipient keeps one copy per id); one without becomes FAILED "interrupted".
/// Fenced like a claim: nothing happens unless `token` is the device's current lease token.
pub async fn take_over(
    db: &DatabaseConnection,
    device_id: DeviceId,
    token: i64,
) -> AppResult<TakenOver> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let left = || {
        Condition::all()
            .add(rows::Column::DeviceId.eq(device_id.0))
            .add(on_a_queue())
            .add(rows::Column::Status.eq(OutboxStatus::Sending))
            .add(
                Condition::any()
                    .add(rows::Column::ClaimToken.is_null())
                    .add(rows::Column::ClaimToken.lt(token)),
            )
            .add(Expr::exists(
                sea_orm::sea_query::Query::select()
                    .expr(Expr::val(1))
                    .from(crate::entities::devices::Entity)
                    .and_where(Expr::col(crate::entities::devices::Column::Id).eq(device_id.0))
                    .and_where(Expr::col(crate::entities::devices::Column::LeaseToken).eq(token))
                    .to_owned(),
            ))
    };
    let resend = rows::Entity::update_many()
        .col_expr(rows::Column::ClaimToken, Expr::value(token))
        .col_expr(
            rows::Column::Attempts,
            Expr::col(rows::Column::Attempts).add(1),
        )
        .col_expr(rows::Column::SendingAt, Expr::value(now))
        .col_expr(rows::Column::UpdatedAt, Expr::value(now))
        .filter(left())
        .filter(rows::Column::WaMessageId.is_not_null())
        .exec_with_returning(&txn)
        .await?;
    let interrupted = rows::Entity::update_many()
        .col_expr(rows::Column::Status, Expr::value(OutboxStatus::Failed))
        .col_expr(rows::Column::LastError, Expr::value(INTERRUPTED))
        .col_expr(rows::Column::UpdatedAt, Expr::value(now))
        .filter(left())
        .filter(rows::Column::WaMessageId.is_null())
        .exec_with_returning(&txn)
        .await?;
    let mut deltas = CounterDeltas::default();
    for row in &interrupted {
        deltas.moved(row, Some(OutboxStatus::Sending), OutboxStatus::Failed);
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    let mut resend = resend;
    resend.sort_by_key(|r| r.id);
    Ok(TakenOver {
        resend,
        interrupted,
    })
}

/// QUEUED row ids of a device, oldest first (for the reconciler).
pub async fn queued_ids(db: &DatabaseConnection, device_id: DeviceId) -> AppResult<Vec<i64>> {
    Ok(rows::Entity::find()
        .select_only()
        .column(rows::Column::Id)
        .filter(rows::Column::DeviceId.eq(device_id.0))
        .filter(on_a_queue())
        .filter(rows::Column::Status.eq(OutboxStatus::Queued))
        .order_by_asc(rows::Column::Id)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Receipts from WhatsApp: SENT → DELIVERED → READ, never backwards.
pub async fn apply_receipt(
    db: &DatabaseConnection,
    device_id: DeviceId,
    wa_message_ids: &[String],
    read: bool,
    at: DateTime<Utc>,
) -> AppResult<Vec<rows::Model>> {
    let (to, earlier): (OutboxStatus, &[OutboxStatus]) = if read {
        (
            OutboxStatus::Read,
            &[OutboxStatus::Sent, OutboxStatus::Delivered],
        )
    } else {
        (OutboxStatus::Delivered, &[OutboxStatus::Sent])
    };
    let txn = db.begin().await?;
    let before: Vec<rows::Model> = rows::Entity::find()
        .filter(rows::Column::DeviceId.eq(device_id.0))
        .filter(rows::Column::WaMessageId.is_in(wa_message_ids.iter().cloned()))
        .filter(rows::Column::Status.is_in(earlier.iter().copied()))
        .all(&txn)
        .await?;
    if before.is_empty() {
        return Ok(Vec::new());
    }
    let mut update = rows::Entity::update_many()
        .col_expr(rows::Column::Status, Expr::value(to))
        .col_expr(rows::Column::UpdatedAt, Expr::value(Utc::now()));
    update = if read {
        update
            .col_expr(rows::Column::ReadAt, Expr::value(at))
            .col_expr(
                rows::Column::DeliveredAt,
                Func::coalesce([
                    Expr::col(rows::Column::DeliveredAt).into(),
                    Expr::val(at).into(),
                ])
                .into(),
            )
    } else {
        update.col_expr(rows::Column::DeliveredAt, Expr::value(at))
    };
    let changed = update
        .filter(rows::Column::Id.is_in(before.iter().map(|r| r.id)))
        .filter(rows::Column::Status.is_in(earlier.iter().copied()))
        .exec_with_returning(&txn)
        .await?;
    let mut deltas = CounterDeltas::default();
    for row in &changed {
        if let Some(old) = before.iter().find(|b| b.id == row.id) {
            deltas.moved(row, Some(old.status), to);
        }
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Puts a FAILED row back in QUEUED (only when a person asks: `retryOutboxMessage`).
pub async fn requeue_failed(
    db: &DatabaseConnection,
    owner: UserId,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<rows::Model> {
    let row = super::find_owned(db, owner, id).await?;
    if row.status != OutboxStatus::Failed {
        return Err(AppError::Conflict(
            "Only a failed message can be retried.".into(),
        ));
    }
    let txn = db.begin().await?;
    let mut changed = rows::Entity::update_many()
        .col_expr(rows::Column::Status, Expr::value(OutboxStatus::Queued))
        .col_expr(rows::Column::QueuedAt, Expr::value(now))
        .col_expr(rows::Column::UpdatedAt, Expr::value(now))
        .filter(rows::Column::Id.eq(id))
        .filter(rows::Column::Status.eq(OutboxStatus::Failed))
        .exec_with_returning(&txn)
        .await?;
    let row = changed
        .pop()
        .ok_or_else(|| AppError::Conflict("The message changed meanwhile; reload.".into()))?;
    let mut deltas = CounterDeltas::default();
    deltas.moved(&row, Some(OutboxStatus::Failed), OutboxStatus::Queued);
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes a device's rows and counters (inside the device's delete transaction); the owner's
/// totals lose what the device had.
pub async fn delete_for_device(db: &impl ConnectionTrait, device_id: DeviceId) -> AppResult<u64> {
    let device_counts = outbox_counters::Entity::find()
        .filter(outbox_counters::Column::ScopeKind.eq(CounterScope::Device))
        .filter(outbox_counters::Column::ScopeId.eq(device_id.0))
        .all(db)
        .await?;
    let owner: Option<Uuid> = rows::Entity::find()
        .select_only()
        .column(rows::Column::UserId)
        .filter(rows::Column::DeviceId.eq(device_id.0))
        .into_tuple()
        .one(db)
        .await?;
    if let Some(owner) = owner {
        let mut deltas = CounterDeltas::default();
        for count in device_counts {
            *deltas
                .0
                .entry((CounterScope::User, owner, count.status))
                .or_default() -= count.count;
        }
        deltas.apply(db).await?;
    }
    let removed = rows::Entity::delete_many()
        .filter(rows::Column::DeviceId.eq(device_id.0))
        .exec(db)
        .await?;
    outbox_counters::Entity::delete_many()
        .filter(outbox_counters::Column::ScopeKind.eq(CounterScope::Device))
        .filter(outbox_counters::Column::ScopeId.eq(device_id.0))
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}
