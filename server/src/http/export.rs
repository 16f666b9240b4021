//! CSV downloads of leads, AI leads and opt-outs: the owner's only (Bearer token), streamed,
//! with the same filters as the GraphQL lists.

use std::collections::HashMap;

use axum::{
    body::Body,
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::{resolve_auth, HttpState};
use crate::{
    auth::accounts::phone_country,
    domain::leads::{
        export::{leads_csv, opt_outs_csv},
        AiLeadStatus, AudienceKind, LeadFilter, TargetStatus,
    },
    entities::devices,
    types::ids::{DeviceId, UserId},
};

/// The query string of an export: the list filters, comma-separated where they are lists.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportParams {
    device_id: Option<String>,
    niche: Option<String>,
    niches: Option<String>,
    all_niches: Option<String>,
    target_status: Option<String>,
    trigger: Option<String>,
    search: Option<String>,
    opted_out: Option<String>,
    status: Option<String>,
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_owned()).into_response()
}

fn list(raw: Option<&str>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn parse_filter(params: &ExportParams) -> Result<LeadFilter, String> {
    let mut niches = list(params.niches.as_deref());
    niches.extend(list(params.niche.as_deref()));
    Ok(LeadFilter {
        device_id: match params.device_id.as_deref().filter(|d| !d.is_empty()) {
            None => None,
            Some(raw) => Some(DeviceId::parse(raw).map_err(|e| e.message().to_owned())?),
        },
        niches,
        all_niches: list(params.all_niches.as_deref()),
        target_status: match params.target_status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some("PROSPECT") => Some(TargetStatus::Prospect),
            Some("CUSTOMER") => Some(TargetStatus::Customer),
            Some(_) => return Err("targetStatus is PROSPECT or CUSTOMER.".to_owned()),
        },
        trigger: params.trigger.clone(),
        search: params.search.clone(),
        opted_out: match params.opted_out.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err("optedOut is true or false.".to_owned()),
        },
        status: match params.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some("PENDING") => Some(AiLeadStatus::Pending),
            Some("ASSIGNED") => Some(AiLeadStatus::Assigned),
            Some("SENT") => Some(AiLeadStatus::Sent),
            Some("FAILED") => Some(AiLeadStatus::Failed),
            Some(_) => return Err("status is PENDING, ASSIGNED, SENT or FAILED.".to_owned()),
        },
    })
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "Send your token as 'Authorization: Bearer <token>'.",
    )
        .into_response()
}

async fn owner(state: &HttpState, headers: &HeaderMap) -> Option<UserId> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match resolve_auth(&state.app, authorization)
        .await
        .map(|a| a.viewer())
    {
        Ok(Ok(viewer)) => Some(viewer.user_id),
        _ => None,
    }
}

fn csv_response(
    file_name: &str,
    body: impl futures::Stream<Item = crate::error::AppResult<bytes::Bytes>> + Send + 'static,
) -> Response {
    let body = body.map(|chunk| {
        chunk.map_err(|err| {
            tracing::error!(error = ?err, "export failed mid-way");
            std::io::Error::other("export failed")
        })
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn audience(
    state: HttpState,
    headers: HeaderMap,
    params: ExportParams,
    kind: AudienceKind,
) -> Response {
    let Some(owner) = owner(&state, &headers).await else {
        return unauthorized();
    };
    let filter = match parse_filter(&params) {
        Ok(filter) => filter,
        Err(message) => return bad_request(&message),
    };
    let db = state.app.db.clone();
    if let Some(device) = filter.device_id {
        match crate::domain::leads::owned_device(&db, owner, device).await {
            Ok(_) => {}
            Err(_) => return StatusCode::NOT_FOUND.into_response(),
        }
    }
    let country = phone_country(&db, owner).await.unwrap_or(None);
    let names: HashMap<uuid::Uuid, String> = match kind {
        AudienceKind::Device => HashMap::new(),
        AudienceKind::Pool => devices::Entity::find()
            .filter(devices::Column::UserId.eq(owner.0))
            .all(&db)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect(),
    };
    let file = match kind {
        AudienceKind::Device => "leads.csv",
        AudienceKind::Pool => "ai-leads.csv",
    };
    csv_response(file, leads_csv(db, owner, country, kind, filter, names))
}

pub async fn leads(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(params): Query<ExportParams>,
) -> Response {
    audience(state, headers, params, AudienceKind::Device).await
}

pub async fn ai_leads(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(params): Query<ExportParams>,
) -> Response {
    audience(state, headers, params, AudienceKind::Pool).await
}

pub async fn opt_outs(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(params): Query<ExportParams>,
) -> Response {
    let Some(owner) = owner(&state, &headers).await else {
        return unauthorized();
    };
    let db = state.app.db.clone();
    let country = phone_country(&db, owner).await.unwrap_or(None);
    csv_response(
        "opt-outs.csv",
        opt_outs_csv(db, owner, country, params.search),
    )
}

/// A campaign's recipients: `/export/campaigns/<id>/recipients.csv`.
pub async fn campaign_recipients(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Some(owner) = owner(&state, &headers).await else {
        return unauthorized();
    };
    let Ok(id) = crate::types::ids::CampaignId::parse(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = state.app.db.clone();
    if crate::domain::campaigns::find_owned(&db, owner, id)
        .await
        .is_err()
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let names: HashMap<uuid::Uuid, String> = devices::Entity::find()
        .filter(devices::Column::UserId.eq(owner.0))
        .all(&db)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    csv_response(
        "recipients.csv",
        crate::domain::campaigns::export::recipients_csv(db, id.0, names),
    )
}
