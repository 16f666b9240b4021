//! Counting login attempts per key in a fixed window: in memory for one node, in Redis when
//! several nodes share the work.
//!
//! An attempt is counted before its password is checked, in one atomic step (Redis `INCR` with
//! the window's expiry in the same script; a mutex in memory), so parallel attempts cannot all
//! pass the check before any of them is recorded.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::Context;
use async_trait::async_trait;
use fred::prelude::*;

/// The attempts counted for a key so far in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    /// Including the one just counted.
    pub count: u32,
    /// Until the window ends and the count starts again.
    pub window_left: Duration,
}

#[async_trait]
pub trait FailureCounter: Send + Sync {
    /// Counts one attempt for `key`; the window starts with the first attempt.
    async fn attempt(&self, key: &str, window: Duration) -> anyhow::Result<Attempts>;
    /// Takes back one attempt of `key` (it turned out to be a success).
    async fn forgive(&self, key: &str) -> anyhow::Result<()>;
    /// Clears the key.
    async fn reset(&self, key: &str) -> anyhow::Result<()>;
}

#[derive(Default)]
pub struct MemoryFailureCounter {
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl MemoryFailureCounter {
    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, HashMap<String, (u32, Instant)>>> {
        self.entries.lock().map_err(|_| anyhow::anyhow!("poisoned"))
    }
}

#[async_trait]
impl FailureCounter for MemoryFailureCounter {
    async fn attempt(&self, key: &str, window: Duration) -> anyhow::Result<Attempts> {
        let mut entries = self.lock()?;
        let now = Instant::now();
        entries.retain(|_, (_, until)| *until > now);
        let entry = entries.entry(key.to_owned()).or_insert((0, now + window));
        entry.0 = entry.0.saturating_add(1);
        Ok(Attempts {
            count: entry.0,
            window_left: entry.1.saturating_duration_since(now),
        })
    }

    async fn forgive(&self, key: &str) -> anyhow::Result<()> {
        let mut entries = self.lock()?;
        if let Some(entry) = entries.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
        }
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.lock()?.remove(key);
        Ok(())
    }
}

pub struct RedisFailureCounter {
    pub redis: Pool,
    pub prefix: String,
}

impl RedisFailureCounter {
    fn key(&self, key: &str) -> String {
        format!("{}login-attempts:{key}", self.prefix)
    }
}

/// INCR and, for the first attempt (or a key that somehow lost its expiry), PEXPIRE in one
/// step; returns the count and the milliseconds left of the window.
const ATTEMPT: &str = r"
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
";

/// DECR only a key that exists (a DECR of a missing key would leave one without expiry).
const FORGIVE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
end
return 0
";

#[async_trait]
impl FailureCounter for RedisFailureCounter {
    async fn attempt(&self, key: &str, window: Duration) -> anyhow::Result<Attempts> {
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        let (count, left): (i64, i64) = self
            .redis
            .eval(ATTEMPT, vec![self.key(key)], vec![window_ms])
            .await
            .context("redis EVAL (count a login attempt)")?;
        Ok(Attempts {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            window_left: Duration::from_millis(u64::try_from(left).unwrap_or(0)),
        })
    }

    async fn forgive(&self, key: &str) -> anyhow::Result<()> {
        let _: i64 = self
            .redis
            .eval(FORGIVE, vec![self.key(key)], Vec::<i64>::new())
            .await
            .context("redis EVAL (forgive a login attempt)")?;
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let _: () = self.redis.del(self.key(key)).await.context("redis DEL")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn attempts_are_counted_in_a_window_and_can_be_taken_back() {
        let counter = MemoryFailureCounter::default();
        let window = Duration::from_secs(60);
        assert_eq!(counter.attempt("k", window).await.unwrap().count, 1);
        let second = counter.attempt("k", window).await.unwrap();
        assert_eq!(second.count, 2);
        assert!(second.window_left <= window && second.window_left > Duration::from_secs(59));
        counter.forgive("k").await.unwrap();
        assert_eq!(counter.attempt("k", window).await.unwrap().count, 2);
        counter.reset("k").await.unwrap();
        assert_eq!(counter.attempt("k", window).await.unwrap().count, 1);
        let short = counter.attempt("short", Duration::ZERO).await.unwrap();
        assert_eq!(short.window_left, Duration::ZERO);
    }
}
