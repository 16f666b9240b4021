//! The audience: a device's leads and the user's AI lead pool (one table, `kind` tells them
//! apart, so tags, search, filters, import and export are written once), their tags, and the
//! numbers that opted out.

pub mod csv_format;
pub mod export;
pub mod import;
pub mod opt_outs;
pub mod tags;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr, OnConflict, Query},
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

pub use crate::entities::enums::{AiLeadStatus, AudienceKind, LeadSource, TargetStatus};
use crate::{
    entities::{devices, lead_tags, leads, opt_outs as opt_out_rows, tags as tag_rows},
    error::{AppError, AppResult},
    types::{
        ids::{DeviceId, LeadId, UserId},
        phone::{Country, PhoneNumber},
    },
};
use tags::{parse_tags, parse_triggers, Tag};

use super::pagination::{Cursor, Page, PageRequest};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 2000;

/// A lead as the API shows it: the row, its tags' labels, and whether its number opted out.
#[derive(Debug, Clone)]
pub struct LeadView {
    pub lead: leads::Model,
    pub niches: Vec<String>,
    pub opted_out: bool,
}

/// What a client gives to create a lead (unparsed).
#[derive(Debug, Clone, Default)]
pub struct LeadDraft {
    pub name: Option<String>,
    pub phone: String,
    pub niches: Option<Vec<String>>,
    pub target_status: Option<TargetStatus>,
    pub triggers: Option<Vec<String>>,
    pub notes: Option<String>,
}

/// What a client changes on a lead; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct LeadPatch {
    pub device_id: Option<DeviceId>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub niches: Option<Vec<String>>,
    pub target_status: Option<TargetStatus>,
    pub triggers: Option<Vec<String>>,
    pub notes: Option<String>,
}

/// Which leads a list, an export or a bulk action means.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub device_id: Option<DeviceId>,
    /// Any of these tags.
    pub niches: Vec<String>,
    /// All of these tags.
    pub all_niches: Vec<String>,
    pub target_status: Option<TargetStatus>,
    pub trigger: Option<String>,
    pub search: Option<String>,
    pub opted_out: Option<bool>,
    pub status: Option<AiLeadStatus>,
}

pub fn clean_name(raw: Option<&str>) -> Result<String, AppError> {
    let name = raw.unwrap_or("").trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::validation(format!(
            "A name can have at most {MAX_NAME_CHARS} characters."
        )));
    }
    Ok(name.to_owned())
}

pub fn clean_notes(raw: Option<&str>) -> Result<String, AppError> {
    let notes = raw.unwrap_or("").trim();
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err(AppError::validation(format!(
            "Notes can have at most {MAX_NOTES_CHARS} characters."
        )));
    }
    Ok(notes.to_owned())
}

