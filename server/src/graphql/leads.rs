//! The audience over GraphQL: leads, the AI lead pool, tags, opt-outs and CSV imports.

use std::sync::Arc;

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    dataloader::DataLoader,
    Context, Enum, InputObject, Object, SimpleObject, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::Stream;

use super::{
    devices::{ConnectionCount, Device},
    loaders::DeviceLoader,
    state, user_events, viewer, GqlResult,
};
use crate::{
    auth::accounts::phone_country,
    domain::{
        leads::{
            self,
            import::{self, ImportRequest},
            opt_outs, AudienceKind, LeadDraft, LeadFilter, LeadPatch, LeadView,
        },
        pagination::PageRequest,
    },
    entities::{import_jobs, opt_outs as opt_out_rows},
    error::AppError,
    events::{EventKind, EventPublisher},
    types::ids::{DeviceId, ImportJobId, LeadId, UserId},
};

/// Whether a lead already bought.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::TargetStatus")]
pub enum LeadTargetStatus {
    /// Not a customer yet.
    Prospect,
    /// Already bought.
    Customer,
}

/// How a lead came in.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::LeadSource")]
pub enum LeadSource {
    /// Typed in.
    Manual,
    /// From a CSV import.
    Import,
}

/// Where an AI lead is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::AiLeadStatus")]
pub enum AiLeadStatus {
    /// In the pool, waiting for an AI campaign.
    Pending,
    /// Dealt to a device by a running AI campaign.
    Assigned,
    /// Sent.
    Sent,
    /// The send failed.
    Failed,
}

/// What opted a number out.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::OptOutSource")]
pub enum OptOutSource {
    /// Opted out by hand.
    Manual,
    /// The contact wrote an opt-out phrase (STOP, UNSUBSCRIBE, BERHENTI, …).
    Inbound,
    /// From an opt-out CSV import.
    Import,
}

/// What a CSV import fills.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::ImportKind")]
pub enum ImportKind {
    /// A device's leads.
    Leads,
    /// The AI lead pool.
    AiLeads,
    /// Opt-outs.
    OptOuts,
}

/// Where an import job is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::ImportStatus")]
pub enum ImportStatus {
    /// Reading and storing batches.
    Running,
    /// Finished (rejected rows, if any, are listed).
    Done,
    /// Stopped; `error` says why. Committed batches stay.
    Failed,
}

/// What an import does to the tags of a phone that exists already.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::TagMergeMode")]
pub enum TagMergeMode {
    /// Add the file's tags to the stored ones.
    Merge,
    /// Replace the stored tags with the file's.
    Replace,
}

pub struct Lead(LeadView);

/// A device's lead: the device that will message them.
#[Object]
impl Lead {
    /// The lead's id.
    async fn id(&self) -> ID {
        ID(self.0.lead.id.to_string())
    }
    /// The device the lead belongs to.
    async fn device(&self, ctx: &Context<'_>) -> GqlResult<Device> {
        let device_id = self.0.lead.device_id.unwrap_or_default();
        let device = ctx
            .data_unchecked::<DataLoader<DeviceLoader>>()
            .load_one(device_id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
            .filter(|d| d.user_id == self.0.lead.user_id)
            .ok_or(AppError::NotFound("Device"))?;
        Ok(Device::from(device))
    }
    /// The name (may be empty).
    async fn name(&self) -> &str {
        &self.0.lead.name
    }
    /// E.164 phone number.
    async fn phone(&self) -> &str {
        &self.0.lead.phone
    }
    /// Tags, as first written.
    async fn niches(&self) -> &[String] {
        &self.0.niches
    }
    /// Prospect or customer.
    async fn target_status(&self) -> LeadTargetStatus {
        self.0.lead.target_status.into()
    }
    /// Sequence trigger codes (lower case).
    async fn triggers(&self) -> Vec<String> {
        leads::tags::triggers_list(&self.0.lead.triggers)
    }
    /// Free-text notes.
    async fn notes(&self) -> &str {
        &self.0.lead.notes
    }
    /// How the lead came in.
    async fn source(&self) -> LeadSource {
        self.0.lead.source.into()
    }
    /// The number opted out: no campaign, sequence or AI campaign messages it.
    async fn opted_out(&self) -> bool {
        self.0.opted_out
    }
    /// When the lead was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.lead.created_at
    }
    /// When the lead last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.lead.updated_at
    }
}

