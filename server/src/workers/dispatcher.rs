//! The dispatcher: one pacer per ONLINE device this node runs (a task, not a thread), a fetcher
//! that takes work for every idle pacer from the queue in one round trip, and a writer that
//! turns the pacers' many small database writes into a few batched statements.
//!
//! A pacer takes one message at a time: it waits a random delay in [min, max] since its last
//! send (the message's pacing, or the device's), shows "typing…" for the last moments of that
//! wait, claims the row (QUEUED → SENDING, fenced by the lease token), sends, and records SENT
//! or FAILED before it acknowledges the queue entry. A row is never sent without a claim, and a
//! claim succeeds once, so a row is sent at most once whatever the queue delivers — except by
//! a node that takes a device over from a holder that died mid-send: it sends the rows found
//! in SENDING again, under the WhatsApp id their claim stored, so the recipient (who keeps one
//! copy per id) sees each message once.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::{
    sync::{mpsc, oneshot, Notify},
    task::JoinHandle,
    time::Instant,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::recorder::SendRecorder;
use crate::{
    config::DispatchSettings,
    domain::{
        campaigns::{
            control,
            sending::{self, FailureWatch, SendRules},
        },
        devices,
        outbox::{self, Claim, MessageKind, OutboxStatus, Outcome},
        sequences,
    },
    entities::broadcast_messages as rows,
    error::AppResult,
    events::{self, EventKind, EventPublisher},
    queue::{Delivery, Queue},
    state::AppState,
    types::{ids::DeviceId, jid::Jid},
    whatsapp::{OutgoingImage, Session, WaError},
};

/// Entries a pacer takes per round trip: fewer, larger reads of the queue. Entries a pacer holds
/// when it stops stay pending on the queue and are reclaimed by the next pacer of the device.
const PREFETCH: usize = 32;
/// The shortest time between two reads of the queue: a read costs the queue work for every idle
/// pacer's stream, so reads are spaced a little and each serves many pacers.
const FETCH_SPACING: Duration = Duration::from_millis(20);
/// Batches of pacers' database operations executed at the same time.
const WRITE_BATCHES_IN_FLIGHT: usize = 2;

/// A queue entry with what the fetcher read of its row along with it. The claim decides anyway
/// (it checks the row is still QUEUED), so a row read a little earlier is good enough to skip
/// settled rows and to know the row's delays; reading it with the entries saves every send one
/// round of the writer.
struct Work {
    delivery: Delivery,
    row: Prefetched,
}

enum Prefetched {
    Row(Box<rows::Model>),
    /// No such row (deleted): the entry is only acknowledged.
    Gone,
    /// Not read (reclaimed entries, or the read failed): the pacer reads it.
    Unread,
}

impl Work {
    fn unread(delivery: Delivery) -> Self {
        Self {
            delivery,
            row: Prefetched::Unread,
        }
    }
}

/// One batched database operation asked for by a pacer.
enum Op {
    Load(i64, oneshot::Sender<Option<rows::Model>>),
    Claim(Claim, oneshot::Sender<Option<rows::Model>>),
    Finish(i64, Outcome, oneshot::Sender<bool>),
    /// A campaign row outside its send window: back to PENDING until it opens.
    Defer(i64, DateTime<Utc>),
    Ack(Delivery),
}

/// Whose rules a row is sent by.
#[derive(Debug, Clone, Copy)]
enum RulesOf {
    Campaign(Uuid),
    Step(Uuid),
}

impl RulesOf {
    fn row(row: &rows::Model) -> Option<Self> {
        row.campaign_id
            .map(Self::Campaign)
            .or(row.sequence_step_id.map(Self::Step))
    }

    fn id(self) -> Uuid {
        match self {
            Self::Campaign(id) | Self::Step(id) => id,
        }
    }
}

/// How long a pacer trusts what it read of a campaign; changes arrive as events sooner.
const CAMPAIGN_RULES_TTL: Duration = Duration::from_secs(30);

