//! Idempotency keys for `sendMessage`: a client that repeats a request with the same key (say,
//! after a connection error that hid whether the first one went through) gets the first
//! request's message back, and nothing is sent twice.
//!
//! A key is claimed before anything is stored, by inserting its row; the primary key (user,
//! key) lets one request win. The winner sends and then records its outbox row on the key, or
//! gives the key back when the send failed before a row existed. A key lasts 24 hours.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr,
};
use sha2::{Digest, Sha256};

use crate::types::ids::UserId;
use crate::{
    entities::send_idempotency_keys as keys,
    error::{AppError, AppResult},
};

/// How long a key is remembered.
pub const KEY_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// How long a repeat waits for the first request to finish before it gives up with CONFLICT.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(3);
/// A first request that has not finished after this long never will (its node stopped).
const ABANDONED_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// A client's idempotency key: 1 to 100 printable characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let key = raw.trim();
        if key.is_empty() || key.chars().count() > 100 || key.chars().any(char::is_control) {
            return Err(AppError::validation(
                "The idempotency key must be 1 to 100 printable characters (a UUID is a good choice).",
            ));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fingerprint of a request: a key reused for a different message is refused.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// What claiming a key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's: send, then `complete` (or `release` on failure).
    New,
    /// An earlier request with this key made this outbox row.
    Done(i64),
}

/// Claims `key` for a request with `fingerprint`, or finds the earlier request's outbox row.
pub async fn claim(
    db: &DatabaseConnection,
    user: UserId,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> AppResult<Claim> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let now = Utc::now();
        keys::Entity::delete_many()
            .filter(keys::Column::UserId.eq(user.0))
            .filter(keys::Column::CreatedAt.lt(now - KEY_LIFETIME))
            .exec(db)
            .await?;
        let inserted = keys::ActiveModel {
            user_id: Set(user.0),
            idempotency_key: Set(key.0.clone()),
            request_hash: Set(fingerprint.to_owned()),
            outbox_id: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await;
        match inserted {
            Ok(_) => return Ok(Claim::New),
            Err(err) if !matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(err.into())
            }
            Err(_) => {}
        }
        let Some(first) = keys::Entity::find_by_id((user.0, key.0.clone()))
            .one(db)
            .await?
        else {
            continue; // it expired and was removed meanwhile
        };
        if first.request_hash != fingerprint {
            return Err(AppError::Conflict(
                "This idempotency key was already used for a different message.".into(),
            ));
        }
        if let Some(outbox_id) = first.outbox_id {
            return Ok(Claim::Done(outbox_id));
        }
        if now - first.created_at > ABANDONED_AFTER {
            return Err(AppError::Conflict(
                "An earlier request with this idempotency key did not finish; check the outbox \
                 before sending again with a new key."
                    .into(),
            ));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(AppError::Conflict(
                "A request with this idempotency key is still being sent; try again in a moment."
                    .into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What `run_once` did.
#[derive(Debug)]
pub enum Once<T> {
    /// This was the first request with the key; `send` ran.
    First(T),
    /// An earlier request with the key made this outbox row; nothing ran.
    Repeat(i64),
}

/// Runs `send` unless an earlier request with `key` did; records the outbox row it made
/// (`outbox_id_of`), or gives the key back when it failed.
pub async fn run_once<T>(
    db: &DatabaseConnection,
    user: UserId,
    key: &IdempotencyKey,
    fingerprint: &str,
    outbox_id_of: impl FnOnce(&T) -> Option<i64>,
    send: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<Once<T>> {
    if let Claim::Done(outbox_id) = claim(db, user, key, fingerprint).await? {
        return Ok(Once::Repeat(outbox_id));
    }
    let sent = send.await;
    match sent.as_ref().ok().and_then(outbox_id_of) {
        Some(outbox_id) => complete(db, user, key, outbox_id).await?,
        None => release(db, user, key).await?,
    }
    sent.map(Once::First)
}

/// Records the outbox row the claiming request made.
pub async fn complete(
    db: &DatabaseConnection,
    user: UserId,
    key: &IdempotencyKey,
    outbox_id: i64,
) -> AppResult<()> {
    keys::Entity::update_many()
        .col_expr(keys::Column::OutboxId, Expr::value(outbox_id))
        .filter(keys::Column::UserId.eq(user.0))
        .filter(keys::Column::IdempotencyKey.eq(key.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives the key back: the claiming request failed before anything was stored.
pub async fn release(db: &DatabaseConnection, user: UserId, key: &IdempotencyKey) -> AppResult<()> {
    keys::Entity::delete_many()
        .filter(keys::Column::UserId.eq(user.0))
        .filter(keys::Column::IdempotencyKey.eq(key.as_str()))
        .filter(keys::Column::OutboxId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_and_fingerprints_tell_parts_apart() {
        assert!(IdempotencyKey::parse("9b2f-ok").is_ok());
        assert!(IdempotencyKey::parse(" ").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(101)).is_err());
        assert!(IdempotencyKey::parse("a\u{0}").is_err());
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
    }
}
