//! CSV exports: the same columns as the import reads, so export → import changes nothing;
//! streamed page by page, cells escaped against spreadsheet formulas.

use bytes::Bytes;
use futures::{stream, Stream};
use sea_orm::DatabaseConnection;

use super::{
    condition, csv_format::escape_cell, opt_outs, rows_after, tags::triggers_list, AudienceKind,
    LeadFilter, LeadView,
};
use sea_orm::ActiveEnum;

use crate::{
    error::AppResult,
    types::{ids::UserId, phone::Country},
};

use super::super::pagination::{PageRequest, MAX_PAGE};

/// CSV lines, every cell guarded against spreadsheet formulas.
pub fn write_rows(records: Vec<Vec<String>>) -> Bytes {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    for record in records {
        // Writing to memory cannot fail.
        let _ = writer.write_record(record.iter().map(|c| escape_cell(c)));
    }
    Bytes::from(writer.into_inner().unwrap_or_default())
}

pub fn header(kind: AudienceKind) -> Vec<String> {
    let columns: &[&str] = match kind {
        AudienceKind::Device => &[
            "name",
            "phone",
            "niches",
            "target_status",
            "triggers",
            "notes",
        ],
        AudienceKind::Pool => &[
            "name",
            "phone",
            "niches",
            "target_status",
            "notes",
            "status",
            "device",
            "sent_at",
        ],
    };
    columns.iter().map(|c| c.to_string()).collect()
}

fn record(
    kind: AudienceKind,
    view: &LeadView,
    device_names: &dyn Fn(uuid::Uuid) -> String,
) -> Vec<String> {
    let lead = &view.lead;
    let niches = view.niches.join(", ");
    match kind {
        AudienceKind::Device => vec![
            lead.name.clone(),
            lead.phone.clone(),
            niches,
            lead.target_status.to_value(),
            triggers_list(&lead.triggers).join(", "),
            lead.notes.clone(),
        ],
        AudienceKind::Pool => vec![
            lead.name.clone(),
            lead.phone.clone(),
            niches,
            lead.target_status.to_value(),
            lead.notes.clone(),
            lead.status.map(|s| s.to_value()).unwrap_or_default(),
            lead.device_id.map(device_names).unwrap_or_default(),
            lead.sent_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ],
    }
}

/// The owner's leads (or AI leads) matching `filter`, as CSV chunks.
pub fn leads_csv(
    db: DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    kind: AudienceKind,
    filter: LeadFilter,
    device_names: std::collections::HashMap<uuid::Uuid, String>,
) -> impl Stream<Item = AppResult<Bytes>> {
    let first = Some(write_rows(vec![header(kind)]));
    let matching = condition(owner, country, kind, &filter);
    stream::unfold(
        (first, Some(None), db, matching, device_names),
        move |(first, next, db, matching, names)| async move {
            if let Some(head) = first {
                return Some((Ok(head), (None, next, db, matching, names)));
            }
            let after = next?;
            let page = PageRequest {
                first: MAX_PAGE * 5,
                after,
            };
            match rows_after(&db, owner, matching.clone(), page).await {
                Err(err) => Some((Err(err), (None, None, db, matching, names))),
                Ok((items, _)) if items.is_empty() => None,
                Ok((items, has_next_page)) => {
                    let cursor = items.last().map(|v| super::cursor(&v.lead));
                    let lookup = |id: uuid::Uuid| names.get(&id).cloned().unwrap_or_default();
                    let chunk =
                        write_rows(items.iter().map(|v| record(kind, v, &lookup)).collect());
                    let next = has_next_page.then_some(cursor);
                    Some((Ok(chunk), (None, next, db, matching, names)))
                }
            }
        },
    )
}

/// The owner's opt-outs (optionally searched), as CSV chunks.
pub fn opt_outs_csv(
    db: DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    search: Option<String>,
) -> impl Stream<Item = AppResult<Bytes>> {
    let head = write_rows(vec![["phone", "reason", "source", "created_at"]
        .iter()
        .map(|c| c.to_string())
        .collect()]);
    let matching = opt_outs::condition(owner, country, search.as_deref());
    let page = MAX_PAGE * 5;
    stream::unfold(
        (Some(head), Some(0u64), db, matching),
        move |(head, next, db, matching)| async move {
            if let Some(head) = head {
                return Some((Ok(head), (None, next, db, matching)));
            }
            let offset = next?;
            match opt_outs::rows_from(&db, matching.clone(), offset, page).await {
                Err(err) => Some((Err(err), (None, None, db, matching))),
                Ok((items, _)) if items.is_empty() => None,
                Ok((items, has_next_page)) => {
                    let chunk = write_rows(
                        items
                            .iter()
                            .map(|o| {
                                vec![
                                    o.phone.clone(),
                                    o.reason.clone(),
                                    o.source.to_value(),
                                    o.created_at.to_rfc3339(),
                                ]
                            })
                            .collect(),
                    );
                    let next = has_next_page.then_some(offset + items.len() as u64);
                    Some((Ok(chunk), (None, next, db, matching)))
                }
            }
        },
    )
}
