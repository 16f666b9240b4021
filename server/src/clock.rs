//! The time schedules go by: the real clock, or in sim mode a clock that tests, e2e and demos
//! move forward (`simAdvanceClock`) instead of waiting for a schedule.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    DatabaseConnection, EntityTrait, Set,
};

use crate::entities::sim_clock;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The machine's clock plus an offset that only grows.
#[derive(Default)]
pub struct SimClock {
    offset_seconds: AtomicI64,
}

impl SimClock {
    pub fn with_offset(seconds: i64) -> Self {
        Self {
            offset_seconds: AtomicI64::new(seconds),
        }
    }

    /// How far ahead of the machine's clock it is.
    pub fn offset_seconds(&self) -> i64 {
        self.offset_seconds.load(Ordering::SeqCst)
    }

    /// Takes an offset another node (or the database) knows; the clock never goes back.
    pub fn catch_up(&self, seconds: i64) {
        self.offset_seconds.fetch_max(seconds, Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset_seconds())
    }
}

/// The offset the simulated clock has reached (0 before the first move).
pub async fn stored_offset(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    Ok(sim_clock::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |row| row.offset_seconds))
}

/// Moves the simulated clock `seconds` forward for every node, in the database (one atomic
/// statement, so two moves at once add up), and returns the new offset.
pub async fn advance_stored(db: &DatabaseConnection, seconds: i64) -> Result<i64, sea_orm::DbErr> {
    let row = sim_clock::ActiveModel {
        id: Set(1),
        offset_seconds: Set(seconds),
    };
    sim_clock::Entity::insert(row)
        .on_conflict(
            OnConflict::column(sim_clock::Column::Id)
                .value(
                    sim_clock::Column::OffsetSeconds,
                    Expr::col((sim_clock::Entity, sim_clock::Column::OffsetSeconds)).add(seconds),
                )
                .to_owned(),
        )
        .exec(db)
        .await?;
    stored_offset(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sim_clock_runs_ahead_and_never_back() {
        let clock = SimClock::default();
        clock.catch_up(3600);
        clock.catch_up(60);
        assert_eq!(clock.offset_seconds(), 3600);
        let ahead = clock.now() - Utc::now();
        assert!(ahead >= chrono::Duration::seconds(3599));
    }
}
