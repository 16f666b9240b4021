//! DataLoaders: relations resolved per row are fetched in one query per request.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    domain::outbox::{CounterScope, OutboxStatus},
    entities::{devices, outbox_counters},
};

/// Devices by id (callers check ownership against the row's `user_id`).
pub struct DeviceLoader {
    pub db: DatabaseConnection,
}

impl Loader<Uuid> for DeviceLoader {
    type Value = devices::Model;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = devices::Entity::find()
            .filter(devices::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(std::sync::Arc::new)?;
        Ok(rows.into_iter().map(|d| (d.id, d)).collect())
    }
}

/// The outbox totals of devices, by status.
pub struct DeviceCountsLoader {
    pub db: DatabaseConnection,
}

impl Loader<Uuid> for DeviceCountsLoader {
    type Value = HashMap<OutboxStatus, i64>;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = outbox_counters::Entity::find()
            .filter(outbox_counters::Column::ScopeKind.eq(CounterScope::Device))
            .filter(outbox_counters::Column::ScopeId.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(std::sync::Arc::new)?;
        let mut counts: HashMap<Uuid, Self::Value> =
            keys.iter().map(|k| (*k, HashMap::new())).collect();
        for row in rows {
            counts
                .entry(row.scope_id)
                .or_default()
                .insert(row.status, row.count);
        }
        Ok(counts)
    }
}

/// How many recent chats of devices have unread messages.
pub struct UnreadChatsLoader {
    pub db: DatabaseConnection,
    /// The inbox's recent window (`WAFLEET_INBOX_DAYS`).
    pub window_days: i64,
}

impl Loader<Uuid> for UnreadChatsLoader {
    type Value = i64;
    type Error = std::sync::Arc<crate::error::AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        crate::domain::inbox::unread_chats(&self.db, keys, self.window_days)
            .await
            .map_err(std::sync::Arc::new)
    }
}
