//! A sequence as entered, checked as a whole before anything is stored, and its status changes.

use std::collections::HashSet;

use chrono::{DateTime, Utc, Weekday};
use sea_orm::{
    sea_query::{Expr, Query},
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::{find_owned, publish, steps_of, SequenceStatus, StepFailure};
use crate::{
    domain::{
        campaigns::draft::MAX_DELAY_SECONDS,
        leads::tags::{self, parse_tags},
        outbox::{move_where, send::image_problem, CounterDeltas, OutboxStatus},
        send_window::{SendWindow, Weekdays},
        template::Template,
        Ports,
    },
    entities::{
        broadcast_messages as rows, enums::TargetStatus, sequence_steps as steps, sequences,
    },
    error::{AppError, AppResult},
    media,
    types::ids::UserId,
};

/// The most steps a sequence has.
pub const MAX_STEPS: usize = 50;
/// The longest delay of a step (a year, in minutes).
pub const MAX_DELAY_MINUTES: i32 = 365 * 24 * 60;

/// A step as a client sends it.
#[derive(Debug, Clone)]
pub struct StepInput {
    pub delay_minutes: i32,
    pub message: String,
    pub image: Option<Vec<u8>>,
    /// Keep the image the step at this position had.
    pub keep_image: bool,
    pub window: Option<(String, String)>,
    pub weekdays: Vec<Weekday>,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub on_failure: StepFailure,
}

/// A sequence as a client sends it.
#[derive(Debug, Clone)]
pub struct SequenceInput {
    pub name: String,
    pub trigger: String,
    pub niches: Vec<String>,
    pub target_status: Option<TargetStatus>,
    pub stop_on_reply: bool,
    pub next_sequence_id: Option<Uuid>,
    pub steps: Vec<StepInput>,
}

struct CheckedStep {
    input: StepInput,
    template: Template,
    window: Option<SendWindow>,
    weekdays: Weekdays,
}

fn check_step(n: usize, step: StepInput) -> AppResult<CheckedStep> {
    let at = |message: String| AppError::validation(format!("Step {}: {message}", n + 1));
    if step.delay_minutes < 0 {
        return Err(at("the delay cannot be negative.".into()));
    }
    if step.delay_minutes > MAX_DELAY_MINUTES {
        return Err(at("the delay can be at most a year.".into()));
    }
    let template = Template::parse(step.message.trim()).map_err(|e| at(e.0))?;
    let has_image = step.image.is_some() || step.keep_image;
    if !has_image && template.as_str().trim().is_empty() {
        return Err(at(
            "the message is empty: write one or attach an image.".into()
        ));
    }
    if !has_image && template.can_render_empty() {
        return Err(at(
            "some leads would get an empty message: give {name} a fallback, like {name|there}."
                .into(),
        ));
    }
    let (min, max) = (step.min_delay_seconds, step.max_delay_seconds);
    if min < 0 || !(0..=MAX_DELAY_SECONDS).contains(&max) {
        return Err(at(format!(
            "send delays are between 0 and {MAX_DELAY_SECONDS} seconds."
        )));
    }
    if min > max {
        return Err(at(format!(
            "the shortest delay ({min} s) is longer than the longest ({max} s)."
        )));
    }
    let weekdays = Weekdays::of(&step.weekdays);
    let window = match &step.window {
        Some((from, to)) => Some(
            SendWindow::new(
                SendWindow::parse_time(from).map_err(|e| at(e.0))?,
                SendWindow::parse_time(to).map_err(|e| at(e.0))?,
                weekdays,
            )
            .map_err(|e| at(e.0))?,
        ),
        None => None,
    };
    Ok(CheckedStep {
        input: step,
        template,
        window,
        weekdays,
    })
}

/// The folded trigger code, or why it cannot be one.
fn trigger_code(raw: &str) -> AppResult<String> {
    let stored = tags::parse_triggers(&[raw])?;
    let code = stored.trim_matches(',').to_owned();
    if code.is_empty() {
        return Err(AppError::validation(
            "Give the sequence a trigger code, like COLD.",
        ));
    }
    Ok(code)
}

/// Refuses a chain that comes back to `id`: following `next` from the chosen next sequence.
async fn check_chain(
    db: &DatabaseConnection,
    owner: UserId,
    id: Uuid,
    next: Option<Uuid>,
) -> AppResult<()> {
    let Some(first) = next else {
        return Ok(());
    };
    if first == id {
        return Err(AppError::validation("A sequence cannot chain into itself."));
    }
    let all = super::list(db, owner).await?;
    if !all.iter().any(|s| s.id == first) {
        return Err(AppError::validation(
            "The next sequence does not exist (or is not yours).",
        ));
    }
    let mut seen = HashSet::from([id]);
    let mut at = Some(first);
    while let Some(current) = at {
        if !seen.insert(current) {
            return Err(AppError::validation(
                "The chain of sequences would loop back: pick a next sequence that does not lead here.",
            ));
        }
        at = all
            .iter()
            .find(|s| s.id == current)
            .and_then(|s| s.next_sequence_id);
    }
    Ok(())
}

/// Creates (id `None`) or updates a sequence with its steps. Steps are matched by position:
/// an edit changes the steps not yet sent to a contact (a contact keeps its place).
pub async fn save(
    ports: Ports<'_>,
    owner: UserId,
    id: Option<Uuid>,
    input: SequenceInput,
) -> AppResult<sequences::Model> {
    let now = ports.clock.now();
    let existing = match id {
        Some(id) => Some(find_owned(ports.db, owner, id).await?),
        None => None,
    };
    let id = existing.as_ref().map_or_else(Uuid::new_v4, |s| s.id);
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation(
            "Give the sequence a name (at most 200 characters).",
        ));
    }
    let code = trigger_code(&input.trigger)?;
    let taken = sequences::Entity::find()
        .filter(sequences::Column::UserId.eq(owner.0))
        .filter(sequences::Column::TriggerCode.eq(code.clone()))
        .filter(sequences::Column::Id.ne(id))
        .one(ports.db)
        .await?;
    if let Some(other) = taken {
        return Err(AppError::validation(format!(
            "The trigger code {code} is used by the sequence \u{201c}{}\u{201d}.",
            other.name
        )));
    }
    check_chain(ports.db, owner, id, input.next_sequence_id).await?;
    if input.steps.is_empty() || input.steps.len() > MAX_STEPS {
        return Err(AppError::validation(format!(
            "A sequence has 1 to {MAX_STEPS} steps."
        )));
    }
    let niches = parse_tags(&input.niches)?;
    let checked: Vec<CheckedStep> = input
        .steps
        .into_iter()
        .enumerate()
        .map(|(n, step)| check_step(n, step))
        .collect::<AppResult<_>>()?;
    let old_steps = match &existing {
        Some(_) => steps_of(ports.db, id).await?,
        None => Vec::new(),
    };
    // Images are checked before anything is stored, then written.
    let mut images: Vec<Option<(String, String)>> = Vec::with_capacity(checked.len());
    for (n, step) in checked.iter().enumerate() {
        let image = match &step.input.image {
            Some(bytes) => {
                let kind = media::check_image(bytes::Bytes::from(bytes.clone()))
                    .await
                    .map_err(image_problem)?;
                Some((bytes.clone(), kind))
            }
            None => None,
        };
        images.push(match image {
            Some((bytes, kind)) => Some((
                media::store(&ports.config.media_dir, &bytes, kind).await?,
                kind.mime().to_owned(),
            )),
            None if step.input.keep_image => old_steps
                .get(n)
                .and_then(|s| s.image_ref.clone().zip(s.image_mime.clone())),
            None => None,
        });
    }
    let niche_keys = if niches.is_empty() {
        String::new()
    } else {
        format!(
            ",{},",
            niches
                .iter()
                .map(|t| t.key.clone())
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let model = sequences::ActiveModel {
        id: Set(id),
        user_id: Set(owner.0),
        name: Set(name),
        trigger_pattern: Set(tags::trigger_pattern(&code)),
        trigger_code: Set(code),
        niches: Set(niches
            .iter()
            .map(|t| t.label.clone())
            .collect::<Vec<_>>()
            .join("\n")),
        niche_keys: Set(niche_keys),
        target_status: Set(input.target_status),
        status: Set(existing
            .as_ref()
            .map_or(SequenceStatus::Draft, |s| s.status)),
        stop_on_reply: Set(input.stop_on_reply),
        next_sequence_id: Set(input.next_sequence_id),
        enrolled_until: Set(existing.as_ref().and_then(|s| s.enrolled_until)),
        created_at: Set(existing.as_ref().map_or(now, |s| s.created_at)),
        updated_at: Set(now),
    };
    let txn = ports.db.begin().await?;
    let saved = if existing.is_some() {
        model.update(&txn).await?
    } else {
        model.insert(&txn).await?
    };
    for (n, (step, image)) in checked.iter().zip(images).enumerate() {
        let (image_ref, image_mime) = image.unzip();
        let position = n as i32;
        let row = steps::ActiveModel {
            id: Set(old_steps.get(n).map_or_else(Uuid::new_v4, |s| s.id)),
            sequence_id: Set(id),
            position: Set(position),
            delay_minutes: Set(step.input.delay_minutes),
            message: Set(step.template.as_str().to_owned()),
            image_ref: Set(image_ref),
            image_mime: Set(image_mime),
            window_from: Set(step.window.map(|w| w.from.format("%H:%M").to_string())),
            window_to: Set(step.window.map(|w| w.to.format("%H:%M").to_string())),
            weekdays: Set(step.weekdays.bits()),
            min_delay_seconds: Set(step.input.min_delay_seconds),
            max_delay_seconds: Set(step.input.max_delay_seconds),
            on_failure: Set(step.input.on_failure),
        };
        if n < old_steps.len() {
            row.update(&txn).await?;
            // The step's unsent rows take the new content (rendered again when sent).
            rows::Entity::update_many()
                .col_expr(rows::Column::Text, Expr::value(None::<String>))
                .col_expr(rows::Column::Caption, Expr::value(None::<String>))
                .col_expr(rows::Column::UpdatedAt, Expr::value(now))
                .filter(rows::Column::SequenceStepId.eq(old_steps[n].id))
                .filter(rows::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Queued]))
                .exec(&txn)
                .await?;
        } else {
            row.insert(&txn).await?;
        }
    }
    if old_steps.len() > checked.len() {
        steps::Entity::delete_many()
            .filter(steps::Column::SequenceId.eq(id))
            .filter(steps::Column::Position.gte(checked.len() as i32))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    publish(ports.events, owner.0, id).await;
    Ok(saved)
}

