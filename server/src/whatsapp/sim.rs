//! The simulated WhatsApp network: phones that scan QR codes, contacts that write, connections
//! that drop, bans, failing sends. Tests, e2e, benchmarks and `just demo` run on it.
//!
//! It holds thousands of devices cheaply (one small struct and, while pairing, one timer task
//! each), is deterministic for a given seed (QR codes and LIDs come from a seeded generator per
//! device; ids of the messages contacts write add a tag of the session, so no two sessions of a
//! device ever share one; a device's own sends carry the id the outbox chose),
//! and records every message it receives in `sim_sent_messages`, a table,
//! so that "what the network got" survives a restart of the server.
//!
//! Like a WhatsApp recipient, it keeps one copy per (sender, recipient, message id): a message
//! sent again under an id it already has is acknowledged and counted as a repeat (`attempts`)
//! on the first copy, not stored as a second message.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex, Weak,
    },
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use tokio::sync::{mpsc, oneshot};

use super::{OpenRequest, OutgoingImage, SendReceipt, Session, WaError, WaEvent, WhatsApp};
use serde::{Deserialize, Serialize};

use crate::{
    entities::sim_sent_messages,
    types::{ids::DeviceId, jid::Jid, phone::PhoneNumber},
};

/// Actions of the phone and of contacts on the simulated network. They travel on the event bus
/// to the node that runs the device; `startup` hands them to the network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum SimCommand {
    ScanQr {
        phone: String,
    },
    /// Drop the connection; `silent` drops it without telling the client (only a health check
    /// can notice).
    Disconnect {
        silent: bool,
    },
    LogOut,
    Ban {
        seconds: u64,
    },
    FailSends {
        count: u32,
        error: String,
    },
    FailConnects {
        count: u32,
    },
    Inbound {
        message: super::InboundMessage,
    },
    HistorySync {
        chunk: super::HistoryChunk,
    },
    /// The contact's phone confirms delivery (or reading) of messages the device sent.
    Receipt {
        message_ids: Vec<String>,
        read: bool,
    },
}

/// Timing of the simulated pairing flow (WhatsApp: first code 60 s, then 20 s, six codes).
#[derive(Debug, Clone, Copy)]
pub struct SimTiming {
    pub first_qr_ttl: Duration,
    pub qr_ttl: Duration,
    pub qr_codes: u32,
    pub send_latency: Duration,
    /// Demo: the phone scans the QR code by itself after this long.
    pub auto_scan: Option<Duration>,
    /// Demo: chats the phone pushes as history right after pairing.
    pub history_chats: u32,
    /// Demo: a contact writes to each connected device about this often.
    pub chatter: Option<Duration>,
    /// Demo: the recipient's phone confirms delivery this long after a send, and reading it as
    /// long again after that (double ticks, then blue ones).
    pub receipts: Option<Duration>,
}

impl Default for SimTiming {
    fn default() -> Self {
        Self {
            first_qr_ttl: Duration::from_secs(60),
            qr_ttl: Duration::from_secs(20),
            qr_codes: 6,
            send_latency: Duration::ZERO,
            auto_scan: None,
            history_chats: 0,
            chatter: None,
            receipts: None,
        }
    }
}

#[derive(Default)]
struct Faults {
    fail_sends: u32,
    send_error: String,
    fail_connects: u32,
}

/// One message for the network's record, with who waits for it to be stored.
type Record = (
    sim_sent_messages::Model,
    oneshot::Sender<Result<(), String>>,
);

pub struct SimNetwork {
    seed: u64,
    /// Writes what the network received, many records per statement.
    recorder: mpsc::UnboundedSender<Record>,
    timing: SimTiming,
    /// Sessions open in this process.
    sessions: Mutex<HashMap<DeviceId, Arc<SimSession>>>,
    /// Faults outlive a session, so "fail the next 3 connects" spans reconnects.
    faults: Mutex<HashMap<DeviceId, Faults>>,
    myself: Weak<SimNetwork>,
}

impl SimNetwork {
    pub fn new(db: DatabaseConnection, seed: u64, timing: SimTiming) -> Arc<Self> {
        let (recorder, records) = mpsc::unbounded_channel();
        tokio::spawn(record(db.clone(), records));
        Arc::new_cyclic(|myself| Self {
            recorder,
            seed,
            timing,
            sessions: Mutex::new(HashMap::new()),
            faults: Mutex::new(HashMap::new()),
            myself: myself.clone(),
        })
    }

