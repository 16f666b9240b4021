//! CSV imports of leads, AI leads and opt-outs: checked before anything changes, then streamed
//! in the background in batches, each one set-based and committed with the job's counters, so a
//! crash leaves whole batches only.

use std::{
    collections::{HashMap, HashSet},
    fs::File,
    io::{BufReader, Read, Seek, SeekFrom},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, FromQueryResult, IdenStatic, QueryFilter, QuerySelect, Set, Statement,
    TransactionTrait, Value,
};
use uuid::Uuid;

use super::{
    csv_format::{sniff_delimiter, unescape_cell, Column},
    opt_outs, owned_device,
    tags::{parse_tags, parse_triggers, split_cell, Tag},
    AiLeadStatus, AudienceKind, LeadSource, TargetStatus, MAX_NAME_CHARS, MAX_NOTES_CHARS,
};
pub use crate::entities::enums::{ImportKind, ImportStatus, OptOutSource, TagMergeMode};
use crate::{
    clock::Clock,
    entities::{
        import_jobs as jobs, import_rejections as rejections, lead_tags, leads,
        opt_outs as opt_out_rows,
    },
    error::{AppError, AppResult},
    events::{Event, EventPublisher},
    types::{
        ids::{DeviceId, ImportJobId, UserId},
        phone::{Country, PhoneNumber},
    },
};

/// Rows per batch: one transaction and a handful of statements each.
pub const BATCH_ROWS: usize = 2000;

/// A file to import, as the client sent it.
pub struct ImportRequest {
    pub kind: ImportKind,
    pub device: Option<DeviceId>,
    pub file_name: String,
    pub tag_mode: TagMergeMode,
    pub file: File,
}

/// The columns of a file, by position.
#[derive(Debug, Clone)]
struct Layout {
    delimiter: u8,
    bom: bool,
    width: usize,
    columns: Vec<Option<Column>>,
}

impl Layout {
    fn index(&self, column: Column) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(column))
    }
}

fn refuse(message: &str) -> AppError {
    AppError::validation(message.to_owned())
}

/// Reads the start of the file: refuses empty, binary and header-less files before anything
/// is stored.
fn check_file(file: &mut File, max_bytes: usize) -> AppResult<Layout> {
    let size = file
        .metadata()
        .map_err(|_| refuse("The file could not be read."))?
        .len();
    if size == 0 {
        return Err(refuse("The file is empty."));
    }
    if size > max_bytes as u64 {
        return Err(AppError::validation(format!(
            "The file is too large (at most {} MB).",
            max_bytes / (1024 * 1024)
        )));
    }
    let mut head = vec![0u8; 64 * 1024];
    let n = file
        .read(&mut head)
        .map_err(|_| refuse("The file could not be read."))?;
    head.truncate(n);
    file.seek(SeekFrom::Start(0))
        .map_err(|_| refuse("The file could not be read."))?;
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &head[3..] } else { &head[..] };
    if body.contains(&0) {
        return Err(refuse(
            "This is not a CSV file (it contains binary data). Save it as CSV (UTF-8) and try again.",
        ));
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        // Cut in the middle of a character at the end of the sample: fine.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => {
            return Err(refuse(
                "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.",
            ))
        }
    };
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if header_line.trim().is_empty() {
        return Err(refuse("The file is empty."));
    }
    let delimiter = sniff_delimiter(header_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(header_line.as_bytes());
    let header = reader
        .records()
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| refuse("The file's first line could not be read as CSV."))?;
    let columns: Vec<Option<Column>> = header.iter().map(Column::from_header).collect();
    if !columns.contains(&Some(Column::Phone)) {
        return Err(refuse(
            "The file has no phone column. Name one of the first line's columns phone, mobile, number, whatsapp or no hp.",
        ));
    }
    Ok(Layout {
        delimiter,
        bom,
        width: columns.len(),
        columns,
    })
}

