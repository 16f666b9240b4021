//! The Redis queue: one stream per device (`{prefix}outbox:{device}`) with one consumer group;
//! each node reads as its own consumer. Entries handed to a node that died are taken over with
//! XAUTOCLAIM by the node that takes the device over. Settled entries are acknowledged and
//! deleted, so a stream's length is the work it still holds.

use std::{collections::HashMap, time::Duration};

use anyhow::Context;
use async_trait::async_trait;
use fred::{
    prelude::*,
    types::{streams::XID, Value as RedisValue},
};

use super::{Delivery, Queue};
use crate::types::ids::DeviceId;

const GROUP: &str = "dispatch";
const FIELD: &str = "row";

pub struct RedisQueue {
    pool: Pool,
    /// A connection of its own: XREADGROUP BLOCK holds its connection while it waits.
    reader: Client,
    prefix: String,
    consumer: String,
    /// Streams whose group this node created or saw; cleared when Redis says a group is gone.
    groups: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl RedisQueue {
    pub async fn connect(
        pool: Pool,
        config: fred::types::config::Config,
        prefix: &str,
        consumer: &str,
    ) -> anyhow::Result<Self> {
        let reader = Builder::from_config(config)
            .build()
            .context("building the queue reader")?;
        reader.init().await.context("connecting the queue reader")?;
        Ok(Self {
            pool,
            reader,
            prefix: prefix.to_owned(),
            consumer: consumer.to_owned(),
            groups: std::sync::Mutex::new(std::collections::HashSet::new()),
        })
    }

    fn key(&self, device_id: DeviceId) -> String {
        format!("{}outbox:{}", self.prefix, device_id)
    }

    fn device_of(&self, key: &str) -> Option<DeviceId> {
        key.strip_prefix(&self.prefix)?
            .strip_prefix("outbox:")
            .and_then(|id| DeviceId::parse(id).ok())
    }

    /// Creates the stream and its group if missing (the stream may have been lost with Redis).
    async fn ensure_group(&self, key: &str) -> anyhow::Result<()> {
        if self.groups.lock().is_ok_and(|g| g.contains(key)) {
            return Ok(());
        }
        let created: Result<(), _> = self.pool.xgroup_create(key, GROUP, "0", true).await;
        match created {
            Ok(()) => {}
            Err(err) if err.details().contains("BUSYGROUP") => {}
            Err(err) => return Err(err).context("redis XGROUP CREATE"),
        }
        if let Ok(mut groups) = self.groups.lock() {
            groups.insert(key.to_owned());
        }
        Ok(())
    }

    fn forget_groups(&self) {
        if let Ok(mut groups) = self.groups.lock() {
            groups.clear();
        }
    }
}

fn parse_row(fields: &HashMap<String, RedisValue>) -> Option<i64> {
    fields.get(FIELD)?.as_i64()
}

/// Reads an XREADGROUP reply — `[[key, [[id, [field, value, …]], …]], …]` (RESP2) or a map of
/// key → entries (RESP3) — into (key, [(entry id, row id)]). Entries without a row field (deleted
/// meanwhile) are skipped.
fn parse_streams(reply: RedisValue) -> Vec<(String, Vec<(String, i64)>)> {
    let streams: Vec<(RedisValue, RedisValue)> = match reply {
        RedisValue::Array(streams) => streams
            .into_iter()
            .filter_map(|stream| match stream {
                RedisValue::Array(mut pair) if pair.len() == 2 => {
                    let entries = pair.pop()?;
                    let key = pair.pop()?;
                    Some((key, entries))
                }
                _ => None,
            })
            .collect(),
        RedisValue::Map(map) => map
            .inner()
            .into_iter()
            .map(|(k, v)| (RedisValue::from(k), v))
            .collect(),
        _ => Vec::new(),
    };
    streams
        .into_iter()
        .filter_map(|(key, entries)| {
            let key = key.as_string()?;
            let RedisValue::Array(entries) = entries else {
                return Some((key, Vec::new()));
            };
            let parsed = entries
                .into_iter()
                .filter_map(|entry| {
                    let RedisValue::Array(mut parts) = entry else {
                        return None;
                    };
                    if parts.len() != 2 {
                        return None;
                    }
                    let fields = parts.pop()?;
                    let id = parts.pop()?.as_string()?;
                    let RedisValue::Array(fields) = fields else {
                        return None;
                    };
                    let row = fields
                        .chunks(2)
                        .find(|kv| kv.len() == 2 && kv[0].as_str().as_deref() == Some(FIELD))
                        .and_then(|kv| kv[1].as_i64())?;
                    Some((id, row))
                })
                .collect();
            Some((key, parsed))
        })
        .collect()
}

#[async_trait]
impl Queue for RedisQueue {
    async fn push_many(&self, batches: &[(DeviceId, Vec<i64>)]) -> anyhow::Result<()> {
        let pipeline = self.pool.next().pipeline();
        let mut commands = 0;
        for (device_id, row_ids) in batches {
            if row_ids.is_empty() {
                continue;
            }
            let key = self.key(*device_id);
            self.ensure_group(&key).await?;
            for row_id in row_ids {
                let _: () = pipeline
                    .xadd(&key, false, None, "*", vec![(FIELD, *row_id)])
                    .await?;
                commands += 1;
            }
        }
        if commands > 0 {
            let _: Vec<RedisValue> = pipeline.all().await.context("redis XADD")?;
        }
        Ok(())
    }