    fn rng_for(&self, device_id: DeviceId, purpose: u64) -> StdRng {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.seed.hash(&mut hasher);
        device_id.0.hash(&mut hasher);
        purpose.hash(&mut hasher);
        StdRng::seed_from_u64(hasher.finish())
    }

    /// Tells this session's message ids from those of every other session of the device, in
    /// this process or an earlier one: the seed, the device, the time and a per-process count.
    fn session_tag(&self, device_id: DeviceId) -> String {
        static OPENED: AtomicU64 = AtomicU64::new(0);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.seed.hash(&mut hasher);
        device_id.0.hash(&mut hasher);
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
            .hash(&mut hasher);
        OPENED.fetch_add(1, Ordering::Relaxed).hash(&mut hasher);
        std::process::id().hash(&mut hasher);
        format!("{:016X}", hasher.finish())
    }

    fn session(&self, device_id: DeviceId) -> Option<Arc<SimSession>> {
        self.sessions.lock().ok()?.get(&device_id).cloned()
    }

    /// Applies the commands it is handed (those published on the event bus, see `startup`) to
    /// the sessions this process holds.
    pub fn listen(
        self: &Arc<Self>,
        mut commands: mpsc::UnboundedReceiver<(DeviceId, SimCommand)>,
    ) -> tokio::task::JoinHandle<()> {
        let network = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some((device_id, command)) = commands.recv().await {
                let Some(network) = network.upgrade() else {
                    break;
                };
                network.apply(device_id, command).await;
            }
        })
    }

    /// What the phone or a contact does. Commands for a device whose session runs elsewhere are
    /// ignored here (the node running it applies them), except faults, which every node keeps.
    pub async fn apply(&self, device_id: DeviceId, command: SimCommand) {
        match command {
            SimCommand::FailSends { count, error } => {
                if let Ok(mut faults) = self.faults.lock() {
                    let entry = faults.entry(device_id).or_default();
                    entry.fail_sends = count;
                    entry.send_error = error;
                }
            }
            SimCommand::FailConnects { count } => {
                if let Ok(mut faults) = self.faults.lock() {
                    faults.entry(device_id).or_default().fail_connects = count;
                }
            }
            other => {
                if let Some(session) = self.session(device_id) {
                    session.apply(other).await;
                }
            }
        }
    }

    fn take_connect_failure(&self, device_id: DeviceId) -> bool {
        let Ok(mut faults) = self.faults.lock() else {
            return false;
        };
        match faults.get_mut(&device_id) {
            Some(f) if f.fail_connects > 0 => {
                f.fail_connects -= 1;
                true
            }
            _ => false,
        }
    }

    fn take_send_failure(&self, device_id: DeviceId) -> Option<String> {
        let mut faults = self.faults.lock().ok()?;
        match faults.get_mut(&device_id) {
            Some(f) if f.fail_sends > 0 => {
                f.fail_sends -= 1;
                Some(f.send_error.clone())
            }
            _ => None,
        }
    }
}

async fn record(db: DatabaseConnection, mut records: mpsc::UnboundedReceiver<Record>) {
    while let Some(first) = records.recv().await {
        let mut batch = vec![first];
        while batch.len() < 5000 {
            match records.try_recv() {
                Ok(record) => batch.push(record),
                Err(_) => break,
            }
        }
        let (models, waiting): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let result = store_received(&db, models).await.map_err(|e| e.to_string());
        for waiter in waiting {
            let _ = waiter.send(result.clone());
        }
    }
}