/// Starts an import: checks the file and the device, stores the job, and runs it in the
/// background. Returns the job (RUNNING).
#[allow(clippy::too_many_arguments)]
pub async fn start(
    db: &DatabaseConnection,
    events: std::sync::Arc<dyn EventPublisher>,
    clock: std::sync::Arc<dyn Clock>,
    owner: UserId,
    country: Option<Country>,
    mut request: ImportRequest,
    max_bytes: usize,
) -> AppResult<jobs::Model> {
    if request.kind == ImportKind::Leads {
        let device = request
            .device
            .ok_or_else(|| refuse("Choose the device the leads belong to."))?;
        owned_device(db, owner, device).await?;
    }
    let layout = check_file(&mut request.file, max_bytes)?;
    let now = clock.now();
    let file_name: String = request.file_name.chars().take(255).collect();
    let job = jobs::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(owner.0),
        kind: Set(request.kind),
        device_id: Set(request.device.map(|d| d.0)),
        file_name: Set(file_name),
        tag_mode: Set(request.tag_mode),
        status: Set(ImportStatus::Running),
        rows_read: Set(0),
        imported: Set(0),
        updated: Set(0),
        duplicates: Set(0),
        rejected_count: Set(0),
        last_line: Set(0),
        error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    };
    let job = jobs::Entity::insert(job).exec_with_returning(db).await?;
    let runner = Runner {
        db: db.clone(),
        events,
        clock,
        owner,
        country,
        job: job.clone(),
        layout,
    };
    tokio::spawn(runner.run(request.file));
    Ok(job)
}

/// One row of the file, read.
#[derive(Debug, Clone)]
struct Row {
    line: i64,
    phone: String,
    name: Option<String>,
    tags: Option<Vec<Tag>>,
    target_status: Option<TargetStatus>,
    triggers: Option<String>,
    notes: Option<String>,
    reason: Option<String>,
}

enum Parsed {
    Row(Row),
    Rejected(i64, String),
}

fn parse_record(
    layout: &Layout,
    country: Option<Country>,
    line: i64,
    record: &csv::StringRecord,
) -> Parsed {
    if record.len() != layout.width {
        return Parsed::Rejected(
            line,
            format!(
                "wrong column count: {} instead of {}",
                record.len(),
                layout.width
            ),
        );
    }
    let cell = |column: Column| -> Option<&str> {
        layout
            .index(column)
            .and_then(|i| record.get(i))
            .map(|v| unescape_cell(v.trim()))
    };
    let raw_phone = cell(Column::Phone).unwrap_or("");
    if raw_phone.is_empty() {
        return Parsed::Rejected(line, "missing phone".into());
    }
    let phone = match PhoneNumber::parse_in(raw_phone, country) {
        Ok(p) => p.e164(),
        Err(e) => return Parsed::Rejected(line, format!("bad phone: {}", e.message())),
    };
    let name = cell(Column::Name).map(str::to_owned);
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
    {
        return Parsed::Rejected(
            line,
            format!("name too long (at most {MAX_NAME_CHARS} characters)"),
        );
    }
    let notes = cell(Column::Notes).map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS)
    {
        return Parsed::Rejected(
            line,
            format!("notes too long (at most {MAX_NOTES_CHARS} characters)"),
        );
    }
    let tags = match cell(Column::Niches).map(|c| parse_tags(&split_cell(c))) {
        None => None,
        Some(Ok(tags)) => Some(tags),
        Some(Err(e)) => return Parsed::Rejected(line, format!("niches: {}", e.message())),
    };
    let target_status = match cell(Column::TargetStatus).map(super::tags::fold) {
        None => None,
        Some(s) if s.is_empty() => None,
        Some(s) if s == "prospect" || s == "lead" => Some(TargetStatus::Prospect),
        Some(s) if s == "customer" || s == "pelanggan" => Some(TargetStatus::Customer),
        Some(_) => {
            return Parsed::Rejected(line, "target status must be PROSPECT or CUSTOMER".into())
        }
    };
    let triggers = match cell(Column::Triggers).map(|c| parse_triggers(&split_cell(c))) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => return Parsed::Rejected(line, format!("triggers: {}", e.message())),
    };
    let reason = cell(Column::Reason)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().take(opt_outs::MAX_REASON_CHARS).collect());
    Parsed::Row(Row {
        line,
        phone,
        name,
        tags,
        target_status,
        triggers,
        notes,
        reason,
    })
}

struct Runner {
    db: DatabaseConnection,
    events: std::sync::Arc<dyn EventPublisher>,
    clock: std::sync::Arc<dyn Clock>,
    owner: UserId,
    country: Option<Country>,
    job: jobs::Model,
    layout: Layout,
}

/// A lead a batch wrote.
#[derive(Debug, FromQueryResult)]
struct WrittenLead {
    id: Uuid,
    phone: String,
    /// New, not an update of a lead that was there.
    inserted: bool,
}

