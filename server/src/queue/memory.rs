//! The in-process queue of the embedded default (one node, no Redis).

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::Duration,
};

use async_trait::async_trait;
use tokio::sync::Notify;

use super::{Delivery, Queue};
use crate::types::ids::DeviceId;

#[derive(Default)]
pub struct MemoryQueue {
    queues: Mutex<HashMap<DeviceId, VecDeque<i64>>>,
    in_flight: Mutex<HashMap<DeviceId, Vec<i64>>>,
    pushed: Notify,
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn push_many(&self, batches: &[(DeviceId, Vec<i64>)]) -> anyhow::Result<()> {
        {
            let mut queues = self
                .queues
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?;
            for (device_id, row_ids) in batches {
                queues.entry(*device_id).or_default().extend(row_ids);
            }
        }
        self.pushed.notify_waiters();
        Ok(())
    }

    async fn take(
        &self,
        devices: &[DeviceId],
        per_device: usize,
        wait: Duration,
    ) -> anyhow::Result<Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.pushed.notified();
            let taken: Vec<Delivery> = {
                let mut queues = self
                    .queues
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?;
                let mut taken = Vec::new();
                for device in devices {
                    let Some(queue) = queues.get_mut(device) else {
                        continue;
                    };
                    for _ in 0..per_device {
                        let Some(row_id) = queue.pop_front() else {
                            break;
                        };
                        taken.push(Delivery {
                            device_id: *device,
                            entry: row_id.to_string(),
                            row_id,
                        });
                    }
                }
                taken
            };
            if !taken.is_empty() {
                let mut in_flight = self
                    .in_flight
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?;
                for delivery in &taken {
                    in_flight
                        .entry(delivery.device_id)
                        .or_default()
                        .push(delivery.row_id);
                }
                return Ok(taken);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn reclaim(&self, device_id: DeviceId) -> anyhow::Result<Vec<Delivery>> {
        // One process, one pacer per device: entries handed out and not acknowledged belong to
        // the device's previous pacer, which stopped holding them.
        let in_flight = self
            .in_flight
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(in_flight
            .get(&device_id)
            .map(|rows| {
                rows.iter()
                    .map(|row_id| Delivery {
                        device_id,
                        entry: row_id.to_string(),
                        row_id: *row_id,
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn ack(&self, deliveries: &[Delivery]) -> anyhow::Result<()> {
        let mut in_flight = self
            .in_flight
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        for delivery in deliveries {
            if let Some(rows) = in_flight.get_mut(&delivery.device_id) {
                rows.retain(|id| *id != delivery.row_id);
            }
        }
        Ok(())
    }

    async fn row_ids(&self, device_id: DeviceId) -> anyhow::Result<Vec<i64>> {
        let mut ids: Vec<i64> = self
            .queues
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .get(&device_id)
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default();
        if let Some(rows) = self
            .in_flight
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .get(&device_id)
        {
            ids.extend(rows);
        }
        Ok(ids)
    }
}