pub struct AiLead(LeadView);

/// A lead of your AI pool: not tied to a device until an AI campaign deals it.
#[Object]
impl AiLead {
    /// The AI lead's id.
    async fn id(&self) -> ID {
        ID(self.0.lead.id.to_string())
    }
    /// The name (may be empty).
    async fn name(&self) -> &str {
        &self.0.lead.name
    }
    /// E.164 phone number.
    async fn phone(&self) -> &str {
        &self.0.lead.phone
    }
    /// Tags, as first written.
    async fn niches(&self) -> &[String] {
        &self.0.niches
    }
    /// Prospect or customer.
    async fn target_status(&self) -> LeadTargetStatus {
        self.0.lead.target_status.into()
    }
    /// Free-text notes.
    async fn notes(&self) -> &str {
        &self.0.lead.notes
    }
    /// Where it is in the AI campaigns.
    async fn status(&self) -> AiLeadStatus {
        self.0
            .lead
            .status
            .unwrap_or(crate::entities::enums::AiLeadStatus::Pending)
            .into()
    }
    /// The device it went out from (null until dealt, or once that device is deleted).
    async fn device(&self, ctx: &Context<'_>) -> GqlResult<Option<Device>> {
        let Some(device_id) = self.0.lead.device_id else {
            return Ok(None);
        };
        let device = ctx
            .data_unchecked::<DataLoader<DeviceLoader>>()
            .load_one(device_id)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        Ok(device
            .filter(|d| d.user_id == self.0.lead.user_id)
            .map(Device::from))
    }
    /// When it was sent.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.lead.sent_at
    }
    /// The number opted out.
    async fn opted_out(&self) -> bool {
        self.0.opted_out
    }
    /// When the AI lead was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.lead.created_at
    }
    /// When the AI lead last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.lead.updated_at
    }
}

/// A tag and how many leads and AI leads carry it.
#[derive(SimpleObject)]
pub struct NicheCount {
    /// The tag, as first written.
    tag: String,
    /// Device leads with the tag.
    leads: u64,
    /// AI leads with the tag.
    ai_leads: u64,
}

impl From<leads::NicheCount> for NicheCount {
    fn from(n: leads::NicheCount) -> Self {
        Self {
            tag: n.tag,
            leads: n.leads,
            ai_leads: n.ai_leads,
        }
    }
}

/// AI leads with one status.
#[derive(SimpleObject)]
pub struct AiLeadStatusCount {
    /// The status.
    status: AiLeadStatus,
    /// How many.
    count: u64,
}

/// The AI lead pool in figures.
#[derive(SimpleObject)]
pub struct AiLeadStats {
    /// All AI leads.
    total: u64,
    /// By status.
    by_status: Vec<AiLeadStatusCount>,
    /// By tag (AI leads only in `aiLeads`).
    by_niche: Vec<NicheCount>,
}

pub struct OptOut(opt_out_rows::Model);

