//! What a person does to a campaign: create, edit, clone, delete, pause, resume, cancel, retry.
//! Each moves the campaign's rows set-based, with their counters, in one transaction, and each
//! status change is a conditional update (`… WHERE status = <expected>`), so two requests (or
//! two nodes) racing cannot both apply.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{
    ai,
    draft::{self, CampaignInput, Draft, ImageChoice},
    find_owned, publish,
    trigger::push_queued,
    CampaignKind, CampaignStatus,
};
use crate::{
    domain::{
        outbox::{move_where, CounterDeltas, MessageKind, OutboxStatus},
        Ports,
    },
    entities::enums::CounterScope,
    entities::{broadcast_messages as rows, campaign_counters, campaigns, outbox_counters},
    error::{AppError, AppResult},
    media,
    types::ids::{CampaignId, DeviceId, UserId},
};

/// Creates a campaign: SCHEDULED for its time (none: now).
pub async fn create(
    ports: Ports<'_>,
    owner: UserId,
    input: CampaignInput,
) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let draft = draft::check(ports.db, owner, input, false).await?;
    let image = store_image(ports, &draft).await?;
    let scheduled_at = draft.scheduled_at.unwrap_or(now);
    let model = campaigns::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(owner.0),
        kind: Set(draft.kind),
        status: Set(CampaignStatus::Scheduled),
        paused_reason: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        created_at: Set(now),
        ..content(&draft, image.flatten(), Some(scheduled_at), now)
    }
    .insert(ports.db)
    .await?;
    publish(ports.events, &model).await;
    Ok(model)
}

/// The stored image of a draft: `None` to keep what the campaign has, `Some(None)` for no image.
async fn store_image(
    ports: Ports<'_>,
    draft: &Draft,
) -> AppResult<Option<Option<(String, String)>>> {
    Ok(match &draft.image {
        ImageChoice::Keep => None,
        ImageChoice::Remove => Some(None),
        ImageChoice::New { bytes, kind } => {
            let reference = media::store(&ports.config.media_dir, bytes, *kind).await?;
            Some(Some((reference, kind.mime().to_owned())))
        }
    })
}

