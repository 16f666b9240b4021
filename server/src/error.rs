//! The one error type of the API and its fixed set of codes.
//!
//! Resolvers and domain functions return `Result<T, AppError>`. Clients see `extensions.code`
//! and a human sentence; an `Internal` error is logged once, here, with its whole cause chain,
//! and the client sees only "Internal server error".

use async_graphql::{Enum, ErrorExtensions};

/// The codes a client can find in `extensions.code`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// No token, or the token is unknown, revoked or expired.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// The object does not exist or is not the caller's.
    NotFound,
    /// The input is invalid; the message says why.
    BadUserInput,
    /// The request conflicts with existing data (e.g. the email is taken).
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    /// The device is not connected, so it cannot do this now.
    DeviceOffline,
    /// Something failed on the server; it has been logged.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::DeviceOffline => "DEVICE_OFFLINE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// Deliberately not `Display`: async-graphql turns any `Display` error into a client message
/// without a code, so the only way out of a resolver is the `From` below, which sets the code.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated(&'static str),
    Forbidden,
    NotFound(&'static str),
    Validation(String),
    Conflict(String),
    RateLimited {
        retry_after_seconds: u64,
    },
    DeviceOffline(String),
    /// A subscriber fell this many events behind the live updates; its stream ends.
    FellBehind(u64),
    Internal(anyhow::Error),
}

impl From<crate::types::InvalidValue> for AppError {
    fn from(err: crate::types::InvalidValue) -> Self {
        AppError::Validation(err.0)
    }
}

impl From<crate::types::InvalidValue> for async_graphql::Error {
    fn from(err: crate::types::InvalidValue) -> Self {
        AppError::from(err).into()
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(err)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A client's value as an error message quotes it: in full when short, else only its length
/// (an error message never echoes a megabyte back).
pub fn quoted(raw: &str) -> String {
    let length = raw.chars().count();
    if length <= 64 {
        format!("{raw:?}")
    } else {
        format!("The value of {length} characters")
    }
}

impl AppError {
    pub fn validation(message: impl Into<String>) -> Self {
        AppError::Validation(message.into())
    }

    /// The sentence the client sees.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(m) => (*m).to_owned(),
            AppError::Forbidden => "You are not allowed to do this.".to_owned(),
            AppError::NotFound(what) => format!("{what} not found."),
            AppError::Validation(m) | AppError::Conflict(m) | AppError::DeviceOffline(m) => {
                m.clone()
            }
            AppError::RateLimited {
                retry_after_seconds,
            } => {
                format!("Too many attempts. Try again in {retry_after_seconds} seconds.")
            }
            AppError::FellBehind(missed) => format!(
                "This subscription fell behind the live updates ({missed} missed); subscribe again and reload what it shows."
            ),
            AppError::Internal(_) => "Internal server error".to_owned(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Validation(_) => ErrorCode::BadUserInput,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::DeviceOffline(_) => ErrorCode::DeviceOffline,
            // The state moved on without the subscriber: it reloads, as after any conflict.
            AppError::FellBehind(_) => ErrorCode::Conflict,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("database error"))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            // The single place internal failures are logged; the client sees no details.
            tracing::error!(error = ?cause, "internal error");
        }
        let code = err.code();
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            if let AppError::RateLimited {
                retry_after_seconds,
            } = err
            {
                ext.set("retryAfterSeconds", retry_after_seconds);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let err: async_graphql::Error =
            AppError::Internal(anyhow::anyhow!("relation \"users\" does not exist")).into();
        assert_eq!(err.message, "Internal server error");
        let ext = err.extensions.expect("extensions");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("INTERNAL"))
        );
    }

    #[test]
    fn long_values_are_not_echoed() {
        assert_eq!(quoted("abc"), "\"abc\"");
        assert_eq!(quoted(&"x".repeat(1000)), "The value of 1000 characters");
    }

    #[test]
    fn every_variant_maps_to_its_code() {
        let cases = [
            (AppError::Unauthenticated("x"), "UNAUTHENTICATED"),
            (AppError::Forbidden, "FORBIDDEN"),
            (AppError::NotFound("Device"), "NOT_FOUND"),
            (AppError::validation("bad"), "BAD_USER_INPUT"),
            (AppError::Conflict("taken".into()), "CONFLICT"),
            (
                AppError::RateLimited {
                    retry_after_seconds: 3,
                },
                "RATE_LIMITED",
            ),
            (AppError::DeviceOffline("off".into()), "DEVICE_OFFLINE"),
            (AppError::FellBehind(3), "CONFLICT"),
        ];
        for (err, code) in cases {
            assert_eq!(err.code().as_str(), code);
        }
    }
}
