//! argon2id password hashing. Hashing is slow on purpose, so it runs on the blocking pool.

use anyhow::Context;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::domain::accounts::Password;

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane).
pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
    })
    .await
    .context("password hashing task failed")?
}

/// Checks a password against a stored hash. `None` compares against a fixed dummy hash so that
/// an unknown email takes as long as a wrong password.
pub async fn verify(candidate: &str, stored: Option<String>) -> anyhow::Result<bool> {
    let candidate = candidate.to_owned();
    let known = stored.is_some();
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored password hash is malformed: {e}"))?;
        let ok = Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
    .context("password verification task failed")?
}

/// argon2id hash of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zb8ljCz2h5qkZ7Q1VfWQZq7o1v1hL0cZk3v1m0d1s6Q";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let password = Password::parse("correct horse battery").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery", Some(stored)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }
}
