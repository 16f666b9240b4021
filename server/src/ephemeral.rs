//! Short-lived values with an expiry (the QR code a device is showing): in memory for one node,
//! in Redis when several nodes must see them.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::Context;
use async_trait::async_trait;
use fred::prelude::*;

#[async_trait]
pub trait Ephemeral: Send + Sync {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>>;
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
}

#[derive(Default)]
pub struct MemoryEphemeral {
    values: Mutex<HashMap<String, (String, Instant)>>,
}

#[async_trait]
impl Ephemeral for MemoryEphemeral {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let mut values = self
            .values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        let now = Instant::now();
        values.retain(|_, (_, until)| *until > now);
        values.insert(key.to_owned(), (value.to_owned(), now + ttl));
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let values = self
            .values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(values
            .get(key)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(v, _)| v.clone()))
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.values
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .remove(key);
        Ok(())
    }
}

pub struct RedisEphemeral {
    pub redis: Pool,
    pub prefix: String,
}

#[async_trait]
impl Ephemeral for RedisEphemeral {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let expire = fred::types::Expiration::PX(ttl.as_millis().max(1) as i64);
        let _: () = self
            .redis
            .set(
                format!("{}{key}", self.prefix),
                value,
                Some(expire),
                None,
                false,
            )
            .await
            .context("redis SET")?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        self.redis
            .get(format!("{}{key}", self.prefix))
            .await
            .context("redis GET")
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let _: () = self
            .redis
            .del(format!("{}{key}", self.prefix))
            .await
            .context("redis DEL")?;
        Ok(())
    }
}