/// A number no campaign, sequence or AI campaign of yours may message.
#[Object]
impl OptOut {
    /// E.164 phone number.
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// What opted it out.
    async fn source(&self) -> OptOutSource {
        self.0.source.into()
    }
    /// When it opted out.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A row of an import that was not imported.
#[derive(SimpleObject)]
pub struct ImportRejection {
    /// Its line in the file (the header is line 1).
    line: i64,
    /// Why it was not imported.
    reason: String,
}

pub struct ImportJob(import_jobs::Model);

/// A CSV import; it runs in the background and `importProgress` follows it.
#[Object]
impl ImportJob {
    /// The job's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it imports.
    async fn kind(&self) -> ImportKind {
        self.0.kind.into()
    }
    /// Where it is.
    async fn status(&self) -> ImportStatus {
        self.0.status.into()
    }
    /// The uploaded file's name.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// Data rows read so far.
    async fn rows_read(&self) -> i64 {
        self.0.rows_read
    }
    /// New rows stored.
    async fn imported(&self) -> i64 {
        self.0.imported
    }
    /// Rows that updated a phone stored before.
    async fn updated(&self) -> i64 {
        self.0.updated
    }
    /// Rows of a phone that came earlier in the file (the last one wins).
    async fn duplicates(&self) -> i64 {
        self.0.duplicates
    }
    /// Rows not imported.
    async fn rejected_count(&self) -> i64 {
        self.0.rejected_count
    }
    /// The rows not imported, by line, with the reason.
    async fn rejected(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: i32,
    ) -> GqlResult<Vec<ImportRejection>> {
        let rows = import::rejected(&state(ctx).db, self.0.id, first.clamp(0, 1000) as u64).await?;
        Ok(rows
            .into_iter()
            .map(|r| ImportRejection {
                line: r.line,
                reason: r.reason,
            })
            .collect())
    }
    /// Why the job failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// When it started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it ended.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

pub type LeadConnection = Connection<String, Lead, ConnectionCount, EmptyFields>;
pub type AiLeadConnection = Connection<String, AiLead, ConnectionCount, EmptyFields>;
pub type OptOutConnection = Connection<String, OptOut, ConnectionCount, EmptyFields>;

/// A new lead of a device.
#[derive(InputObject)]
pub struct LeadInput {
    /// The device that will message the lead.
    device_id: ID,
    /// The name.
    name: Option<String>,
    /// A phone number in any common form (national forms in your default country).
    phone: String,
    /// Tags.
    niches: Option<Vec<String>>,
    /// Default PROSPECT.
    target_status: Option<LeadTargetStatus>,
    /// Sequence trigger codes.
    triggers: Option<Vec<String>>,
    /// Notes.
    notes: Option<String>,
}

/// Changes to a lead; absent fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateLeadInput {
    /// Move the lead to another of your devices.
    device_id: Option<ID>,
    /// The name.
    name: Option<String>,
    /// The phone number.
    phone: Option<String>,
    /// The tags (replaces them).
    niches: Option<Vec<String>>,
    /// Prospect or customer.
    target_status: Option<LeadTargetStatus>,
    /// Trigger codes (replaces them).
    triggers: Option<Vec<String>>,
    /// Notes.
    notes: Option<String>,
}

/// Which leads to list (fields combine with AND).
#[derive(InputObject, Default)]
#[graphql(name = "LeadFilter")]
pub struct LeadFilterInput {
    /// One device's leads.
    device_id: Option<ID>,
    /// Leads with this tag (whole tag, any case or accents).
    niche: Option<String>,
    /// Leads with any of these tags.
    niches: Option<Vec<String>>,
    /// Leads with all of these tags.
    all_niches: Option<Vec<String>>,
    /// Prospects or customers.
    target_status: Option<LeadTargetStatus>,
    /// Leads with this trigger code.
    trigger: Option<String>,
    /// Part of the name, or a phone number in any form.
    search: Option<String>,
    /// Only opted-out (true) or only not opted-out (false) numbers.
    opted_out: Option<bool>,
}

/// A new AI lead.
#[derive(InputObject)]
pub struct AiLeadInput {
    /// The name.
    name: Option<String>,
    /// A phone number in any common form.
    phone: String,
    /// Tags.
    niches: Option<Vec<String>>,
    /// Default PROSPECT.
    target_status: Option<LeadTargetStatus>,
    /// Notes.
    notes: Option<String>,
}

/// Changes to an AI lead; absent fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateAiLeadInput {
    /// The name.
    name: Option<String>,
    /// The phone number.
    phone: Option<String>,
    /// The tags (replaces them).
    niches: Option<Vec<String>>,
    /// Prospect or customer.
    target_status: Option<LeadTargetStatus>,
    /// Notes.
    notes: Option<String>,
}

