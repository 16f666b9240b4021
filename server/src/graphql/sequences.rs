//! Drip sequences over GraphQL: thin resolvers that parse, call one domain function and map.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    Context, Enum, InputObject, Object, SimpleObject, Subscription, Upload, ID,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use uuid::Uuid;

use super::{
    campaigns::{coalesce, read_image, CampaignTarget, SendWindow, SendWindowInput, Weekday},
    devices::ConnectionCount,
    state, user_events, viewer, GqlResult,
};
use crate::{
    domain::{
        campaigns::sending::user_zone,
        pagination::PageRequest,
        send_window::Weekdays,
        sequences::{
            self, contacts,
            editing::{self, SequenceInput as DomainInput, StepInput},
            progress,
        },
    },
    entities::{devices, sequence_contacts, sequence_steps, sequences as sequence_rows},
    error::{AppError, AppResult},
    events::EventKind,
    types::ids::{LeadId, UserId},
};

/// Where a sequence is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::SequenceStatus")]
pub enum SequenceStatus {
    /// Being written: nobody is enrolled.
    Draft,
    /// Enrolling and sending.
    Active,
    /// Holding: no step is sent, contacts keep their due times.
    Paused,
}

/// Where a contact's run is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::ContactStatus")]
pub enum SequenceContactStatus {
    /// Getting its steps.
    Active,
    /// Got every step.
    Completed,
    /// Answered: a person takes over in the inbox.
    Replied,
    /// The number opted out.
    OptedOut,
    /// A step failed and the step says stop.
    Failed,
    /// Removed by hand.
    Removed,
}

/// What a failed step does to the contact's run.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::entities::enums::StepFailure")]
pub enum StepFailure {
    /// Go on with the next step.
    Skip,
    /// End the contact's run as FAILED.
    Stop,
}

/// One step of a sequence to save.
#[derive(InputObject)]
pub struct SequenceStepInput {
    /// Minutes after the previous step (the first: after enrolment); 0 or more.
    pub delay_minutes: i32,
    /// The template: placeholders and spintax, as campaigns.
    pub message: String,
    /// An image; the message becomes its caption.
    pub image: Option<Upload>,
    /// On update: keep the image this step had (steps are matched by position).
    #[graphql(default)]
    pub keep_image: bool,
    /// The time of day messages may go out, in the lead's local time; none: any time.
    pub send_window: Option<SendWindowInput>,
    /// The days it sends on (none: every day).
    pub weekdays: Option<Vec<Weekday>>,
    /// The shortest pause between two sends of a device, in seconds.
    #[graphql(default = 10)]
    pub min_delay_seconds: i32,
    /// The longest pause between two sends of a device, in seconds.
    #[graphql(default = 30)]
    pub max_delay_seconds: i32,
    /// What a failed send of this step does to the contact's run.
    #[graphql(default_with = "StepFailure::Skip")]
    pub on_failure: StepFailure,
}

/// A sequence to create or edit.
#[derive(InputObject)]
pub struct SequenceInput {
    /// Its name.
    pub name: String,
    /// Leads whose trigger codes contain it are enrolled (unique per user).
    pub trigger: String,
    /// Leads with any of these tags (none: every lead).
    pub niches: Option<Vec<String>>,
    /// Prospects, customers, or both.
    #[graphql(default_with = "CampaignTarget::All")]
    pub target_status: CampaignTarget,
    /// Whether an answer ends the contact's run (default on).
    #[graphql(default = true)]
    pub stop_on_reply: bool,
    /// The sequence a finished contact is enrolled in next (a loop is refused).
    pub next_sequence_id: Option<ID>,
    /// The steps, in order.
    pub steps: Vec<SequenceStepInput>,
}

/// One step of a sequence.
pub struct SequenceStep(sequence_steps::Model);

/// One step of a sequence.
#[Object]
impl SequenceStep {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 0-based.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Minutes after the previous step (the first: after enrolment).
    async fn delay_minutes(&self) -> i32 {
        self.0.delay_minutes
    }
    /// The template: placeholders and spintax, as campaigns.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Whether an image goes with the message (the text is its caption).
    async fn has_image(&self) -> bool {
        self.0.image_ref.is_some()
    }
    /// The time of day messages may go out, in the lead's local time; none: any time.
    async fn send_window(&self) -> Option<SendWindow> {
        self.0
            .window_from
            .clone()
            .zip(self.0.window_to.clone())
            .map(|(from, to)| SendWindow { from, to })
    }
    /// The days it sends on (none: every day).
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
    /// What a failed send of this step does to the contact's run.
    async fn on_failure(&self) -> StepFailure {
        self.0.on_failure.into()
    }
}

