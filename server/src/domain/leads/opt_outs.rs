//! Opt-outs: numbers of a user's that no campaign, sequence or AI campaign may message (a
//! person may still answer them from the inbox).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub use crate::entities::enums::OptOutSource;
use crate::{
    entities::{opt_outs as rows, whatsapp_messages},
    error::{AppError, AppResult},
    types::{
        ids::UserId,
        jid::Jid,
        phone::{Country, PhoneNumber},
    },
};

use super::super::pagination::{Page, PageRequest};

pub const MAX_REASON_CHARS: usize = 200;
/// Phrases that, as a whole message, opt the sender out (more in `WAFLEET_OPT_OUT_PHRASES`).
pub const DEFAULT_PHRASES: [&str; 5] = ["stop", "unsubscribe", "berhenti", "stop all", "opt out"];

/// Folds a message for phrase matching: case, accents, punctuation and emoji do not count.
fn phrase_key(text: &str) -> String {
    let folded = super::tags::fold(text);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a whole inbound message is an opt-out phrase ("STOP!!" is; "we must stop this
/// bill" is not).
pub fn is_opt_out_phrase(text: &str, extra: &[String]) -> bool {
    let key = phrase_key(text);
    if key.is_empty() {
        return false;
    }
    DEFAULT_PHRASES.iter().any(|p| *p == key) || extra.iter().any(|p| phrase_key(p) == key)
}

fn clean_reason(raw: Option<&str>, default: &str) -> AppResult<String> {
    let reason = raw
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(default);
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::validation(format!(
            "A reason can have at most {MAX_REASON_CHARS} characters."
        )));
    }
    Ok(reason.to_owned())
}

/// Upserts opt-outs: a number opted out again keeps its first time and gets the new reason.
pub async fn upsert(
    db: &impl ConnectionTrait,
    owner: UserId,
    entries: Vec<(String, String)>,
    source: OptOutSource,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for chunk in entries.chunks(5000) {
        rows::Entity::insert_many(chunk.iter().map(|(phone, reason)| rows::ActiveModel {
            user_id: Set(owner.0),
            phone: Set(phone.clone()),
            reason: Set(reason.clone()),
            source: Set(source),
            created_at: Set(now),
        }))
        .on_conflict(
            OnConflict::columns([rows::Column::UserId, rows::Column::Phone])
                .update_columns([rows::Column::Reason, rows::Column::Source])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Opts a number out by hand.
pub async fn opt_out(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    phone: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<rows::Model> {
    let phone = PhoneNumber::parse_in(phone, country)?.e164();
    let reason = clean_reason(reason, "opted out by hand")?;
    upsert(
        db,
        owner,
        vec![(phone.clone(), reason)],
        OptOutSource::Manual,
        now,
    )
    .await?;
    rows::Entity::find_by_id((owner.0, phone))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Opt-out"))
}

/// Removes an opt-out; false when the number had none.
pub async fn remove(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    phone: &str,
) -> AppResult<bool> {
    let phone = PhoneNumber::parse_in(phone, country)?.e164();
    let deleted = rows::Entity::delete_by_id((owner.0, phone))
        .exec(db)
        .await?
        .rows_affected;
    Ok(deleted > 0)
}

/// The opt-outs' search condition: a phone in any form, or part of the reason.
pub fn condition(owner: UserId, country: Option<Country>, search: Option<&str>) -> Condition {
    let mut condition = Condition::all().add(rows::Column::UserId.eq(owner.0));
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        if let Ok(phone) = PhoneNumber::parse_in(search, country) {
            condition = condition.add(rows::Column::Phone.eq(phone.e164()));
        } else {
            let digits: String = search.chars().filter(char::is_ascii_digit).collect();
            let mut any = Condition::any().add(rows::Column::Reason.contains(search));
            if digits.len() >= 3 {
                any = any.add(rows::Column::Phone.contains(&digits));
            }
            condition = condition.add(any);
        }
    }
    condition
}

/// Opt-out pages use an offset cursor: the list is small and ordered by time.
pub fn encode_offset(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

pub fn decode_offset(raw: &str) -> AppResult<u64> {
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix('o').and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            AppError::validation("The cursor is not valid; use one from a previous page.")
        })
}

/// A page of the owner's opt-outs, newest first; returns the offset of the first item too.
pub async fn list(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    search: Option<&str>,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<(Page<rows::Model>, u64)> {
    let first = PageRequest::parse(first, None)?.first;
    let offset = after.map(decode_offset).transpose()?.map_or(0, |o| o + 1);
    let condition = condition(owner, country, search);
    let total_count = rows::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let (items, has_next_page) = rows_from(db, condition, offset, first).await?;
    Ok((
        Page {
            items,
            has_next_page,
            total_count,
        },
        offset,
    ))
}

/// `first` opt-outs matching `condition` from `offset` on, newest first, and whether more
/// follow (no total: an export reads every page and needs none).
pub async fn rows_from(
    db: &DatabaseConnection,
    condition: Condition,
    offset: u64,
    first: u64,
) -> AppResult<(Vec<rows::Model>, bool)> {
    let mut items = rows::Entity::find()
        .filter(condition)
        .order_by_desc(rows::Column::CreatedAt)
        .order_by_desc(rows::Column::Phone)
        .offset(offset)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next_page = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok((items, has_next_page))
}

/// Opts out every sender whose whole inbound message is an opt-out phrase (one statement for
/// the batch). Returns how many numbers.
pub async fn from_inbound(
    db: &DatabaseConnection,
    owner: UserId,
    messages: &[whatsapp_messages::Model],
    extra_phrases: &[String],
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut entries: Vec<(String, String)> = messages
        .iter()
        .filter(|m| !m.from_me)
        .filter(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| is_opt_out_phrase(t, extra_phrases))
        })
        .filter_map(|m| Jid::parse(&m.chat_jid).ok()?.phone())
        .map(|phone| (phone.e164(), "replied with an opt-out phrase".to_owned()))
        .collect();
    entries.sort();
    entries.dedup();
    if entries.is_empty() {
        return Ok(0);
    }
    let count = entries.len();
    upsert(db, owner, entries, OptOutSource::Inbound, now).await?;
    tracing::info!(count, "numbers opted out by an inbound phrase");
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_phrase_opts_out() {
        let extra = vec!["Jangan hantar".to_owned()];
        for yes in [
            "STOP",
            "stop.",
            " Stop!! 🛑",
            "Unsubscribe",
            "BERHENTI",
            "jangan HANTAR",
        ] {
            assert!(is_opt_out_phrase(yes, &extra), "{yes}");
        }
        for no in [
            "we must stop this bill",
            "stop the bill please",
            "",
            "🛑",
            "stopped",
        ] {
            assert!(!is_opt_out_phrase(no, &extra), "{no}");
        }
    }
}