/// What one batch did.
#[derive(Debug, Default)]
struct BatchCounts {
    read: i64,
    imported: i64,
    updated: i64,
    duplicates: i64,
    rejected: Vec<(i64, String)>,
    last_line: i64,
}

impl Runner {
    async fn run(self, file: File) {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Parsed>>(2);
        let layout = self.layout.clone();
        let country = self.country;
        let reader = tokio::task::spawn_blocking(move || read_file(file, &layout, country, tx));
        let mut seen: HashSet<String> = HashSet::new();
        let mut outcome: AppResult<()> = Ok(());
        while let Some(batch) = rx.recv().await {
            if let Err(err) = self.batch(batch, &mut seen).await {
                outcome = Err(err);
                break;
            }
        }
        drop(rx);
        let read_error = reader.await.ok().and_then(|r| r.err());
        let (status, error) = match (outcome, read_error) {
            (Err(err), _) => {
                tracing::error!(job.id = %self.job.id, error = ?err, "import failed");
                (ImportStatus::Failed, Some(err.message()))
            }
            (Ok(()), Some(message)) => (ImportStatus::Failed, Some(message)),
            (Ok(()), None) => (ImportStatus::Done, None),
        };
        let finished = jobs::Entity::update_many()
            .col_expr(jobs::Column::Status, Expr::value(status))
            .col_expr(jobs::Column::Error, Expr::value(error))
            .col_expr(jobs::Column::FinishedAt, Expr::value(self.clock.now()))
            .filter(jobs::Column::Id.eq(self.job.id))
            .filter(jobs::Column::Status.eq(ImportStatus::Running))
            .exec(&self.db)
            .await;
        if let Err(err) = finished {
            tracing::error!(job.id = %self.job.id, error = ?err, "cannot finish an import job");
        }
        self.publish().await;
    }

    async fn publish(&self) {
        if let Ok(Some(job)) = jobs::Entity::find_by_id(self.job.id).one(&self.db).await {
            self.events.publish(Event::import_progress(&job)).await;
        }
    }

    async fn batch(&self, batch: Vec<Parsed>, seen: &mut HashSet<String>) -> AppResult<()> {
        let mut counts = BatchCounts::default();
        // Last wins within the file: a later row of a phone replaces the earlier one.
        let mut rows: Vec<Row> = Vec::with_capacity(batch.len());
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut earlier_batches: HashSet<String> = HashSet::new();
        for item in batch {
            counts.read += 1;
            match item {
                Parsed::Rejected(line, reason) => {
                    counts.last_line = counts.last_line.max(line);
                    counts.rejected.push((line, reason));
                }
                Parsed::Row(row) => {
                    counts.last_line = counts.last_line.max(row.line);
                    if let Some(i) = at.get(&row.phone) {
                        counts.duplicates += 1;
                        rows[*i] = row;
                    } else if !seen.insert(row.phone.clone()) {
                        counts.duplicates += 1;
                        earlier_batches.insert(row.phone.clone());
                        at.insert(row.phone.clone(), rows.len());
                        rows.push(row);
                    } else {
                        at.insert(row.phone.clone(), rows.len());
                        rows.push(row);
                    }
                }
            }
        }
        let txn = self.db.begin().await?;
        let now = self.clock.now();
        let existing = match self.job.kind {
            ImportKind::OptOuts => self.write_opt_outs(&txn, &rows, now).await?,
            _ => self.write_leads(&txn, &rows, now).await?,
        };
        // Rows of a phone an earlier batch of this file wrote are duplicates, not updates.
        let existing_outside_file = existing
            .iter()
            .filter(|p| !earlier_batches.contains(*p))
            .count() as i64;
        counts.updated = existing_outside_file;
        counts.imported = rows.len() as i64 - existing.len() as i64;
        if !counts.rejected.is_empty() {
            for chunk in counts.rejected.chunks(5000) {
                rejections::Entity::insert_many(chunk.iter().map(|(line, reason)| {
                    rejections::ActiveModel {
                        job_id: Set(self.job.id),
                        line: Set(*line),
                        reason: Set(reason.chars().take(300).collect()),
                    }
                }))
                .on_conflict(
                    OnConflict::columns([rejections::Column::JobId, rejections::Column::Line])
                        .do_nothing()
                        .to_owned(),
                )
                .do_nothing()
                .exec(&txn)
                .await?;
            }
        }
        let moved = jobs::Entity::update_many()
            .col_expr(
                jobs::Column::RowsRead,
                Expr::col(jobs::Column::RowsRead).add(counts.read),
            )
            .col_expr(
                jobs::Column::Imported,
                Expr::col(jobs::Column::Imported).add(counts.imported),
            )
            .col_expr(
                jobs::Column::Updated,
                Expr::col(jobs::Column::Updated).add(counts.updated),
            )
            .col_expr(
                jobs::Column::Duplicates,
                Expr::col(jobs::Column::Duplicates).add(counts.duplicates),
            )
            .col_expr(
                jobs::Column::RejectedCount,
                Expr::col(jobs::Column::RejectedCount).add(counts.rejected.len() as i64),
            )
            .col_expr(jobs::Column::LastLine, Expr::value(counts.last_line))
            .filter(jobs::Column::Id.eq(self.job.id))
            .filter(jobs::Column::Status.eq(ImportStatus::Running))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved == 0 {
            // The job was ended meanwhile (a restart marked it FAILED): write nothing more.
            txn.rollback().await?;
            return Err(AppError::validation("The import was stopped."));
        }
        txn.commit().await?;
        self.publish().await;
        Ok(())
    }

