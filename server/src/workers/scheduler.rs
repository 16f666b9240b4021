//! The scheduler: one task per node that, about once a second, does whatever has come due —
//! scheduled outbox rows (PENDING → QUEUED, then onto their queues) and campaigns (due ones
//! start, late ones pause, finished ones complete: `domain::campaigns::trigger`) and sequences
//! (enrolment, due steps, contacts moving on: `domain::sequences::run`). Every job is an
//! atomic claim in the database, so any number of nodes may tick at once: no leader election.
//!
//! `tick` takes the time as an argument (the app's clock: in sim mode one that
//! `simAdvanceClock` moves), so tests advance time instead of sleeping for a schedule.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    domain::{
        campaigns::trigger::{self, CampaignTicks},
        outbox::{self, send},
        sequences::{self, run::SequenceTicks},
    },
    error::AppResult,
    events::{self, EventKind, EventPublisher},
    state::AppState,
};

/// How often the scheduler looks for due work when nothing wakes it earlier.
const PERIOD: Duration = Duration::from_secs(1);

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickCounts {
    /// Scheduled outbox rows that came due and went onto their queues.
    pub promoted: usize,
    /// What happened to campaigns.
    pub campaigns: CampaignTicks,
    /// What happened to sequences.
    pub sequences: SequenceTicks,
}

/// Does everything due at `now`.
pub async fn tick(app: &AppState, now: DateTime<Utc>) -> AppResult<TickCounts> {
    let mut counts = TickCounts::default();
    loop {
        let promoted = outbox::promote_due(&app.db, now).await?;
        if promoted.is_empty() {
            break;
        }
        counts.promoted += promoted.len();
        send::push(app.queue.as_ref(), &promoted).await;
        events::publish_outbox(&app.events, &promoted).await;
    }
    counts.campaigns = trigger::tick(app.ports(), now).await?;
    counts.sequences = sequences::run::tick(app.ports(), now).await?;
    Ok(counts)
}

/// Ticks every `PERIOD`, and at once when the simulated clock moves (on any node).
pub async fn run(app: AppState) {
    let mut bus = app.events.subscribe();
    let mut every = tokio::time::interval(PERIOD);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            event = bus.recv() => match event {
                Ok(event) => match &event.kind {
                    EventKind::SimClockAdvanced { offset_seconds } => {
                        if let Some(clock) = &app.sim_clock {
                            clock.catch_up(*offset_seconds);
                        }
                    }
                    _ => continue,
                },
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
        let now = app.clock.now();
        match tick(&app, now).await {
            Ok(counts) => {
                if counts.promoted > 0 {
                    tracing::info!(promoted = counts.promoted, "scheduled messages came due");
                }
                let q = counts.sequences;
                if q.enrolled + q.queued as u64 + q.moved_on as u64 > 0 {
                    tracing::info!(
                        enrolled = q.enrolled,
                        queued = q.queued,
                        moved_on = q.moved_on,
                        "sequences moved on"
                    );
                }
                let c = counts.campaigns;
                if c.started + c.paused_late + c.completed > 0 {
                    tracing::info!(
                        started = c.started,
                        rows = c.rows,
                        paused_late = c.paused_late,
                        completed = c.completed,
                        "campaigns moved on"
                    );
                }
            }
            Err(err) => tracing::error!(error = ?err, "the scheduler's tick failed"),
        }
    }
}
