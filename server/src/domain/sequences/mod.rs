//! Drip sequences: leads enrolled by a trigger code (or by hand) get the sequence's steps one
//! at a time, each after its delay and inside its window in the lead's time, always from the
//! lead's own device; an answer stops the run (stop on reply), an opt-out ends it, a finished
//! run can chain into the next sequence.
//!
//! Lazy: a contact has one next step and its due time; only a due step becomes an outbox row
//! (`run::tick`), and the following step's due time is set once that row is final. A sequence
//! of 100,000 contacts and 10 steps never holds more than one unsent row per contact.
//!
//! - `editing`: the sequence and its steps as entered, checked (a loop of chained sequences, a
//!   trigger code taken) and saved; status changes and their effect on unsent rows;
//! - `run`: the scheduler's part — enrolment, due steps to the outbox, contacts moving on;
//! - `contacts`: enrolling by hand, removing, restarting, answers and opt-outs from the inbox,
//!   the contacts list and a contact's timeline;
//! - `progress`: per sequence and per step.

pub mod contacts;
pub mod editing;
pub mod progress;
pub mod run;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use crate::entities::enums::{ContactStatus, SequenceStatus, StepFailure, StepState};
use crate::{
    domain::campaigns::sending::{stored_template, stored_window, user_zone, SendRules},
    entities::{sequence_steps as steps, sequences},
    error::{AppError, AppResult},
    events::{Event, EventPublisher},
    types::ids::UserId,
};

/// One of the user's sequences, or `NOT_FOUND` (someone else's is not found either).
pub async fn find_owned(
    db: &DatabaseConnection,
    owner: UserId,
    id: Uuid,
) -> AppResult<sequences::Model> {
    sequences::Entity::find_by_id(id)
        .filter(sequences::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Sequence"))
}

/// The user's sequences, by name.
pub async fn list(db: &DatabaseConnection, owner: UserId) -> AppResult<Vec<sequences::Model>> {
    Ok(sequences::Entity::find()
        .filter(sequences::Column::UserId.eq(owner.0))
        .order_by_asc(sequences::Column::Name)
        .order_by_asc(sequences::Column::Id)
        .all(db)
        .await?)
}

/// A sequence's steps in order.
pub async fn steps_of(db: &DatabaseConnection, sequence_id: Uuid) -> AppResult<Vec<steps::Model>> {
    Ok(steps::Entity::find()
        .filter(steps::Column::SequenceId.eq(sequence_id))
        .order_by_asc(steps::Column::Position)
        .all(db)
        .await?)
}

/// The niche labels of a sequence.
pub fn niches(sequence: &sequences::Model) -> Vec<String> {
    sequence
        .niches
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a pacer needs to send a step's rows; `None` when the step is gone.
pub async fn send_rules(db: &DatabaseConnection, step_id: Uuid) -> AppResult<Option<SendRules>> {
    let Some(step) = steps::Entity::find_by_id(step_id).one(db).await? else {
        return Ok(None);
    };
    let Some(sequence) = sequences::Entity::find_by_id(step.sequence_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(SendRules::new(
        sequence.status == SequenceStatus::Active,
        stored_template(&step.message)?,
        stored_window(
            step.window_from.as_deref(),
            step.window_to.as_deref(),
            step.weekdays,
        ),
        user_zone(db, sequence.user_id).await?,
    )))
}

/// Tells subscribers (progress, lists, pacers' caches) that a sequence itself changed.
pub async fn publish(events: &dyn EventPublisher, owner: Uuid, sequence_id: Uuid) {
    events
        .publish(Event::sequence_changed(owner, sequence_id))
        .await;
}

/// Tells progress subscribers that a sequence's contacts moved on.
pub async fn publish_progress(events: &dyn EventPublisher, owner: Uuid, sequence_id: Uuid) {
    events
        .publish(Event::sequence_progressed(owner, sequence_id))
        .await;
}
