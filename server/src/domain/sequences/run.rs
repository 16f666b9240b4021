//! The scheduler's part of sequences, set-based and safe on any number of nodes: every change of
//! a contact is a conditional update (`… AND step_state = <expected>`), and a step's row is keyed
//! (step, device, phone), so a contact gets each step once whoever ticks.
//!
//! Per tick: leads changed since the last look are enrolled in the ACTIVE sequences whose
//! trigger code they carry; new contacts get their first due time; due contacts that opted out
//! stop; due steps become outbox rows (QUEUED, rendered when sent); contacts whose step row is
//! final move on to the next step (due after its delay) or complete — and chain.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use super::{publish_progress, ContactStatus, StepFailure};
use crate::{
    domain::{
        outbox::{self, send, CounterDeltas, DevicesToLock, OutboxStatus},
        Ports,
    },
    entities::{broadcast_messages as rows, sequence_steps as steps, sequences},
    error::AppResult,
    events,
};

/// Contacts moved per statement.
const BATCH: usize = 5000;
/// Leads changed this close to the last look are looked at again (enrolment is idempotent).
const ENROL_OVERLAP: Duration = Duration::seconds(5);

/// What one tick did to sequences.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SequenceTicks {
    pub enrolled: u64,
    /// Steps that became outbox rows.
    pub queued: usize,
    /// Contacts that moved on to their next step or finished.
    pub moved_on: usize,
}

/// `$n` placeholders for PostgreSQL, `?n` for SQLite.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Whether `,key,` is inside a stored `,a,b,` list (no LIKE: keys may hold `_` or `%`).
fn contains(backend: DbBackend, list: &str, key: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("strpos({list}, ',' || {key} || ',') > 0"),
        _ => format!("instr({list}, ',' || {key} || ',') > 0"),
    }
}

