//! The device supervisor: runs the session of every device this node holds.
//!
//! On start-up it opens every paired device, paced by a connect gate (no thundering herd of
//! thousands of reconnects). Each device gets one runner task that follows the session's events,
//! stores and publishes every status change, reconnects with capped exponential backoff and
//! jitter, gives up (FAILED) after too many failed restarts in a row, waits out temporary bans,
//! and checks that a session that says it is connected really is. With Redis, a node runs only
//! the devices it holds a lease on, and picks up devices whose node stopped renewing.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::Utc;
use rand::Rng;
use tokio::{sync::mpsc, task::AbortHandle, time::Instant};
use tokio_util::sync::CancellationToken;

use super::{
    dispatcher::{Dispatcher, PacerHandle},
    leases::Leases,
};
use crate::{
    config::DeviceSettings,
    domain::devices::{self, DeviceStatus, ShownQr, Transition},
    entities::devices as device_rows,
    events::{DeviceCommand, Event, EventKind, EventPublisher},
    state::AppState,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
    whatsapp::{InboundSink, OpenRequest, Session, WaEvent, WhatsApp},
};

struct Runner {
    commands: mpsc::Sender<DeviceCommand>,
    /// Cancelled when the lease is lost: stop without writing anything.
    lease_lost: CancellationToken,
    abort: AbortHandle,
    token: i64,
}

pub struct Supervisor {
    app: AppState,
    whatsapp: Arc<dyn WhatsApp>,
    leases: Arc<dyn Leases>,
    inbound: Arc<dyn InboundSink>,
    dispatcher: Arc<Dispatcher>,
    node_id: String,
    settings: DeviceSettings,
    runners: Mutex<HashMap<DeviceId, Runner>>,
    gate: ConnectGate,
    shutdown: CancellationToken,
    /// Devices whose runner finished with a start request pending (see `forget_runner`).
    restarts: mpsc::UnboundedSender<DeviceId>,
    pending_restarts: Mutex<Option<mpsc::UnboundedReceiver<DeviceId>>>,
}

/// How a session ended.
enum Outcome {
    /// The connection dropped; `connected` tells whether it had come up this time.
    Disconnected {
        reason: String,
        connected: bool,
    },
    Reconnect,
    Banned,
    /// The runner is done (logged out, QR expired, stopped, deleted, or fenced out).
    Exit {
        release: bool,
    },
}

impl Supervisor {
    pub fn new(
        app: AppState,
        whatsapp: Arc<dyn WhatsApp>,
        leases: Arc<dyn Leases>,
        inbound: Arc<dyn InboundSink>,
        dispatcher: Arc<Dispatcher>,
        node_id: String,
    ) -> Arc<Self> {
        let settings = app.config.devices.clone();
        let (restarts, pending_restarts) = mpsc::unbounded_channel();
        Arc::new(Self {
            restarts,
            pending_restarts: Mutex::new(Some(pending_restarts)),
            gate: ConnectGate::new(settings.connects_per_second),
            app,
            whatsapp,
            leases,
            inbound,
            dispatcher,
            node_id,
            settings,
            runners: Mutex::new(HashMap::new()),
            shutdown: CancellationToken::new(),
        })
    }

    /// Devices whose session runs on this node.
    pub fn running(&self) -> Vec<DeviceId> {
        self.runners
            .lock()
            .map(|r| r.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Runs until `stop` is called.
    pub async fn run(self: Arc<Self>) {
        let mut bus = self.app.events.subscribe();
        let Some(mut restarts) = self.pending_restarts.lock().ok().and_then(|mut r| r.take())
        else {
            return;
        };
        self.start_runnable().await;
        let mut scan =
            tokio::time::interval(self.leases.renew_every().max(Duration::from_millis(100)));
        let mut renew =
            tokio::time::interval(self.leases.renew_every().max(Duration::from_millis(100)));
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => break,
                event = bus.recv() => match event {
                    Ok(event) => self.on_event(&event).await,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "supervisor lagged behind the event bus");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                Some(device_id) = restarts.recv() => self.try_start(device_id, None).await,
                _ = scan.tick(), if self.leases.shared() => self.start_runnable().await,
                _ = renew.tick(), if self.leases.shared() => self.renew_leases().await,
            }
        }
    }

