//! A campaign as entered, checked as a whole before anything is stored: a refused campaign
//! leaves nothing behind (no row, no image file).

use chrono::{DateTime, Utc, Weekday};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::CampaignKind;
use crate::{
    domain::{
        leads::tags::{parse_tags, Tag},
        outbox::send::image_problem,
        send_window::{SendWindow, Weekdays},
        template::Template,
    },
    entities::{devices, enums::TargetStatus, tags},
    error::{AppError, AppResult},
    media::{self, ImageType},
    types::ids::{DeviceId, UserId},
};

/// The longest title.
pub const MAX_TITLE: usize = 200;
/// The longest delay between two sends of a device (a day).
pub const MAX_DELAY_SECONDS: i32 = 86_400;

/// What a client sends to create, edit or preview a campaign (ids already parsed).
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub kind: CampaignKind,
    pub title: String,
    pub message: String,
    /// A new image (the message becomes its caption).
    pub image: Option<Vec<u8>>,
    /// On an edit: drop the image the campaign has.
    pub remove_image: bool,
    pub niches: Vec<String>,
    /// `None`: prospects and customers.
    pub target_status: Option<TargetStatus>,
    /// Empty: all of the user's devices.
    pub device_ids: Vec<DeviceId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// `HH:MM` from and to, in the lead's local time.
    pub window: Option<(String, String)>,
    /// Empty: every day.
    pub weekdays: Vec<Weekday>,
    pub min_delay_seconds: i32,
    pub max_delay_seconds: i32,
    pub per_device_limit: Option<i32>,
}

/// What happens to the campaign's image.
#[derive(Debug, Clone)]
pub enum ImageChoice {
    /// None before, none now; or keep the one it has.
    Keep,
    Remove,
    New {
        bytes: Vec<u8>,
        kind: ImageType,
    },
}

/// A campaign that passed every check.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: CampaignKind,
    pub title: String,
    pub template: Template,
    pub image: ImageChoice,
    /// Whether the campaign will carry an image.
    pub has_image: bool,
    pub niches: Vec<Tag>,
    pub target_status: Option<TargetStatus>,
    pub device_ids: Vec<DeviceId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub window: Option<SendWindow>,
    pub weekdays: Weekdays,
    pub delay: (i32, i32),
    pub per_device_limit: Option<i32>,
}

impl Draft {
    /// The window to send in: the chosen hours on the chosen days, or all day on those days.
    pub fn send_window(&self) -> SendWindow {
        self.window
            .unwrap_or_else(|| SendWindow::always(self.weekdays))
    }
}

/// Checks a campaign. `had_image`: the campaign being edited has an image.
pub async fn check(
    db: &DatabaseConnection,
    owner: UserId,
    input: CampaignInput,
    had_image: bool,
) -> AppResult<Draft> {
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(AppError::validation("Give the campaign a title."));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::validation(format!(
            "The title is too long (at most {MAX_TITLE} characters)."
        )));
    }
    let template = Template::parse(input.message.trim())?;
    let image = match input.image {
        Some(bytes) => {
            let kind = media::check_image(bytes::Bytes::from(bytes.clone()))
                .await
                .map_err(image_problem)?;
            ImageChoice::New { bytes, kind }
        }
        None if input.remove_image => ImageChoice::Remove,
        None => ImageChoice::Keep,
    };
    let has_image = match image {
        ImageChoice::New { .. } => true,
        ImageChoice::Remove => false,
        ImageChoice::Keep => had_image,
    };
    if !has_image {
        if template.as_str().trim().is_empty() {
            return Err(AppError::validation(
                "The message is empty: write a message or attach an image.",
            ));
        }
        if template.can_render_empty() {
            return Err(AppError::validation(
                "Some leads would get an empty message: give {name} a fallback, like {name|there}.",
            ));
        }
    }
    let (min, max) = (input.min_delay_seconds, input.max_delay_seconds);
    if min < 0 || max < 0 {
        return Err(AppError::validation("Delays cannot be negative."));
    }
    if min > max {
        return Err(AppError::validation(format!(
            "The shortest delay ({min} s) is longer than the longest ({max} s)."
        )));
    }
    if max > MAX_DELAY_SECONDS {
        return Err(AppError::validation(format!(
            "A delay can be at most {MAX_DELAY_SECONDS} seconds (a day)."
        )));
    }
    let weekdays = Weekdays::of(&input.weekdays);
    let window = match &input.window {
        Some((from, to)) => Some(SendWindow::new(
            SendWindow::parse_time(from)?,
            SendWindow::parse_time(to)?,
            weekdays,
        )?),
        None => None,
    };
    let niches = parse_tags(&input.niches)?;
    check_tags_exist(db, owner, &niches).await?;
    let mut device_ids = input.device_ids;
    device_ids.sort();
    device_ids.dedup();
    check_devices_owned(db, owner, &device_ids).await?;
    // A broadcast sends each lead from its own device: a limit per device is an AI campaign's.
    let per_device_limit = match input.kind {
        CampaignKind::Ai => Some(super::ai::check_limit(input.per_device_limit)?),
        CampaignKind::Broadcast => None,
    };
    Ok(Draft {
        kind: input.kind,
        title,
        template,
        image,
        has_image,
        niches,
        target_status: input.target_status,
        device_ids,
        scheduled_at: input.scheduled_at,
        window,
        weekdays,
        delay: (min, max),
        per_device_limit,
    })
}

/// Every tag must be one the user's leads have (a typo would target nobody, silently).
async fn check_tags_exist(db: &DatabaseConnection, owner: UserId, niches: &[Tag]) -> AppResult<()> {
    if niches.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = tags::Entity::find()
        .filter(tags::Column::UserId.eq(owner.0))
        .filter(tags::Column::TagKey.is_in(niches.iter().map(|t| t.key.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag_key)
        .collect();
    if let Some(unknown) = niches.iter().find(|t| !known.contains(&t.key)) {
        return Err(AppError::validation(format!(
            "No lead has the tag \u{201c}{}\u{201d}.",
            unknown.label
        )));
    }
    Ok(())
}

/// Every chosen device must be one of the user's (someone else's is unknown, like a typo).
async fn check_devices_owned(
    db: &DatabaseConnection,
    owner: UserId,
    device_ids: &[DeviceId],
) -> AppResult<()> {
    if device_ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = device_ids.iter().map(|d| d.0).collect();
    let owned = devices::Entity::find()
        .filter(devices::Column::UserId.eq(owner.0))
        .filter(devices::Column::Id.is_in(ids))
        .count(db)
        .await?;
    if owned as usize != device_ids.len() {
        return Err(AppError::validation(
            "One of the chosen devices does not exist (or is not yours).",
        ));
    }
    Ok(())
}