/// One step's contacts and sends.
#[derive(SimpleObject)]
pub struct SequenceStepProgress {
    /// The step's position, from 0.
    pub position: i32,
    /// Contacts whose next step is this one.
    pub waiting: i64,
    /// Sent (or delivered, or read).
    pub sent: i64,
    /// Failed.
    pub failed: i64,
}

/// A sequence's contacts per status and per step.
#[derive(SimpleObject)]
pub struct SequenceProgress {
    /// The sequence.
    pub sequence_id: ID,
    /// Where it is.
    pub status: SequenceStatus,
    /// Every contact ever enrolled.
    pub enrolled: i64,
    /// Contacts getting their steps.
    pub active: i64,
    /// Contacts that got every step.
    pub completed: i64,
    /// Contacts who answered.
    pub replied: i64,
    /// Contacts whose number opted out.
    pub opted_out: i64,
    /// Failed.
    pub failed: i64,
    /// Contacts removed by hand.
    pub removed: i64,
    /// The steps, in order.
    pub steps: Vec<SequenceStepProgress>,
}

async fn progress_of(
    db: &sea_orm::DatabaseConnection,
    sequence: &sequence_rows::Model,
) -> AppResult<SequenceProgress> {
    let p = progress::progress(db, sequence).await?;
    Ok(SequenceProgress {
        sequence_id: ID(sequence.id.to_string()),
        status: sequence.status.into(),
        enrolled: p.enrolled,
        active: p.active,
        completed: p.completed,
        replied: p.replied,
        opted_out: p.opted_out,
        failed: p.failed,
        removed: p.removed,
        steps: p
            .steps
            .into_iter()
            .map(|s| SequenceStepProgress {
                position: s.position,
                waiting: s.waiting,
                sent: s.sent,
                failed: s.failed,
            })
            .collect(),
    })
}

/// One entry of a contact's timeline: a step's send, or their answer.
#[derive(SimpleObject)]
pub struct SequenceTimelineEntry {
    /// Step position; null for a reply.
    pub position: Option<i32>,
    /// SENT, DELIVERED, READ, FAILED, PENDING, QUEUED, CANCELLED or REPLIED.
    pub status: String,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// The text as sent.
    pub text: Option<String>,
}

/// A lead enrolled in a sequence.
pub struct SequenceContact(sequence_contacts::Model);

/// A lead enrolled in a sequence.
#[Object]
impl SequenceContact {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The lead.
    async fn lead_id(&self) -> ID {
        ID(self.0.lead_id.to_string())
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// E.164 phone number.
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    /// The device.
    async fn device_id(&self) -> ID {
        ID(self.0.device_id.to_string())
    }
    /// The device's name.
    async fn device_name(&self, ctx: &Context<'_>) -> GqlResult<String> {
        use sea_orm::EntityTrait;
        Ok(devices::Entity::find_by_id(self.0.device_id)
            .one(&state(ctx).db)
            .await
            .map_err(AppError::from)?
            .map(|d| d.name)
            .unwrap_or_default())
    }
    /// Where it is.
    async fn status(&self) -> SequenceContactStatus {
        self.0.status.into()
    }
    /// 0-based position of the next step to send; equals the step count once done.
    async fn next_step(&self) -> i32 {
        self.0.next_step
    }
    /// UTC; null when nothing more is due.
    async fn next_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_due_at
    }
    /// The lead's time zone (from the phone's country), for showing `nextDueAt`.
    async fn time_zone(&self, ctx: &Context<'_>) -> GqlResult<String> {
        let zone = user_zone(&state(ctx).db, self.0.user_id).await?;
        Ok(contacts::zone_of(&self.0, zone).name().to_owned())
    }
    /// When the contact was enrolled.
    async fn enrolled_at(&self) -> DateTime<Utc> {
        self.0.enrolled_at
    }
    /// Each step's time and status, and the answer.
    async fn timeline(&self, ctx: &Context<'_>) -> GqlResult<Vec<SequenceTimelineEntry>> {
        let entries = contacts::timeline(&state(ctx).db, &self.0).await?;
        Ok(entries
            .into_iter()
            .map(|e| SequenceTimelineEntry {
                position: e.position,
                status: e.status,
                at: e.at,
                text: e.text,
            })
            .collect())
    }
}

pub type SequenceContactConnection =
    Connection<String, SequenceContact, ConnectionCount, EmptyFields>;

