//! A sequence's contacts: enrolled by hand, removed, restarted; stopped by their answers and
//! opt-outs; listed with their timelines.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::{find_owned, publish_progress, steps_of, ContactStatus, StepState};
use crate::{
    domain::{
        outbox::{move_where, CounterDeltas, OutboxStatus},
        send_window::lead_zone,
        Ports,
    },
    entities::{
        broadcast_messages as rows, enums::AudienceKind, leads, opt_outs,
        sequence_contacts as contacts, sequence_steps as steps, sequences, whatsapp_messages,
    },
    error::{AppError, AppResult},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

/// Enrols the user's leads by hand (opted-out ones are left out; enrolled ones stay as they
/// are). Someone else's lead, or one that does not exist, refuses the whole request.
pub async fn enroll(
    ports: Ports<'_>,
    owner: UserId,
    sequence_id: Uuid,
    lead_ids: &[Uuid],
) -> AppResult<u64> {
    let now = ports.clock.now();
    let sequence = find_owned(ports.db, owner, sequence_id).await?;
    if lead_ids.is_empty() {
        return Ok(0);
    }
    if lead_ids.len() > 10_000 {
        return Err(AppError::validation(
            "Enrol at most 10,000 leads at a time.",
        ));
    }
    let found = leads::Entity::find()
        .filter(leads::Column::UserId.eq(owner.0))
        .filter(leads::Column::Kind.eq(AudienceKind::Device))
        .filter(leads::Column::Id.is_in(lead_ids.iter().copied()))
        .count(ports.db)
        .await?;
    let mut distinct = lead_ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if found as usize != distinct.len() {
        return Err(AppError::validation(
            "One of the leads does not exist (or is not yours).",
        ));
    }
    let backend = ports.db.get_database_backend();
    let (p, ids) = (
        |n: usize| match backend {
            sea_orm::DbBackend::Postgres => format!("${n}"),
            _ => format!("?{n}"),
        },
        distinct,
    );
    let placeholders: Vec<String> = (0..ids.len()).map(|n| p(n + 3)).collect();
    let mut values: Vec<sea_orm::Value> = vec![sequence.id.into(), now.into()];
    values.extend(ids.iter().map(|id| sea_orm::Value::from(*id)));
    let sql = format!(
        "INSERT INTO sequence_contacts (sequence_id, user_id, lead_id, device_id, phone, name, status, \
         next_step, step_state, next_due_at, enrolled_at, updated_at) \
         SELECT {seq}, l.user_id, l.id, l.device_id, l.phone, l.name, 'ACTIVE', 0, 'WAITING', NULL, {now}, {now} \
         FROM leads l WHERE l.id IN ({list}) AND l.device_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.user_id = l.user_id AND o.phone = l.phone) \
         ON CONFLICT (sequence_id, lead_id) DO NOTHING",
        seq = p(1),
        now = p(2),
        list = placeholders.join(", "),
    );
    let enrolled = ports
        .db
        .execute(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .rows_affected();
    publish_progress(ports.events, owner.0, sequence.id).await;
    Ok(enrolled)
}

/// One of the user's contacts.
pub async fn find_owned_contact(
    db: &DatabaseConnection,
    owner: UserId,
    id: i64,
) -> AppResult<contacts::Model> {
    contacts::Entity::find_by_id(id)
        .filter(contacts::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Contact"))
}

/// The rows of one contact's steps.
fn rows_of_contact(contact: &contacts::Model) -> Condition {
    Condition::all()
        .add(rows::Column::DeviceId.eq(contact.device_id))
        .add(rows::Column::RecipientPhone.eq(contact.phone.clone()))
        .add(
            rows::Column::SequenceStepId.in_subquery(
                Query::select()
                    .column(steps::Column::Id)
                    .from(steps::Entity)
                    .and_where(Expr::col(steps::Column::SequenceId).eq(contact.sequence_id))
                    .to_owned(),
            ),
        )
}

/// Ends contacts' runs as `status` and cancels their unsent step rows.
async fn end_runs(
    ports: Ports<'_>,
    ended: &[contacts::Model],
    status: ContactStatus,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if ended.is_empty() {
        return Ok(());
    }
    let txn = ports.db.begin().await?;
    contacts::Entity::update_many()
        .col_expr(contacts::Column::Status, Expr::value(status))
        .col_expr(contacts::Column::StepState, Expr::value(StepState::Waiting))
        .col_expr(
            contacts::Column::NextDueAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(contacts::Column::Id.is_in(ended.iter().map(|c| c.id)))
        .exec(&txn)
        .await?;
    let mut deltas = CounterDeltas::default();
    for contact in ended {
        for from in [OutboxStatus::Pending, OutboxStatus::Queued] {
            move_where(
                &txn,
                rows_of_contact(contact),
                from,
                OutboxStatus::Cancelled,
                now,
                &mut deltas,
            )
            .await?;
        }
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a contact from its sequence (its unsent step is cancelled).
pub async fn remove(ports: Ports<'_>, owner: UserId, id: i64) -> AppResult<contacts::Model> {
    let now = ports.clock.now();
    let contact = find_owned_contact(ports.db, owner, id).await?;
    end_runs(
        ports,
        std::slice::from_ref(&contact),
        ContactStatus::Removed,
        now,
    )
    .await?;
    publish_progress(ports.events, owner.0, contact.sequence_id).await;
    find_owned_contact(ports.db, owner, id).await
}

/// Starts a contact again from step 1: its earlier step rows stay in the outbox as history
/// (no longer keyed to the steps), so every step goes out again.
pub async fn restart(ports: Ports<'_>, owner: UserId, id: i64) -> AppResult<contacts::Model> {
    let now = ports.clock.now();
    let contact = find_owned_contact(ports.db, owner, id).await?;
    let opted_out = opt_outs::Entity::find()
        .filter(opt_outs::Column::UserId.eq(owner.0))
        .filter(opt_outs::Column::Phone.eq(contact.phone.clone()))
        .count(ports.db)
        .await?
        > 0;
    if opted_out {
        return Err(AppError::Conflict(
            "This number opted out; remove the opt-out first.".into(),
        ));
    }
    let txn = ports.db.begin().await?;
    let mut deltas = CounterDeltas::default();
    for from in [OutboxStatus::Pending, OutboxStatus::Queued] {
        move_where(
            &txn,
            rows_of_contact(&contact),
            from,
            OutboxStatus::Cancelled,
            now,
            &mut deltas,
        )
        .await?;
    }
    deltas.apply(&txn).await?;
    rows::Entity::update_many()
        .col_expr(rows::Column::SequenceStepId, Expr::value(None::<Uuid>))
        .filter(rows_of_contact(&contact))
        .filter(rows::Column::Status.ne(OutboxStatus::Sending))
        .exec(&txn)
        .await?;
    contacts::Entity::update_many()
        .col_expr(contacts::Column::Status, Expr::value(ContactStatus::Active))
        .col_expr(contacts::Column::NextStep, Expr::value(0))
        .col_expr(contacts::Column::StepState, Expr::value(StepState::Waiting))
        .col_expr(
            contacts::Column::NextDueAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            contacts::Column::RepliedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(contacts::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    publish_progress(ports.events, owner.0, contact.sequence_id).await;
    find_owned_contact(ports.db, owner, id).await
}

/// Inbound messages on a device: an enrolled contact who opted out stops everywhere; one who
/// answered stops (REPLIED) in the sequences that stop on reply, and the answer is noted on
/// the others' timelines.
pub async fn on_inbound(
    ports: Ports<'_>,
    owner: UserId,
    device: DeviceId,
    added: &[whatsapp_messages::Model],
) -> AppResult<()> {
    let now = ports.clock.now();
    let mut phones: Vec<String> = added
        .iter()
        .filter(|m| !m.from_me)
        .filter_map(|m| Jid::parse(&m.chat_jid).ok().and_then(|j| j.phone()))
        .map(|p| p.e164())
        .collect();
    phones.sort();
    phones.dedup();
    if phones.is_empty() {
        return Ok(());
    }
    let active = contacts::Entity::find()
        .filter(contacts::Column::UserId.eq(owner.0))
        .filter(contacts::Column::DeviceId.eq(device.0))
        .filter(contacts::Column::Phone.is_in(phones.clone()))
        .filter(contacts::Column::Status.eq(ContactStatus::Active))
        .all(ports.db)
        .await?;
    if active.is_empty() {
        return Ok(());
    }
    let opted: Vec<String> = opt_outs::Entity::find()
        .filter(opt_outs::Column::UserId.eq(owner.0))
        .filter(opt_outs::Column::Phone.is_in(phones))
        .all(ports.db)
        .await?
        .into_iter()
        .map(|o| o.phone)
        .collect();
    let stop_on_reply: Vec<Uuid> = sequences::Entity::find()
        .filter(sequences::Column::Id.is_in(active.iter().map(|c| c.sequence_id)))
        .filter(sequences::Column::StopOnReply.eq(true))
        .all(ports.db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let (opted_out, rest): (Vec<contacts::Model>, Vec<contacts::Model>) =
        active.into_iter().partition(|c| opted.contains(&c.phone));
    let (replied, answered): (Vec<contacts::Model>, Vec<contacts::Model>) = rest
        .into_iter()
        .partition(|c| stop_on_reply.contains(&c.sequence_id));
    end_runs(ports, &opted_out, ContactStatus::OptedOut, now).await?;
    end_runs(ports, &replied, ContactStatus::Replied, now).await?;
    let noted: Vec<i64> = replied.iter().chain(&answered).map(|c| c.id).collect();
    if !noted.is_empty() {
        contacts::Entity::update_many()
            .col_expr(contacts::Column::RepliedAt, Expr::value(now))
            .filter(contacts::Column::Id.is_in(noted))
            .filter(contacts::Column::RepliedAt.is_null())
            .exec(ports.db)
            .await?;
    }
    let mut touched: Vec<Uuid> = opted_out
        .iter()
        .chain(&replied)
        .chain(&answered)
        .map(|c| c.sequence_id)
        .collect();
    touched.sort();
    touched.dedup();
    for sequence in touched {
        publish_progress(ports.events, owner.0, sequence).await;
    }
    Ok(())
}

/// A page of a sequence's contacts (oldest enrolment first), and how many match.
pub async fn page(
    db: &DatabaseConnection,
    sequence_id: Uuid,
    status: Option<ContactStatus>,
    after: Option<i64>,
    first: u64,
) -> AppResult<(Vec<contacts::Model>, bool, u64)> {
    let mut condition = Condition::all().add(contacts::Column::SequenceId.eq(sequence_id));
    if let Some(status) = status {
        condition = condition.add(contacts::Column::Status.eq(status));
    }
    let total = contacts::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = contacts::Entity::find().filter(condition);
    if let Some(after) = after {
        query = query.filter(contacts::Column::Id.gt(after));
    }
    let mut items = query
        .order_by_asc(contacts::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok((items, more, total))
}

/// One entry of a contact's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    /// The step's position; `None` for the contact's answer.
    pub position: Option<i32>,
    pub status: String,
    pub at: Option<DateTime<Utc>>,
    pub text: Option<String>,
}

/// A contact's steps as they went, and their answer.
pub async fn timeline(
    db: &DatabaseConnection,
    contact: &contacts::Model,
) -> AppResult<Vec<TimelineEntry>> {
    let steps = steps_of(db, contact.sequence_id).await?;
    let sent = rows::Entity::find()
        .filter(rows_of_contact(contact))
        .order_by_asc(rows::Column::Id)
        .all(db)
        .await?;
    let mut entries: Vec<TimelineEntry> = sent
        .into_iter()
        .map(|row| TimelineEntry {
            position: steps
                .iter()
                .find(|s| Some(s.id) == row.sequence_step_id)
                .map(|s| s.position),
            status: sea_orm::ActiveEnum::to_value(&row.status),
            at: row.sent_at.or(Some(row.created_at)),
            text: row.text.or(row.caption),
        })
        .collect();
    if let Some(at) = contact.replied_at {
        entries.push(TimelineEntry {
            position: None,
            status: "REPLIED".into(),
            at: Some(at),
            text: None,
        });
    }
    entries.sort_by_key(|e| e.at);
    Ok(entries)
}

/// The zone a contact's times are shown in: their phone's country, else the user's.
pub fn zone_of(contact: &contacts::Model, user_zone: Tz) -> Tz {
    let country = PhoneNumber::parse(&contact.phone)
        .ok()
        .and_then(|p| p.country());
    lead_zone(country, user_zone)
}