/// The content columns of a campaign from a draft.
fn content(
    draft: &Draft,
    image: Option<(String, String)>,
    scheduled_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> campaigns::ActiveModel {
    let (image_ref, image_mime) = image.unzip();
    campaigns::ActiveModel {
        title: Set(draft.title.clone()),
        message: Set(draft.template.as_str().to_owned()),
        image_ref: Set(image_ref),
        image_mime: Set(image_mime),
        niches: Set(draft
            .niches
            .iter()
            .map(|t| t.label.clone())
            .collect::<Vec<_>>()
            .join("\n")),
        target_status: Set(draft.target_status),
        device_ids: Set(serde_json::to_string(
            &draft.device_ids.iter().map(|d| d.0).collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into())),
        scheduled_at: Set(scheduled_at),
        window_from: Set(draft.window.map(|w| w.from.format("%H:%M").to_string())),
        window_to: Set(draft.window.map(|w| w.to.format("%H:%M").to_string())),
        weekdays: Set(draft.weekdays.bits()),
        min_delay_seconds: Set(draft.delay.0),
        max_delay_seconds: Set(draft.delay.1),
        per_device_limit: Set(draft.per_device_limit),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Edits a SCHEDULED or PAUSED campaign. Content changes (message, image, delays) reach its
/// unsent rows; the audience of a started campaign stays the one it started with.
pub async fn update(
    ports: Ports<'_>,
    owner: UserId,
    id: CampaignId,
    input: CampaignInput,
) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let campaign = find_owned(ports.db, owner, id).await?;
    expect_editable(&campaign)?;
    let draft = draft::check(ports.db, owner, input, campaign.image_ref.is_some()).await?;
    let image = match store_image(ports, &draft).await? {
        None => campaign.image_ref.clone().zip(campaign.image_mime.clone()),
        Some(image) => image,
    };
    let scheduled_at = if campaign.started_at.is_some() {
        campaign.scheduled_at
    } else {
        Some(draft.scheduled_at.unwrap_or(now))
    };
    let mut changes = content(&draft, image.clone(), scheduled_at, now);
    changes.id = sea_orm::ActiveValue::Unchanged(campaign.id);
    let txn = ports.db.begin().await?;
    let updated = campaigns::Entity::update_many()
        .set(changes)
        .filter(campaigns::Column::Id.eq(campaign.id))
        .filter(campaigns::Column::Status.eq(campaign.status))
        .exec_with_returning(&txn)
        .await?
        .pop()
        .ok_or_else(|| AppError::Conflict("The campaign changed meanwhile; reload.".into()))?;
    if campaign.started_at.is_some() {
        let (kind, image_ref, image_mime) = match image {
            Some((reference, mime)) => (MessageKind::Image, Some(reference), Some(mime)),
            None => (MessageKind::Text, None, None),
        };
        rows::Entity::update_many()
            .col_expr(rows::Column::Text, Expr::value(None::<String>))
            .col_expr(rows::Column::Caption, Expr::value(None::<String>))
            .col_expr(rows::Column::Kind, Expr::value(kind))
            .col_expr(rows::Column::ImageRef, Expr::value(image_ref))
            .col_expr(rows::Column::ImageMime, Expr::value(image_mime))
            .col_expr(rows::Column::MinDelaySeconds, Expr::value(draft.delay.0))
            .col_expr(rows::Column::MaxDelaySeconds, Expr::value(draft.delay.1))
            .col_expr(rows::Column::UpdatedAt, Expr::value(now))
            .filter(rows::Column::CampaignId.eq(campaign.id))
            .filter(rows::Column::Status.is_in([
                OutboxStatus::Pending,
                OutboxStatus::Queued,
                OutboxStatus::Failed,
            ]))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    publish(ports.events, &updated).await;
    Ok(updated)
}

fn expect_editable(campaign: &campaigns::Model) -> AppResult<()> {
    match campaign.status {
        CampaignStatus::Scheduled | CampaignStatus::Paused => Ok(()),
        CampaignStatus::Running => Err(AppError::Conflict(
            "A running campaign cannot be edited: pause it first.".into(),
        )),
        _ => Err(AppError::Conflict(
            "A finished campaign cannot be edited: clone it to send again.".into(),
        )),
    }
}

/// A copy of a campaign's content: title + " (Copy)", SCHEDULED with no time yet (it waits
/// until a time is set by an edit, or it is started with `resume`).
pub async fn clone(ports: Ports<'_>, owner: UserId, id: CampaignId) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let original = find_owned(ports.db, owner, id).await?;
    let mut title = format!("{} (Copy)", original.title);
    if title.chars().count() > draft::MAX_TITLE {
        title = title.chars().take(draft::MAX_TITLE).collect();
    }
    let copy = campaigns::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(owner.0),
        kind: Set(original.kind),
        title: Set(title),
        message: Set(original.message),
        image_ref: Set(original.image_ref),
        image_mime: Set(original.image_mime),
        niches: Set(original.niches),
        target_status: Set(original.target_status),
        device_ids: Set(original.device_ids),
        scheduled_at: Set(None),
        window_from: Set(original.window_from),
        window_to: Set(original.window_to),
        weekdays: Set(original.weekdays),
        min_delay_seconds: Set(original.min_delay_seconds),
        max_delay_seconds: Set(original.max_delay_seconds),
        per_device_limit: Set(original.per_device_limit),
        status: Set(CampaignStatus::Scheduled),
        paused_reason: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(ports.db)
    .await?;
    publish(ports.events, &copy).await;
    Ok(copy)
}

/// Deletes a campaign that is not running. Its unsent rows are cancelled; its sent history
/// stays in the outbox (no longer linked to it).
pub async fn delete(ports: Ports<'_>, owner: UserId, id: CampaignId) -> AppResult<()> {
    let now = ports.clock.now();
    let campaign = find_owned(ports.db, owner, id).await?;
    if campaign.status == CampaignStatus::Running {
        return Err(AppError::Conflict(
            "A running campaign cannot be deleted: cancel it first.".into(),
        ));
    }
    let txn = ports.db.begin().await?;
    let mut deltas = CounterDeltas::default();
    for from in [OutboxStatus::Pending, OutboxStatus::Queued] {
        move_rows(
            &txn,
            campaign.id,
            from,
            OutboxStatus::Cancelled,
            None,
            now,
            &mut deltas,
        )
        .await?;
    }
    deltas.apply(&txn).await?;
    if campaign.kind == CampaignKind::Ai {
        // The leads it held go back to the pool before its deals go with it.
        ai::release_cancelled(&txn, campaign.id, now).await?;
    }
    let gone = campaigns::Entity::delete_many()
        .filter(campaigns::Column::Id.eq(campaign.id))
        .filter(campaigns::Column::Status.eq(campaign.status))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::Conflict(
            "The campaign changed meanwhile; reload.".into(),
        ));
    }
    rows::Entity::update_many()
        .col_expr(rows::Column::CampaignId, Expr::value(None::<Uuid>))
        .filter(rows::Column::CampaignId.eq(campaign.id))
        .exec(&txn)
        .await?;
    outbox_counters::Entity::delete_many()
        .filter(outbox_counters::Column::ScopeKind.eq(CounterScope::Campaign))
        .filter(outbox_counters::Column::ScopeId.eq(campaign.id))
        .exec(&txn)
        .await?;
    campaign_counters::Entity::delete_many()
        .filter(campaign_counters::Column::CampaignId.eq(campaign.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a campaign's status if it is still `from`; the changed campaign, or a conflict.
async fn set_status(
    txn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: &[CampaignStatus],
    changes: campaigns::ActiveModel,
) -> AppResult<campaigns::Model> {
    let mut changes = changes;
    changes.id = sea_orm::ActiveValue::Unchanged(campaign.id);
    campaigns::Entity::update_many()
        .set(changes)
        .filter(campaigns::Column::Id.eq(campaign.id))
        .filter(campaigns::Column::Status.is_in(from.iter().copied()))
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or_else(|| AppError::Conflict("The campaign changed meanwhile; reload.".into()))
}

/// Pauses a running (or scheduled) campaign: its unsent rows wait, nothing in flight is lost
/// (a row being sent settles as usual). `reason`: why it paused itself, if it did.
pub async fn pause(ports: Ports<'_>, owner: UserId, id: CampaignId) -> AppResult<campaigns::Model> {
    let campaign = find_owned(ports.db, owner, id).await?;
    if !matches!(
        campaign.status,
        CampaignStatus::Running | CampaignStatus::Scheduled
    ) {
        return Err(AppError::Conflict(
            "Only a scheduled or running campaign can be paused.".into(),
        ));
    }
    hold(ports, &campaign, None).await
}

/// Pauses a running campaign by itself, saying why (the error threshold); `None` if it is not
/// running any more.
pub async fn pause_by_itself(
    ports: Ports<'_>,
    campaign_id: Uuid,
    reason: String,
) -> AppResult<Option<campaigns::Model>> {
    let Some(campaign) = campaigns::Entity::find_by_id(campaign_id)
        .one(ports.db)
        .await?
    else {
        return Ok(None);
    };
    if campaign.status != CampaignStatus::Running {
        return Ok(None);
    }
    match hold(ports, &campaign, Some(reason)).await {
        Ok(paused) => Ok(Some(paused)),
        Err(AppError::Conflict(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

async fn hold(
    ports: Ports<'_>,
    campaign: &campaigns::Model,
    reason: Option<String>,
) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let txn = ports.db.begin().await?;
    let paused = set_status(
        &txn,
        campaign,
        &[CampaignStatus::Running, CampaignStatus::Scheduled],
        campaigns::ActiveModel {
            status: Set(CampaignStatus::Paused),
            paused_reason: Set(reason),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let mut deltas = CounterDeltas::default();
    for from in [OutboxStatus::Queued, OutboxStatus::Pending] {
        move_rows(
            &txn,
            campaign.id,
            from,
            OutboxStatus::Pending,
            None,
            now,
            &mut deltas,
        )
        .await?;
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    publish(ports.events, &paused).await;
    Ok(paused)
}

/// Resumes a paused campaign: its waiting rows go back on their queues (a SENT row is never
/// touched, so nothing is sent twice). One that never started (paused for a late start, or a
/// clone with no time) starts now.
pub async fn resume(
    ports: Ports<'_>,
    owner: UserId,
    id: CampaignId,
) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let campaign = find_owned(ports.db, owner, id).await?;
    let unscheduled =
        campaign.status == CampaignStatus::Scheduled && campaign.scheduled_at.is_none();
    if campaign.status != CampaignStatus::Paused && !unscheduled {
        return Err(AppError::Conflict(
            "Only a paused campaign can be resumed.".into(),
        ));
    }
    if campaign.started_at.is_none() {
        let start_at = campaign.scheduled_at.filter(|at| *at > now).unwrap_or(now);
        let resumed = set_status(
            ports.db,
            &campaign,
            &[CampaignStatus::Paused, CampaignStatus::Scheduled],
            campaigns::ActiveModel {
                status: Set(CampaignStatus::Scheduled),
                paused_reason: Set(None),
                scheduled_at: Set(Some(start_at)),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await?;
        publish(ports.events, &resumed).await;
        return Ok(resumed);
    }
    let txn = ports.db.begin().await?;
    let resumed = set_status(
        &txn,
        &campaign,
        &[CampaignStatus::Paused],
        campaigns::ActiveModel {
            status: Set(CampaignStatus::Running),
            paused_reason: Set(None),
            completed_at: Set(None),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let mut deltas = CounterDeltas::default();
    move_rows(
        &txn,
        campaign.id,
        OutboxStatus::Pending,
        OutboxStatus::Queued,
        None,
        now,
        &mut deltas,
    )
    .await?;
    deltas.apply(&txn).await?;
    txn.commit().await?;
    push_queued(ports, campaign.id, None).await?;
    publish(ports.events, &resumed).await;
    Ok(resumed)
}

/// Cancels a campaign: its unsent rows become CANCELLED (a row being sent settles as usual).
pub async fn cancel(
    ports: Ports<'_>,
    owner: UserId,
    id: CampaignId,
) -> AppResult<campaigns::Model> {
    let now = ports.clock.now();
    let campaign = find_owned(ports.db, owner, id).await?;
    let open = [
        CampaignStatus::Scheduled,
        CampaignStatus::Running,
        CampaignStatus::Paused,
    ];
    if !open.contains(&campaign.status) {
        return Err(AppError::Conflict("The campaign has ended already.".into()));
    }
    let txn = ports.db.begin().await?;
    let cancelled = set_status(
        &txn,
        &campaign,
        &open,
        campaigns::ActiveModel {
            status: Set(CampaignStatus::Cancelled),
            completed_at: Set(Some(now)),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let mut deltas = CounterDeltas::default();
    for from in [OutboxStatus::Pending, OutboxStatus::Queued] {
        move_rows(
            &txn,
            campaign.id,
            from,
            OutboxStatus::Cancelled,
            None,
            now,
            &mut deltas,
        )
        .await?;
    }
    deltas.apply(&txn).await?;
    if campaign.kind == CampaignKind::Ai {
        ai::release_cancelled(&txn, campaign.id, now).await?;
    }
    txn.commit().await?;
    publish(ports.events, &cancelled).await;
    Ok(cancelled)
}

/// Sends the campaign's FAILED rows (of one device, if given) again: they go back on their
/// queues (or wait, when the campaign is paused). A completed campaign runs again until they
/// are final. How many rows.
pub async fn retry_failed(
    ports: Ports<'_>,
    owner: UserId,
    id: CampaignId,
    device: Option<DeviceId>,
) -> AppResult<u64> {
    let now = ports.clock.now();
    let campaign = find_owned(ports.db, owner, id).await?;
    let to = match campaign.status {
        CampaignStatus::Running
        | CampaignStatus::Completed
        | CampaignStatus::CompletedWithPending => OutboxStatus::Queued,
        CampaignStatus::Paused => OutboxStatus::Pending,
        _ => {
            return Err(AppError::Conflict(
                "Only a running, paused or completed campaign can retry its failed messages."
                    .into(),
            ))
        }
    };
    let txn = ports.db.begin().await?;
    let mut deltas = CounterDeltas::default();
    let moved = move_rows(
        &txn,
        campaign.id,
        OutboxStatus::Failed,
        to,
        device,
        now,
        &mut deltas,
    )
    .await?;
    deltas.apply(&txn).await?;
    if campaign.kind == CampaignKind::Ai {
        ai::reopen_retried(&txn, campaign.id, &moved, now).await?;
    }
    let mut changed = None;
    let ended = [
        CampaignStatus::Completed,
        CampaignStatus::CompletedWithPending,
    ];
    if !moved.is_empty() && ended.contains(&campaign.status) {
        changed = Some(
            set_status(
                &txn,
                &campaign,
                &ended,
                campaigns::ActiveModel {
                    status: Set(CampaignStatus::Running),
                    paused_reason: Set(None),
                    completed_at: Set(None),
                    updated_at: Set(now),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    txn.commit().await?;
    if to == OutboxStatus::Queued {
        push_queued(ports, campaign.id, device).await?;
    }
    publish(ports.events, changed.as_ref().unwrap_or(&campaign)).await;
    Ok(moved.len() as u64)
}

/// A campaign's rows in status `from` (of one device, if given) moved to `to`.
async fn move_rows(
    txn: &DatabaseTransaction,
    campaign: Uuid,
    from: OutboxStatus,
    to: OutboxStatus,
    device: Option<DeviceId>,
    now: DateTime<Utc>,
    deltas: &mut CounterDeltas,
) -> AppResult<Vec<rows::Model>> {
    let mut rows_of = Condition::all().add(rows::Column::CampaignId.eq(campaign));
    if let Some(device) = device {
        rows_of = rows_of.add(rows::Column::DeviceId.eq(device.0));
    }
    move_where(txn, rows_of, from, to, now, deltas).await
}