/// The device, if it is the owner's.
pub async fn owned_device(
    db: &impl ConnectionTrait,
    owner: UserId,
    id: DeviceId,
) -> AppResult<devices::Model> {
    devices::Entity::find_by_id(id.0)
        .filter(devices::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Device"))
}

/// Makes sure the user has these tags (first spelling kept).
pub async fn ensure_tags(db: &impl ConnectionTrait, owner: UserId, tags: &[Tag]) -> AppResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    tag_rows::Entity::insert_many(tags.iter().map(|t| tag_rows::ActiveModel {
        user_id: Set(owner.0),
        tag_key: Set(t.key.clone()),
        label: Set(t.label.clone()),
    }))
    .on_conflict(
        OnConflict::columns([tag_rows::Column::UserId, tag_rows::Column::TagKey])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// Links tags to leads, one statement (existing links stay).
pub async fn link_tags(
    db: &impl ConnectionTrait,
    owner: UserId,
    links: Vec<(Uuid, String)>,
) -> AppResult<()> {
    if links.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // One JSON parameter instead of three per link: PostgreSQL parses and plans a statement
        // of thousands of parameters again each time (measured: most of an import's time).
        #[derive(serde::Serialize)]
        struct Link<'a> {
            lead_id: Uuid,
            tag_key: &'a str,
        }
        let batch: Vec<Link<'_>> = links
            .iter()
            .map(|(lead_id, tag_key)| Link {
                lead_id: *lead_id,
                tag_key,
            })
            .collect();
        let batch = serde_json::to_value(&batch).map_err(|e| AppError::Internal(e.into()))?;
        db.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO lead_tags (lead_id, user_id, tag_key) \
             SELECT r.lead_id, $1, r.tag_key \
             FROM jsonb_to_recordset($2::jsonb) AS r(lead_id uuid, tag_key text) \
             ON CONFLICT (lead_id, tag_key) DO NOTHING",
            vec![owner.0.into(), Value::Json(Some(Box::new(batch)))],
        ))
        .await?;
        return Ok(());
    }
    let rows: Vec<_> = links
        .into_iter()
        .map(|(lead_id, key)| lead_tags::ActiveModel {
            lead_id: Set(lead_id),
            tag_key: Set(key),
            user_id: Set(owner.0),
        })
        .collect();
    for chunk in rows.chunks(5000) {
        lead_tags::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([lead_tags::Column::LeadId, lead_tags::Column::TagKey])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The scope a phone is unique in: the device for its leads, the user for the pool.
fn scope(kind: AudienceKind, owner: UserId, device: Option<DeviceId>) -> Uuid {
    match kind {
        AudienceKind::Device => device.map(|d| d.0).unwrap_or(owner.0),
        AudienceKind::Pool => owner.0,
    }
}

fn duplicate_phone(kind: AudienceKind) -> AppError {
    AppError::validation(match kind {
        AudienceKind::Device => "This device already has a lead with that phone number.",
        AudienceKind::Pool => "Your AI lead list already has that phone number.",
    })
}

async fn phone_taken(
    db: &impl ConnectionTrait,
    kind: AudienceKind,
    scope_id: Uuid,
    phone: &str,
    except: Option<Uuid>,
) -> AppResult<bool> {
    let mut query = leads::Entity::find()
        .filter(leads::Column::Kind.eq(kind))
        .filter(leads::Column::ScopeId.eq(scope_id))
        .filter(leads::Column::Phone.eq(phone));
    if let Some(id) = except {
        query = query.filter(leads::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// Creates a lead: a device's (`device` set) or a pool lead (`kind` POOL).
pub async fn create(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    kind: AudienceKind,
    device: Option<DeviceId>,
    draft: LeadDraft,
    now: DateTime<Utc>,
) -> AppResult<LeadView> {
    if let Some(device) = device {
        owned_device(db, owner, device).await?;
    }
    let phone = PhoneNumber::parse_in(&draft.phone, country)?;
    let tags = parse_tags(draft.niches.as_deref().unwrap_or_default())?;
    let triggers = parse_triggers(draft.triggers.as_deref().unwrap_or_default())?;
    let scope_id = scope(kind, owner, device);
    let txn = db.begin().await?;
    if phone_taken(&txn, kind, scope_id, &phone.e164(), None).await? {
        return Err(duplicate_phone(kind));
    }
    let id = Uuid::new_v4();
    let row = leads::ActiveModel {
        id: Set(id),
        user_id: Set(owner.0),
        kind: Set(kind),
        scope_id: Set(scope_id),
        device_id: Set(device.map(|d| d.0)),
        name: Set(clean_name(draft.name.as_deref())?),
        phone: Set(phone.e164()),
        target_status: Set(draft.target_status.unwrap_or(TargetStatus::Prospect)),
        triggers: Set(triggers),
        notes: Set(clean_notes(draft.notes.as_deref())?),
        source: Set(LeadSource::Manual),
        status: Set((kind == AudienceKind::Pool).then_some(AiLeadStatus::Pending)),
        sent_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    leads::Entity::insert(row)
        .exec_without_returning(&txn)
        .await?;
    ensure_tags(&txn, owner, &tags).await?;
    let links: Vec<(Uuid, String)> = tags.iter().map(|t| (id, t.key.clone())).collect();
    link_tags(&txn, owner, links).await?;
    txn.commit().await?;
    get(db, owner, kind, LeadId(id))
        .await?
        .ok_or(AppError::NotFound("Lead"))
}

async fn find_owned(
    db: &impl ConnectionTrait,
    owner: UserId,
    kind: AudienceKind,
    id: LeadId,
) -> AppResult<leads::Model> {
    leads::Entity::find_by_id(id.0)
        .filter(leads::Column::UserId.eq(owner.0))
        .filter(leads::Column::Kind.eq(kind))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Lead"))
}

/// Changes the given fields of a lead.
pub async fn update(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    kind: AudienceKind,
    id: LeadId,
    patch: LeadPatch,
    now: DateTime<Utc>,
) -> AppResult<LeadView> {
    let txn = db.begin().await?;
    let lead = find_owned(&txn, owner, kind, id).await?;
    let mut row: leads::ActiveModel = lead.clone().into();
    let mut scope_id = lead.scope_id;
    if let Some(device) = patch.device_id {
        if kind != AudienceKind::Device {
            return Err(AppError::validation(
                "An AI lead is dealt to a device by a campaign, not moved by hand.",
            ));
        }
        owned_device(&txn, owner, device).await?;
        scope_id = device.0;
        row.device_id = Set(Some(device.0));
        row.scope_id = Set(device.0);
    }
    let mut phone = lead.phone.clone();
    if let Some(raw) = patch.phone.as_deref() {
        phone = PhoneNumber::parse_in(raw, country)?.e164();
        row.phone = Set(phone.clone());
    }
    if phone_taken(&txn, kind, scope_id, &phone, Some(lead.id)).await? {
        return Err(duplicate_phone(kind));
    }
    if let Some(name) = patch.name.as_deref() {
        row.name = Set(clean_name(Some(name))?);
    }
    if let Some(notes) = patch.notes.as_deref() {
        row.notes = Set(clean_notes(Some(notes))?);
    }
    if let Some(status) = patch.target_status {
        row.target_status = Set(status);
    }
    if let Some(triggers) = patch.triggers.as_deref() {
        row.triggers = Set(parse_triggers(triggers)?);
    }
    row.updated_at = Set(now);
    leads::Entity::update(row).exec(&txn).await?;
    if let Some(niches) = patch.niches.as_deref() {
        let tags = parse_tags(niches)?;
        lead_tags::Entity::delete_many()
            .filter(lead_tags::Column::LeadId.eq(lead.id))
            .exec(&txn)
            .await?;
        ensure_tags(&txn, owner, &tags).await?;
        let links: Vec<(Uuid, String)> = tags.iter().map(|t| (lead.id, t.key.clone())).collect();
        link_tags(&txn, owner, links).await?;
    }
    txn.commit().await?;
    get(db, owner, kind, id)
        .await?
        .ok_or(AppError::NotFound("Lead"))
}

/// The owner's leads among `ids` (others' ids are ignored, never touched).
async fn owned_ids(
    db: &impl ConnectionTrait,
    owner: UserId,
    kind: AudienceKind,
    ids: &[LeadId],
) -> AppResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > 10_000 {
        return Err(AppError::validation("At most 10,000 leads at a time."));
    }
    Ok(leads::Entity::find()
        .select_only()
        .column(leads::Column::Id)
        .filter(leads::Column::UserId.eq(owner.0))
        .filter(leads::Column::Kind.eq(kind))
        .filter(leads::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .into_tuple()
        .all(db)
        .await?)
}

/// Deletes the owner's leads among `ids`; returns how many.
pub async fn delete_many(
    db: &DatabaseConnection,
    owner: UserId,
    kind: AudienceKind,
    ids: &[LeadId],
) -> AppResult<u64> {
    let txn = db.begin().await?;
    let ids = owned_ids(&txn, owner, kind, ids).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    lead_tags::Entity::delete_many()
        .filter(lead_tags::Column::LeadId.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let deleted = leads::Entity::delete_many()
        .filter(leads::Column::Id.is_in(ids))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(deleted)
}

/// Adds and removes tags on the owner's leads among `ids`; returns how many leads.
pub async fn retag(
    db: &DatabaseConnection,
    owner: UserId,
    kind: AudienceKind,
    ids: &[LeadId],
    add: &[String],
    remove: &[String],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let add = parse_tags(add)?;
    let remove = parse_tags(remove)?;
    let txn = db.begin().await?;
    let ids = owned_ids(&txn, owner, kind, ids).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    if !remove.is_empty() {
        lead_tags::Entity::delete_many()
            .filter(lead_tags::Column::LeadId.is_in(ids.clone()))
            .filter(lead_tags::Column::TagKey.is_in(remove.iter().map(|t| t.key.clone())))
            .exec(&txn)
            .await?;
    }
    ensure_tags(&txn, owner, &add).await?;
    let mut links: Vec<(Uuid, String)> = Vec::with_capacity(ids.len() * add.len());
    for id in &ids {
        for tag in &add {
            links.push((*id, tag.key.clone()));
        }
    }
    link_tags(&txn, owner, links).await?;
    leads::Entity::update_many()
        .col_expr(leads::Column::UpdatedAt, Expr::value(now))
        .filter(leads::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(ids.len() as u64)
}

/// Moves the owner's device leads among `ids` to another of the owner's devices. A phone the
/// target device has already refuses the whole move (nothing moves).
pub async fn move_to_device(
    db: &DatabaseConnection,
    owner: UserId,
    ids: &[LeadId],
    device: DeviceId,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let txn = db.begin().await?;
    owned_device(&txn, owner, device).await?;
    let ids = owned_ids(&txn, owner, AudienceKind::Device, ids).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let moving: Vec<(Uuid, String)> = leads::Entity::find()
        .select_only()
        .column(leads::Column::Id)
        .column(leads::Column::Phone)
        .filter(leads::Column::Id.is_in(ids.clone()))
        .filter(leads::Column::ScopeId.ne(device.0))
        .into_tuple()
        .all(&txn)
        .await?;
    let phones: HashSet<&str> = moving.iter().map(|(_, p)| p.as_str()).collect();
    if phones.len() < moving.len() {
        return Err(AppError::validation(
            "Two of these leads have the same phone number; one device can have it only once.",
        ));
    }
    let clashes = leads::Entity::find()
        .filter(leads::Column::Kind.eq(AudienceKind::Device))
        .filter(leads::Column::ScopeId.eq(device.0))
        .filter(leads::Column::Phone.is_in(phones.iter().map(|p| p.to_string())))
        .count(&txn)
        .await?;
    if clashes > 0 {
        return Err(AppError::validation(format!(
            "The device already has {clashes} of these phone numbers; nothing was moved."
        )));
    }
    let moved = leads::Entity::update_many()
        .col_expr(leads::Column::DeviceId, Expr::value(device.0))
        .col_expr(leads::Column::ScopeId, Expr::value(device.0))
        .col_expr(leads::Column::UpdatedAt, Expr::value(now))
        .filter(leads::Column::Id.is_in(moving.iter().map(|(id, _)| *id)))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(moved)
}

/// One of the owner's leads.
pub async fn get(
    db: &DatabaseConnection,
    owner: UserId,
    kind: AudienceKind,
    id: LeadId,
) -> AppResult<Option<LeadView>> {
    let Some(lead) = leads::Entity::find_by_id(id.0)
        .filter(leads::Column::UserId.eq(owner.0))
        .filter(leads::Column::Kind.eq(kind))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(views(db, owner, vec![lead]).await?.pop())
}

/// Rows with their tags and opt-out flags: two queries for any number of rows.
pub async fn views(
    db: &impl ConnectionTrait,
    owner: UserId,
    rows: Vec<leads::Model>,
) -> AppResult<Vec<LeadView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(Uuid, String)> = lead_tags::Entity::find()
        .select_only()
        .column(lead_tags::Column::LeadId)
        .column(lead_tags::Column::TagKey)
        .filter(lead_tags::Column::LeadId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let keys: HashSet<&String> = links.iter().map(|(_, k)| k).collect();
    let labels: HashMap<String, String> = tag_rows::Entity::find()
        .filter(tag_rows::Column::UserId.eq(owner.0))
        .filter(tag_rows::Column::TagKey.is_in(keys.into_iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.tag_key, t.label))
        .collect();
    let links: Vec<(Uuid, String)> = links
        .into_iter()
        .map(|(lead, key)| {
            let label = labels.get(&key).cloned().unwrap_or(key);
            (lead, label)
        })
        .collect();
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (lead, label) in links {
        tags.entry(lead).or_default().push(label);
    }
    for list in tags.values_mut() {
        list.sort_by_key(|l| l.to_lowercase());
    }
    let phones: HashSet<String> = rows.iter().map(|r| r.phone.clone()).collect();
    let opted: HashSet<String> = opt_out_rows::Entity::find()
        .select_only()
        .column(opt_out_rows::Column::Phone)
        .filter(opt_out_rows::Column::UserId.eq(owner.0))
        .filter(opt_out_rows::Column::Phone.is_in(phones))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|lead| LeadView {
            niches: tags.remove(&lead.id).unwrap_or_default(),
            opted_out: opted.contains(&lead.phone),
            lead,
        })
        .collect())
}

fn has_tag_condition(owner: UserId, keys: Vec<String>) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(lead_tags::Entity)
            .and_where(
                Expr::col((lead_tags::Entity, lead_tags::Column::LeadId))
                    .equals((leads::Entity, leads::Column::Id)),
            )
            .and_where(Expr::col((lead_tags::Entity, lead_tags::Column::UserId)).eq(owner.0))
            .and_where(Expr::col((lead_tags::Entity, lead_tags::Column::TagKey)).is_in(keys))
            .to_owned(),
    )
}

pub fn opted_out_condition(owner: UserId) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(opt_out_rows::Entity)
            .and_where(Expr::col((opt_out_rows::Entity, opt_out_rows::Column::UserId)).eq(owner.0))
            .and_where(
                Expr::col((opt_out_rows::Entity, opt_out_rows::Column::Phone))
                    .equals((leads::Entity, leads::Column::Phone)),
            )
            .to_owned(),
    )
}

/// The SQL condition of a filter (tags by whole folded tag, never by substring).
pub fn condition(
    owner: UserId,
    country: Option<Country>,
    kind: AudienceKind,
    filter: &LeadFilter,
) -> Condition {
    let mut condition = Condition::all()
        .add(leads::Column::UserId.eq(owner.0))
        .add(leads::Column::Kind.eq(kind));
    if let Some(device) = filter.device_id {
        condition = condition.add(leads::Column::DeviceId.eq(device.0));
    }
    let any: Vec<String> = filter
        .niches
        .iter()
        .map(|n| tags::fold(n))
        .filter(|k| !k.is_empty())
        .collect();
    if !any.is_empty() {
        condition = condition.add(has_tag_condition(owner, any));
    }
    for tag in &filter.all_niches {
        let key = tags::fold(tag);
        if !key.is_empty() {
            condition = condition.add(has_tag_condition(owner, vec![key]));
        }
    }
    if let Some(status) = filter.target_status {
        condition = condition.add(leads::Column::TargetStatus.eq(status));
    }
    if let Some(status) = filter.status {
        condition = condition.add(leads::Column::Status.eq(status));
    }
    if let Some(trigger) = filter.trigger.as_deref().filter(|t| !t.trim().is_empty()) {
        condition = condition.add(
            Expr::col(leads::Column::Triggers)
                .like(LikeExpr::new(tags::trigger_pattern(trigger)).escape('\\')),
        );
    }
    if let Some(opted) = filter.opted_out {
        condition = if opted {
            condition.add(opted_out_condition(owner))
        } else {
            condition.add(opted_out_condition(owner).not())
        };
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if let Ok(phone) = PhoneNumber::parse_in(search, country) {
            condition = condition.add(leads::Column::Phone.eq(phone.e164()));
        } else {
            let escaped = search
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let mut any = Condition::any().add(
                Expr::expr(Func::lower(Expr::col(leads::Column::Name)))
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
            let digits: String = search.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 3 {
                any = any.add(leads::Column::Phone.contains(&digits));
            }
            condition = condition.add(any);
        }
    }
    condition
}

/// A page of the owner's leads, newest first.
pub async fn list(
    db: &DatabaseConnection,
    owner: UserId,
    country: Option<Country>,
    kind: AudienceKind,
    filter: &LeadFilter,
    page: PageRequest,
) -> AppResult<Page<LeadView>> {
    let condition = condition(owner, country, kind, filter);
    let total_count = leads::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let (items, has_next_page) = rows_after(db, owner, condition, page).await?;
    Ok(Page {
        items,
        has_next_page,
        total_count,
    })
}

/// The page of leads matching `condition` after the page's cursor, and whether more follow
/// (no total: an export reads every page and needs none).
pub async fn rows_after(
    db: &DatabaseConnection,
    owner: UserId,
    condition: Condition,
    page: PageRequest,
) -> AppResult<(Vec<LeadView>, bool)> {
    let mut query = leads::Entity::find().filter(condition);
    if let Some(after) = page.after {
        query = query.filter(
            Condition::any()
                .add(leads::Column::CreatedAt.lt(after.created_at))
                .add(
                    Condition::all()
                        .add(leads::Column::CreatedAt.eq(after.created_at))
                        .add(leads::Column::Id.lt(after.id)),
                ),
        );
    }
    let mut rows = query
        .order_by_desc(leads::Column::CreatedAt)
        .order_by_desc(leads::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next_page = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok((views(db, owner, rows).await?, has_next_page))
}

/// The cursor of a lead in a list.
pub fn cursor(lead: &leads::Model) -> Cursor {
    Cursor {
        created_at: lead.created_at,
        id: lead.id,
    }
}

/// A tag with how many leads and AI leads carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NicheCount {
    pub tag: String,
    pub leads: u64,
    pub ai_leads: u64,
}

/// The owner's tags with their counts, most used first (one GROUP BY).
pub async fn niches(db: &DatabaseConnection, owner: UserId) -> AppResult<Vec<NicheCount>> {
    let statement = Query::select()
        .column((lead_tags::Entity, lead_tags::Column::TagKey))
        .column((leads::Entity, leads::Column::Kind))
        .expr_as(
            Expr::col((lead_tags::Entity, lead_tags::Column::LeadId)).count(),
            sea_orm::sea_query::Alias::new("n"),
        )
        .from(lead_tags::Entity)
        .inner_join(
            leads::Entity,
            Expr::col((leads::Entity, leads::Column::Id))
                .equals((lead_tags::Entity, lead_tags::Column::LeadId)),
        )
        .and_where(Expr::col((lead_tags::Entity, lead_tags::Column::UserId)).eq(owner.0))
        .group_by_col((lead_tags::Entity, lead_tags::Column::TagKey))
        .group_by_col((leads::Entity, leads::Column::Kind))
        .to_owned();
    let backend = db.get_database_backend();
    let mut counts: Vec<(String, AudienceKind, i64)> = Vec::new();
    for row in db.query_all(backend.build(&statement)).await? {
        let kind: String = row.try_get("", "kind")?;
        let kind = if kind == "POOL" {
            AudienceKind::Pool
        } else {
            AudienceKind::Device
        };
        counts.push((row.try_get("", "tag_key")?, kind, row.try_get("", "n")?));
    }
    let labels: HashMap<String, String> = tag_rows::Entity::find()
        .filter(tag_rows::Column::UserId.eq(owner.0))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.tag_key, t.label))
        .collect();
    let mut by_key: HashMap<String, NicheCount> = HashMap::new();
    for (key, kind, n) in counts {
        let entry = by_key.entry(key.clone()).or_insert_with(|| NicheCount {
            tag: labels.get(&key).cloned().unwrap_or(key),
            leads: 0,
            ai_leads: 0,
        });
        match kind {
            AudienceKind::Device => entry.leads += n as u64,
            AudienceKind::Pool => entry.ai_leads += n as u64,
        }
    }
    let mut list: Vec<_> = by_key.into_values().collect();
    list.sort_by(|a, b| {
        (b.leads + b.ai_leads)
            .cmp(&(a.leads + a.ai_leads))
            .then_with(|| a.tag.cmp(&b.tag))
    });
    Ok(list)
}