    /// Upserts a batch of leads and their tags; returns the phones that existed before.
    async fn write_leads(
        &self,
        txn: &DatabaseTransaction,
        rows: &[Row],
        now: DateTime<Utc>,
    ) -> AppResult<HashSet<String>> {
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        let written = if txn.get_database_backend() == DbBackend::Postgres {
            self.upsert_leads_postgres(txn, rows, now).await?
        } else {
            self.upsert_leads(txn, rows, now).await?
        };
        if self.layout.index(Column::Niches).is_some() {
            let by_phone: HashMap<&str, Uuid> =
                written.iter().map(|w| (w.phone.as_str(), w.id)).collect();
            if self.job.tag_mode == TagMergeMode::Replace {
                // A lead this batch created has no tags yet.
                let replaced: Vec<Uuid> = written
                    .iter()
                    .filter(|w| !w.inserted)
                    .map(|w| w.id)
                    .collect();
                for chunk in replaced.chunks(5000) {
                    lead_tags::Entity::delete_many()
                        .filter(lead_tags::Column::LeadId.is_in(chunk.iter().copied()))
                        .exec(txn)
                        .await?;
                }
            }
            let mut all_tags: Vec<Tag> = Vec::new();
            let mut keys: HashSet<String> = HashSet::new();
            let mut links: Vec<(Uuid, String)> = Vec::new();
            for row in rows {
                let Some(id) = by_phone.get(row.phone.as_str()) else {
                    continue;
                };
                for tag in row.tags.iter().flatten() {
                    if keys.insert(tag.key.clone()) {
                        all_tags.push(tag.clone());
                    }
                    links.push((*id, tag.key.clone()));
                }
            }
            super::ensure_tags(txn, self.owner, &all_tags).await?;
            super::link_tags(txn, self.owner, links).await?;
        }
        Ok(written
            .into_iter()
            .filter(|w| !w.inserted)
            .map(|w| w.phone)
            .collect())
    }

    /// Where the job's leads go: (kind, scope, device).
    fn target(&self) -> (AudienceKind, Uuid, Option<Uuid>) {
        match self.job.kind {
            ImportKind::AiLeads => (AudienceKind::Pool, self.owner.0, None),
            _ => {
                let device = self.job.device_id.unwrap_or(self.owner.0);
                (AudienceKind::Device, device, Some(device))
            }
        }
    }

    /// The stored columns a row of this file changes on a lead that exists (an absent column
    /// keeps what is stored).
    fn updated_columns(&self) -> Vec<leads::Column> {
        let has = |c: Column| self.layout.index(c).is_some();
        let mut update = vec![leads::Column::UpdatedAt];
        if has(Column::Name) {
            update.push(leads::Column::Name);
        }
        if has(Column::TargetStatus) {
            update.push(leads::Column::TargetStatus);
        }
        if has(Column::Triggers) {
            update.push(leads::Column::Triggers);
        }
        if has(Column::Notes) {
            update.push(leads::Column::Notes);
        }
        update
    }

