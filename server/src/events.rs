//! The event bus behind GraphQL subscriptions.
//!
//! Without Redis, events go through an in-process broadcast channel. With Redis, every event is
//! published on one Redis pub/sub channel and each node forwards what it receives into its own
//! broadcast channel, so a subscription on one node sees events published on any node.

use std::sync::Arc;

use anyhow::Context;
use fred::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

/// One domain event, addressed to the user who owns the object it is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub user_id: Uuid,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type")]
pub enum EventKind {
    /// The user's profile changed.
    UserUpdated,
}

/// How many events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<Event>>,
    redis: Option<RedisPublisher>,
}

#[derive(Clone)]
struct RedisPublisher {
    client: Pool,
    channel: String,
}

impl EventBus {
    /// A bus for one process.
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self { local, redis: None }
    }

    /// A bus shared by every node on the same Redis and prefix.
    pub async fn redis(
        client: Pool,
        config: fred::types::config::Config,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let (local, _) = broadcast::channel(CHANNEL_CAPACITY);
        let channel = format!("{prefix}events");
        let subscriber = Builder::from_config(config)
            .build_subscriber_client()
            .context("building the Redis subscriber")?;
        subscriber
            .init()
            .await
            .context("connecting the Redis subscriber")?;
        // Re-subscribes by itself after a reconnect.
        let _resubscribe = subscriber.manage_subscriptions();
        subscriber
            .subscribe(channel.clone())
            .await
            .context("subscribing to the event channel")?;
        let mut messages = subscriber.message_rx();
        let forward = local.clone();
        tokio::spawn(async move {
            // Keeps the subscriber client alive as long as the forwarding task runs.
            let _subscriber = subscriber;
            loop {
                match messages.recv().await {
                    Ok(message) => {
                        let Some(text) = message.value.as_str() else {
                            continue;
                        };
                        match serde_json::from_str::<Event>(&text) {
                            Ok(event) => {
                                let _ = forward.send(Arc::new(event));
                            }
                            Err(err) => {
                                tracing::warn!(error = %err, "undecodable event on the bus")
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event bus forwarder lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(Self {
            local,
            redis: Some(RedisPublisher { client, channel }),
        })
    }

    /// Publishes an event to every subscriber on every node. Never fails the caller: the event
    /// describes a change already committed, so a lost notification is logged, not raised.
    pub async fn publish(&self, event: Event) {
        if let Some(redis) = &self.redis {
            let payload = match serde_json::to_string(&event) {
                Ok(p) => p,
                Err(err) => {
                    tracing::error!(error = %err, "cannot encode event");
                    return;
                }
            };
            let sent: Result<i64, _> = redis.client.next().publish(&redis.channel, payload).await;
            match sent {
                Ok(_) => return,
                // Redis is down: at least the subscribers on this node get it.
                Err(err) => {
                    tracing::warn!(error = %err, "publishing on Redis failed; delivering locally")
                }
            }
        }
        let _ = self.local.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.local.subscribe()
    }
}