/// Stores a batch of received messages; one already received under its (sender, recipient, id)
/// adds to that copy's `attempts` instead. Repeats inside the batch are merged first (one
/// statement may not touch a row twice).
async fn store_received(
    db: &DatabaseConnection,
    received: Vec<sim_sent_messages::Model>,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::{Alias, Expr, OnConflict};
    use sim_sent_messages::Column;
    let mut merged: Vec<sim_sent_messages::Model> = Vec::with_capacity(received.len());
    let mut at: HashMap<(uuid::Uuid, String, String), usize> = HashMap::new();
    for message in received {
        let key = (
            message.device_id,
            message.to_jid.clone(),
            message.message_id.clone(),
        );
        match at.get(&key) {
            Some(&n) => merged[n].attempts += message.attempts,
            None => {
                at.insert(key, merged.len());
                merged.push(message);
            }
        }
    }
    let models = merged.into_iter().map(|m| sim_sent_messages::ActiveModel {
        device_id: Set(m.device_id),
        to_jid: Set(m.to_jid),
        text: Set(m.text),
        caption: Set(m.caption),
        has_image: Set(m.has_image),
        message_id: Set(m.message_id),
        sent_at: Set(m.sent_at),
        attempts: Set(m.attempts),
        ..Default::default()
    });
    sim_sent_messages::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([Column::DeviceId, Column::ToJid, Column::MessageId])
                .value(
                    Column::Attempts,
                    Expr::col((sim_sent_messages::Entity, Column::Attempts))
                        .add(Expr::col((Alias::new("excluded"), Column::Attempts))),
                )
                .to_owned(),
        )
        .exec(db)
        .await
        .map(|_| ())
}

/// What the simulated network received from a device, oldest first.
pub async fn sent_by(
    db: &DatabaseConnection,
    device_id: DeviceId,
) -> Result<Vec<sim_sent_messages::Model>, sea_orm::DbErr> {
    sim_sent_messages::Entity::find()
        .filter(sim_sent_messages::Column::DeviceId.eq(device_id.0))
        .order_by_asc(sim_sent_messages::Column::Id)
        .all(db)
        .await
}

#[async_trait]
impl WhatsApp for SimNetwork {
    async fn open(
        &self,
        request: OpenRequest,
    ) -> Result<(Arc<dyn Session>, mpsc::Receiver<WaEvent>), WaError> {
        if self.take_connect_failure(request.device_id) {
            return Err(WaError::ConnectFailed(
                "simulated connection failure".into(),
            ));
        }
        let (events, receiver) = mpsc::channel(256);
        let session = Arc::new(SimSession {
            device_id: request.device_id,
            network: self.myself.clone(),
            events,
            jid: Mutex::new(request.jid.clone()),
            connected: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            message_counter: AtomicU64::new(0),
            session_tag: self.session_tag(request.device_id),
            rng: Mutex::new(self.rng_for(request.device_id, 1)),
        });
        if let Ok(mut sessions) = self.sessions.lock() {
            if let Some(old) = sessions.insert(request.device_id, session.clone()) {
                old.closed.store(true, Ordering::SeqCst);
            }
        }
        if let Some(every) = self.timing.chatter {
            tokio::spawn(session.clone().chatter(every));
        }
        match request.jid {
            Some(_) => {
                session.connected.store(true, Ordering::SeqCst);
                let _ = session.events.try_send(WaEvent::Connected);
            }
            None => {
                let qr = session.clone();
                let timing = self.timing;
                tokio::spawn(async move { qr.show_qr_codes(timing).await });
            }
        }
        Ok((session, receiver))
    }

    async fn forget(&self, device_id: DeviceId) -> Result<(), WaError> {
        if let Ok(mut faults) = self.faults.lock() {
            faults.remove(&device_id);
        }
        Ok(())
    }
}

pub struct SimSession {
    device_id: DeviceId,
    network: Weak<SimNetwork>,
    events: mpsc::Sender<WaEvent>,
    jid: Mutex<Option<Jid>>,
    connected: AtomicBool,
    closed: AtomicBool,
    message_counter: AtomicU64,
    /// Part of every message id, so ids are unique per device across reconnects and restarts.
    session_tag: String,
    rng: Mutex<StdRng>,
}

impl SimSession {
    fn paired(&self) -> bool {
        self.jid.lock().map(|j| j.is_some()).unwrap_or(false)
    }