/// Which AI leads to list (fields combine with AND).
#[derive(InputObject, Default)]
pub struct AiLeadFilter {
    /// AI leads with this tag.
    niche: Option<String>,
    /// Any of these tags.
    niches: Option<Vec<String>>,
    /// All of these tags.
    all_niches: Option<Vec<String>>,
    /// Prospects or customers.
    target_status: Option<LeadTargetStatus>,
    /// By status.
    status: Option<AiLeadStatus>,
    /// Part of the name, or a phone number in any form.
    search: Option<String>,
    /// Only opted-out (true) or only not opted-out (false) numbers.
    opted_out: Option<bool>,
}

fn lead_id(id: &ID) -> GqlResult<LeadId> {
    Ok(LeadId::parse(id)?)
}

fn lead_ids(ids: &[ID]) -> GqlResult<Vec<LeadId>> {
    ids.iter().map(lead_id).collect()
}

fn device_id(id: &ID) -> GqlResult<DeviceId> {
    Ok(DeviceId::parse(id)?)
}

fn lead_filter(input: LeadFilterInput) -> GqlResult<LeadFilter> {
    let mut niches = input.niches.unwrap_or_default();
    niches.extend(input.niche);
    Ok(LeadFilter {
        device_id: input.device_id.as_ref().map(device_id).transpose()?,
        niches,
        all_niches: input.all_niches.unwrap_or_default(),
        target_status: input.target_status.map(Into::into),
        trigger: input.trigger,
        search: input.search,
        opted_out: input.opted_out,
        status: None,
    })
}

fn ai_lead_filter(input: AiLeadFilter) -> LeadFilter {
    let mut niches = input.niches.unwrap_or_default();
    niches.extend(input.niche);
    LeadFilter {
        device_id: None,
        niches,
        all_niches: input.all_niches.unwrap_or_default(),
        target_status: input.target_status.map(Into::into),
        trigger: None,
        search: input.search,
        opted_out: input.opted_out,
        status: input.status.map(Into::into),
    }
}

async fn page<T>(
    ctx: &Context<'_>,
    kind: AudienceKind,
    filter: LeadFilter,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(LeadView) -> T,
) -> GqlResult<Connection<String, T, ConnectionCount, EmptyFields>>
where
    T: async_graphql::OutputType,
{
    let viewer = viewer(ctx)?;
    let db = &state(ctx).db;
    let request = PageRequest::parse(first, after.as_deref())?;
    let country = phone_country(db, viewer.user_id).await?;
    let page = leads::list(db, viewer.user_id, country, kind, &filter, request).await?;
    let mut connection = Connection::with_additional_fields(
        request.after.is_some(),
        page.has_next_page,
        ConnectionCount::new(page.total_count),
    );
    connection.edges.extend(page.items.into_iter().map(|view| {
        let cursor = leads::cursor(&view.lead).encode();
        Edge::new(cursor, wrap(view))
    }));
    Ok(connection)
}

