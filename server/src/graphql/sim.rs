//! The simulated network's controls (only in `WAFLEET_WHATSAPP=sim`): tests, demos and
//! benchmarks play the phone and the contacts through these.

use std::time::Duration;

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::{devices::Device, state, viewer, GqlResult};
use crate::{
    domain::devices::{self, DeviceStatus},
    error::AppError,
    events::{self, Event, EventKind, EventPublisher},
    state::AppState,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
    whatsapp::{
        sim::{self, SimCommand},
        HistoryChunk, HistoryConversation, InboundImage, InboundMessage,
    },
};

/// A chat the simulated phone pushes in a history sync.
#[derive(async_graphql::InputObject)]
pub struct SimChatInput {
    /// Any JID: groups, `status@broadcast` and newsletters are allowed (and must be filtered out).
    jid: String,
    name: Option<String>,
    messages: Vec<SimHistoryMessageInput>,
}

#[derive(async_graphql::InputObject)]
pub struct SimHistoryMessageInput {
    id: String,
    #[graphql(default = false)]
    from_me: bool,
    text: String,
    /// Seconds or milliseconds, as a phone sends them.
    timestamp: i64,
}

fn sim_jid(raw: &str) -> async_graphql::Result<Jid> {
    if raw.contains('@') {
        Ok(Jid::parse(raw)?)
    } else {
        Ok(Jid::from_phone(&PhoneNumber::parse(raw)?))
    }
}

/// A message the simulated network received from a device.
#[derive(SimpleObject)]
pub struct SimSentMessage {
    to: String,
    text: Option<String>,
    caption: Option<String>,
    has_image: bool,
    message_id: String,
    at: DateTime<Utc>,
    /// How many times the device sent this message (same recipient, same id); more than 1 means
    /// it was sent again after an interruption, and the recipient still shows it once.
    attempts: i32,
}

async fn owned(ctx: &Context<'_>, device_id: &ID) -> GqlResult<(AppState, UserId, DeviceId)> {
    let viewer = viewer(ctx)?;
    let id = DeviceId::parse(device_id)?;
    let app = state(ctx).clone();
    devices::find_owned(&app.db, viewer.user_id, id).await?;
    Ok((app, viewer.user_id, id))
}

async fn publish(app: &AppState, owner: UserId, id: DeviceId, command: SimCommand) {
    app.events.publish(Event::sim(owner, id, command)).await;
}

#[derive(Default)]
pub struct SimNetworkQuery;

#[Object]
impl SimNetworkQuery {
    /// The time the scheduler goes by (campaign schedules, send windows, sequence delays): the
    /// machine's clock plus however far `simAdvanceClock` has moved it.
    async fn sim_clock(&self, ctx: &Context<'_>) -> GqlResult<DateTime<Utc>> {
        viewer(ctx)?;
        Ok(state(ctx).clock.now())
    }

    /// What the simulated network's recipients received from the device, in order, one entry per
    /// message as a recipient shows it (a resend under the same id counts in `attempts`): the
    /// ground truth for "seen exactly once".
    async fn sim_sent(&self, ctx: &Context<'_>, device_id: ID) -> GqlResult<Vec<SimSentMessage>> {
        let (app, _, id) = owned(ctx, &device_id).await?;
        let rows = sim::sent_by(&app.db, id).await.map_err(AppError::from)?;
        Ok(rows
            .into_iter()
            .map(|row| SimSentMessage {
                to: row.to_jid,
                text: row.text,
                caption: row.caption,
                has_image: row.has_image,
                message_id: row.message_id,
                at: row.sent_at,
                attempts: row.attempts,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct SimNetworkMutation;

#[Object]
impl SimNetworkMutation {
    /// Moves the scheduler's clock forward by `seconds` on every node (it never goes back), so
    /// tests, e2e and demos reach a schedule without waiting for it; what came due runs at once.
    /// Returns the new time.
    async fn sim_advance_clock(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 315360000))] seconds: i64,
    ) -> GqlResult<DateTime<Utc>> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let offset = crate::clock::advance_stored(&app.db, seconds)
            .await
            .map_err(AppError::from)?;
        if let Some(clock) = &app.sim_clock {
            clock.catch_up(offset);
        }
        app.events
            .publish(Event {
                user_id: viewer.user_id.0,
                kind: EventKind::SimClockAdvanced {
                    offset_seconds: offset,
                },
            })
            .await;
        Ok(app.clock.now())
    }

    /// The phone scans the device's QR code: the device pairs and goes ONLINE.
    async fn sim_scan_qr(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        phone: String,
    ) -> GqlResult<Device> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        // The simulated phone is WhatsApp's: any number of the right length pairs.
        let phone = PhoneNumber::parse(&phone)?;
        let device = devices::find_owned(&app.db, owner, id).await?;
        let showing = devices::current_qr(app.ephemeral.as_ref(), id)
            .await
            .is_some();
        if device.status != DeviceStatus::Pairing || device.jid.is_some() || !showing {
            return Err(
                AppError::Conflict("The device is not showing a QR code (yet).".into()).into(),
            );
        }
        let trigger = publish(
            &app,
            owner,
            id,
            SimCommand::ScanQr {
                phone: phone.e164(),
            },
        );
        let device =
            events::request(
                &app.events,
                id,
                Duration::from_secs(10),
                trigger,
                |kind| match kind {
                    EventKind::DeviceChanged { device }
                        if device.status == DeviceStatus::Online =>
                    {
                        Some(Ok(device.clone()))
                    }
                    _ => None,
                },
            )
            .await?;
        Ok(Device(device))
    }

