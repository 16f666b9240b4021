//! A campaign's recipients as CSV: every row with its status, error and times, streamed a page
//! at a time (by row id), cells guarded against spreadsheet formulas.

use std::collections::HashMap;

use bytes::Bytes;
use futures::{stream, Stream};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    domain::leads::export::write_rows, entities::broadcast_messages as rows, error::AppResult,
};

const PAGE: u64 = 1000;

const HEADER: [&str; 11] = [
    "phone",
    "name",
    "device",
    "status",
    "error",
    "text",
    "attempts",
    "sent_at",
    "delivered_at",
    "read_at",
    "replied_at",
];

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// The campaign's rows (already known to be the caller's) as CSV chunks.
pub fn recipients_csv(
    db: DatabaseConnection,
    campaign_id: Uuid,
    device_names: HashMap<Uuid, String>,
) -> impl Stream<Item = AppResult<Bytes>> {
    let head = write_rows(vec![HEADER.iter().map(|c| c.to_string()).collect()]);
    stream::unfold(
        (Some(head), Some(0i64), db, device_names),
        move |(head, next, db, names)| async move {
            if let Some(head) = head {
                return Some((Ok(head), (None, next, db, names)));
            }
            let after = next?;
            let page = rows::Entity::find()
                .filter(rows::Column::CampaignId.eq(campaign_id))
                .filter(rows::Column::Id.gt(after))
                .order_by_asc(rows::Column::Id)
                .limit(PAGE)
                .all(&db)
                .await;
            match page {
                Err(err) => Some((Err(err.into()), (None, None, db, names))),
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let last = page.last().map(|r| r.id);
                    let full = page.len() as u64 == PAGE;
                    let records = page
                        .iter()
                        .map(|r| {
                            vec![
                                r.recipient_phone.clone(),
                                r.recipient_name.clone().unwrap_or_default(),
                                names.get(&r.device_id).cloned().unwrap_or_default(),
                                r.status.to_value(),
                                r.last_error.clone().unwrap_or_default(),
                                r.text
                                    .clone()
                                    .or_else(|| r.caption.clone())
                                    .unwrap_or_default(),
                                r.attempts.to_string(),
                                time(r.sent_at),
                                time(r.delivered_at),
                                time(r.read_at),
                                time(r.replied_at),
                            ]
                        })
                        .collect();
                    let next = if full { last } else { None };
                    Some((Ok(write_rows(records)), (None, next, db, names)))
                }
            }
        },
    )
}