    fn random_b64(&self, len: usize) -> String {
        use base64::Engine;
        let mut bytes = vec![0u8; len];
        if let Ok(mut rng) = self.rng.lock() {
            rng.fill(&mut bytes[..]);
        }
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Rotates QR codes like WhatsApp does until the phone scans one or they run out.
    async fn show_qr_codes(self: Arc<Self>, timing: SimTiming) {
        for n in 0..timing.qr_codes {
            if self.closed.load(Ordering::SeqCst) || self.paired() {
                return;
            }
            let ttl = if n == 0 {
                timing.first_qr_ttl
            } else {
                timing.qr_ttl
            };
            // Same shape as a real code: ref, noise key, identity key, adv secret, platform.
            let code = format!(
                "2@sim{},{},{},{},1",
                &self.random_b64(12),
                self.random_b64(32),
                self.random_b64(32),
                self.random_b64(32)
            );
            let expires_at = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
            if self
                .events
                .send(WaEvent::QrCode { code, expires_at })
                .await
                .is_err()
            {
                return;
            }
            if let (0, Some(delay)) = (n, timing.auto_scan) {
                let phone = self.demo_phone(0);
                let session = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    session.apply(SimCommand::ScanQr { phone }).await;
                });
            }
            tokio::time::sleep(ttl).await;
        }
        if !self.closed.load(Ordering::SeqCst) && !self.paired() {
            let _ = self.events.send(WaEvent::QrCodesExhausted).await;
        }
    }

    async fn apply(&self, command: SimCommand) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        match command {
            SimCommand::ScanQr { phone } => {
                let Ok(phone) = PhoneNumber::parse(&phone) else {
                    return;
                };
                if self.paired() {
                    return;
                }
                let jid = Jid::from_phone(&phone);
                let lid_user: u64 = self
                    .rng
                    .lock()
                    .map(|mut r| r.gen_range(10u64.pow(13)..10u64.pow(14)))
                    .unwrap_or(1);
                let lid = Jid::parse(&format!("{lid_user}@lid")).ok();
                if let Ok(mut slot) = self.jid.lock() {
                    *slot = Some(jid.clone());
                }
                let _ = self.events.send(WaEvent::Paired { jid, lid }).await;
                self.connected.store(true, Ordering::SeqCst);
                let _ = self.events.send(WaEvent::Connected).await;
                self.push_demo_history().await;
            }
            SimCommand::Disconnect { silent } => {
                self.connected.store(false, Ordering::SeqCst);
                if !silent {
                    let _ = self
                        .events
                        .send(WaEvent::Disconnected {
                            reason: "connection lost (simulated)".into(),
                        })
                        .await;
                }
            }
            SimCommand::LogOut => {
                self.connected.store(false, Ordering::SeqCst);
                let _ = self
                    .events
                    .send(WaEvent::LoggedOut {
                        reason: "the device was removed on the phone".into(),
                    })
                    .await;
            }
            SimCommand::Ban { seconds } => {
                self.connected.store(false, Ordering::SeqCst);
                let until = Utc::now() + chrono::Duration::seconds(seconds as i64);
                let _ = self
                    .events
                    .send(WaEvent::TemporaryBan {
                        until,
                        reason: "sent to too many people (simulated)".into(),
                    })
                    .await;
            }
            SimCommand::Inbound { message } => {
                let _ = self.events.send(WaEvent::Message(message)).await;
            }
            SimCommand::Receipt { message_ids, read } => {
                // Receipts name the chat they belong to; the simulated phone reports them per
                // device, which is all the outbox needs.
                let chat = self.jid.lock().ok().and_then(|j| j.clone());
                if let Some(chat) = chat {
                    let kind = if read {
                        super::ReceiptKind::Read
                    } else {
                        super::ReceiptKind::Delivered
                    };
                    let receipt = super::Receipt {
                        chat,
                        message_ids,
                        kind,
                        at: Utc::now(),
                    };
                    let _ = self.events.send(WaEvent::Receipt(receipt)).await;
                }
            }
            SimCommand::HistorySync { chunk } => {
                let _ = self.events.send(WaEvent::HistorySync(chunk)).await;
            }
            SimCommand::FailSends { .. } | SimCommand::FailConnects { .. } => {}
        }
    }

    /// A plausible, deterministic phone number (`n` = 0 is the device's own).
    fn demo_phone(&self, n: u32) -> String {
        let digits: u32 = self
            .network
            .upgrade()
            .map(|network| {
                network
                    .rng_for(self.device_id, 1000 + u64::from(n))
                    .gen_range(1_000_000..9_999_999)
            })
            .unwrap_or(1_234_567);
        format!("+601{}{digits}", (n % 9) + 1)
    }

    /// Demo: after pairing, the phone pushes some recent chats.
    async fn push_demo_history(&self) {
        let Some(network) = self.network.upgrade() else {
            return;
        };
        let chats = network.timing.history_chats;
        if chats == 0 {
            return;
        }
        const NAMES: [&str; 12] = [
            "Aisyah", "Ben", "Chen Wei", "Dewi", "Farid", "Grace", "Hafiz", "Irene", "Jason",
            "Kavitha", "Lina", "Marcus",
        ];
        const LINES: [(bool, &str); 6] = [
            (false, "Hi, is the promo still on?"),
            (true, "Yes! Until Sunday. Which size do you need?"),
            (false, "Medium, two pieces please"),
            (true, "Noted. I'll send the payment link shortly."),
            (false, "Thank you 🙏"),
            (true, "You're welcome!"),
        ];
        let now = Utc::now().timestamp();
        let conversations = (0..chats)
            .filter_map(|c| {
                let contact = Jid::from_phone(&PhoneNumber::parse(&self.demo_phone(c + 1)).ok()?);
                let count = 2 + (c as usize % (LINES.len() - 1));
                let started = now - i64::from(c) * 5400 - 600;
                let messages = LINES
                    .iter()
                    .take(count)
                    .enumerate()
                    .map(|(m, (from_me, text))| super::InboundMessage {
                        id: format!("{}H{c}M{m}", self.next_message_id()),
                        chat: contact.clone(),
                        sender: contact.clone(),
                        sender_alt: None,
                        sender_name: Some(NAMES[c as usize % NAMES.len()].to_owned()),
                        from_me: *from_me,
                        text: Some((*text).to_owned()),
                        image: None,
                        timestamp: started + m as i64 * 60,
                    })
                    .collect();
                Some(super::HistoryConversation {
                    chat: contact,
                    name: Some(NAMES[c as usize % NAMES.len()].to_owned()),
                    messages,
                })
            })
            .collect();
        let chunk = super::HistoryChunk {
            conversations,
            lid_to_phone: Vec::new(),
        };
        let _ = self.events.send(WaEvent::HistorySync(chunk)).await;
    }

    /// Demo: contacts write now and then while the device is connected.
    async fn chatter(self: Arc<Self>, every: Duration) {
        const LINES: [&str; 5] = [
            "Hello, do you deliver to Penang?",
            "Can I see the new catalogue?",
            "Is this still available?",
            "What time do you open tomorrow?",
            "Thanks, received!",
        ];
        let mut n: u32 = 0;
        loop {
            let jitter = self
                .rng
                .lock()
                .map(|mut r| r.gen_range(0.5..1.5))
                .unwrap_or(1.0);
            tokio::time::sleep(every.mul_f64(jitter)).await;
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            if !self.connected.load(Ordering::SeqCst) {
                continue;
            }
            let Ok(phone) = PhoneNumber::parse(&self.demo_phone(n % 6 + 1)) else {
                continue;
            };
            let contact = Jid::from_phone(&phone);
            let message = super::InboundMessage {
                id: format!("{}C{n}", self.next_message_id()),
                chat: contact.clone(),
                sender: contact,
                sender_alt: None,
                sender_name: None,
                from_me: false,
                text: Some(LINES[n as usize % LINES.len()].to_owned()),
                image: None,
                timestamp: Utc::now().timestamp(),
            };
            if self.events.send(WaEvent::Message(message)).await.is_err() {
                return;
            }
            n += 1;
        }
    }

    fn next_message_id(&self) -> String {
        let n = self.message_counter.fetch_add(1, Ordering::SeqCst);
        format!(
            "SIM{}{}{n:06}",
            &self.device_id.0.simple().to_string()[..8],
            self.session_tag
        )
        .to_uppercase()
    }

    async fn deliver(
        &self,
        to: &Jid,
        text: Option<&str>,
        image: Option<&OutgoingImage>,
        message_id: &str,
    ) -> Result<SendReceipt, WaError> {
        if !self.connected.load(Ordering::SeqCst) || self.closed.load(Ordering::SeqCst) {
            return Err(WaError::NotConnected);
        }
        let network = self.network.upgrade().ok_or(WaError::NotConnected)?;
        // Half the latency takes the message to the network, the other half brings its
        // acknowledgement back: a sender that dies in the second half has sent a message it
        // never learns about, the case a resend under the same id exists for.
        let half_way = network.timing.send_latency / 2;
        if !half_way.is_zero() {
            tokio::time::sleep(half_way).await;
        }
        if let Some(error) = network.take_send_failure(self.device_id) {
            return Err(WaError::SendFailed(error));
        }
        let message_id = message_id.to_owned();
        let at: DateTime<Utc> = Utc::now();
        let record = sim_sent_messages::Model {
            id: 0,
            device_id: self.device_id.0,
            to_jid: to.as_str().to_owned(),
            text: text.map(str::to_owned),
            caption: image.and_then(|i| i.caption.clone()),
            has_image: image.is_some(),
            message_id: message_id.clone(),
            sent_at: at,
            attempts: 1,
        };
        let (stored, outcome) = oneshot::channel();
        network
            .recorder
            .send((record, stored))
            .map_err(|_| WaError::Other("simulated network stopped".into()))?;
        outcome
            .await
            .map_err(|_| WaError::Other("simulated network stopped".into()))?
            .map_err(|e| WaError::Other(format!("simulated network storage failed: {e}")))?;
        let back = network.timing.send_latency - half_way;
        if !back.is_zero() {
            tokio::time::sleep(back).await;
        }
        if let Some(delay) = network.timing.receipts {
            let this = network
                .session(self.device_id)
                .filter(|session| std::ptr::eq(session.as_ref(), self));
            if let Some(session) = this {
                tokio::spawn(session.confirm(to.clone(), message_id.clone(), delay));
            }
        }
        Ok(SendReceipt { message_id, at })
    }

    /// Demo: the recipient's phone gets the message, then its owner reads it.
    async fn confirm(self: Arc<Self>, chat: Jid, message_id: String, delay: Duration) {
        for kind in [super::ReceiptKind::Delivered, super::ReceiptKind::Read] {
            tokio::time::sleep(delay).await;
            if !self.is_connected() {
                return;
            }
            let receipt = super::Receipt {
                chat: chat.clone(),
                message_ids: vec![message_id.clone()],
                kind,
                at: Utc::now(),
            };
            if self.events.send(WaEvent::Receipt(receipt)).await.is_err() {
                return;
            }
        }
    }
}

