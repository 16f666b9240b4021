//! Cursor pagination (Relay style) over lists ordered newest first by (created_at, id).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::AppError;

/// The largest page a client may ask for.
pub const MAX_PAGE: u64 = 200;
pub const DEFAULT_PAGE: u64 = 50;

/// A position in a list ordered by (created_at desc, id desc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{}|{}",
            self.created_at.timestamp_micros(),
            self.id
        ))
    }

    pub fn decode(raw: &str) -> Result<Self, AppError> {
        let invalid =
            || AppError::validation("The cursor is not valid; use one from a previous page.");
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (micros, id) = text.split_once('|').ok_or_else(invalid)?;
        let micros: i64 = micros.parse().map_err(|_| invalid())?;
        Ok(Self {
            created_at: DateTime::from_timestamp_micros(micros).ok_or_else(invalid)?,
            id: Uuid::parse_str(id).map_err(|_| invalid())?,
        })
    }
}

/// What a client asked for.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(first: Option<i32>, after: Option<&str>) -> Result<Self, AppError> {
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if n < 0 => return Err(AppError::validation("`first` cannot be negative.")),
            Some(n) => (n as u64).min(MAX_PAGE),
        };
        Ok(Self {
            first,
            after: after.map(Cursor::decode).transpose()?,
        })
    }
}

/// One page of results.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    pub total_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            created_at: Utc::now(),
            id: Uuid::new_v4(),
        };
        let decoded = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!(decoded.id, cursor.id);
        assert_eq!(
            decoded.created_at.timestamp_micros(),
            cursor.created_at.timestamp_micros()
        );
        assert!(Cursor::decode("!!!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x|y")).is_err());
    }

    #[test]
    fn page_size_is_clamped() {
        assert_eq!(
            PageRequest::parse(Some(10_000), None).unwrap().first,
            MAX_PAGE
        );
        assert_eq!(PageRequest::parse(None, None).unwrap().first, DEFAULT_PAGE);
        assert!(PageRequest::parse(Some(-1), None).is_err());
    }
}