/// A drip sequence: its steps go out to each enrolled contact one by one.
pub struct Sequence(sequence_rows::Model);

/// A drip sequence: its steps go out to each enrolled contact one by one.
#[Object]
impl Sequence {
    /// Its id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Leads whose trigger codes contain this code are enrolled.
    async fn trigger(&self) -> &str {
        &self.0.trigger_code
    }
    /// Leads with any of these tags (none: every lead).
    async fn niches(&self) -> Vec<String> {
        sequences::niches(&self.0)
    }
    /// Prospects, customers, or both.
    async fn target_status(&self) -> CampaignTarget {
        CampaignTarget::of(self.0.target_status)
    }
    /// Where it is.
    async fn status(&self) -> SequenceStatus {
        self.0.status.into()
    }
    /// Whether an answer ends the contact's run (default on).
    async fn stop_on_reply(&self) -> bool {
        self.0.stop_on_reply
    }
    /// The sequence a finished contact is enrolled in next (a loop is refused).
    async fn next_sequence_id(&self) -> Option<ID> {
        self.0.next_sequence_id.map(|id| ID(id.to_string()))
    }
    /// The sequence a finished contact is enrolled in next.
    async fn next_sequence(&self, ctx: &Context<'_>) -> GqlResult<Option<Sequence>> {
        let Some(next) = self.0.next_sequence_id else {
            return Ok(None);
        };
        match sequences::find_owned(&state(ctx).db, UserId(self.0.user_id), next).await {
            Ok(found) => Ok(Some(Sequence(found))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }
    /// The steps, in order.
    async fn steps(&self, ctx: &Context<'_>) -> GqlResult<Vec<SequenceStep>> {
        Ok(sequences::steps_of(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(SequenceStep)
            .collect())
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Contacts per status and per step.
    async fn progress(&self, ctx: &Context<'_>) -> GqlResult<SequenceProgress> {
        Ok(progress_of(&state(ctx).db, &self.0).await?)
    }
    /// The contacts, oldest enrolment first.
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<SequenceContactStatus>,
    ) -> GqlResult<SequenceContactConnection> {
        let request = PageRequest::parse(first, None)?;
        let after = after
            .map(|a| {
                a.parse::<i64>()
                    .map_err(|_| AppError::validation("The cursor is not valid."))
            })
            .transpose()?;
        let (items, more, total) = contacts::page(
            &state(ctx).db,
            self.0.id,
            status.map(Into::into),
            after,
            request.first,
        )
        .await?;
        let mut connection =
            Connection::with_additional_fields(after.is_some(), more, ConnectionCount::new(total));
        connection.edges.extend(
            items
                .into_iter()
                .map(|c| Edge::new(c.id.to_string(), SequenceContact(c))),
        );
        Ok(connection)
    }
}

fn sequence_id(id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| AppError::validation(format!("{:?} is not a valid sequence id.", id.as_str())))
}

fn contact_id(id: &ID) -> AppResult<i64> {
    id.trim()
        .parse()
        .map_err(|_| AppError::validation(format!("{:?} is not a valid contact id.", id.as_str())))
}

async fn domain_input(ctx: &Context<'_>, input: SequenceInput) -> AppResult<DomainInput> {
    let mut steps = Vec::with_capacity(input.steps.len());
    for step in input.steps {
        let image = match step.image {
            Some(upload) => Some(read_image(ctx, upload).await?),
            None => None,
        };
        steps.push(StepInput {
            delay_minutes: step.delay_minutes,
            message: step.message,
            image,
            keep_image: step.keep_image,
            window: step.send_window.map(|w| (w.from, w.to)),
            weekdays: step
                .weekdays
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            min_delay_seconds: step.min_delay_seconds,
            max_delay_seconds: step.max_delay_seconds,
            on_failure: step.on_failure.into(),
        });
    }
    Ok(DomainInput {
        name: input.name,
        trigger: input.trigger,
        niches: input.niches.unwrap_or_default(),
        target_status: input.target_status.status(),
        stop_on_reply: input.stop_on_reply,
        next_sequence_id: input
            .next_sequence_id
            .as_ref()
            .map(sequence_id)
            .transpose()?,
        steps,
    })
}

#[derive(Default)]
pub struct SequenceQuery;

#[Object]
impl SequenceQuery {
    /// Your sequences, by name.
    async fn sequences(&self, ctx: &Context<'_>) -> GqlResult<Vec<Sequence>> {
        let viewer = viewer(ctx)?;
        Ok(sequences::list(&state(ctx).db, viewer.user_id)
            .await?
            .into_iter()
            .map(Sequence)
            .collect())
    }

    /// One of your sequences; null when it does not exist or is not yours.
    async fn sequence(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Sequence>> {
        let viewer = viewer(ctx)?;
        match sequences::find_owned(&state(ctx).db, viewer.user_id, sequence_id(&id)?).await {
            Ok(found) => Ok(Some(Sequence(found))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }
}

#[derive(Default)]
pub struct SequenceMutation;

#[Object]
impl SequenceMutation {
    /// Creates a sequence (DRAFT).
    async fn create_sequence(
        &self,
        ctx: &Context<'_>,
        input: SequenceInput,
    ) -> GqlResult<Sequence> {
        let viewer = viewer(ctx)?;
        let input = domain_input(ctx, input).await?;
        Ok(Sequence(
            editing::save(state(ctx).ports(), viewer.user_id, None, input).await?,
        ))
    }

    /// Edits a sequence; the steps a contact has not had yet take the changes.
    async fn update_sequence(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: SequenceInput,
    ) -> GqlResult<Sequence> {
        let viewer = viewer(ctx)?;
        let id = sequence_id(&id)?;
        let input = domain_input(ctx, input).await?;
        Ok(Sequence(
            editing::save(state(ctx).ports(), viewer.user_id, Some(id), input).await?,
        ))
    }

    /// Activates, pauses or resumes a sequence.
    async fn set_sequence_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: SequenceStatus,
    ) -> GqlResult<Sequence> {
        let viewer = viewer(ctx)?;
        let id = sequence_id(&id)?;
        Ok(Sequence(
            editing::set_status(state(ctx).ports(), viewer.user_id, id, status.into()).await?,
        ))
    }

    /// Deletes a sequence that is not ACTIVE; its sent messages stay in the outbox.
    async fn delete_sequence(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let viewer = viewer(ctx)?;
        let id = sequence_id(&id)?;
        editing::delete(state(ctx).ports(), viewer.user_id, id).await?;
        Ok(true)
    }

    /// Enrols leads by hand (opted-out ones are left out); how many were enrolled.
    async fn enroll_leads(
        &self,
        ctx: &Context<'_>,
        sequence_id: ID,
        lead_ids: Vec<ID>,
    ) -> GqlResult<i64> {
        let viewer = viewer(ctx)?;
        let id = self::sequence_id(&sequence_id)?;
        let leads = lead_ids
            .iter()
            .map(|l| LeadId::parse(l).map(|l| l.0))
            .collect::<Result<Vec<_>, _>>()?;
        let enrolled = contacts::enroll(state(ctx).ports(), viewer.user_id, id, &leads).await?;
        Ok(i64::try_from(enrolled).unwrap_or(i64::MAX))
    }

    /// Removes a contact from its sequence (its unsent step is cancelled).
    async fn remove_sequence_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<SequenceContact> {
        let viewer = viewer(ctx)?;
        let id = contact_id(&id)?;
        Ok(SequenceContact(
            contacts::remove(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }

    /// Starts a contact again from step 1.
    async fn restart_sequence_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<SequenceContact> {
        let viewer = viewer(ctx)?;
        let id = contact_id(&id)?;
        Ok(SequenceContact(
            contacts::restart(state(ctx).ports(), viewer.user_id, id).await?,
        ))
    }
}

#[derive(Default)]
pub struct SequenceSubscription;

#[Subscription]
impl SequenceSubscription {
    /// The sequence's progress at once, then after changes (a few events a second at most).
    async fn sequence_progress(
        &self,
        ctx: &Context<'_>,
        sequence_id: ID,
    ) -> Result<impl Stream<Item = GqlResult<SequenceProgress>>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let id = self::sequence_id(&sequence_id)?;
        let owner: UserId = viewer.user_id;
        let changes = user_events(ctx, owner, move |event| match &event.kind {
            EventKind::SequenceChanged { sequence_id }
            | EventKind::SequenceProgressed { sequence_id }
                if *sequence_id == id =>
            {
                vec![()]
            }
            _ => Vec::new(),
        });
        let db = state(ctx).db.clone();
        let first = sequences::find_owned(&db, owner, id).await?;
        let current = progress_of(&db, &first).await?;
        let later = coalesce(changes, super::campaigns::PROGRESS_SPACING).then(move |item| {
            let db = db.clone();
            async move {
                item?;
                let sequence = sequences::find_owned(&db, owner, id).await?;
                Ok(progress_of(&db, &sequence).await?)
            }
        });
        Ok(futures::stream::once(async move { Ok(current) }).chain(later))
    }
}
