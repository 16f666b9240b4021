//! Counting failed logins per (email, IP) in a fixed window: in memory for one node, in Redis
//! when several nodes share the work.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::Context;
use async_trait::async_trait;
use fred::prelude::*;

#[async_trait]
pub trait FailureCounter: Send + Sync {
    /// Failures recorded for `key` within the current window.
    async fn failures(&self, key: &str) -> anyhow::Result<u32>;
    /// Records a failure; the window starts at the first failure.
    async fn record_failure(&self, key: &str, window: Duration) -> anyhow::Result<()>;
    /// Clears the key (after a successful login).
    async fn reset(&self, key: &str) -> anyhow::Result<()>;
}

#[derive(Default)]
pub struct MemoryFailureCounter {
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

#[async_trait]
impl FailureCounter for MemoryFailureCounter {
    async fn failures(&self, key: &str) -> anyhow::Result<u32> {
        let entries = self
            .entries
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(match entries.get(key) {
            Some((count, until)) if *until > Instant::now() => *count,
            _ => 0,
        })
    }

    async fn record_failure(&self, key: &str, window: Duration) -> anyhow::Result<()> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        let now = Instant::now();
        entries.retain(|_, (_, until)| *until > now);
        let entry = entries.entry(key.to_owned()).or_insert((0, now + window));
        entry.0 += 1;
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        entries.remove(key);
        Ok(())
    }
}

pub struct RedisFailureCounter {
    pub redis: Pool,
    pub prefix: String,
}

impl RedisFailureCounter {
    fn key(&self, key: &str) -> String {
        format!("{}login-failures:{key}", self.prefix)
    }
}

#[async_trait]
impl FailureCounter for RedisFailureCounter {
    async fn failures(&self, key: &str) -> anyhow::Result<u32> {
        let count: Option<u32> = self.redis.get(self.key(key)).await.context("redis GET")?;
        Ok(count.unwrap_or(0))
    }

    async fn record_failure(&self, key: &str, window: Duration) -> anyhow::Result<()> {
        let key = self.key(key);
        let count: u32 = self.redis.incr(&key).await.context("redis INCR")?;
        if count == 1 {
            let _: () = self
                .redis
                .pexpire(&key, window.as_millis() as i64, None)
                .await
                .context("redis PEXPIRE")?;
        }
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let _: () = self.redis.del(self.key(key)).await.context("redis DEL")?;
        Ok(())
    }
}