/// The rows of a sequence's steps.
fn rows_of(sequence_id: Uuid) -> Condition {
    Condition::all().add(
        rows::Column::SequenceStepId.in_subquery(
            Query::select()
                .column(steps::Column::Id)
                .from(steps::Entity)
                .and_where(Expr::col(steps::Column::SequenceId).eq(sequence_id))
                .to_owned(),
        ),
    )
}

/// DRAFT → ACTIVE (contacts are enrolled from the next tick), ACTIVE → PAUSED (unsent rows
/// wait; contacts keep their due times), PAUSED → ACTIVE (the waiting rows go back on their
/// queues, spread by each device's pacing).
pub async fn set_status(
    ports: Ports<'_>,
    owner: UserId,
    id: Uuid,
    status: SequenceStatus,
) -> AppResult<sequences::Model> {
    let now: DateTime<Utc> = ports.clock.now();
    let sequence = find_owned(ports.db, owner, id).await?;
    if sequence.status == status {
        return Ok(sequence);
    }
    if status == SequenceStatus::Draft {
        return Err(AppError::Conflict(
            "A sequence that ran cannot go back to draft; pause it.".into(),
        ));
    }
    let txn = ports.db.begin().await?;
    let changed = sequences::Entity::update_many()
        .col_expr(sequences::Column::Status, Expr::value(status))
        .col_expr(sequences::Column::UpdatedAt, Expr::value(now))
        .filter(sequences::Column::Id.eq(id))
        .filter(sequences::Column::Status.eq(sequence.status))
        .exec_with_returning(&txn)
        .await?
        .pop()
        .ok_or_else(|| AppError::Conflict("The sequence changed meanwhile; reload.".into()))?;
    let mut deltas = CounterDeltas::default();
    let mut queued = Vec::new();
    if status == SequenceStatus::Paused {
        for from in [OutboxStatus::Queued, OutboxStatus::Pending] {
            move_where(
                &txn,
                rows_of(id),
                from,
                OutboxStatus::Pending,
                now,
                &mut deltas,
            )
            .await?;
        }
    } else if sequence.status == SequenceStatus::Paused {
        queued = move_where(
            &txn,
            rows_of(id).add(rows::Column::ScheduledAt.eq(crate::domain::outbox::held_until())),
            OutboxStatus::Pending,
            OutboxStatus::Queued,
            now,
            &mut deltas,
        )
        .await?;
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    crate::domain::outbox::send::push(ports.queue, &queued).await;
    publish(ports.events, owner.0, id).await;
    Ok(changed)
}

/// Deletes a sequence that is not ACTIVE; its unsent rows are cancelled, its sent history stays.
pub async fn delete(ports: Ports<'_>, owner: UserId, id: Uuid) -> AppResult<()> {
    let now = ports.clock.now();
    let sequence = find_owned(ports.db, owner, id).await?;
    if sequence.status == SequenceStatus::Active {
        return Err(AppError::Conflict(
            "An active sequence cannot be deleted: pause it first.".into(),
        ));
    }
    let txn = ports.db.begin().await?;
    let mut deltas = CounterDeltas::default();
    for from in [OutboxStatus::Queued, OutboxStatus::Pending] {
        move_where(
            &txn,
            rows_of(id),
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
        .filter(rows_of(id))
        .exec(&txn)
        .await?;
    sequences::Entity::update_many()
        .col_expr(sequences::Column::NextSequenceId, Expr::value(None::<Uuid>))
        .filter(sequences::Column::NextSequenceId.eq(id))
        .exec(&txn)
        .await?;
    sequences::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    publish(ports.events, owner.0, id).await;
    Ok(())
}
