//! Accounts and authentication: argon2id passwords, session and API tokens (random, stored as
//! SHA-256), login rate limiting, and the `Viewer` every protected resolver asks for.

pub mod accounts;
pub mod password;
pub mod rate_limit;
pub mod tokens;

use uuid::Uuid;

use crate::{error::AppError, types::ids::UserId};

/// The authenticated caller of one request or WebSocket connection.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user_id: UserId,
    /// The token the caller presented (a session or an API token).
    pub token_id: Uuid,
    /// When that token stops working (`None`: API tokens, until revoked).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a request carried, resolved before the operation runs.
#[derive(Debug, Clone)]
pub enum AuthState {
    /// No `Authorization` header / `connection_init` authorization.
    Anonymous,
    /// A token that is unknown, revoked or expired.
    Invalid,
    Authenticated(Viewer),
}

impl AuthState {
    /// The guard every protected resolver calls.
    pub fn viewer(&self) -> Result<Viewer, AppError> {
        match self {
            AuthState::Authenticated(viewer) => Ok(*viewer),
            AuthState::Anonymous => Err(AppError::Unauthenticated(
                "Authentication required: send a token as 'Authorization: Bearer <token>'.",
            )),
            AuthState::Invalid => Err(AppError::Unauthenticated(
                "Your token is invalid, revoked or expired. Log in again.",
            )),
        }
    }
}

/// Extracts the token from an `Authorization` value (`Bearer <token>`).
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_tokens_are_parsed_case_insensitively() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