    /// PostgreSQL: the batch goes in as one JSON parameter read back as rows, in one upsert
    /// that returns every lead's id and whether it is new. A `VALUES` list of 2,000 rows is
    /// 30,000 parameters, which PostgreSQL parses, binds and plans again for every batch: most
    /// of an import's time, measured.
    async fn upsert_leads_postgres(
        &self,
        txn: &DatabaseTransaction,
        rows: &[Row],
        now: DateTime<Utc>,
    ) -> AppResult<Vec<WrittenLead>> {
        #[derive(serde::Serialize)]
        struct JsonLead<'a> {
            id: Uuid,
            name: &'a str,
            phone: &'a str,
            target_status: String,
            triggers: &'a str,
            notes: &'a str,
        }
        let (kind, scope_id, device_id) = self.target();
        let batch: Vec<JsonLead<'_>> = rows
            .iter()
            .map(|row| JsonLead {
                id: Uuid::new_v4(),
                name: row.name.as_deref().unwrap_or_default(),
                phone: &row.phone,
                target_status: row
                    .target_status
                    .unwrap_or(TargetStatus::Prospect)
                    .to_value(),
                triggers: row.triggers.as_deref().unwrap_or_default(),
                notes: row.notes.as_deref().unwrap_or_default(),
            })
            .collect();
        let batch = serde_json::to_value(&batch).map_err(|e| AppError::Internal(e.into()))?;
        let set = self
            .updated_columns()
            .into_iter()
            .map(|c| {
                let c = c.as_str();
                format!("{c} = EXCLUDED.{c}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let status = (kind == AudienceKind::Pool).then(|| AiLeadStatus::Pending.to_value());
        // `xmax = 0` tells a row this statement inserted from one it updated (an updated row
        // carries this transaction's id as its xmax).
        let sql = format!(
            "INSERT INTO leads (id, user_id, kind, scope_id, device_id, name, phone, target_status, \
             triggers, notes, source, status, sent_at, created_at, updated_at) \
             SELECT r.id, $1, $2, $3, $4, r.name, r.phone, r.target_status, r.triggers, r.notes, \
             $5, $6, NULL, $7, $7 \
             FROM jsonb_to_recordset($8::jsonb) AS r(id uuid, name text, phone text, \
             target_status text, triggers text, notes text) \
             ON CONFLICT (kind, scope_id, phone) DO UPDATE SET {set} \
             RETURNING id, phone, (xmax = 0) AS inserted"
        );
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            vec![
                self.owner.0.into(),
                kind.to_value().into(),
                scope_id.into(),
                device_id.into(),
                LeadSource::Import.to_value().into(),
                status.into(),
                now.into(),
                Value::Json(Some(Box::new(batch))),
            ],
        );
        Ok(WrittenLead::find_by_statement(statement).all(txn).await?)
    }

    /// SQLite: one multi-row upsert, with the batch's phones looked up before and after.
    async fn upsert_leads(
        &self,
        txn: &DatabaseTransaction,
        rows: &[Row],
        now: DateTime<Utc>,
    ) -> AppResult<Vec<WrittenLead>> {
        let (kind, scope_id, device_id) = self.target();
        let phones: Vec<String> = rows.iter().map(|r| r.phone.clone()).collect();
        let existing: HashSet<String> = leads::Entity::find()
            .select_only()
            .column(leads::Column::Phone)
            .filter(leads::Column::Kind.eq(kind))
            .filter(leads::Column::ScopeId.eq(scope_id))
            .filter(leads::Column::Phone.is_in(phones.clone()))
            .into_tuple::<String>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        let models = rows.iter().map(|row| leads::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(self.owner.0),
            kind: Set(kind),
            scope_id: Set(scope_id),
            device_id: Set(device_id),
            name: Set(row.name.clone().unwrap_or_default()),
            phone: Set(row.phone.clone()),
            target_status: Set(row.target_status.unwrap_or(TargetStatus::Prospect)),
            triggers: Set(row.triggers.clone().unwrap_or_default()),
            notes: Set(row.notes.clone().unwrap_or_default()),
            source: Set(LeadSource::Import),
            status: Set((kind == AudienceKind::Pool).then_some(AiLeadStatus::Pending)),
            sent_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
        leads::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    leads::Column::Kind,
                    leads::Column::ScopeId,
                    leads::Column::Phone,
                ])
                .update_columns(self.updated_columns())
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        let ids: Vec<(Uuid, String)> = leads::Entity::find()
            .select_only()
            .column(leads::Column::Id)
            .column(leads::Column::Phone)
            .filter(leads::Column::Kind.eq(kind))
            .filter(leads::Column::ScopeId.eq(scope_id))
            .filter(leads::Column::Phone.is_in(phones))
            .into_tuple()
            .all(txn)
            .await?;
        Ok(ids
            .into_iter()
            .map(|(id, phone)| WrittenLead {
                id,
                inserted: !existing.contains(&phone),
                phone,
            })
            .collect())
    }