    async fn take(
        &self,
        devices: &[DeviceId],
        per_device: usize,
        wait: Duration,
    ) -> anyhow::Result<Vec<Delivery>> {
        if devices.is_empty() {
            tokio::time::sleep(wait).await;
            return Ok(Vec::new());
        }
        let keys: Vec<String> = devices.iter().map(|d| self.key(*d)).collect();
        let ids: Vec<&str> = vec![">"; keys.len()];
        let response: Result<RedisValue, _> = self
            .reader
            .xreadgroup(
                GROUP,
                &self.consumer,
                Some(per_device as u64),
                Some(wait.as_millis() as u64),
                false,
                keys.clone(),
                ids,
            )
            .await;
        let response = match response {
            Ok(response) => response,
            Err(err) if err.details().contains("NOGROUP") => {
                // A stream (or Redis itself) was lost: recreate the groups; the reconciler
                // puts the rows back.
                self.forget_groups();
                for key in &keys {
                    self.ensure_group(key).await?;
                }
                return Ok(Vec::new());
            }
            Err(err) => return Err(err).context("redis XREADGROUP"),
        };
        let mut deliveries = Vec::new();
        for (key, entries) in parse_streams(response) {
            let Some(device_id) = self.device_of(&key) else {
                continue;
            };
            for (entry, row_id) in entries {
                deliveries.push(Delivery {
                    device_id,
                    entry,
                    row_id,
                });
            }
        }
        Ok(deliveries)
    }

    async fn reclaim(&self, device_id: DeviceId) -> anyhow::Result<Vec<Delivery>> {
        let key = self.key(device_id);
        self.ensure_group(&key).await?;
        let mut deliveries = Vec::new();
        let mut cursor = "0-0".to_owned();
        loop {
            let (next, entries): (String, Vec<(String, HashMap<String, RedisValue>)>) = self
                .pool
                .xautoclaim_values(
                    &key,
                    GROUP,
                    &self.consumer,
                    0,
                    cursor.as_str(),
                    Some(500),
                    false,
                )
                .await
                .context("redis XAUTOCLAIM")?;
            for (entry, fields) in entries {
                if let Some(row_id) = parse_row(&fields) {
                    deliveries.push(Delivery {
                        device_id,
                        entry,
                        row_id,
                    });
                }
            }
            if next == "0-0" {
                break;
            }
            cursor = next;
        }
        Ok(deliveries)
    }

    async fn ack(&self, deliveries: &[Delivery]) -> anyhow::Result<()> {
        let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
        for delivery in deliveries {
            by_key
                .entry(self.key(delivery.device_id))
                .or_default()
                .push(delivery.entry.clone());
        }
        let pipeline = self.pool.next().pipeline();
        for (key, entries) in &by_key {
            let ids: Vec<XID> = entries
                .iter()
                .map(|e| XID::Manual(e.clone().into()))
                .collect();
            let _: () = pipeline.xack(key, GROUP, ids).await?;
            let _: () = pipeline.xdel(key, entries.clone()).await?;
        }
        let _: Vec<RedisValue> = pipeline.all().await.context("redis XACK/XDEL")?;
        Ok(())
    }

    async fn row_ids(&self, device_id: DeviceId) -> anyhow::Result<Vec<i64>> {
        let entries: Vec<(String, HashMap<String, RedisValue>)> = self
            .pool
            .xrange_values(self.key(device_id), "-", "+", None)
            .await
            .context("redis XRANGE")?;
        Ok(entries
            .iter()
            .filter_map(|(_, fields)| parse_row(fields))
            .collect())
    }
}
