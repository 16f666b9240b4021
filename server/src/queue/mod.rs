//! The dispatch queue: per device, the ids of outbox rows waiting to be sent. It carries work,
//! not truth — a lost or duplicated entry is harmless because the row's status decides (a row
//! not in QUEUED is skipped), and the reconciler re-enqueues rows whose entry was lost.

pub mod memory;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

use crate::types::ids::DeviceId;

/// One entry taken from a device's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub device_id: DeviceId,
    /// The entry's id in its stream (acknowledged once the row is settled).
    pub entry: String,
    pub row_id: i64,
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Appends row ids to the device's queue.
    async fn push(&self, device_id: DeviceId, row_ids: &[i64]) -> anyhow::Result<()> {
        self.push_many(&[(device_id, row_ids.to_vec())]).await
    }
    /// Appends row ids to several devices' queues in one go.
    async fn push_many(&self, batches: &[(DeviceId, Vec<i64>)]) -> anyhow::Result<()>;
    /// Takes up to `per_device` entries for each of `devices`, waiting up to `wait` when none
    /// has work.
    async fn take(
        &self,
        devices: &[DeviceId],
        per_device: usize,
        wait: Duration,
    ) -> anyhow::Result<Vec<Delivery>>;
    /// The device's entries that were handed to a consumer that is gone (a dead node), now
    /// handed to this node. Called when a node takes a device over.
    async fn reclaim(&self, device_id: DeviceId) -> anyhow::Result<Vec<Delivery>>;
    /// Removes settled entries.
    async fn ack(&self, deliveries: &[Delivery]) -> anyhow::Result<()>;
    /// The row ids the device's queue holds (waiting or handed out and not yet acknowledged).
    async fn row_ids(&self, device_id: DeviceId) -> anyhow::Result<Vec<i64>>;
}