    async fn write_opt_outs(
        &self,
        txn: &DatabaseTransaction,
        rows: &[Row],
        now: DateTime<Utc>,
    ) -> AppResult<HashSet<String>> {
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        if txn.get_database_backend() == DbBackend::Postgres {
            // The batch looks numbers up by `phone IN (2,000 values)`. After five runs
            // PostgreSQL switches a prepared statement to its generic plan, which guesses the
            // user's key selects a handful of rows and reads all of them for every batch (10 s a
            // batch at 100,000 rows, seen on leads). Planning each batch for its values keeps
            // the lookup on the whole key.
            txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                .await?;
        }
        let existing: HashSet<String> = opt_out_rows::Entity::find()
            .select_only()
            .column(opt_out_rows::Column::Phone)
            .filter(opt_out_rows::Column::UserId.eq(self.owner.0))
            .filter(opt_out_rows::Column::Phone.is_in(rows.iter().map(|r| r.phone.clone())))
            .into_tuple::<String>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        let entries = rows
            .iter()
            .map(|r| {
                (
                    r.phone.clone(),
                    r.reason.clone().unwrap_or_else(|| "imported".to_owned()),
                )
            })
            .collect();
        opt_outs::upsert(txn, self.owner, entries, OptOutSource::Import, now).await?;
        Ok(existing)
    }
}

/// Reads the file record by record (never all of it at once) and hands batches to the writer.
/// Returns an error message when the file breaks off unreadably.
fn read_file(
    file: File,
    layout: &Layout,
    country: Option<Country>,
    tx: tokio::sync::mpsc::Sender<Vec<Parsed>>,
) -> Result<(), String> {
    let mut input = BufReader::new(file);
    if layout.bom {
        let mut bom = [0u8; 3];
        input.read_exact(&mut bom).map_err(|e| e.to_string())?;
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as i64;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The record's first line (a quoted field may span several).
                let line = record.position().map_or(line, |p| p.line() as i64);
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                batch.push(parse_record(layout, country, line, &record));
            }
            Err(err) => {
                let line = err.position().map_or(line, |p| p.line() as i64);
                match err.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        batch.push(Parsed::Rejected(line, "not valid UTF-8 text".into()))
                    }
                    csv::ErrorKind::Io(_) => return Err("The file could not be read.".into()),
                    _ => batch.push(Parsed::Rejected(line, "not a valid CSV row".into())),
                }
            }
        }
        if batch.len() >= BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            if tx.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    Ok(())
}

/// Jobs left RUNNING by a process that stopped become FAILED with what they got done
/// (run once when a server starts).
pub async fn fail_interrupted(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let running = jobs::Entity::find()
        .filter(jobs::Column::Status.eq(ImportStatus::Running))
        .all(db)
        .await?;
    for job in &running {
        jobs::Entity::update_many()
            .col_expr(jobs::Column::Status, Expr::value(ImportStatus::Failed))
            .col_expr(
                jobs::Column::Error,
                Expr::value(format!(
                    "The server restarted during the import; the rows up to line {} were imported. Import the file again to finish (rows already imported are updated, not doubled).",
                    job.last_line
                )),
            )
            .col_expr(jobs::Column::FinishedAt, Expr::value(now))
            .filter(jobs::Column::Id.eq(job.id))
            .filter(jobs::Column::Status.eq(ImportStatus::Running))
            .exec(db)
            .await?;
    }
    Ok(running.len() as u64)
}

/// One of the owner's import jobs.
pub async fn job(
    db: &impl ConnectionTrait,
    owner: UserId,
    id: ImportJobId,
) -> AppResult<Option<jobs::Model>> {
    Ok(jobs::Entity::find_by_id(id.0)
        .filter(jobs::Column::UserId.eq(owner.0))
        .one(db)
        .await?)
}

/// A job's rejected rows, by line.
pub async fn rejected(
    db: &DatabaseConnection,
    job: Uuid,
    limit: u64,
) -> AppResult<Vec<rejections::Model>> {
    use sea_orm::QueryOrder;
    Ok(rejections::Entity::find()
        .filter(rejections::Column::JobId.eq(job))
        .order_by_asc(rejections::Column::Line)
        .limit(limit)
        .all(db)
        .await?)
}