#[async_trait]
impl Session for SimSession {
    async fn send_text(
        &self,
        to: &Jid,
        text: &str,
        message_id: &str,
    ) -> Result<SendReceipt, WaError> {
        self.deliver(to, Some(text), None, message_id).await
    }

    async fn send_image(
        &self,
        to: &Jid,
        image: &OutgoingImage,
        message_id: &str,
    ) -> Result<SendReceipt, WaError> {
        self.deliver(to, None, Some(image), message_id).await
    }

    async fn set_typing(&self, _to: &Jid, _typing: bool) -> Result<(), WaError> {
        if self.connected.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(WaError::NotConnected)
        }
    }

    async fn mark_read(&self, _chat: &Jid, _message_ids: &[String]) -> Result<(), WaError> {
        if self.connected.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(WaError::NotConnected)
        }
    }

    async fn request_pairing_code(
        &self,
        _phone: &PhoneNumber,
    ) -> Result<(String, DateTime<Utc>), WaError> {
        if self.paired() {
            return Err(WaError::Other("the device is already paired".into()));
        }
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ0123456789";
        let code: String = self
            .rng
            .lock()
            .map(|mut rng| {
                (0..8)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                    .collect()
            })
            .unwrap_or_default();
        let expires_at = Utc::now() + chrono::Duration::seconds(180);
        let _ = self
            .events
            .send(WaEvent::PairingCode {
                code: code.clone(),
                expires_at,
            })
            .await;
        Ok((code, expires_at))
    }

    async fn log_out(&self) -> Result<(), WaError> {
        self.connected.store(false, Ordering::SeqCst);
        Ok(())
    }

    async fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.connected.store(false, Ordering::SeqCst);
        if let Some(network) = self.network.upgrade() {
            if let Ok(mut sessions) = network.sessions.lock() {
                if sessions
                    .get(&self.device_id)
                    .is_some_and(|s| std::ptr::eq(s.as_ref(), self))
                {
                    sessions.remove(&self.device_id);
                }
            }
        }
    }

    fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst) && !self.closed.load(Ordering::SeqCst)
    }
}
