//! Which node runs a device's session. With Redis, a lease per device (`SET NX PX` + renewal);
//! without Redis there is one node and it holds everything.
//!
//! The lease only decides who may *start* a session; the fencing token that guards writes comes
//! from the database (`devices.lease_token`, bumped on every take-over), so even a forgotten
//! Redis cannot let two nodes write for one device.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use fred::{
    prelude::*,
    types::{Expiration, SetOptions},
};
use futures::{stream, StreamExt};

use crate::types::ids::DeviceId;

#[async_trait]
pub trait Leases: Send + Sync {
    /// Tries to take the device; `true` when this node now holds it.
    async fn acquire(&self, device: DeviceId) -> anyhow::Result<bool>;
    /// Renews the leases of these devices; returns those this node lost.
    async fn renew(&self, devices: &[DeviceId]) -> anyhow::Result<Vec<DeviceId>>;
    async fn release(&self, device: DeviceId) -> anyhow::Result<()>;
    /// How often `renew` must run.
    fn renew_every(&self) -> Duration;
    /// Whether other nodes may hold devices (so orphans must be looked for).
    fn shared(&self) -> bool;
}

/// One node: every lease is granted.
pub struct LocalLeases;

#[async_trait]
impl Leases for LocalLeases {
    async fn acquire(&self, _device: DeviceId) -> anyhow::Result<bool> {
        Ok(true)
    }
    async fn renew(&self, _devices: &[DeviceId]) -> anyhow::Result<Vec<DeviceId>> {
        Ok(Vec::new())
    }
    async fn release(&self, _device: DeviceId) -> anyhow::Result<()> {
        Ok(())
    }
    fn renew_every(&self) -> Duration {
        Duration::from_secs(3600)
    }
    fn shared(&self) -> bool {
        false
    }
}

pub struct RedisLeases {
    pub redis: Pool,
    pub prefix: String,
    pub node_id: String,
    pub ttl: Duration,
}

const RENEW: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

impl RedisLeases {
    fn key(&self, device: DeviceId) -> String {
        format!("{}lease:device:{}", self.prefix, device)
    }

    fn ttl_ms(&self) -> i64 {
        self.ttl.as_millis() as i64
    }
}

#[async_trait]
impl Leases for RedisLeases {
    async fn acquire(&self, device: DeviceId) -> anyhow::Result<bool> {
        let set: Option<String> = self
            .redis
            .set(
                self.key(device),
                self.node_id.as_str(),
                Some(Expiration::PX(self.ttl_ms())),
                Some(SetOptions::NX),
                false,
            )
            .await
            .context("redis SET NX (lease)")?;
        Ok(set.is_some())
    }

    async fn renew(&self, devices: &[DeviceId]) -> anyhow::Result<Vec<DeviceId>> {
        let results: Vec<(DeviceId, anyhow::Result<i64>)> = stream::iter(devices.iter().copied())
            .map(|device| async move {
                let renewed: Result<i64, _> = self
                    .redis
                    .eval(
                        RENEW,
                        vec![self.key(device)],
                        vec![self.node_id.clone(), self.ttl_ms().to_string()],
                    )
                    .await;
                (device, renewed.context("redis EVAL (lease renew)"))
            })
            .buffer_unordered(64)
            .collect()
            .await;
        let mut lost = Vec::new();
        for (device, result) in results {
            match result {
                Ok(0) => lost.push(device),
                Ok(_) => {}
                // Redis unreachable: keep running; the fencing token still guards the writes,
                // and the lease expires on its own if this node is really cut off.
                Err(err) => {
                    tracing::warn!(device.id = %device, error = %err, "lease renewal failed")
                }
            }
        }
        Ok(lost)
    }

    async fn release(&self, device: DeviceId) -> anyhow::Result<()> {
        let _: i64 = self
            .redis
            .eval(RELEASE, vec![self.key(device)], vec![self.node_id.clone()])
            .await
            .context("redis EVAL (lease release)")?;
        Ok(())
    }

    fn renew_every(&self) -> Duration {
        self.ttl / 3
    }

    fn shared(&self) -> bool {
        true
    }
}