pub async fn tick(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<SequenceTicks> {
    let mut ticks = SequenceTicks {
        enrolled: enrol(ports, now).await?,
        ..SequenceTicks::default()
    };
    first_due_times(ports, now).await?;
    ticks.moved_on = move_on(ports, now).await?;
    ticks.queued = queue_due_steps(ports, now).await?;
    Ok(ticks)
}

/// Enrols the leads changed since each ACTIVE sequence last looked: trigger code, target status
/// and niches match, not opted out; once per (sequence, lead).
async fn enrol(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<u64> {
    let db = ports.db;
    let backend = db.get_database_backend();
    let niche = contains(backend, "s.niche_keys", "t.tag_key");
    let sql = format!(
        "INSERT INTO sequence_contacts (sequence_id, user_id, lead_id, device_id, phone, name, status, \
         next_step, step_state, next_due_at, enrolled_at, updated_at) \
         SELECT s.id, l.user_id, l.id, l.device_id, l.phone, l.name, 'ACTIVE', 0, 'WAITING', NULL, $1, $1 \
         FROM sequences s JOIN leads l ON l.user_id = s.user_id \
         WHERE s.status = 'ACTIVE' AND l.kind = 'DEVICE' AND l.device_id IS NOT NULL \
         AND (s.enrolled_until IS NULL OR l.updated_at >= s.enrolled_until) \
         AND l.triggers LIKE s.trigger_pattern ESCAPE '\\' \
         AND (s.target_status IS NULL OR l.target_status = s.target_status) \
         AND (s.niche_keys = '' OR EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = l.id AND {niche})) \
         AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.user_id = l.user_id AND o.phone = l.phone) \
         ON CONFLICT (sequence_id, lead_id) DO NOTHING"
    );
    let txn = db.begin().await?;
    let enrolled = txn
        .execute(statement(backend, &sql, vec![now.into()]))
        .await?
        .rows_affected();
    txn.execute(statement(
        backend,
        "UPDATE sequences SET enrolled_until = $1 WHERE status = 'ACTIVE'",
        vec![(now - ENROL_OVERLAP).into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(enrolled)
}

#[derive(Debug, FromQueryResult)]
struct SequenceOnly {
    sequence_id: Uuid,
}

/// New contacts (enrolled, chained or restarted) are due their first step's delay from now.
async fn first_due_times(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<()> {
    let db = ports.db;
    let backend = db.get_database_backend();
    let waiting = SequenceOnly::find_by_statement(statement(
        backend,
        "SELECT DISTINCT sequence_id FROM sequence_contacts \
         WHERE status = 'ACTIVE' AND step_state = 'WAITING' AND next_due_at IS NULL",
        vec![],
    ))
    .all(db)
    .await?;
    for sequence in waiting {
        let steps = super::steps_of(db, sequence.sequence_id).await?;
        let Some(first) = steps.first() else {
            continue;
        };
        let due = now + Duration::minutes(i64::from(first.delay_minutes));
        db.execute(statement(
            backend,
            "UPDATE sequence_contacts SET next_due_at = $1, updated_at = $2 \
             WHERE sequence_id = $3 AND status = 'ACTIVE' AND step_state = 'WAITING' \
             AND next_due_at IS NULL AND next_step = 0",
            vec![due.into(), now.into(), sequence.sequence_id.into()],
        ))
        .await?;
    }
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct ContactId {
    id: i64,
}

/// Due contacts of ACTIVE sequences: opted-out ones stop, the others' next step becomes an
/// outbox row. Returns the rows queued.
async fn queue_due_steps(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<usize> {
    let db = ports.db;
    let backend = db.get_database_backend();
    db.execute(statement(
        backend,
        "UPDATE sequence_contacts SET status = 'OPTED_OUT', updated_at = $1 \
         WHERE status = 'ACTIVE' AND step_state = 'WAITING' AND next_due_at <= $1 \
         AND EXISTS (SELECT 1 FROM opt_outs o WHERE o.user_id = sequence_contacts.user_id \
         AND o.phone = sequence_contacts.phone)",
        vec![now.into()],
    ))
    .await?;
    let mut queued = 0;
    loop {
        let txn = db.begin().await?;
        let claimed = ClaimedContact::find_by_statement(statement(
            backend,
            &format!(
                "UPDATE sequence_contacts SET step_state = 'SENDING', updated_at = $1 WHERE id IN (\
                 SELECT c.id FROM sequence_contacts c JOIN sequences s ON s.id = c.sequence_id \
                 WHERE c.status = 'ACTIVE' AND c.step_state = 'WAITING' AND c.next_due_at <= $1 \
                 AND s.status = 'ACTIVE' ORDER BY c.next_due_at LIMIT {BATCH}) \
                 AND step_state = 'WAITING' RETURNING id, device_id, phone"
            ),
            vec![now.into()],
        ))
        .all(&txn)
        .await?;
        if claimed.is_empty() {
            txn.commit().await?;
            return Ok(queued);
        }
        let devices: HashSet<Uuid> = claimed.iter().map(|c| c.device_id).collect();
        let devices: Vec<Uuid> = devices.into_iter().collect();
        // A contact's device being deleted meanwhile takes the contact with it: the insert below
        // then finds no contact of it.
        outbox::lock_devices(&txn, DevicesToLock::Ids(&devices)).await?;
        let ids: Vec<String> = claimed.iter().map(|c| c.id.to_string()).collect();
        let inserted = rows::Entity::find()
            .from_raw_sql(statement(
                backend,
                &format!(
                    "INSERT INTO broadcast_messages (user_id, device_id, recipient_phone, recipient_jid, \
                     recipient_name, kind, image_ref, image_mime, source, sequence_step_id, status, attempts, \
                     min_delay_seconds, max_delay_seconds, scheduled_at, queued_at, created_at, updated_at) \
                     SELECT c.user_id, c.device_id, c.phone, SUBSTR(c.phone, 2) || '@s.whatsapp.net', \
                     NULLIF(c.name, ''), CASE WHEN st.image_ref IS NULL THEN 'text' ELSE 'image' END, \
                     st.image_ref, st.image_mime, 'SEQUENCE_STEP', st.id, 'QUEUED', 0, \
                     st.min_delay_seconds, st.max_delay_seconds, $1, $1, $1, $1 \
                     FROM sequence_contacts c JOIN sequence_steps st \
                     ON st.sequence_id = c.sequence_id AND st.position = c.next_step \
                     WHERE c.id IN ({}) ON CONFLICT DO NOTHING RETURNING *",
                    ids.join(", ")
                ),
                vec![now.into()],
            ))
            .all(&txn)
            .await?;
        let mut deltas = CounterDeltas::default();
        for row in &inserted {
            deltas.moved(row, None, OutboxStatus::Queued);
        }
        deltas.apply(&txn).await?;
        remember_rows(&txn, &claimed, &inserted).await?;
        txn.commit().await?;
        queued += inserted.len();
        send::push(ports.queue, &inserted).await;
        events::publish_outbox(ports.events, &inserted).await;
        if claimed.len() < BATCH {
            return Ok(queued);
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct ClaimedContact {
    id: i64,
    device_id: Uuid,
    phone: String,
}

#[derive(Debug, FromQueryResult)]
struct ContactRow {
    contact_id: i64,
    row_id: i64,
}

/// Stores on each claimed contact the id of its step's row: the one just inserted, or — when the
/// step's key (step, device, phone) had a row already, as after a restart — that one.
async fn remember_rows(
    txn: &DatabaseTransaction,
    claimed: &[ClaimedContact],
    inserted: &[rows::Model],
) -> AppResult<()> {
    let backend = txn.get_database_backend();
    // A lead's (device, phone) is unique, so it names the contact within a claimed batch.
    let by_recipient: HashMap<(Uuid, &str), i64> = inserted
        .iter()
        .map(|row| ((row.device_id, row.recipient_phone.as_str()), row.id))
        .collect();
    let mut pairs: Vec<(i64, i64)> = Vec::with_capacity(claimed.len());
    let mut missing: Vec<i64> = Vec::new();
    for contact in claimed {
        match by_recipient.get(&(contact.device_id, contact.phone.as_str())) {
            Some(row) => pairs.push((contact.id, *row)),
            None => missing.push(contact.id),
        }
    }
    if !missing.is_empty() {
        let existing = ContactRow::find_by_statement(statement(
            backend,
            &format!(
                "SELECT c.id AS contact_id, b.id AS row_id FROM sequence_contacts c \
                 JOIN sequence_steps st ON st.sequence_id = c.sequence_id AND st.position = c.next_step \
                 JOIN broadcast_messages b ON b.sequence_step_id = st.id AND b.device_id = c.device_id \
                 AND b.recipient_phone = c.phone WHERE c.id IN ({})",
                join(&missing)
            ),
            vec![],
        ))
        .all(txn)
        .await?;
        pairs.extend(existing.into_iter().map(|e| (e.contact_id, e.row_id)));
    }
    for chunk in pairs.chunks(BATCH) {
        let values = chunk
            .iter()
            .map(|(contact, row)| format!("({contact}, {row})"))
            .collect::<Vec<_>>()
            .join(", ");
        txn.execute(statement(
            backend,
            &format!(
                "UPDATE sequence_contacts SET row_id = v.column2 FROM (VALUES {values}) AS v \
                 WHERE sequence_contacts.id = v.column1"
            ),
            vec![],
        ))
        .await?;
    }
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct Sending {
    contact_id: i64,
    user_id: Uuid,
    sequence_id: Uuid,
    next_step: i32,
    /// The status of the contact's step row; none while the row is not known yet.
    row_status: Option<OutboxStatus>,
}

/// Contacts whose step row is final: on to the next step (due its delay from now), or done —
/// COMPLETED (and enrolled in the next sequence, once), or FAILED when the step says stop.
/// Pages through every contact waiting on its row, so 100,000 contacts move on in one tick.
async fn move_on(ports: Ports<'_>, now: DateTime<Utc>) -> AppResult<usize> {
    let mut moved = 0;
    let mut after = 0;
    loop {
        let (page_moved, next) = move_on_page(ports, now, after).await?;
        moved += page_moved;
        match next {
            Some(last) => after = last,
            None => return Ok(moved),
        }
    }
}

/// One page of [`move_on`]: the waiting contacts with ids above `after`, in id order, each with
/// its row's status. The page is a subquery with its own LIMIT, so the outbox is only ever
/// reached by primary key from at most a page of contacts — however stale the statistics are
/// (the one-statement join of all waiting contacts with all final rows did not stay that way).
/// Returns what moved and the last contact id when there may be more.
async fn move_on_page(
    ports: Ports<'_>,
    now: DateTime<Utc>,
    after: i64,
) -> AppResult<(usize, Option<i64>)> {
    let db = ports.db;
    let backend = db.get_database_backend();
    let page = Sending::find_by_statement(statement(
        backend,
        &format!(
            "SELECT c.id AS contact_id, c.user_id, c.sequence_id, c.next_step, b.status AS row_status \
             FROM (SELECT id, user_id, sequence_id, next_step, row_id FROM sequence_contacts \
             WHERE status = 'ACTIVE' AND step_state = 'SENDING' AND id > $1 ORDER BY id LIMIT {BATCH}) c \
             LEFT JOIN broadcast_messages b ON b.id = c.row_id ORDER BY c.id"
        ),
        vec![after.into()],
    ))
    .all(db)
    .await?;
    let more_after = (page.len() == BATCH)
        .then(|| page.last().map(|c| c.contact_id))
        .flatten();
    let settled: Vec<Sending> = page
        .into_iter()
        .filter(|c| c.row_status.is_some_and(OutboxStatus::is_final))
        .collect();
    if settled.is_empty() {
        return Ok((0, more_after));
    }
    let sequence_ids: HashSet<Uuid> = settled.iter().map(|s| s.sequence_id).collect();
    let mut steps_by_sequence: HashMap<Uuid, Vec<steps::Model>> = HashMap::new();
    for id in &sequence_ids {
        steps_by_sequence.insert(*id, super::steps_of(db, *id).await?);
    }
    let sequences: HashMap<Uuid, sequences::Model> = sequences::Entity::find()
        .filter(sequences::Column::Id.is_in(sequence_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    // (sequence, step done, next due) → contacts; and the contacts that finished or failed.
    let mut next: HashMap<(Uuid, i32, DateTime<Utc>), Vec<i64>> = HashMap::new();
    let mut done: HashMap<(Uuid, i32, ContactStatus), Vec<i64>> = HashMap::new();
    for contact in &settled {
        let Some(steps) = steps_by_sequence.get(&contact.sequence_id) else {
            continue;
        };
        let step = steps.iter().find(|s| s.position == contact.next_step);
        let failed = contact.row_status == Some(OutboxStatus::Failed);
        if failed && step.is_some_and(|s| s.on_failure == StepFailure::Stop) {
            done.entry((
                contact.sequence_id,
                contact.next_step,
                ContactStatus::Failed,
            ))
            .or_default()
            .push(contact.contact_id);
            continue;
        }
        match steps.iter().find(|s| s.position == contact.next_step + 1) {
            Some(following) => {
                let due = now + Duration::minutes(i64::from(following.delay_minutes));
                next.entry((contact.sequence_id, contact.next_step, due))
                    .or_default()
                    .push(contact.contact_id);
            }
            None => done
                .entry((
                    contact.sequence_id,
                    contact.next_step,
                    ContactStatus::Completed,
                ))
                .or_default()
                .push(contact.contact_id),
        }
    }
    let mut moved = 0;
    let txn = db.begin().await?;
    for ((_, step, due), ids) in next {
        moved += txn
            .execute(statement(
                backend,
                &format!(
                    "UPDATE sequence_contacts SET next_step = next_step + 1, step_state = 'WAITING', \
                     next_due_at = $1, updated_at = $2 WHERE id IN ({}) AND step_state = 'SENDING' \
                     AND next_step = $3",
                    join(&ids)
                ),
                vec![due.into(), now.into(), step.into()],
            ))
            .await?
            .rows_affected() as usize;
    }
    let mut chained: Vec<(Uuid, Vec<i64>)> = Vec::new();
    for ((sequence, step, status), ids) in done {
        let finished = ContactId::find_by_statement(statement(
            backend,
            &format!(
                "UPDATE sequence_contacts SET status = $1, next_step = next_step + $2, \
                 step_state = 'WAITING', next_due_at = NULL, updated_at = $3 WHERE id IN ({}) \
                 AND step_state = 'SENDING' AND next_step = $4 RETURNING id",
                join(&ids)
            ),
            vec![
                status.to_value().into(),
                i32::from(status == ContactStatus::Completed).into(),
                now.into(),
                step.into(),
            ],
        ))
        .all(&txn)
        .await?;
        moved += finished.len();
        if status == ContactStatus::Completed {
            if let Some(following) = sequences.get(&sequence).and_then(|s| s.next_sequence_id) {
                chained.push((following, finished.iter().map(|c| c.id).collect()));
            }
        }
    }
    for (following, ids) in chained {
        if ids.is_empty() {
            continue;
        }
        // Once per (sequence, lead): a contact that went through the chain before is not
        // enrolled again.
        txn.execute(statement(
            backend,
            &format!(
                "INSERT INTO sequence_contacts (sequence_id, user_id, lead_id, device_id, phone, name, \
                 status, next_step, step_state, next_due_at, enrolled_at, updated_at) \
                 SELECT $1, c.user_id, c.lead_id, c.device_id, c.phone, c.name, 'ACTIVE', 0, 'WAITING', \
                 NULL, $2, $2 FROM sequence_contacts c WHERE c.id IN ({}) \
                 AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.user_id = c.user_id AND o.phone = c.phone) \
                 ON CONFLICT (sequence_id, lead_id) DO NOTHING",
                join(&ids)
            ),
            vec![following.into(), now.into()],
        ))
        .await?;
    }
    txn.commit().await?;
    let mut touched: HashMap<Uuid, Uuid> = HashMap::new();
    for contact in &settled {
        touched.insert(contact.sequence_id, contact.user_id);
    }
    for (sequence, owner) in touched {
        publish_progress(ports.events, owner, sequence).await;
    }
    Ok((moved, more_after))
}

fn join(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
