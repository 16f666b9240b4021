//! A sequence's progress: contacts per status and per step (grouped from the contacts table,
//! on request), and per step's rows from the running counters (scope `step`).

use std::collections::HashMap;

use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};

use super::{steps_of, ContactStatus};
use crate::{
    domain::outbox::{self, CounterScope, OutboxStatus},
    entities::{sequence_contacts as contacts, sequences},
    error::AppResult,
};

#[derive(Debug, Clone, Default)]
pub struct StepProgress {
    pub position: i32,
    /// Contacts whose next step is this one.
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub enrolled: i64,
    pub active: i64,
    pub completed: i64,
    pub replied: i64,
    pub opted_out: i64,
    pub failed: i64,
    pub removed: i64,
    pub steps: Vec<StepProgress>,
}

#[derive(Debug, FromQueryResult)]
struct Group {
    status: String,
    next_step: i32,
    n: i64,
}

pub async fn progress(db: &DatabaseConnection, sequence: &sequences::Model) -> AppResult<Progress> {
    let groups: Vec<Group> = contacts::Entity::find()
        .select_only()
        .column(contacts::Column::Status)
        .column(contacts::Column::NextStep)
        .column_as(contacts::Column::Id.count(), "n")
        .filter(contacts::Column::SequenceId.eq(sequence.id))
        .group_by(contacts::Column::Status)
        .group_by(contacts::Column::NextStep)
        .into_model::<Group>()
        .all(db)
        .await?;
    let steps = steps_of(db, sequence.id).await?;
    let mut result = Progress::default();
    let mut waiting: HashMap<i32, i64> = HashMap::new();
    for group in groups {
        result.enrolled += group.n;
        let status = ContactStatus::try_from_value(&group.status).ok();
        match status {
            Some(ContactStatus::Active) => {
                result.active += group.n;
                *waiting.entry(group.next_step).or_default() += group.n;
            }
            Some(ContactStatus::Completed) => result.completed += group.n,
            Some(ContactStatus::Replied) => result.replied += group.n,
            Some(ContactStatus::OptedOut) => result.opted_out += group.n,
            Some(ContactStatus::Failed) => result.failed += group.n,
            Some(ContactStatus::Removed) => result.removed += group.n,
            None => {}
        }
    }
    for step in steps {
        let counts = outbox::counters(db, CounterScope::Step, step.id).await?;
        let count = |s: OutboxStatus| counts.get(&s).copied().unwrap_or(0);
        result.steps.push(StepProgress {
            position: step.position,
            waiting: waiting.get(&step.position).copied().unwrap_or(0),
            sent: count(OutboxStatus::Sent)
                + count(OutboxStatus::Delivered)
                + count(OutboxStatus::Read),
            failed: count(OutboxStatus::Failed),
        });
    }
    Ok(result)
}
