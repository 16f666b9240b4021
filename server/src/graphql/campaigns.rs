//! Campaigns over GraphQL: thin resolvers that parse, call one domain function and map.

use std::time::Duration;

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    Context, Enum, InputObject, Object, SimpleObject, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

use super::{devices::ConnectionCount, state, user_events, viewer, GqlResult};
use crate::{
    domain::{
        campaigns::{
            self, ai, control,
            draft::{self, CampaignInput as DomainInput},
            preview::{self, DevicePreview},
            progress::{self, Counts, DeviceCounts},
            CampaignFilter as DomainFilter,
        },
        pagination::PageRequest,
        send_window::Weekdays,
    },
    entities::{campaigns as campaign_rows, enums::TargetStatus},
    error::{AppError, AppResult},
    events::EventKind,
    types::ids::{CampaignId, DeviceId, UserId},
};

/// What a campaign is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::CampaignKind")]
pub enum CampaignKind {
    /// A message to the leads of your devices, each from its own device.
    Broadcast,
    /// The AI lead pool dealt over your devices.
    Ai,
}

/// Where a campaign is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::CampaignStatus")]
pub enum CampaignStatus {
    /// Waiting for its start time (or, with none, for one to be set).
    Scheduled,
    /// Sending.
    Running,
    /// Held; `pausedReason` says why when it paused itself.
    Paused,
    /// Every message sent, failed or skipped.
    Completed,
    /// Ended with leads left for a later campaign.
    CompletedWithPending,
    /// Cancelled; unsent messages were cancelled.
    Cancelled,
    /// Could not run.
    Failed,
}

/// Whom a campaign targets.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CampaignTarget {
    /// Leads that have not bought yet.
    Prospect,
    /// Leads that bought.
    Customer,
    /// Prospects and customers.
    All,
}

impl CampaignTarget {
    pub fn status(self) -> Option<TargetStatus> {
        match self {
            Self::Prospect => Some(TargetStatus::Prospect),
            Self::Customer => Some(TargetStatus::Customer),
            Self::All => None,
        }
    }

    pub fn of(status: Option<TargetStatus>) -> Self {
        match status {
            Some(TargetStatus::Prospect) => Self::Prospect,
            Some(TargetStatus::Customer) => Self::Customer,
            None => Self::All,
        }
    }
}

/// A day of the week.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "chrono::Weekday")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// A time-of-day window in the lead's local time.
#[derive(InputObject)]
pub struct SendWindowInput {
    /// `HH:MM`.
    pub from: String,
    /// `HH:MM`; before `from` for a window across midnight.
    pub to: String,
}

/// A time-of-day window in the lead's local time.
#[derive(SimpleObject)]
pub struct SendWindow {
    /// `HH:MM`.
    pub from: String,
    /// `HH:MM`; before `from` for a window across midnight.
    pub to: String,
}

/// A campaign to create, edit or preview.
#[derive(InputObject)]
pub struct CampaignInput {
    /// Broadcast or AI campaign.
    #[graphql(default_with = "CampaignKind::Broadcast")]
    pub kind: CampaignKind,
    /// Its title.
    pub title: String,
    /// Template: `{name}`, `{phone}`, `{name|fallback}`, spintax `{Hi|Hello}`.
    pub message: String,
    /// An image; the message becomes its caption.
    pub image: Option<Upload>,
    /// On an edit: drop the campaign's image.
    #[graphql(default)]
    pub remove_image: bool,
    /// Leads with any of these tags (none: every lead).
    pub niches: Option<Vec<String>>,
    /// Prospects, customers, or both.
    #[graphql(default_with = "CampaignTarget::All")]
    pub target_status: CampaignTarget,
    /// None or empty: all of your devices.
    pub device_ids: Option<Vec<ID>>,
    /// UTC; none = now.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The time of day messages may go out, in the lead's local time; none: any time.
    pub send_window: Option<SendWindowInput>,
    /// None or empty: every day.
    pub weekdays: Option<Vec<Weekday>>,
    /// The shortest pause between two sends of a device, in seconds.
    #[graphql(default = 10)]
    pub min_delay_seconds: i32,
    /// The longest pause between two sends of a device, in seconds.
    #[graphql(default = 30)]
    pub max_delay_seconds: i32,
    /// AI campaigns: at most this many leads per device.
    pub per_device_limit: Option<i32>,
}

