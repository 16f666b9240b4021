//! Broadcast campaigns: a template sent once to the leads that match (niches, target status,
//! devices) when the campaign comes due, each lead from the device that owns it, inside the
//! campaign's send window in the lead's local time.
//!
//! - `draft`: the campaign as entered, checked (nothing is stored unless all of it is valid);
//! - `trigger`: the scheduler's part — due campaigns start once (one atomic update), their rows
//!   are materialised set-based, a late start pauses instead, finished campaigns complete;
//! - `control`: pause, resume, cancel, retry, clone, edit, delete — set-based moves of the
//!   campaign's rows with their counters;
//! - `progress`: totals and per-device counts from the running counters, the report;
//! - `preview`: what a campaign would do before it starts;
//! - `ai`: AI campaigns — the lead pool dealt over the devices in rounds, with limits and
//!   failover;
//! - `sending`: what a pacer needs to send a campaign row (rendering, the window), replies and
//!   the error threshold.

pub mod ai;
pub mod control;
pub mod draft;
pub mod export;
pub mod preview;
pub mod progress;
pub mod sending;
pub mod trigger;

use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub use crate::entities::enums::{CampaignKind, CampaignStatus};
use crate::{
    domain::pagination::{Cursor, Page, PageRequest},
    entities::campaigns,
    error::{AppError, AppResult},
    events::{Event, EventPublisher},
    types::ids::{CampaignId, DeviceId, UserId},
};

/// The error a campaign row keeps when its number opted out before the campaign started.
pub const OPTED_OUT: &str = "opted out";

/// The campaign's chosen devices (empty: all of the user's).
pub fn device_ids(campaign: &campaigns::Model) -> Vec<DeviceId> {
    serde_json::from_str::<Vec<Uuid>>(&campaign.device_ids)
        .unwrap_or_default()
        .into_iter()
        .map(DeviceId)
        .collect()
}

/// What the campaign's messages are: an image with the text as its caption, or a text.
pub fn message_kind(campaign: &campaigns::Model) -> crate::domain::outbox::MessageKind {
    if campaign.image_ref.is_some() {
        crate::domain::outbox::MessageKind::Image
    } else {
        crate::domain::outbox::MessageKind::Text
    }
}

/// The campaign's niche tags as entered.
pub fn niches(campaign: &campaigns::Model) -> Vec<String> {
    campaign
        .niches
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// One of the user's campaigns, or `NOT_FOUND` (someone else's is not found either).
pub async fn find_owned(
    db: &DatabaseConnection,
    owner: UserId,
    id: CampaignId,
) -> AppResult<campaigns::Model> {
    campaigns::Entity::find_by_id(id.0)
        .filter(campaigns::Column::UserId.eq(owner.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Campaign"))
}

/// Which campaigns a list shows.
#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
    pub search: Option<String>,
}

/// The user's campaigns, newest first, a page at a time.
pub async fn list(
    db: &DatabaseConnection,
    owner: UserId,
    filter: &CampaignFilter,
    page: PageRequest,
) -> AppResult<Page<campaigns::Model>> {
    let mut condition = Condition::all().add(campaigns::Column::UserId.eq(owner.0));
    if let Some(status) = filter.status {
        condition = condition.add(campaigns::Column::Status.eq(status));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let escaped = search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        condition = condition.add(
            sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                sea_orm::sea_query::Expr::col(campaigns::Column::Title),
            ))
            .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let total = {
        use sea_orm::PaginatorTrait;
        campaigns::Entity::find()
            .filter(condition.clone())
            .count(db)
            .await?
    };
    let mut query = campaigns::Entity::find().filter(condition);
    if let Some(after) = page.after.as_ref() {
        query = query.filter(
            Condition::any()
                .add(campaigns::Column::CreatedAt.lt(after.created_at))
                .add(
                    Condition::all()
                        .add(campaigns::Column::CreatedAt.eq(after.created_at))
                        .add(campaigns::Column::Id.lt(after.id)),
                ),
        );
    }
    let mut items = query
        .order_by_desc(campaigns::Column::CreatedAt)
        .order_by_desc(campaigns::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    let has_next_page = items.len() as u64 > page.first;
    items.truncate(page.first as usize);
    Ok(Page {
        items,
        has_next_page,
        total_count: total,
    })
}

/// The cursor of a campaign in `list`.
pub fn cursor(campaign: &campaigns::Model) -> Cursor {
    Cursor {
        created_at: campaign.created_at,
        id: campaign.id,
    }
}

/// Tells subscribers (lists, progress) that a campaign changed.
pub async fn publish(events: &dyn EventPublisher, campaign: &campaigns::Model) {
    events.publish(Event::campaign_changed(campaign)).await;
}