#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// Your devices' leads, newest first.
    async fn leads(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeadFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<LeadConnection> {
        let filter = lead_filter(filter.unwrap_or_default())?;
        page(ctx, AudienceKind::Device, filter, first, after, Lead).await
    }

    /// One of your leads; null when it does not exist or is not yours.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Lead>> {
        let viewer = viewer(ctx)?;
        let view = leads::get(
            &state(ctx).db,
            viewer.user_id,
            AudienceKind::Device,
            lead_id(&id)?,
        )
        .await?;
        Ok(view.map(Lead))
    }

    /// Your tags with how many leads and AI leads carry each, most used first.
    async fn niches(&self, ctx: &Context<'_>) -> GqlResult<Vec<NicheCount>> {
        let viewer = viewer(ctx)?;
        let niches = leads::niches(&state(ctx).db, viewer.user_id).await?;
        Ok(niches.into_iter().map(Into::into).collect())
    }

    /// Your AI lead pool, newest first.
    async fn ai_leads(
        &self,
        ctx: &Context<'_>,
        filter: Option<AiLeadFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<AiLeadConnection> {
        let filter = ai_lead_filter(filter.unwrap_or_default());
        page(ctx, AudienceKind::Pool, filter, first, after, AiLead).await
    }

    /// Your AI lead pool by status and by tag.
    async fn ai_lead_stats(&self, ctx: &Context<'_>) -> GqlResult<AiLeadStats> {
        let viewer = viewer(ctx)?;
        let stats = leads::ai_lead_stats(&state(ctx).db, viewer.user_id).await?;
        Ok(AiLeadStats {
            total: stats.total,
            by_status: stats
                .by_status
                .into_iter()
                .map(|(status, count)| AiLeadStatusCount {
                    status: status.into(),
                    count,
                })
                .collect(),
            by_niche: stats.by_niche.into_iter().map(Into::into).collect(),
        })
    }

    /// Numbers no campaign, sequence or AI campaign of yours may message, newest first.
    async fn opt_outs(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<OptOutConnection> {
        let viewer = viewer(ctx)?;
        let db = &state(ctx).db;
        let country = phone_country(db, viewer.user_id).await?;
        let (page, offset) = opt_outs::list(
            db,
            viewer.user_id,
            country,
            search.as_deref(),
            first,
            after.as_deref(),
        )
        .await?;
        let mut connection = Connection::with_additional_fields(
            offset > 0,
            page.has_next_page,
            ConnectionCount::new(page.total_count),
        );
        connection.edges.extend(
            page.items
                .into_iter()
                .enumerate()
                .map(|(i, row)| Edge::new(opt_outs::encode_offset(offset + i as u64), OptOut(row))),
        );
        Ok(connection)
    }

    /// One of your import jobs; null when it does not exist or is not yours.
    async fn import_job(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<ImportJob>> {
        let viewer = viewer(ctx)?;
        let job = import::job(&state(ctx).db, viewer.user_id, ImportJobId::parse(&id)?).await?;
        Ok(job.map(ImportJob))
    }
}

async fn start_import(
    ctx: &Context<'_>,
    kind: crate::entities::enums::ImportKind,
    device: Option<DeviceId>,
    file: Upload,
    tag_mode: TagMergeMode,
) -> GqlResult<ImportJob> {
    let viewer = viewer(ctx)?;
    let app = state(ctx);
    let upload = file
        .value(ctx)
        .map_err(|_| AppError::validation("The upload could not be read."))?;
    let country = phone_country(&app.db, viewer.user_id).await?;
    let events: Arc<dyn EventPublisher> = Arc::new(app.events.clone());
    let job = import::start(
        &app.db,
        events,
        app.clock.clone(),
        viewer.user_id,
        country,
        ImportRequest {
            kind,
            device,
            file_name: upload.filename,
            tag_mode: tag_mode.into(),
            file: upload.content,
        },
        app.config.import_max_bytes,
    )
    .await?;
    Ok(ImportJob(job))
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Adds a lead to one of your devices.
    async fn create_lead(&self, ctx: &Context<'_>, input: LeadInput) -> GqlResult<Lead> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let device = device_id(&input.device_id)?;
        let country = phone_country(&app.db, viewer.user_id).await?;
        let draft = LeadDraft {
            name: input.name,
            phone: input.phone,
            niches: input.niches,
            target_status: input.target_status.map(Into::into),
            triggers: input.triggers,
            notes: input.notes,
        };
        let view = leads::create(
            &app.db,
            viewer.user_id,
            country,
            AudienceKind::Device,
            Some(device),
            draft,
            app.clock.now(),
        )
        .await?;
        Ok(Lead(view))
    }

    /// Changes a lead's fields (absent ones stay).
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLeadInput,
    ) -> GqlResult<Lead> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let country = phone_country(&app.db, viewer.user_id).await?;
        let patch = LeadPatch {
            device_id: input.device_id.as_ref().map(device_id).transpose()?,
            name: input.name,
            phone: input.phone,
            niches: input.niches,
            target_status: input.target_status.map(Into::into),
            triggers: input.triggers,
            notes: input.notes,
        };
        let view = leads::update(
            &app.db,
            viewer.user_id,
            country,
            AudienceKind::Device,
            lead_id(&id)?,
            patch,
            app.clock.now(),
        )
        .await?;
        Ok(Lead(view))
    }

    /// Deletes your leads among `ids`; returns how many were deleted.
    async fn delete_leads(&self, ctx: &Context<'_>, ids: Vec<ID>) -> GqlResult<u64> {
        let viewer = viewer(ctx)?;
        Ok(leads::delete_many(
            &state(ctx).db,
            viewer.user_id,
            AudienceKind::Device,
            &lead_ids(&ids)?,
        )
        .await?)
    }

    /// Adds and removes tags on your leads among `ids`; returns how many leads.
    async fn retag_leads(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        add: Option<Vec<String>>,
        remove: Option<Vec<String>>,
    ) -> GqlResult<u64> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        Ok(leads::retag(
            &app.db,
            viewer.user_id,
            AudienceKind::Device,
            &lead_ids(&ids)?,
            &add.unwrap_or_default(),
            &remove.unwrap_or_default(),
            app.clock.now(),
        )
        .await?)
    }

    /// Moves your leads among `ids` to another of your devices. If the device already has one
    /// of their numbers, nothing moves.
    async fn move_leads(&self, ctx: &Context<'_>, ids: Vec<ID>, device_id: ID) -> GqlResult<u64> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        Ok(leads::move_to_device(
            &app.db,
            viewer.user_id,
            &lead_ids(&ids)?,
            self::device_id(&device_id)?,
            app.clock.now(),
        )
        .await?)
    }

    /// Adds a lead to your AI lead pool.
    async fn create_ai_lead(&self, ctx: &Context<'_>, input: AiLeadInput) -> GqlResult<AiLead> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let country = phone_country(&app.db, viewer.user_id).await?;
        let draft = LeadDraft {
            name: input.name,
            phone: input.phone,
            niches: input.niches,
            target_status: input.target_status.map(Into::into),
            triggers: None,
            notes: input.notes,
        };
        let view = leads::create(
            &app.db,
            viewer.user_id,
            country,
            AudienceKind::Pool,
            None,
            draft,
            app.clock.now(),
        )
        .await?;
        Ok(AiLead(view))
    }

    /// Changes an AI lead's fields (absent ones stay).
    async fn update_ai_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAiLeadInput,
    ) -> GqlResult<AiLead> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let country = phone_country(&app.db, viewer.user_id).await?;
        let patch = LeadPatch {
            device_id: None,
            name: input.name,
            phone: input.phone,
            niches: input.niches,
            target_status: input.target_status.map(Into::into),
            triggers: None,
            notes: input.notes,
        };
        let view = leads::update(
            &app.db,
            viewer.user_id,
            country,
            AudienceKind::Pool,
            lead_id(&id)?,
            patch,
            app.clock.now(),
        )
        .await?;
        Ok(AiLead(view))
    }

    /// Deletes your AI leads among `ids`; returns how many were deleted.
    async fn delete_ai_leads(&self, ctx: &Context<'_>, ids: Vec<ID>) -> GqlResult<u64> {
        let viewer = viewer(ctx)?;
        Ok(leads::delete_many(
            &state(ctx).db,
            viewer.user_id,
            AudienceKind::Pool,
            &lead_ids(&ids)?,
        )
        .await?)
    }

    /// Adds and removes tags on your AI leads among `ids`; returns how many.
    async fn retag_ai_leads(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        add: Option<Vec<String>>,
        remove: Option<Vec<String>>,
    ) -> GqlResult<u64> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        Ok(leads::retag(
            &app.db,
            viewer.user_id,
            AudienceKind::Pool,
            &lead_ids(&ids)?,
            &add.unwrap_or_default(),
            &remove.unwrap_or_default(),
            app.clock.now(),
        )
        .await?)
    }

    /// Opts a number out of every campaign, sequence and AI campaign of yours (the inbox can
    /// still answer it). Opting out again updates the reason.
    async fn opt_out(
        &self,
        ctx: &Context<'_>,
        phone: String,
        reason: Option<String>,
    ) -> GqlResult<OptOut> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let country = phone_country(&app.db, viewer.user_id).await?;
        let row = opt_outs::opt_out(
            &app.db,
            viewer.user_id,
            country,
            &phone,
            reason.as_deref(),
            app.clock.now(),
        )
        .await?;
        Ok(OptOut(row))
    }

    /// Lets campaigns message a number again; false when it had not opted out.
    async fn remove_opt_out(&self, ctx: &Context<'_>, phone: String) -> GqlResult<bool> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let country = phone_country(&app.db, viewer.user_id).await?;
        Ok(opt_outs::remove(&app.db, viewer.user_id, country, &phone).await?)
    }

    /// Imports a CSV of leads into one of your devices (header row; columns in any order;
    /// comma, semicolon or tab). The job runs in the background: follow `importProgress`.
    async fn import_leads(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        file: Upload,
        #[graphql(default_with = "TagMergeMode::Merge")] tag_mode: TagMergeMode,
    ) -> GqlResult<ImportJob> {
        let device = self::device_id(&device_id)?;
        start_import(
            ctx,
            crate::entities::enums::ImportKind::Leads,
            Some(device),
            file,
            tag_mode,
        )
        .await
    }

    /// Imports a CSV of AI leads into your pool. Follow `importProgress`.
    async fn import_ai_leads(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        #[graphql(default_with = "TagMergeMode::Merge")] tag_mode: TagMergeMode,
    ) -> GqlResult<ImportJob> {
        start_import(
            ctx,
            crate::entities::enums::ImportKind::AiLeads,
            None,
            file,
            tag_mode,
        )
        .await
    }

    /// Imports a CSV of numbers to opt out (a phone column, optionally a reason column).
    async fn import_opt_outs(&self, ctx: &Context<'_>, file: Upload) -> GqlResult<ImportJob> {
        start_import(
            ctx,
            crate::entities::enums::ImportKind::OptOuts,
            None,
            file,
            TagMergeMode::Merge,
        )
        .await
    }
}

#[derive(Default)]
pub struct LeadSubscription;

#[Subscription]
impl LeadSubscription {
    /// An import job: its current state at once, then after every committed batch and at its
    /// end (so a client that subscribes after a quick import still sees it finish).
    async fn import_progress(
        &self,
        ctx: &Context<'_>,
        job_id: ID,
    ) -> Result<impl Stream<Item = GqlResult<ImportJob>>, async_graphql::Error> {
        use futures::StreamExt;
        let viewer = viewer(ctx)?;
        let id = ImportJobId::parse(&job_id)?;
        let owner: UserId = viewer.user_id;
        // Subscribe before reading the job, so no change falls between the two.
        let changes = user_events(ctx, owner, move |event| match &event.kind {
            EventKind::ImportProgress { job } if job.id == id.0 => {
                vec![ImportJob(job.clone().into_model(owner.0))]
            }
            _ => Vec::new(),
        });
        let current = import::job(&state(ctx).db, owner, id)
            .await?
            .ok_or(AppError::NotFound("Import job"))?;
        Ok(futures::stream::once(async move { Ok(ImportJob(current)) }).chain(changes))
    }
}