/// Which campaigns a list shows.
#[derive(InputObject, Default)]
pub struct CampaignFilter {
    /// Where it is.
    pub status: Option<CampaignStatus>,
    /// Part of the title.
    pub search: Option<String>,
}

/// Counts of a campaign's messages.
#[derive(SimpleObject, Clone, Copy)]
pub struct CampaignCounts {
    /// Every message of the campaign.
    pub total: i64,
    /// Waiting: for their time, their window, or a resume.
    pub pending: i64,
    /// On their device's queue (or being sent).
    pub queued: i64,
    /// Messages that reached SENT or later.
    pub sent: i64,
    /// Messages that reached DELIVERED or READ.
    pub delivered: i64,
    /// Read by the recipient.
    pub read: i64,
    /// Failed.
    pub failed: i64,
    /// Not sent on purpose (opted out).
    pub skipped: i64,
    /// Cancelled before they were sent.
    pub cancelled: i64,
    /// Recipients who answered after the campaign's message.
    pub replied: i64,
}

impl From<Counts> for CampaignCounts {
    fn from(c: Counts) -> Self {
        Self {
            total: c.total,
            pending: c.pending,
            queued: c.queued,
            sent: c.sent,
            delivered: c.delivered,
            read: c.read,
            failed: c.failed,
            skipped: c.skipped,
            cancelled: c.cancelled,
            replied: c.replied,
        }
    }
}

/// One device's part of a campaign.
#[derive(SimpleObject)]
pub struct CampaignDeviceCounts {
    /// The device.
    pub device_id: ID,
    /// The device's name.
    pub device_name: String,
    /// Its counts.
    pub counts: CampaignCounts,
}

impl From<DeviceCounts> for CampaignDeviceCounts {
    fn from(d: DeviceCounts) -> Self {
        Self {
            device_id: ID(d.device_id.to_string()),
            device_name: d.device_name,
            counts: d.counts.into(),
        }
    }
}

/// Where a device stands in an AI campaign.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::AiDeviceStatus")]
pub enum AiDeviceStatus {
    /// Dealt to while it is online and has room.
    Active,
    /// Got its limit per device.
    LimitReached,
    /// Failed 3 sends in a row; its unsent leads went to the others.
    Failed,
}

/// A device's part in an AI campaign.
#[derive(SimpleObject)]
pub struct AiCampaignDevice {
    /// The device.
    pub device_id: ID,
    /// The device's name.
    pub device_name: String,
    /// Whether it is online now (an offline device is not dealt to until it is back).
    pub online: bool,
    /// Its status in this campaign.
    pub status: AiDeviceStatus,
    /// Leads dealt to it and not given back.
    pub dealt: i32,
    /// Sent from it.
    pub sent: i32,
    /// Failed on it.
    pub failed: i32,
    /// Leads it may still be dealt.
    pub room: Option<i32>,
    /// Why it failed.
    pub reason: Option<String>,
}

impl From<ai::DevicePart> for AiCampaignDevice {
    fn from(d: ai::DevicePart) -> Self {
        Self {
            device_id: ID(d.device_id.to_string()),
            device_name: d.device_name,
            online: d.online,
            status: d.status.into(),
            dealt: d.dealt,
            sent: d.sent,
            failed: d.failed,
            room: d.room,
            reason: d.reason,
        }
    }
}