/// The AI lead pool by status and by tag.
#[derive(Debug, Clone, Default)]
pub struct AiLeadStats {
    pub total: u64,
    pub by_status: Vec<(AiLeadStatus, u64)>,
    pub by_niche: Vec<NicheCount>,
}

pub async fn ai_lead_stats(db: &DatabaseConnection, owner: UserId) -> AppResult<AiLeadStats> {
    let rows: Vec<(Option<AiLeadStatus>, i64)> = leads::Entity::find()
        .select_only()
        .column(leads::Column::Status)
        .column_as(leads::Column::Id.count(), "n")
        .filter(leads::Column::UserId.eq(owner.0))
        .filter(leads::Column::Kind.eq(AudienceKind::Pool))
        .group_by(leads::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_status: Vec<(AiLeadStatus, u64)> = [
        AiLeadStatus::Pending,
        AiLeadStatus::Assigned,
        AiLeadStatus::Sent,
        AiLeadStatus::Failed,
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    let mut total = 0;
    for (status, n) in rows {
        total += n as u64;
        if let Some(entry) = by_status.iter_mut().find(|(s, _)| Some(*s) == status) {
            entry.1 += n as u64;
        }
    }
    let by_niche = niches(db, owner)
        .await?
        .into_iter()
        .filter(|n| n.ai_leads > 0)
        .collect();
    Ok(AiLeadStats {
        total,
        by_status,
        by_niche,
    })
}

/// Deletes a device's leads (inside the device's delete transaction) and detaches the AI
/// leads that went out from it, which stay in the pool. Returns how many leads were deleted.
pub async fn delete_for_device(db: &impl ConnectionTrait, device: DeviceId) -> AppResult<u64> {
    leads::Entity::update_many()
        .col_expr(leads::Column::DeviceId, Expr::value(Option::<Uuid>::None))
        .filter(leads::Column::DeviceId.eq(device.0))
        .filter(leads::Column::Kind.eq(AudienceKind::Pool))
        .exec(db)
        .await?;
    let ids: Vec<Uuid> = leads::Entity::find()
        .select_only()
        .column(leads::Column::Id)
        .filter(leads::Column::Kind.eq(AudienceKind::Device))
        .filter(leads::Column::ScopeId.eq(device.0))
        .into_tuple()
        .all(db)
        .await?;
    for chunk in ids.chunks(10_000) {
        lead_tags::Entity::delete_many()
            .filter(lead_tags::Column::LeadId.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(leads::Entity::delete_many()
        .filter(leads::Column::Kind.eq(AudienceKind::Device))
        .filter(leads::Column::ScopeId.eq(device.0))
        .exec(db)
        .await?
        .rows_affected)
}
