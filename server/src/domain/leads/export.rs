//! CSV exports: the same columns as the import reads, so export → import changes nothing;
//! streamed page by page, cells escaped against spreadsheet formulas.

use bytes::Bytes;
use futures::{stream, Stream};
use sea_orm::DatabaseConnection;

use super::{
    csv_format::escape_cell, list, opt_outs, tags::triggers_list, AudienceKind, LeadFilter,
    LeadView,
};
use crate::{
    entities::enums::TargetStatus,
    error::AppResult,
    types::{ids::UserId, phone::Country},
};

use super::super::pagination::{PageRequest, MAX_PAGE};

fn target(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Prospect => "PROSPECT",
        TargetStatus::Customer => "CUSTOMER",
    }
}

fn write_rows(records: Vec<Vec<String>>) -> Bytes {
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
            target(lead.target_status).to_owned(),
            triggers_list(&lead.triggers).join(", "),
            lead.notes.clone(),
        ],
        AudienceKind::Pool => vec![
            lead.name.clone(),
            lead.phone.clone(),
            niches,
            target(lead.target_status).to_owned(),
            lead.notes.clone(),
            lead.status
                .map(|s| format!("{s:?}").to_uppercase())
                .unwrap_or_default(),
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
    stream::unfold(
        (first, Some(None), db, filter, device_names),
        move |(first, next, db, filter, names)| async move {
            if let Some(head) = first {
                return Some((Ok(head), (None, next, db, filter, names)));
            }
            let after = next?;
            let page = PageRequest {
                first: MAX_PAGE * 5,
                after,
            };
            match list(&db, owner, country, kind, &filter, page).await {
                Err(err) => Some((Err(err), (None, None, db, filter, names))),
                Ok(page) if page.items.is_empty() => None,
                Ok(page) => {
                    let cursor = page.items.last().map(|v| super::cursor(&v.lead));
                    let lookup = |id: uuid::Uuid| names.get(&id).cloned().unwrap_or_default();
                    let chunk = write_rows(
                        page.items
                            .iter()
                            .map(|v| record(kind, v, &lookup))
                            .collect(),
                    );
                    let next = page.has_next_page.then_some(cursor);
                    Some((Ok(chunk), (None, next, db, filter, names)))
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
    stream::unfold(
        (Some(head), Some(None::<String>), db, search),
        move |(head, next, db, search)| async move {
            if let Some(head) = head {
                return Some((Ok(head), (None, next, db, search)));
            }
            let after = next?;
            match opt_outs::list(
                &db,
                owner,
                country,
                search.as_deref(),
                Some(MAX_PAGE as i32),
                after.as_deref(),
            )
            .await
            {
                Err(err) => Some((Err(err), (None, None, db, search))),
                Ok((page, _)) if page.items.is_empty() => None,
                Ok((page, offset)) => {
                    let chunk = write_rows(
                        page.items
                            .iter()
                            .map(|o| {
                                vec![
                                    o.phone.clone(),
                                    o.reason.clone(),
                                    format!("{:?}", o.source).to_uppercase(),
                                    o.created_at.to_rfc3339(),
                                ]
                            })
                            .collect(),
                    );
                    let last = offset + page.items.len() as u64 - 1;
                    let next = page
                        .has_next_page
                        .then(|| Some(opt_outs::encode_offset(last)));
                    Some((Ok(chunk), (None, next, db, search)))
                }
            }
        },
    )
}