/// A lead an AI campaign took from a device and dealt again.
#[derive(SimpleObject)]
pub struct AiRedeal {
    /// The lead (in the AI lead pool).
    pub lead_id: ID,
    /// Its name, if it has one.
    pub lead_name: Option<String>,
    /// Its number.
    pub lead_phone: Option<String>,
    /// The device it was taken from.
    pub from_device_id: ID,
    /// The device it went to next (none yet: it waits in the pool).
    pub to_device_id: Option<ID>,
    /// Why it was taken back.
    pub reason: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

/// The newest re-deals of an AI campaign.
#[derive(SimpleObject)]
pub struct AiRedealLog {
    /// How many re-deals in all.
    pub total: i64,
    /// The newest first.
    pub entries: Vec<AiRedeal>,
}

/// A campaign's progress: from its running counters.
#[derive(SimpleObject)]
pub struct CampaignProgress {
    /// The campaign.
    pub campaign_id: ID,
    /// Where it is.
    pub status: CampaignStatus,
    /// Why it paused itself (a late start, the error threshold).
    pub paused_reason: Option<String>,
    /// Totals over every device.
    pub totals: CampaignCounts,
    /// Per device.
    pub devices: Vec<CampaignDeviceCounts>,
    /// An AI campaign's devices: status, room, sent and failed (empty for a broadcast).
    pub ai_devices: Vec<AiCampaignDevice>,
}

impl From<progress::Progress> for CampaignProgress {
    fn from(p: progress::Progress) -> Self {
        Self {
            campaign_id: ID(p.campaign.id.to_string()),
            status: p.campaign.status.into(),
            paused_reason: p.campaign.paused_reason,
            totals: p.totals.into(),
            devices: p.devices.into_iter().map(Into::into).collect(),
            ai_devices: p.ai_devices.into_iter().map(Into::into).collect(),
        }
    }
}

/// A failure reason and how many messages failed with it.
#[derive(SimpleObject)]
pub struct FailureReason {
    /// The error the messages failed with.
    pub reason: String,
    /// How many.
    pub count: i64,
}

/// What a campaign did.
#[derive(SimpleObject)]
pub struct CampaignReport {
    /// Totals over every device.
    pub totals: CampaignCounts,
    /// Per device.
    pub devices: Vec<CampaignDeviceCounts>,
    /// Most frequent first.
    pub failures: Vec<FailureReason>,
    /// Of the sent messages, 0..1.
    pub delivered_rate: f64,
    /// Of the sent messages, the share read (0..1).
    pub read_rate: f64,
    /// Of the sent messages, the share answered (0..1).
    pub reply_rate: f64,
}

pub struct Campaign(campaign_rows::Model);

/// A campaign.
#[Object]
impl Campaign {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Broadcast or AI campaign.
    async fn kind(&self) -> CampaignKind {
        self.0.kind.into()
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The template as written.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Whether an image goes with the message (the text is its caption).
    async fn has_image(&self) -> bool {
        self.0.image_ref.is_some()
    }
    /// The niche tags it targets (none: every lead).
    async fn niches(&self) -> Vec<String> {
        campaigns::niches(&self.0)
    }
    /// Prospects, customers, or both.
    async fn target_status(&self) -> CampaignTarget {
        CampaignTarget::of(self.0.target_status)
    }
    /// The chosen devices; empty when the campaign uses all of your devices.
    async fn device_ids(&self) -> Vec<ID> {
        campaigns::device_ids(&self.0)
            .into_iter()
            .map(|d| ID(d.to_string()))
            .collect()
    }
    /// When it starts (UTC); null for a copy that waits for a time.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.scheduled_at
    }
    /// The time of day messages may go out, in the lead's local time; none: any time.
    async fn send_window(&self) -> Option<SendWindow> {
        self.0
            .window_from
            .clone()
            .zip(self.0.window_to.clone())
            .map(|(from, to)| SendWindow { from, to })
    }
    /// The days it sends on.
    async fn weekdays(&self) -> Vec<Weekday> {
        Weekdays::from_bits(self.0.weekdays)
            .days()
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// The shortest pause between two sends of a device, in seconds.
    async fn min_delay_seconds(&self) -> i32 {
        self.0.min_delay_seconds
    }
    /// The longest pause between two sends of a device, in seconds.
    async fn max_delay_seconds(&self) -> i32 {
        self.0.max_delay_seconds
    }
    /// AI campaigns: at most this many leads per device.
    async fn per_device_limit(&self) -> Option<i32> {
        self.0.per_device_limit
    }
    /// Where it is.
    async fn status(&self) -> CampaignStatus {
        self.0.status.into()
    }
    /// Why it paused itself (a late start, the error threshold), failed, or ended with leads
    /// left.
    async fn paused_reason(&self) -> Option<&str> {
        self.0.paused_reason.as_deref()
    }
    /// When its messages were put in the outbox.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it ended (completed or cancelled).
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Totals and per-device counts.
    async fn progress(&self, ctx: &Context<'_>) -> GqlResult<CampaignProgress> {
        Ok(progress::progress(&state(ctx).db, self.0.clone())
            .await?
            .into())
    }
    /// An AI campaign's re-deal log: leads taken back from a device and where they went.
    async fn redeals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> GqlResult<AiRedealLog> {
        let (entries, total) = ai::redeals(
            &state(ctx).db,
            UserId(self.0.user_id),
            CampaignId(self.0.id),
            first.clamp(1, 500) as u64,
        )
        .await?;
        Ok(AiRedealLog {
            total: total as i64,
            entries: entries
                .into_iter()
                .map(|r| AiRedeal {
                    lead_id: ID(r.lead_id.to_string()),
                    lead_name: r.lead_name.filter(|n| !n.is_empty()),
                    lead_phone: r.lead_phone,
                    from_device_id: ID(r.from_device.to_string()),
                    to_device_id: r.to_device.map(|d| ID(d.to_string())),
                    reason: r.reason,
                    at: r.at,
                })
                .collect(),
        })
    }
    /// Per-device counts, failures by reason, delivered/read/reply rates.
    async fn report(&self, ctx: &Context<'_>) -> GqlResult<CampaignReport> {
        let db = &state(ctx).db;
        let progress = progress::progress(db, self.0.clone()).await?;
        let failures = progress::failures(db, self.0.id).await?;
        let totals = progress.totals;
        Ok(CampaignReport {
            totals: totals.into(),
            devices: progress.devices.into_iter().map(Into::into).collect(),
            failures: failures
                .into_iter()
                .map(|f| FailureReason {
                    reason: f.reason,
                    count: f.count,
                })
                .collect(),
            delivered_rate: totals.rate(totals.delivered),
            read_rate: totals.rate(totals.read),
            reply_rate: totals.rate(totals.replied),
        })
    }
}

/// One device's part of a preview.
#[derive(SimpleObject)]
pub struct CampaignPreviewDevice {
    /// The device.
    pub device_id: ID,
    /// The device's name.
    pub device_name: String,
    /// Leads it would message (opted-out ones not counted).
    pub leads: i64,
    /// Whether the device is ONLINE now.
    pub online: bool,
    /// Seconds from the start to its last send (an estimate); null with nothing to send.
    pub eta_seconds: Option<i64>,
    /// When it should send its last message (an estimate).
    pub finishes_at: Option<DateTime<Utc>>,
}

impl From<DevicePreview> for CampaignPreviewDevice {
    fn from(d: DevicePreview) -> Self {
        Self {
            device_id: ID(d.device_id.to_string()),
            device_name: d.device_name,
            leads: d.leads,
            online: d.online,
            eta_seconds: d.eta.map(|e| e.num_seconds()),
            finishes_at: d.finishes_at,
        }
    }
}

/// What a campaign would do if it started now.
#[derive(SimpleObject)]
pub struct CampaignPreview {
    /// Leads it would message.
    pub leads: i64,
    /// Matching leads left out because they opted out.
    pub opted_out: i64,
    /// Of `leads`, those on devices that are not ONLINE (they wait for their device).
    pub on_offline_devices: i64,
    /// Of `leads`, those with a message of another running or paused campaign still to come.
    pub in_other_running_campaigns: i64,
    /// Per device.
    pub devices: Vec<CampaignPreviewDevice>,
    /// Up to 5 texts as leads would get them.
    pub samples: Vec<String>,
    /// How many different texts the spintax can make.
    pub distinct_texts: i64,
    /// AI campaigns: the devices that would be dealt to (online now).
    pub online_devices: i64,
    /// AI campaigns: matching leads no device has room for (they stay PENDING).
    pub left_pending: i64,
}

pub type CampaignConnection = Connection<String, Campaign, ConnectionCount, EmptyFields>;

fn campaign_id(id: &ID) -> AppResult<CampaignId> {
    Ok(CampaignId::parse(id)?)
}

/// Reads a GraphQL input into the domain's (the image read with the upload limit).
async fn domain_input(ctx: &Context<'_>, input: CampaignInput) -> AppResult<DomainInput> {
    let image = match input.image {
        Some(upload) => Some(read_image(ctx, upload).await?),
        None => None,
    };
    let device_ids = input
        .device_ids
        .unwrap_or_default()
        .iter()
        .map(|id| DeviceId::parse(id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DomainInput {
        kind: input.kind.into(),
        title: input.title,
        message: input.message,
        image,
        remove_image: input.remove_image,
        niches: input.niches.unwrap_or_default(),
        target_status: input.target_status.status(),
        device_ids,
        scheduled_at: input.scheduled_at,
        window: input.send_window.map(|w| (w.from, w.to)),
        weekdays: input
            .weekdays
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        min_delay_seconds: input.min_delay_seconds,
        max_delay_seconds: input.max_delay_seconds,
        per_device_limit: input.per_device_limit,
    })
}

/// An uploaded image, refused beyond the upload limit (as the inbox's).
pub async fn read_image(ctx: &Context<'_>, upload: Upload) -> AppResult<Vec<u8>> {
    super::outbox::read_upload(ctx, upload, state(ctx).config.upload_max_bytes).await
}

#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// Your campaigns, newest first.
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        filter: Option<CampaignFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<CampaignConnection> {
        let viewer = viewer(ctx)?;
        let request = PageRequest::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = DomainFilter {
            status: filter.status.map(Into::into),
            search: filter.search,
        };
        let page = campaigns::list(&state(ctx).db, viewer.user_id, &filter, request).await?;
        let mut connection = Connection::with_additional_fields(
            request.after.is_some(),
            page.has_next_page,
            ConnectionCount::new(page.total_count),
        );
        connection.edges.extend(
            page.items
                .into_iter()
                .map(|c| Edge::new(campaigns::cursor(&c).encode(), Campaign(c))),
        );
        Ok(connection)
    }

    /// One of your campaigns; null when it does not exist or is not yours.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Campaign>> {
        let viewer = viewer(ctx)?;
        match campaigns::find_owned(&state(ctx).db, viewer.user_id, campaign_id(&id)?).await {
            Ok(campaign) => Ok(Some(Campaign(campaign))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// What a campaign would do if it started at its time (or now): leads per device, who is
    /// left out and why, sample texts, and an estimate of when each device is done.
    async fn campaign_preview(
        &self,
        ctx: &Context<'_>,
        input: CampaignInput,
    ) -> GqlResult<CampaignPreview> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let input = domain_input(ctx, input).await?;
        // The image is not sent with a preview: the text may be a caption, so an empty one is
        // not refused here (saving the campaign still is, without an image).
        let draft = draft::check(&app.db, viewer.user_id, input, true).await?;
        let start = draft.scheduled_at.unwrap_or_else(|| app.clock.now());
        let found = preview::preview(&app.db, viewer.user_id, &draft, start).await?;
        Ok(CampaignPreview {
            leads: found.leads,
            opted_out: found.opted_out,
            on_offline_devices: found.on_offline_devices,
            in_other_running_campaigns: found.in_other_running_campaigns,
            devices: found.devices.into_iter().map(Into::into).collect(),
            samples: found.samples,
            distinct_texts: i64::try_from(found.distinct_texts).unwrap_or(i64::MAX),
            online_devices: found.online_devices,
            left_pending: found.left_pending,
        })
    }
}

#[derive(Default)]
pub struct CampaignMutation;

#[Object]
impl CampaignMutation {
    /// Creates a campaign, SCHEDULED for its time (none: now).
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CampaignInput,
    ) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let input = domain_input(ctx, input).await?;
        Ok(Campaign(
            control::create(state(ctx).ports(), viewer.user_id, input).await?,
        ))
    }

