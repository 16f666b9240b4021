//! Reading the outbox: one row, pages of rows, and the running totals.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{CounterScope, OutboxStatus, Source};
use crate::{
    entities::{broadcast_messages as rows, outbox_counters},
    error::{AppError, AppResult},
    types::ids::{DeviceId, UserId},
};

/// Sends of a device since `since` (for its daily cap).
pub async fn sent_since(
    db: &DatabaseConnection,
    device_id: DeviceId,
    since: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(rows::Entity::find()
        .filter(rows::Column::DeviceId.eq(device_id.0))
        .filter(rows::Column::SentAt.gte(since))
        .count(db)
        .await?)
}

pub async fn find_owned(db: &DatabaseConnection, owner: UserId, id: i64) -> AppResult<rows::Model> {
    rows::Entity::find_by_id(id)
        .filter(rows::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Message"))
}

#[derive(Debug, Default, Clone)]
pub struct OutboxFilter {
    pub device_id: Option<DeviceId>,
    pub statuses: Vec<OutboxStatus>,
    pub source: Option<Source>,
    pub campaign_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A page of the owner's outbox, newest first (cursor: the last row id seen).
pub async fn list(
    db: &DatabaseConnection,
    owner: UserId,
    filter: &OutboxFilter,
    first: u64,
    after: Option<i64>,
) -> AppResult<(Vec<rows::Model>, bool, u64)> {
    let mut condition = Condition::all().add(rows::Column::UserId.eq(owner.0));
    if let Some(device) = filter.device_id {
        condition = condition.add(rows::Column::DeviceId.eq(device.0));
    }
    if !filter.statuses.is_empty() {
        condition = condition.add(rows::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(source) = filter.source {
        condition = condition.add(rows::Column::Source.eq(source));
    }
    if let Some(campaign) = filter.campaign_id {
        condition = condition.add(rows::Column::CampaignId.eq(campaign));
    }
    if let Some(from) = filter.from {
        condition = condition.add(rows::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(rows::Column::CreatedAt.lt(to));
    }
    let total = rows::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = rows::Entity::find().filter(condition);
    if let Some(after) = after {
        query = query.filter(rows::Column::Id.lt(after));
    }
    let mut items = query
        .order_by_desc(rows::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok((items, has_next, total))
}

/// The running totals of one scope (`device`, `campaign` or `user`), by status.
pub async fn counters(
    db: &DatabaseConnection,
    scope_kind: CounterScope,
    scope_id: Uuid,
) -> AppResult<HashMap<OutboxStatus, i64>> {
    let rows = outbox_counters::Entity::find()
        .filter(outbox_counters::Column::ScopeKind.eq(scope_kind))
        .filter(outbox_counters::Column::ScopeId.eq(scope_id))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.count)).collect())
}
