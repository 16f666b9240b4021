//! Scheduled rows coming due: PENDING → QUEUED once their `scheduled_at` has passed.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::{store::CounterDeltas, OutboxStatus};
use crate::{entities::broadcast_messages as rows, error::AppResult};

/// Rows promoted per statement: a due campaign of 100,000 rows moves in bounded steps.
const BATCH: u64 = 5_000;

/// Moves up to one batch of due PENDING rows to QUEUED and returns them (for the queue and the
/// subscribers). Safe on any number of nodes at once: the update re-checks `status = PENDING`
/// on every row it changes, so a row is promoted by one of them only.
pub async fn promote_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<Vec<rows::Model>> {
    let due = Query::select()
        .column(rows::Column::Id)
        .from(rows::Entity)
        // The partial index of scheduled rows (`pipeline_stage = 1`, see migration 000006).
        .and_where(Expr::cust("pipeline_stage = 1"))
        .and_where(Expr::col(rows::Column::Status).eq(OutboxStatus::Pending))
        .and_where(Expr::col(rows::Column::ScheduledAt).lte(now))
        .order_by(rows::Column::ScheduledAt, sea_orm::Order::Asc)
        .limit(BATCH)
        .to_owned();
    let txn = db.begin().await?;
    let promoted = rows::Entity::update_many()
        .col_expr(rows::Column::Status, Expr::value(OutboxStatus::Queued))
        .col_expr(rows::Column::QueuedAt, Expr::value(now))
        .col_expr(rows::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(rows::Column::Id.in_subquery(due))
        .filter(rows::Column::Status.eq(OutboxStatus::Pending))
        .exec_with_returning(&txn)
        .await?;
    let mut deltas = CounterDeltas::default();
    for row in &promoted {
        deltas.moved(row, Some(OutboxStatus::Pending), OutboxStatus::Queued);
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    Ok(promoted)
}