    /// Edits a SCHEDULED or PAUSED campaign; content changes reach its unsent messages.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignInput,
    ) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        let input = domain_input(ctx, input).await?;
        Ok(Campaign(
            control::update(state(ctx).ports(), viewer.user_id, id, input).await?,
        ))
    }

    /// A copy: title + " (Copy)", SCHEDULED with no time (set one by editing, or resume it to
    /// start now).
    async fn clone_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        Ok(Campaign(
            control::clone(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }

    /// Deletes a campaign that is not running; its sent messages stay in the outbox.
    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        control::delete(state(ctx).ports(), viewer.user_id, id).await?;
        Ok(true)
    }

    /// Pauses a scheduled or running campaign; nothing in flight is lost.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        Ok(Campaign(
            control::pause(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }

    /// Resumes a paused campaign (never re-sends a sent message); starts one that never did.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        Ok(Campaign(
            control::resume(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }

    /// Cancels a campaign: its unsent messages are cancelled.
    async fn cancel_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let viewer = viewer(ctx)?;
        let id = campaign_id(&id)?;
        Ok(Campaign(
            control::cancel(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }

    /// Puts the campaign's FAILED messages (of one device, if given) back in the queue; how many.
    async fn retry_failed(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
        device_id: Option<ID>,
    ) -> GqlResult<i64> {
        let viewer = viewer(ctx)?;
        let id = self::campaign_id(&campaign_id)?;
        let device = device_id.map(|d| DeviceId::parse(&d)).transpose()?;
        let retried = control::retry_failed(state(ctx).ports(), viewer.user_id, id, device).await?;
        Ok(i64::try_from(retried).unwrap_or(i64::MAX))
    }
}

/// At most this many progress events a second per subscriber, however fast rows move.
pub const PROGRESS_SPACING: Duration = Duration::from_millis(250);

#[derive(Default)]
pub struct CampaignSubscription;

#[Subscription]
impl CampaignSubscription {
    /// The campaign's progress at once, then after changes (a few events a second at most).
    async fn campaign_progress(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
    ) -> Result<impl Stream<Item = GqlResult<CampaignProgress>>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let id = self::campaign_id(&campaign_id)?;
        let owner: UserId = viewer.user_id;
        // Subscribe before reading, so no change falls between the two.
        let changes = user_events(ctx, owner, move |event| match &event.kind {
            EventKind::OutboxChanged { changes }
                if changes.iter().any(|c| c.campaign_id == Some(id.0)) =>
            {
                vec![()]
            }
            EventKind::CampaignChanged { campaign } if campaign.id == id.0 => vec![()],
            _ => Vec::new(),
        });
        let db = state(ctx).db.clone();
        let first = campaigns::find_owned(&db, owner, id).await?;
        let current = progress::progress(&db, first).await?;
        // Coalesced: a burst of changes becomes one read of the counters per period.
        let coalesced = coalesce(changes, PROGRESS_SPACING).then(move |item| {
            let db = db.clone();
            async move {
                item?;
                let campaign = campaigns::find_owned(&db, owner, id).await?;
                Ok(CampaignProgress::from(
                    progress::progress(&db, campaign).await?,
                ))
            }
        });
        Ok(
            futures::stream::once(async move { Ok(CampaignProgress::from(current)) })
                .chain(coalesced),
        )
    }
}

/// Turns a stream of "something changed" into at most one item per `spacing`: a change is
/// reported `spacing` after it came, together with every change that came meanwhile.
pub fn coalesce(
    changes: futures::stream::BoxStream<'static, GqlResult<()>>,
    spacing: Duration,
) -> impl Stream<Item = GqlResult<()>> {
    futures::stream::unfold(Some(changes), move |changes| async move {
        let mut changes = changes?;
        match changes.next().await? {
            Err(err) => Some((Err(err), None)),
            Ok(()) => {
                // Everything that arrives while we wait belongs to this item.
                let until = tokio::time::Instant::now() + spacing;
                loop {
                    match tokio::time::timeout_at(until, changes.next()).await {
                        Err(_) => break,
                        Ok(Some(Ok(()))) => continue,
                        Ok(Some(Err(err))) => return Some((Err(err), None)),
                        Ok(None) => return Some((Ok(()), None)),
                    }
                }
                Some((Ok(()), Some(changes)))
            }
        }
    })
}