pub struct Dispatcher {
    app: AppState,
    recorder: SendRecorder,
    queue: Arc<dyn Queue>,
    settings: DispatchSettings,
    ops: mpsc::UnboundedSender<Op>,
    ops_rx: Mutex<Option<mpsc::UnboundedReceiver<Op>>>,
    /// Pacers waiting for their next entries.
    hungry: Mutex<HashMap<DeviceId, oneshot::Sender<Vec<Work>>>>,
    became_hungry: Notify,
    pacers: Mutex<HashMap<DeviceId, tokio::task::AbortHandle>>,
    /// Devices whose settings changed since their pacer read them.
    stale_rules: Mutex<std::collections::HashSet<DeviceId>>,
    /// What the pacers read of campaigns and sequence steps (template, window, whether they
    /// may send), by campaign or step.
    campaigns: Mutex<HashMap<Uuid, (Arc<SendRules>, Instant)>>,
    /// The latest send outcomes of each campaign, for the error threshold.
    failures: Mutex<FailureWatch>,
}

/// A running pacer; `stop` lets it finish the message in hand.
pub struct PacerHandle {
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl PacerHandle {
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

impl Dispatcher {
    pub fn new(app: AppState, recorder: SendRecorder) -> Arc<Self> {
        let queue = app.queue.clone();
        let (ops, ops_rx) = mpsc::unbounded_channel();
        Arc::new(Self {
            recorder,
            settings: app.config.dispatch.clone(),
            app,
            queue,
            ops,
            ops_rx: Mutex::new(Some(ops_rx)),
            hungry: Mutex::new(HashMap::new()),
            became_hungry: Notify::new(),
            pacers: Mutex::new(HashMap::new()),
            stale_rules: Mutex::new(std::collections::HashSet::new()),
            campaigns: Mutex::new(HashMap::new()),
            failures: Mutex::new(FailureWatch::default()),
        })
    }

    pub fn queue(&self) -> &Arc<dyn Queue> {
        &self.queue
    }

    /// Devices with a running pacer on this node.
    pub fn pacing(&self) -> Vec<DeviceId> {
        self.pacers
            .lock()
            .map(|p| p.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Starts the fetcher and the writer.
    pub fn start(self: &Arc<Self>) -> Vec<tokio::task::AbortHandle> {
        let mut tasks = Vec::new();
        if let Some(ops) = self.ops_rx.lock().ok().and_then(|mut o| o.take()) {
            tasks.push(tokio::spawn(self.clone().write(ops)).abort_handle());
        }
        tasks.push(tokio::spawn(self.clone().fetch()).abort_handle());
        tasks.push(tokio::spawn(self.clone().watch_settings()).abort_handle());
        tasks
    }

    /// Simulates a crash: every pacer stops where it is.
    pub fn kill(&self) {
        if let Ok(mut pacers) = self.pacers.lock() {
            for (_, pacer) in pacers.drain() {
                pacer.abort();
            }
        }
    }

    /// Starts the pacer of a device that just came ONLINE on this node.
    pub fn attach(
        self: &Arc<Self>,
        device_id: DeviceId,
        token: i64,
        session: Arc<dyn Session>,
    ) -> PacerHandle {
        let cancel = CancellationToken::new();
        let pacer = Pacer {
            dispatcher: self.clone(),
            device_id,
            token,
            session,
            cancel: cancel.clone(),
        };
        let task = tokio::spawn(pacer.run());
        if let Ok(mut pacers) = self.pacers.lock() {
            pacers.insert(device_id, task.abort_handle());
        }
        PacerHandle { cancel, task }
    }

    async fn next_for(&self, device_id: DeviceId, cancel: &CancellationToken) -> Option<Vec<Work>> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut hungry) = self.hungry.lock() {
            hungry.insert(device_id, tx);
        }
        self.became_hungry.notify_one();
        tokio::select! {
            delivery = rx => delivery.ok(),
            () = cancel.cancelled() => {
                if let Ok(mut hungry) = self.hungry.lock() {
                    hungry.remove(&device_id);
                }
                None
            }
        }
    }

    /// Marks a pacer's rules stale when its device changes (edited delays or daily cap).
    async fn watch_settings(self: Arc<Self>) {
        let mut events = self.app.events.subscribe();
        loop {
            match events.recv().await {
                Ok(event) => match &event.kind {
                    EventKind::DeviceChanged { device } => {
                        if let Ok(mut stale) = self.stale_rules.lock() {
                            stale.insert(DeviceId(device.id));
                        }
                    }
                    EventKind::CampaignChanged { campaign } => {
                        if let Ok(mut campaigns) = self.campaigns.lock() {
                            campaigns.remove(&campaign.id);
                        }
                    }
                    // A sequence's steps are cached by step: read them all again.
                    EventKind::SequenceChanged { .. } => {
                        if let Ok(mut campaigns) = self.campaigns.lock() {
                            campaigns.clear();
                        }
                    }
                    _ => {}
                },
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    // Some changes were missed: every pacer reads its rules again.
                    let pacing = self.pacing();
                    if let Ok(mut stale) = self.stale_rules.lock() {
                        stale.extend(pacing);
                    }
                    if let Ok(mut campaigns) = self.campaigns.lock() {
                        campaigns.clear();
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// What a pacer needs to send a campaign's or a sequence step's row, from the cache or
    /// read afresh; `None` when the campaign or step is gone.
    async fn send_rules(&self, source: RulesOf) -> AppResult<Option<Arc<SendRules>>> {
        let key = source.id();
        if let Some((rules, read_at)) = self
            .campaigns
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            if read_at.elapsed() < CAMPAIGN_RULES_TTL {
                return Ok(Some(rules));
            }
        }
        let rules = match source {
            RulesOf::Campaign(id) => sending::send_rules(&self.app.db, id).await?,
            RulesOf::Step(id) => sequences::send_rules(&self.app.db, id).await?,
        };
        let Some(rules) = rules else {
            return Ok(None);
        };
        let rules = Arc::new(rules);
        if let Ok(mut campaigns) = self.campaigns.lock() {
            campaigns.insert(key, (rules.clone(), Instant::now()));
        }
        Ok(Some(rules))
    }

    /// Feeds the error threshold; a campaign that crosses it pauses itself.
    fn watch_failures(&self, changed: &[rows::Model]) {
        let mut crossed = Vec::new();
        if let Ok(mut watch) = self.failures.lock() {
            for row in changed {
                let Some(campaign) = row.campaign_id else {
                    continue;
                };
                let failed = match row.status {
                    OutboxStatus::Failed => true,
                    OutboxStatus::Sent => false,
                    _ => continue,
                };
                if watch.record(campaign, failed) {
                    crossed.push(campaign);
                }
            }
        }
        for campaign in crossed {
            let app = self.app.clone();
            tokio::spawn(async move {
                match control::pause_by_itself(app.ports(), campaign, sending::threshold_reason())
                    .await
                {
                    Ok(Some(_)) => {
                        tracing::warn!(campaign.id = %campaign, "campaign paused itself: too many failed sends")
                    }
                    Ok(None) => {}
                    Err(err) => tracing::error!(error = ?err, "cannot pause a failing campaign"),
                }
            });
        }
    }

    fn take_stale(&self, device_id: DeviceId) -> bool {
        self.stale_rules
            .lock()
            .map(|mut s| s.remove(&device_id))
            .unwrap_or(false)
    }

    /// Takes one entry for every idle pacer per round trip.
    async fn fetch(self: Arc<Self>) {
        loop {
            tokio::time::sleep(FETCH_SPACING).await;
            let devices: Vec<DeviceId> = self
                .hungry
                .lock()
                .map(|h| {
                    h.iter()
                        .filter(|(_, tx)| !tx.is_closed())
                        .map(|(d, _)| *d)
                        .collect()
                })
                .unwrap_or_default();
            if devices.is_empty() {
                let _ =
                    tokio::time::timeout(Duration::from_millis(200), self.became_hungry.notified())
                        .await;
                continue;
            }
            match self
                .queue
                .take(&devices, PREFETCH, Duration::from_millis(100))
                .await
            {
                Ok(deliveries) => {
                    let ids: Vec<i64> = deliveries.iter().map(|d| d.row_id).collect();
                    let mut rows: Option<HashMap<i64, rows::Model>> = match outbox::load(
                        &self.app.db,
                        &ids,
                    )
                    .await
                    {
                        Ok(found) => Some(found.into_iter().map(|r| (r.id, r)).collect()),
                        Err(err) => {
                            tracing::warn!(error = ?err, "reading outbox rows with their entries failed");
                            None
                        }
                    };
                    let mut by_device: HashMap<DeviceId, Vec<Work>> = HashMap::new();
                    for delivery in deliveries {
                        let row = match rows.as_mut() {
                            Some(rows) => rows
                                .remove(&delivery.row_id)
                                .map_or(Prefetched::Gone, |r| Prefetched::Row(Box::new(r))),
                            None => Prefetched::Unread,
                        };
                        by_device
                            .entry(delivery.device_id)
                            .or_default()
                            .push(Work { delivery, row });
                    }
                    for (device_id, entries) in by_device {
                        let waiting = self
                            .hungry
                            .lock()
                            .ok()
                            .and_then(|mut h| h.remove(&device_id));
                        if let Some(Err(_)) = waiting.map(|tx| tx.send(entries)) {
                            // The pacer stopped meanwhile: the entries stay unacknowledged and are
                            // reclaimed by whichever pacer runs the device next.
                            tracing::debug!(device.id = %device_id, "entries for a stopped pacer");
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(
                        error = format!("{err:#}"),
                        "taking work from the queue failed"
                    );
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    /// Executes pacers' operations in batches: whatever is waiting becomes one statement per kind.
    /// `WRITE_BATCHES_IN_FLIGHT` batches run at once, so the database works on one while the
    /// next is gathered and sent. A row's operations can never overtake each other: its pacer
    /// awaits each reply before it asks for the next step.
    async fn write(self: Arc<Self>, mut ops: mpsc::UnboundedReceiver<Op>) {
        let in_flight = Arc::new(tokio::sync::Semaphore::new(WRITE_BATCHES_IN_FLIGHT));
        while let Some(first) = ops.recv().await {
            // Waiting for a free slot lets the batch grow meanwhile.
            let Ok(slot) = in_flight.clone().acquire_owned().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < 5000 {
                match ops.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            let this = self.clone();
            tokio::spawn(async move {
                this.write_batch(batch).await;
                drop(slot);
            });
        }
    }

    async fn write_batch(&self, batch: Vec<Op>) {
        let mut loads = Vec::new();
        let mut claims = Vec::new();
        let mut finishes = Vec::new();
        let mut defers = Vec::new();
        let mut acks = Vec::new();
        for op in batch {
            match op {
                Op::Load(id, reply) => loads.push((id, reply)),
                Op::Claim(claim, reply) => claims.push((claim, reply)),
                Op::Finish(id, outcome, reply) => finishes.push((id, outcome, reply)),
                Op::Defer(id, until) => defers.push((id, until)),
                Op::Ack(delivery) => acks.push(delivery),
            }
        }
        if !defers.is_empty() {
            match outbox::defer(&self.app.db, &defers).await {
                Ok(changed) => self.publish(&changed).await,
                // Left QUEUED: its pacer meets it again (the reconciler re-queues it).
                Err(err) => tracing::error!(error = ?err, "deferring rows to their window failed"),
            }
        }
        if !loads.is_empty() {
            let ids: Vec<i64> = loads.iter().map(|(id, _)| *id).collect();
            let found = outbox::load(&self.app.db, &ids)
                .await
                .unwrap_or_else(|err| {
                    tracing::error!(error = ?err, "loading outbox rows failed");
                    Vec::new()
                });
            let mut by_id: HashMap<i64, rows::Model> =
                found.into_iter().map(|r| (r.id, r)).collect();
            for (id, reply) in loads {
                let _ = reply.send(by_id.remove(&id));
            }
        }
        if !claims.is_empty() {
            let list: Vec<Claim> = claims.iter().map(|(c, _)| c.clone()).collect();
            let claimed = outbox::claim(&self.app.db, &list)
                .await
                .unwrap_or_else(|err| {
                    tracing::error!(error = ?err, "claiming outbox rows failed");
                    Vec::new()
                });
            self.publish(&claimed).await;
            let mut by_id: HashMap<i64, rows::Model> =
                claimed.into_iter().map(|r| (r.id, r)).collect();
            for (claim, reply) in claims {
                let _ = reply.send(by_id.remove(&claim.row_id));
            }
        }
        if !finishes.is_empty() {
            let outcomes: Vec<(i64, Outcome)> =
                finishes.iter().map(|(id, o, _)| (*id, o.clone())).collect();
            let result = outbox::finish(&self.app.db, &outcomes).await;
            let stored = result.is_ok();
            match result {
                Ok(changed) => {
                    self.publish(&changed).await;
                    self.recorder.record(&changed);
                    self.watch_failures(&changed);
                }
                Err(err) => tracing::error!(error = ?err, "recording sends failed"),
            }
            for (_, _, reply) in finishes {
                let _ = reply.send(stored);
            }
        }
        if !acks.is_empty() {
            if let Err(err) = self.queue.ack(&acks).await {
                tracing::warn!(error = %err, "acknowledging queue entries failed");
            }
        }
    }

    /// Tells subscribers (one event per user per batch).
    pub async fn publish(&self, changed: &[rows::Model]) {
        events::publish_outbox(&self.app.events, changed).await;
    }

    async fn op<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Op) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.ops.send(make(tx)).ok()?;
        rx.await.ok()
    }
}

struct Pacer {
    dispatcher: Arc<Dispatcher>,
    device_id: DeviceId,
    token: i64,
    session: Arc<dyn Session>,
    cancel: CancellationToken,
}

/// The device's pacing and caps, reloaded now and then so edits apply while it runs.
struct DeviceRules {
    delay: (i32, i32),
    daily_cap: Option<i32>,
    loaded_at: Instant,
}

fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |midnight| midnight.and_utc())
}

impl Pacer {
    #[tracing::instrument(name = "pacer", skip_all, fields(device.id = %self.device_id))]
    async fn run(self) {
        let app = self.dispatcher.app.clone();
        // Rows a previous holder left in SENDING may have gone out: those with their WhatsApp
        // id are sent again under it (the recipient keeps one copy), the others fail.
        let taken = match outbox::take_over(&app.db, self.device_id, self.token).await {
            Ok(taken) => taken,
            Err(err) => {
                tracing::error!(error = ?err, "cannot settle interrupted rows");
                outbox::TakenOver::default()
            }
        };
        if !taken.interrupted.is_empty() {
            tracing::warn!(
                rows = taken.interrupted.len(),
                "rows without a message id interrupted mid-send marked failed"
            );
            self.dispatcher.publish(&taken.interrupted).await;
        }
        if !taken.resend.is_empty() {
            tracing::info!(
                rows = taken.resend.len(),
                "resending rows interrupted mid-send, under their message ids"
            );
            self.dispatcher.publish(&taken.resend).await;
        }
        let mut backlog: VecDeque<Work> = match self.dispatcher.queue.reclaim(self.device_id).await
        {
            Ok(entries) => entries.into_iter().map(Work::unread).collect(),
            Err(err) => {
                tracing::warn!(error = %err, "cannot reclaim queue entries");
                VecDeque::new()
            }
        };
        let Some(mut rules) = self.rules().await else {
            return;
        };
        let Some(mut last_send) = self.resend(taken.resend, &rules).await else {
            return;
        };
        let mut sent_today = outbox::sent_since(&app.db, self.device_id, start_of_day(Utc::now()))
            .await
            .unwrap_or(0);
        let mut day = start_of_day(Utc::now());
        let mut since_pause: u32 = 0;
        loop {
            if self.cancel.is_cancelled() {
                return;
            }
            let Work { delivery, row } = match backlog.pop_front() {
                Some(work) => work,
                None => match self.dispatcher.next_for(self.device_id, &self.cancel).await {
                    Some(entries) => {
                        backlog.extend(entries);
                        continue;
                    }
                    None => return,
                },
            };
            let row = match row {
                Prefetched::Row(row) => Some(*row),
                Prefetched::Gone => None,
                Prefetched::Unread => self
                    .dispatcher
                    .op(|tx| Op::Load(delivery.row_id, tx))
                    .await
                    .flatten(),
            };
            let Some(row) = row else {
                self.ack(delivery);
                continue;
            };
            if row.status != OutboxStatus::Queued || row.device_id != self.device_id.0 {
                // Settled already (sent, cancelled, or a duplicate entry): nothing to do.
                self.ack(delivery);
                continue;
            }
            // A campaign's row: sent while its campaign runs, inside its window in the
            // recipient's time, with its text rendered for them.
            let mut rendered = None;
            if let Some(source) = RulesOf::row(&row) {
                let rules = match self.dispatcher.send_rules(source).await {
                    Ok(rules) => rules,
                    Err(err) => {
                        tracing::warn!(error = ?err, "cannot read the campaign of a row");
                        backlog.push_front(Work::unread(delivery));
                        if self.sleep(Duration::from_secs(1)).await {
                            return;
                        }
                        continue;
                    }
                };
                let Some(rules) = rules.filter(|r| r.sendable) else {
                    // Paused or ended: its rows were moved off the queue with it.
                    self.ack(delivery);
                    continue;
                };
                let now = app.clock.now();
                let opens = rules.opens_at(&row.recipient_phone, now);
                if opens > now {
                    let _ = self.dispatcher.ops.send(Op::Defer(row.id, opens));
                    self.ack(delivery);
                    continue;
                }
                rendered =
                    Some(rules.render(row.id, row.recipient_name.as_deref(), &row.recipient_phone));
            }
            if self.dispatcher.take_stale(self.device_id)
                || rules.loaded_at.elapsed() > Duration::from_secs(60)
            {
                match self.rules().await {
                    Some(fresh) => rules = fresh,
                    None => return,
                }
            }
            // Daily cap: hold the entry until the next day starts.
            if start_of_day(Utc::now()) != day {
                day = start_of_day(Utc::now());
                sent_today = 0;
            }
            if let Some(cap) = rules.daily_cap {
                if sent_today >= cap as u64 {
                    let tomorrow = day + chrono::Duration::days(1);
                    let wait = (tomorrow - Utc::now())
                        .to_std()
                        .unwrap_or(Duration::from_secs(60));
                    tracing::info!("daily cap reached; resting until tomorrow");
                    // Read again when the day turns: by then it may be settled.
                    backlog.push_front(Work::unread(delivery));
                    if self.sleep(wait).await {
                        return;
                    }
                    continue;
                }
            }
            let (min, max) = match (row.min_delay_seconds, row.max_delay_seconds) {
                (Some(min), Some(max)) => (min, max),
                _ => rules.delay,
            };
            let gap = random_gap(min, max);
            let send_at = last_send.map_or_else(Instant::now, |at| at + gap);
            let jid = Jid::parse(&row.recipient_jid).ok();
            if self.wait_with_typing(send_at, gap, jid.as_ref()).await {
                // Stopping: the entry stays pending on the queue for the next pacer.
                return;
            }
            let claim = Claim {
                row_id: row.id,
                device_id: self.device_id,
                token: self.token,
                rendered,
            };
            let Some(row) = self
                .dispatcher
                .op(|tx| Op::Claim(claim, tx))
                .await
                .flatten()
            else {
                // Someone else's now (or no longer QUEUED, or this node lost the device).
                self.ack(delivery);
                continue;
            };
            let started = Instant::now();
            let outcome = self.send(&row, jid.as_ref()).await;
            let not_connected = matches!(outcome, Outcome::NotSent);
            let stored = self
                .dispatcher
                .op(|tx| Op::Finish(row.id, outcome, tx))
                .await
                .unwrap_or(false);
            if !stored {
                // Left in SENDING: the next holder sends it again under its id. Never
                // acknowledge a row whose outcome is not stored.
                tracing::error!(
                    outbox.id = row.id,
                    "the outcome of a send could not be stored"
                );
                return;
            }
            self.ack(delivery);
            if not_connected {
                return;
            }
            last_send = Some(started);
            sent_today += 1;
            since_pause += 1;
            let settings = &self.dispatcher.settings;
            if settings.pause_every > 0 && since_pause >= settings.pause_every {
                since_pause = 0;
                if self.sleep(settings.pause).await {
                    return;
                }
            }
        }
    }

    /// Sends again, paced as usual, the rows an earlier holder left in SENDING (claimed again by
    /// `take_over`, each under its stored id), and settles them. The time of the last send, or
    /// `None` when the pacer must stop (the rows it did not send go back to QUEUED with their ids,
    /// so the next claim sends them under the same ids).
    async fn resend(&self, rows: Vec<rows::Model>, rules: &DeviceRules) -> Option<Option<Instant>> {
        let mut last_send: Option<Instant> = None;
        let mut rows = rows.into_iter();
        for row in rows.by_ref() {
            let (min, max) = match (row.min_delay_seconds, row.max_delay_seconds) {
                (Some(min), Some(max)) => (min, max),
                _ => rules.delay,
            };
            let gap = random_gap(min, max);
            let send_at = last_send.map_or_else(Instant::now, |at| at + gap);
            let jid = Jid::parse(&row.recipient_jid).ok();
            let outcome = if self.wait_with_typing(send_at, gap, jid.as_ref()).await {
                Outcome::NotSent
            } else {
                last_send = Some(Instant::now());
                self.send(&row, jid.as_ref()).await
            };
            let stop = matches!(outcome, Outcome::NotSent);
            let stored = self
                .dispatcher
                .op(|tx| Op::Finish(row.id, outcome, tx))
                .await
                .unwrap_or(false);
            if !stored {
                tracing::error!(
                    outbox.id = row.id,
                    "the outcome of a resend could not be stored"
                );
                return None;
            }
            if stop {
                for row in rows {
                    let _ = self
                        .dispatcher
                        .op(|tx| Op::Finish(row.id, Outcome::NotSent, tx))
                        .await;
                }
                return None;
            }
        }
        Some(last_send)
    }

    async fn rules(&self) -> Option<DeviceRules> {
        match devices::find(&self.dispatcher.app.db, self.device_id).await {
            Ok(Some(device)) => Some(DeviceRules {
                delay: (device.min_delay_seconds, device.max_delay_seconds),
                daily_cap: device.daily_cap,
                loaded_at: Instant::now(),
            }),
            Ok(None) => None,
            Err(err) => {
                tracing::error!(error = ?err, "cannot load the device's pacing");
                None
            }
        }
    }

    async fn send(&self, row: &rows::Model, jid: Option<&Jid>) -> Outcome {
        let Some(jid) = jid else {
            return Outcome::Failed {
                error: "invalid recipient".into(),
            };
        };
        // Chosen by the claim; a claimed row always has one.
        let Some(message_id) = row.wa_message_id.as_deref() else {
            return Outcome::Failed {
                error: "the message has no WhatsApp id".into(),
            };
        };
        let result = match row.kind {
            MessageKind::Image => match self.image(row).await {
                Ok(image) => self.session.send_image(jid, &image, message_id).await,
                Err(error) => return Outcome::Failed { error },
            },
            _ => {
                self.session
                    .send_text(jid, row.text.as_deref().unwrap_or_default(), message_id)
                    .await
            }
        };
        match result {
            Ok(receipt) => Outcome::Sent {
                wa_message_id: receipt.message_id,
            },
            Err(WaError::NotConnected) => Outcome::NotSent,
            Err(err) => Outcome::Failed {
                error: err.to_string(),
            },
        }
    }

    async fn image(&self, row: &rows::Model) -> Result<OutgoingImage, String> {
        let media_ref = row.image_ref.as_deref().ok_or("the image is missing")?;
        let path = crate::media::path_of(&self.dispatcher.app.config.media_dir, media_ref)
            .ok_or("the image reference is invalid")?;
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|_| "the image file is missing".to_owned())?;
        Ok(OutgoingImage {
            bytes: bytes.into(),
            mime: row
                .image_mime
                .clone()
                .unwrap_or_else(|| "image/jpeg".into()),
            caption: row.caption.clone(),
        })
    }

    /// Waits until `send_at`, typing for the last moments. `true` when told to stop.
    async fn wait_with_typing(&self, send_at: Instant, gap: Duration, jid: Option<&Jid>) -> bool {
        let settings = &self.dispatcher.settings;
        let typing = if settings.typing {
            settings.typing_time.min(gap)
        } else {
            Duration::ZERO
        };
        let typing_from = send_at
            .checked_sub(typing)
            .unwrap_or(send_at)
            .max(Instant::now());
        if self.sleep_until(typing_from).await {
            return true;
        }
        if typing.is_zero() {
            return false;
        }
        if let Some(jid) = jid {
            let _ = self.session.set_typing(jid, true).await;
            let stopped = self.sleep_until(send_at).await;
            let _ = self.session.set_typing(jid, false).await;
            return stopped;
        }
        self.sleep_until(send_at).await
    }

    async fn sleep(&self, wait: Duration) -> bool {
        self.sleep_until(Instant::now() + wait).await
    }

    async fn sleep_until(&self, at: Instant) -> bool {
        tokio::select! {
            () = tokio::time::sleep_until(at) => false,
            () = self.cancel.cancelled() => true,
        }
    }

    fn ack(&self, delivery: Delivery) {
        let _ = self.dispatcher.ops.send(Op::Ack(delivery));
    }
}

fn random_gap(min: i32, max: i32) -> Duration {
    let min = min.max(0) as u64 * 1000;
    let max = (max.max(0) as u64 * 1000).max(min);
    Duration::from_millis(if max > min {
        rand::thread_rng().gen_range(min..=max)
    } else {
        min
    })
}