    /// Drops the device's connection. `silent`: without telling the client, so only the
    /// supervisor's health check can notice.
    async fn sim_disconnect(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        #[graphql(default = false)] silent: bool,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::Disconnect { silent }).await;
        Ok(true)
    }

    /// The device is removed on the phone (Linked devices → Log out).
    async fn sim_log_out(&self, ctx: &Context<'_>, device_id: ID) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::LogOut).await;
        Ok(true)
    }

    /// WhatsApp bans the device temporarily.
    async fn sim_ban(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        #[graphql(validator(minimum = 1, maximum = 604800))] seconds: u64,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::Ban { seconds }).await;
        Ok(true)
    }

    /// The next `count` sends of the device fail with `error`.
    async fn sim_fail_sends(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        #[graphql(validator(minimum = 0, maximum = 1000000))] count: u32,
        #[graphql(default = "simulated send failure")] error: String,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::FailSends { count, error }).await;
        Ok(true)
    }

    /// The contact's phone confirms delivery (`read: false`) or reading of sent messages
    /// (WhatsApp message ids, as in `simSent`).
    async fn sim_receipt(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        message_ids: Vec<String>,
        read: bool,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::Receipt { message_ids, read }).await;
        Ok(true)
    }

    /// A contact writes to the device. `from` is a phone number or a JID (a `@lid` JID may come
    /// with `senderPhone`, as WhatsApp sends it); `timestamp` in seconds or milliseconds (default
    /// now).
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one field of the simulated message"
    )]
    async fn sim_inbound_message(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        from: String,
        text: Option<String>,
        #[graphql(default = false)] image: bool,
        caption: Option<String>,
        timestamp: Option<i64>,
        name: Option<String>,
        sender_phone: Option<String>,
    ) -> GqlResult<String> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        let sender = sim_jid(&from)?;
        let sender_alt = sender_phone.as_deref().map(sim_jid).transpose()?;
        let message_id = format!("SIMIN{}", uuid::Uuid::new_v4().simple()).to_uppercase();
        let message = InboundMessage {
            id: message_id.clone(),
            chat: sender.clone(),
            sender,
            sender_alt,
            sender_name: name,
            from_me: false,
            text: if image { None } else { text.clone() },
            image: image.then(|| InboundImage {
                mime: "image/jpeg".into(),
                caption: caption.or(text),
                bytes: None,
            }),
            timestamp: timestamp.unwrap_or_else(|| Utc::now().timestamp()),
        };
        publish(&app, owner, id, SimCommand::Inbound { message }).await;
        Ok(message_id)
    }

    /// The phone pushes history: chats with their messages (one chunk).
    async fn sim_history_sync(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        chats: Vec<SimChatInput>,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        let mut conversations = Vec::with_capacity(chats.len());
        for chat in chats {
            let jid = Jid::parse(&chat.jid)?;
            let messages = chat
                .messages
                .into_iter()
                .map(|m| InboundMessage {
                    id: m.id,
                    chat: jid.clone(),
                    sender: jid.clone(),
                    sender_alt: None,
                    sender_name: chat.name.clone(),
                    from_me: m.from_me,
                    text: Some(m.text),
                    image: None,
                    timestamp: m.timestamp,
                })
                .collect();
            conversations.push(HistoryConversation {
                chat: jid,
                name: chat.name,
                messages,
            });
        }
        let chunk = HistoryChunk {
            conversations,
            lid_to_phone: Vec::new(),
        };
        publish(&app, owner, id, SimCommand::HistorySync { chunk }).await;
        Ok(true)
    }

    /// The next `count` connection attempts of the device fail (to exercise the restart cap).
    async fn sim_fail_connects(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        #[graphql(validator(minimum = 0, maximum = 1000))] count: u32,
    ) -> GqlResult<bool> {
        let (app, owner, id) = owned(ctx, &device_id).await?;
        publish(&app, owner, id, SimCommand::FailConnects { count }).await;
        Ok(true)
    }
}