    /// Stops every session gracefully: status OFFLINE, leases released so another node can
    /// take over at once.
    pub async fn stop(&self) {
        self.shutdown.cancel();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.running().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Simulates a crash: every runner stops at once, nothing is written or released.
    pub fn kill(&self) {
        self.shutdown.cancel();
        self.dispatcher.kill();
        if let Ok(mut runners) = self.runners.lock() {
            for (_, runner) in runners.drain() {
                runner.abort.abort();
            }
        }
    }

    async fn on_event(self: &Arc<Self>, event: &Event) {
        match &event.kind {
            EventKind::DeviceCommand { device_id, command } => {
                let device_id = DeviceId(*device_id);
                let local = self
                    .runners
                    .lock()
                    .ok()
                    .and_then(|r| r.get(&device_id).map(|r| r.commands.clone()));
                match (local, command) {
                    (
                        Some(runner),
                        DeviceCommand::Start {
                            pair_phone: Some(phone),
                        },
                    ) => {
                        let _ = runner
                            .send(DeviceCommand::RequestPairingCode {
                                phone: phone.clone(),
                            })
                            .await;
                    }
                    (Some(_), DeviceCommand::Start { pair_phone: None }) => {}
                    (Some(runner), other) => {
                        let _ = runner.send(other.clone()).await;
                    }
                    (None, DeviceCommand::Start { pair_phone }) => {
                        self.try_start(device_id, pair_phone.clone()).await;
                    }
                    (None, _) => {}
                }
            }
            EventKind::DeviceDeleted { device } => {
                let runner = self
                    .runners
                    .lock()
                    .ok()
                    .and_then(|r| r.get(&DeviceId(device.id)).map(|r| r.commands.clone()));
                if let Some(runner) = runner {
                    let _ = runner.send(DeviceCommand::Stop).await;
                }
            }
            _ => {}
        }
    }

    async fn start_runnable(self: &Arc<Self>) {
        let devices = match devices::runnable(&self.app.db).await {
            Ok(devices) => devices,
            Err(err) => {
                tracing::error!(error = ?err, "cannot list devices to run");
                return;
            }
        };
        let running = self.running();
        for device in devices {
            let id = DeviceId(device.id);
            if !running.contains(&id) {
                self.try_start(id, None).await;
            }
        }
    }

    async fn renew_leases(&self) {
        let running = self.running();
        match self.leases.renew(&running).await {
            Ok(lost) => {
                for device in lost {
                    tracing::warn!(device.id = %device, "lease lost; stopping the session here");
                    if let Some(runner) =
                        self.runners.lock().ok().and_then(|mut r| r.remove(&device))
                    {
                        runner.lease_lost.cancel();
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "lease renewal failed"),
        }
    }

    async fn try_start(self: &Arc<Self>, device_id: DeviceId, pair_phone: Option<String>) {
        if self.shutdown.is_cancelled()
            || self
                .runners
                .lock()
                .is_ok_and(|r| r.contains_key(&device_id))
        {
            return;
        }
        match self.leases.acquire(device_id).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(err) => {
                tracing::warn!(device.id = %device_id, error = %err, "cannot take the device lease");
                return;
            }
        }
        let token = match devices::take_lease(&self.app.db, device_id, &self.node_id).await {
            Ok(Some(token)) => token,
            Ok(None) => {
                let _ = self.leases.release(device_id).await;
                return;
            }
            Err(err) => {
                tracing::error!(device.id = %device_id, error = ?err, "cannot record the device lease");
                let _ = self.leases.release(device_id).await;
                return;
            }
        };
        let (commands, receiver) = mpsc::channel(16);
        if let Some(phone) = pair_phone {
            let _ = commands.try_send(DeviceCommand::RequestPairingCode { phone });
        }
        let lease_lost = CancellationToken::new();
        let runner = DeviceRunner {
            supervisor: self.clone(),
            device_id,
            token,
            commands: receiver,
            lease_lost: lease_lost.clone(),
            pending_pair_phone: None,
        };
        let task = tokio::spawn(runner.run());
        if let Ok(mut runners) = self.runners.lock() {
            runners.insert(
                device_id,
                Runner {
                    commands,
                    lease_lost,
                    abort: task.abort_handle(),
                    token,
                },
            );
        }
    }

    /// Removes a finished runner. A start or reconnect that reached it while it was finishing
    /// is not lost: the caller starts the device again.
    fn forget_runner(
        &self,
        device_id: DeviceId,
        token: i64,
        commands: &mut mpsc::Receiver<DeviceCommand>,
    ) -> bool {
        if let Ok(mut runners) = self.runners.lock() {
            if runners.get(&device_id).is_some_and(|r| r.token == token) {
                runners.remove(&device_id);
            }
        }
        let mut restart = false;
        while let Ok(command) = commands.try_recv() {
            restart |= matches!(
                command,
                DeviceCommand::Start { .. } | DeviceCommand::Reconnect
            );
        }
        restart && !self.shutdown.is_cancelled()
    }

    fn backoff(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(16);
        let base = self
            .settings
            .backoff_base
            .saturating_mul(1 << exponent)
            .min(self.settings.backoff_max);
        let jitter = rand::thread_rng().gen_range(0.8..1.2);
        base.mul_f64(jitter)
    }
}

/// Paces session opens: at most `per_second`, first come first served.
struct ConnectGate {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl ConnectGate {
    fn new(per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// One device's session, for as long as this node holds the device.
struct DeviceRunner {
    supervisor: Arc<Supervisor>,
    device_id: DeviceId,
    token: i64,
    commands: mpsc::Receiver<DeviceCommand>,
    lease_lost: CancellationToken,
    pending_pair_phone: Option<String>,
}

impl DeviceRunner {
    #[tracing::instrument(name = "device", skip_all, fields(device.id = %self.device_id))]
    async fn run(mut self) {
        let release = self.run_sessions().await;
        let sup = &self.supervisor;
        if release {
            if let Err(err) = sup.leases.release(self.device_id).await {
                tracing::warn!(error = %err, "cannot release the device lease");
            }
        }
        if sup.forget_runner(self.device_id, self.token, &mut self.commands) {
            let _ = sup.restarts.send(self.device_id);
        }
    }

    /// Returns whether the lease should be released.
    async fn run_sessions(&mut self) -> bool {
        let mut failures: u32 = 0;
        loop {
            let device = match devices::find(&self.supervisor.app.db, self.device_id).await {
                Ok(Some(device)) if device.lease_token == self.token => device,
                Ok(_) => return false,
                Err(err) => {
                    tracing::error!(error = ?err, "cannot load the device");
                    if self.pause(self.supervisor.backoff(1)).await.is_some() {
                        return true;
                    }
                    continue;
                }
            };
            if let Some(until) = device.banned_until.filter(|until| *until > Utc::now()) {
                if device.status != DeviceStatus::Banned
                    && !self
                        .set_status(
                            DeviceStatus::Banned,
                            Transition {
                                reason: device.status_reason.clone(),
                                banned_until: Some(until),
                            },
                        )
                        .await
                {
                    return false;
                }
                let wait = (until - Utc::now()).to_std().unwrap_or_default();
                if let Some(exit) = self.pause(wait).await {
                    return exit;
                }
                continue;
            }
            let paired = device.jid.is_some();
            if paired && !matches!(device.status, DeviceStatus::Reconnecting) {
                let reason = Some("Connecting to WhatsApp.".to_owned());
                if !self
                    .set_status(
                        DeviceStatus::Reconnecting,
                        Transition {
                            reason,
                            banned_until: None,
                        },
                    )
                    .await
                {
                    return false;
                }
            }
            tokio::select! {
                () = self.supervisor.gate.wait() => {}
                () = self.lease_lost.cancelled() => return false,
                () = self.supervisor.shutdown.cancelled() => return self.go_offline().await,
            }
            let request = OpenRequest {
                device_id: self.device_id,
                jid: device.jid.as_deref().and_then(|j| Jid::parse(j).ok()),
            };
            let outcome = match self.supervisor.whatsapp.open(request).await {
                Err(err) => Outcome::Disconnected {
                    reason: err.to_string(),
                    connected: false,
                },
                Ok((session, events)) => {
                    let mut pacer = None;
                    let outcome = self
                        .drive(&device, session.clone(), events, &mut pacer)
                        .await;
                    // The pacer finishes the message in hand before the session closes.
                    if let Some(pacer) = pacer {
                        pacer.stop().await;
                    }
                    session.shutdown().await;
                    outcome
                }
            };
            match outcome {
                Outcome::Exit { release } => return release,
                Outcome::Reconnect => failures = 0,
                Outcome::Banned => {}
                Outcome::Disconnected { reason, connected } => {
                    failures = if connected { 0 } else { failures + 1 };
                    if failures >= self.supervisor.settings.restart_cap {
                        let reason = format!(
                            "Stopped trying after {failures} failed attempts in a row. {}",
                            as_sentence(&reason)
                        );
                        self.publish_error(&reason).await;
                        self.set_status(
                            DeviceStatus::Failed,
                            Transition {
                                reason: Some(reason),
                                banned_until: None,
                            },
                        )
                        .await;
                        return true;
                    }
                    // The device may have paired during this session: ask the row, not the copy
                    // loaded before it.
                    let paired = paired
                        || matches!(devices::find(&self.supervisor.app.db, self.device_id).await, Ok(Some(d)) if d.jid.is_some());
                    let status = if paired {
                        DeviceStatus::Reconnecting
                    } else {
                        DeviceStatus::Pairing
                    };
                    if failures > 0 {
                        self.publish_error(&reason).await;
                    }
                    if !self
                        .set_status(
                            status,
                            Transition {
                                reason: Some(reason),
                                banned_until: None,
                            },
                        )
                        .await
                    {
                        return false;
                    }
                    if failures > 0 {
                        if let Some(exit) = self.pause(self.supervisor.backoff(failures)).await {
                            return exit;
                        }
                    }
                }
            }
        }
    }

    /// Waits, unless a command, shutdown or lease loss comes first. `Some(release)` means stop.
    async fn pause(&mut self, wait: Duration) -> Option<bool> {
        let sleep = tokio::time::sleep(wait);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => return None,
                () = self.lease_lost.cancelled() => return Some(false),
                () = self.supervisor.shutdown.cancelled() => return Some(self.go_offline().await),
                command = self.commands.recv() => match command {
                    None | Some(DeviceCommand::Stop) => return Some(true),
                    Some(DeviceCommand::Reconnect) => return None,
                    Some(DeviceCommand::LogOut) => return Some(self.logged_out("Logged out from the dashboard.").await),
                    Some(DeviceCommand::RequestPairingCode { phone }) => self.pending_pair_phone = Some(phone),
                    // Not connected: the phone shows them read when it next reads the chat itself.
                    Some(DeviceCommand::MarkRead { .. }) => {}
                    Some(DeviceCommand::Start { .. }) => {}
                },
            }
        }
    }

    async fn drive(
        &mut self,
        device: &device_rows::Model,
        session: Arc<dyn Session>,
        mut events: mpsc::Receiver<WaEvent>,
        pacer: &mut Option<PacerHandle>,
    ) -> Outcome {
        let mut connected = false;
        let owner = UserId(device.user_id);
        let mut health = tokio::time::interval(self.supervisor.settings.health_interval);
        health.tick().await;
        if let Some(phone) = self.pending_pair_phone.take() {
            self.request_pairing_code(session.as_ref(), &phone).await;
        }
        loop {
            tokio::select! {
                () = self.lease_lost.cancelled() => return Outcome::Exit { release: false },
                () = self.supervisor.shutdown.cancelled() => {
                    return Outcome::Exit { release: self.go_offline().await };
                }
                _ = health.tick() => {
                    if connected && !session.is_connected() {
                        return Outcome::Disconnected {
                            reason: "health check: the connection was dead".into(),
                            connected,
                        };
                    }
                }
                command = self.commands.recv() => match command {
                    None | Some(DeviceCommand::Stop) => return Outcome::Exit { release: true },
                    Some(DeviceCommand::Reconnect) => return Outcome::Reconnect,
                    Some(DeviceCommand::LogOut) => {
                        if let Err(err) = session.log_out().await {
                            tracing::warn!(error = %err, "logging out on the network failed");
                        }
                        return Outcome::Exit { release: self.logged_out("Logged out from the dashboard.").await };
                    }
                    Some(DeviceCommand::RequestPairingCode { phone }) => {
                        self.request_pairing_code(session.as_ref(), &phone).await;
                    }
                    Some(DeviceCommand::MarkRead { chat_jid, message_ids }) => {
                        if let Ok(chat) = Jid::parse(&chat_jid) {
                            if let Err(err) = session.mark_read(&chat, &message_ids).await {
                                tracing::warn!(error = %err, "sending read receipts failed");
                            }
                        }
                    }
                    Some(DeviceCommand::Start { .. }) => {}
                },
                event = events.recv() => {
                    let Some(event) = event else {
                        return Outcome::Disconnected { reason: "the session ended".into(), connected };
                    };
                    match event {
                        WaEvent::QrCode { code, expires_at } => self.show_qr(owner, code, expires_at).await,
                        WaEvent::QrCodesExhausted => {
                            self.clear_qr().await;
                            let reason = Some(devices::QR_EXPIRED_REASON.to_owned());
                            self.set_status(DeviceStatus::Pairing, Transition { reason, banned_until: None }).await;
                            return Outcome::Exit { release: true };
                        }
                        WaEvent::PairingCode { code, expires_at } => {
                            self.publish(Event::pairing_code(owner, self.device_id, code, expires_at)).await;
                        }
                        WaEvent::Paired { jid, lid } => {
                            self.clear_qr().await;
                            let phone = jid.phone();
                            let stored = devices::record_pairing(
                                &self.supervisor.app.db,
                                self.device_id,
                                self.token,
                                jid.to_non_device().as_str(),
                                lid.as_ref().map(Jid::as_str),
                                phone.as_ref(),
                            )
                            .await;
                            if !matches!(stored, Ok(true)) {
                                return Outcome::Exit { release: false };
                            }
                        }
                        WaEvent::Connected => {
                            connected = true;
                            self.clear_qr().await;
                            if !self.set_status(DeviceStatus::Online, Transition::default()).await {
                                return Outcome::Exit { release: false };
                            }
                            if pacer.is_none() {
                                *pacer = Some(self.supervisor.dispatcher.attach(self.device_id, self.token, session.clone()));
                            }
                        }
                        WaEvent::Disconnected { reason } => return Outcome::Disconnected { reason, connected },
                        WaEvent::LoggedOut { reason } => {
                            return Outcome::Exit { release: self.logged_out(&reason).await };
                        }
                        WaEvent::StreamReplaced => {
                            let reason = "Another process took over this device's connection.".to_owned();
                            self.publish_error(&reason).await;
                            self.set_status(DeviceStatus::Offline, Transition { reason: Some(reason), banned_until: None }).await;
                            return Outcome::Exit { release: true };
                        }
                        WaEvent::TemporaryBan { until, reason } => {
                            if !self.set_status(DeviceStatus::Banned, Transition { reason: Some(reason), banned_until: Some(until) }).await {
                                return Outcome::Exit { release: false };
                            }
                            return Outcome::Banned;
                        }
                        inbound @ (WaEvent::Message(_) | WaEvent::Receipt(_) | WaEvent::HistorySync(_)) => {
                            self.supervisor.inbound.handle(self.device_id, owner, inbound).await;
                        }
                    }
                }
            }
        }
    }

    async fn request_pairing_code(&self, session: &dyn Session, phone: &str) {
        let Ok(phone) = PhoneNumber::parse(phone) else {
            return;
        };
        if let Err(err) = session.request_pairing_code(&phone).await {
            self.publish_error(&format!("Could not get a pairing code: {err}"))
                .await;
        }
    }

    async fn logged_out(&self, reason: &str) -> bool {
        self.clear_qr().await;
        let _ = self.supervisor.whatsapp.forget(self.device_id).await;
        self.set_status(
            DeviceStatus::LoggedOut,
            Transition {
                reason: Some(reason.to_owned()),
                banned_until: None,
            },
        )
        .await;
        true
    }

    /// Node shutdown: the device is left OFFLINE for whichever node starts it next.
    async fn go_offline(&self) -> bool {
        let paired = matches!(devices::find(&self.supervisor.app.db, self.device_id).await, Ok(Some(d)) if d.jid.is_some());
        if paired {
            let reason = Some("The server running this device stopped.".to_owned());
            self.set_status(
                DeviceStatus::Offline,
                Transition {
                    reason,
                    banned_until: None,
                },
            )
            .await;
        }
        true
    }

    /// Stores and publishes a status change; `false` when this node no longer holds the device.
    async fn set_status(&self, status: DeviceStatus, change: Transition) -> bool {
        match devices::transition(
            &self.supervisor.app.db,
            self.device_id,
            self.token,
            status,
            change,
        )
        .await
        {
            Ok(Some(device)) => {
                tracing::info!(device.status = ?status, "device status changed");
                self.publish(Event::device_changed(&device)).await;
                true
            }
            Ok(None) => false,
            Err(err) => {
                tracing::error!(error = ?err, "cannot store the device status");
                true
            }
        }
    }

    async fn show_qr(&self, owner: UserId, code: String, expires_at: chrono::DateTime<Utc>) {
        let shown = ShownQr { code, expires_at };
        devices::show_qr(self.supervisor.app.ports(), owner, self.device_id, shown).await;
    }

    async fn clear_qr(&self) {
        devices::clear_qr(self.supervisor.app.ephemeral.as_ref(), self.device_id).await;
    }

    async fn publish(&self, event: Event) {
        self.supervisor.app.events.publish(event).await;
    }

    async fn publish_error(&self, message: &str) {
        if let Ok(Some(device)) = devices::find(&self.supervisor.app.db, self.device_id).await {
            self.publish(Event::device_error(
                UserId(device.user_id),
                self.device_id,
                message.to_owned(),
            ))
            .await;
        }
    }
}

/// `reason` as a sentence for people: a capital first letter and a full stop (adapters report
/// lower-case fragments such as "connection failed: …").
fn as_sentence(reason: &str) -> String {
    let reason = reason.trim();
    let mut chars = reason.chars();
    let mut sentence: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::as_sentence;

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            as_sentence("connection failed: boom"),
            "Connection failed: boom."
        );
        assert_eq!(as_sentence("Already one."), "Already one.");
        assert_eq!(as_sentence("  "), "");
    }
}
