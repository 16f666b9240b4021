//! The live network through whatsapp-rust 0.7. Every whatsapp-rust type stays in this module.
//!
//! One `Bot` per open device, each with its own session store: a `DbBackend` (`store.rs`) on
//! our database, so a paired device survives a restart and any node can take it over. The
//! store is wiped when the device is forgotten (logout, delete).
//!
//! The bots run on a dedicated multi-thread tokio runtime (`WaRuntime`): whatsapp-rust spawns
//! on the ambient runtime, so building and spawning them there keeps their bursts (Signal
//! crypto, reconnect storms, history inflate) off the runtime that serves GraphQL. Session
//! calls are also executed on it.
//!
//! Never log phone numbers, message text, QR codes or pairing codes here.

use std::{
    collections::HashMap,
    future::Future,
    sync::Arc,
    time::{Duration, SystemTime},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, Mutex};
use whatsapp_rust::{
    bot::{Bot, BotHandle, EventDelivery},
    http::UreqHttpClient,
    media::{image_message, ImageOptions},
    pair_code::PairCodeOptions,
    prelude::{MessageBuilderExt, MessageExt},
    transport::{TokioWebSocketTransportFactory, Transport, TransportEvent, TransportFactory},
    types::events::{Event, LazyHistorySync},
    wacore::{download::MediaType, store::traits::Backend, types::presence::ReceiptType},
    waproto::whatsapp as wa,
    Client, SendOptions, TokioRuntime, UploadOptions,
};

use super::{
    store::DbBackend, HistoryChunk, HistoryConversation, InboundImage, InboundMessage, OpenRequest,
    OutgoingImage, Receipt, ReceiptKind, SendReceipt, Session, WaError, WaEvent, WhatsApp,
};
use crate::types::{ids::DeviceId, jid::Jid, phone::PhoneNumber};

/// A whatsapp-rust transport factory, shared by every device.
pub type SharedTransportFactory = Arc<dyn TransportFactory>;

/// How the live adapter reaches WhatsApp.
pub struct LiveOptions {
    /// The WebSocket endpoint (default: WhatsApp Web's). Ignored when `transport` is set.
    pub url: Option<String>,
    /// Replaces the WebSocket transport (tests: an in-memory fake server).
    pub transport: Option<SharedTransportFactory>,
    /// Skips the WhatsApp Web version fetch (`WAFLEET_WHATSAPP_VERSION`); unset, the current one
    /// is fetched.
    pub version: Option<(u32, u32, u32)>,
    /// Worker threads of the runtime the bots run on.
    pub worker_threads: usize,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            url: None,
            transport: None,
            version: None,
            worker_threads: 2,
        }
    }
}

/// The runtime the bots live on. Dropped without blocking, so the adapter can be dropped from
/// async code (tests, shutdown).
struct WaRuntime(Option<tokio::runtime::Runtime>);

impl WaRuntime {
    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.0.as_ref().map(tokio::runtime::Runtime::handle)
    }
}

impl Drop for WaRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

pub struct LiveWhatsApp {
    runtime: WaRuntime,
    /// Holds every device's session store.
    db: DatabaseConnection,
    transport: SharedTransportFactory,
    /// One HTTP client (and connection pool) for every device's media and version fetches.
    http: UreqHttpClient,
    version: Option<(u32, u32, u32)>,
    sessions: Mutex<HashMap<DeviceId, Arc<LiveSession>>>,
}

impl LiveWhatsApp {
    pub fn new(db: DatabaseConnection, options: LiveOptions) -> anyhow::Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.worker_threads.max(1))
            .thread_name("whatsapp")
            .enable_all()
            .build()?;
        let transport: SharedTransportFactory = match options.transport {
            Some(transport) => transport,
            None => {
                let mut factory = TokioWebSocketTransportFactory::new();
                if let Some(url) = options.url {
                    factory = factory.with_url(url);
                }
                Arc::new(factory)
            }
        };
        Ok(Arc::new(Self {
            runtime: WaRuntime(Some(runtime)),
            db,
            transport,
            http: UreqHttpClient::new(),
            version: options.version,
            sessions: Mutex::new(HashMap::new()),
        }))
    }

    fn handle(&self) -> Result<tokio::runtime::Handle, WaError> {
        self.runtime
            .handle()
            .cloned()
            .ok_or_else(|| WaError::Other("the WhatsApp runtime has stopped".into()))
    }
}

#[async_trait]
impl WhatsApp for LiveWhatsApp {
    async fn open(
        &self,
        request: OpenRequest,
    ) -> Result<(Arc<dyn Session>, mpsc::Receiver<WaEvent>), WaError> {
        // Two clients on one device store race each other: the old one goes first.
        let previous = self.sessions.lock().await.remove(&request.device_id);
        if let Some(previous) = previous {
            previous.shutdown().await;
        }
        let runtime = self.handle()?;
        let (events, receiver) = mpsc::channel(256);
        let backend: Arc<dyn Backend> =
            Arc::new(DbBackend::new(self.db.clone(), request.device_id));
        let transport = ReportingTransport {
            inner: self.transport.clone(),
            events: events.clone(),
        };
        let http = self.http.clone();
        let version = self.version;
        let handle = runtime
            .spawn(async move {
                let mut builder = Bot::builder()
                    .with_backend_arc(backend)
                    .with_transport_factory(transport)
                    .with_http_client(http)
                    .with_runtime(TokioRuntime)
                    .with_event_delivery(EventDelivery::Ordered { capacity: 1024 })
                    .on_event(move |event, _client| {
                        let events = events.clone();
                        async move {
                            if let Event::HistorySync(sync) = &*event {
                                // Inflating and decoding a chunk can take a while: off the workers.
                                let sync = sync.clone();
                                let chunk =
                                    tokio::task::spawn_blocking(move || history_chunk(&sync))
                                        .await
                                        .ok()
                                        .flatten();
                                if let Some(chunk) = chunk {
                                    let _ = events.send(WaEvent::HistorySync(chunk)).await;
                                }
                                return;
                            }
                            for mapped in map_event(&event, SystemTime::now()) {
                                if events.send(mapped).await.is_err() {
                                    break;
                                }
                            }
                        }
                    });
                if let Some(version) = version {
                    builder = builder.with_version(version);
                }
                let bot = builder.build().await?;
                anyhow::Ok(bot.spawn())
            })
            .await
            .map_err(|err| WaError::ConnectFailed(err.to_string()))?
            .map_err(|err| WaError::ConnectFailed(format!("starting the client failed: {err}")))?;
        let session = Arc::new(LiveSession {
            client: handle.client(),
            handle: Mutex::new(Some(handle)),
            runtime,
        });
        self.sessions
            .lock()
            .await
            .insert(request.device_id, session.clone());
        Ok((session, receiver))
    }

    async fn forget(&self, device_id: DeviceId) -> Result<(), WaError> {
        // The client first: it flushes its state on shutdown and must not write it back.
        let session = self.sessions.lock().await.remove(&device_id);
        if let Some(session) = session {
            session.shutdown().await;
        }
        DbBackend::new(self.db.clone(), device_id)
            .wipe()
            .await
            .map_err(|err| WaError::Other(format!("removing the session store failed: {err}")))
    }
}

/// What a device says when the server cannot open a connection to WhatsApp at all (no internet,
/// no DNS, a proxy or firewall in the way): the fix is on the server's side, not the phone's.
pub const UNREACHABLE: &str = "The server cannot reach WhatsApp. Check that the machine running \
wafleet has internet access and that no proxy or firewall blocks WhatsApp Web, then reconnect. \
To try wafleet without WhatsApp, run `just demo`.";

/// Passes the transport through and reports when WhatsApp cannot be reached: the client
/// itself would retry silently forever, the supervisor counts the failures instead.
struct ReportingTransport {
    inner: SharedTransportFactory,
    events: mpsc::Sender<WaEvent>,
}

#[whatsapp_rust::async_trait]
impl TransportFactory for ReportingTransport {
    async fn create_transport(
        &self,
    ) -> anyhow::Result<(
        Arc<dyn Transport>,
        whatsapp_rust::async_channel::Receiver<TransportEvent>,
    )> {
        match self.inner.create_transport().await {
            Ok(transport) => Ok(transport),
            Err(err) => {
                // The details are for whoever runs the server; the device shows what to do.
                tracing::warn!(error = %err, "cannot reach WhatsApp");
                let _ = self.events.try_send(WaEvent::Disconnected {
                    reason: UNREACHABLE.to_owned(),
                });
                Err(err)
            }
        }
    }
}

struct LiveSession {
    client: Arc<Client>,
    handle: Mutex<Option<BotHandle>>,
    runtime: tokio::runtime::Handle,
}

impl LiveSession {
    /// Runs a client call on the WhatsApp runtime.
    async fn on_wa<T, F>(&self, call: impl FnOnce(Arc<Client>) -> F) -> Result<T, WaError>
    where
        F: Future<Output = Result<T, WaError>> + Send + 'static,
        T: Send + 'static,
    {
        self.runtime
            .spawn(call(self.client.clone()))
            .await
            .map_err(|err| WaError::Other(err.to_string()))?
    }
}

fn wa_jid(jid: &Jid) -> Result<whatsapp_rust::Jid, WaError> {
    jid.as_str()
        .parse()
        .map_err(|_| WaError::Other("not a valid WhatsApp address".into()))
}

#[async_trait]
impl Session for LiveSession {
    async fn send_text(
        &self,
        to: &Jid,
        text: &str,
        message_id: &str,
    ) -> Result<SendReceipt, WaError> {
        let to = wa_jid(to)?;
        let message = wa::Message::text(text);
        let options = SendOptions::default().with_message_id(message_id);
        self.on_wa(|client| async move {
            let sent = client
                .send_message_with_options(to, message, options)
                .await
                .map_err(|err| WaError::SendFailed(err.to_string()))?;
            Ok(SendReceipt {
                message_id: sent.message_id,
                at: Utc::now(),
            })
        })
        .await
    }

    async fn send_image(
        &self,
        to: &Jid,
        image: &OutgoingImage,
        message_id: &str,
    ) -> Result<SendReceipt, WaError> {
        let to = wa_jid(to)?;
        let send_options = SendOptions::default().with_message_id(message_id);
        let bytes = image.bytes.to_vec();
        let options = ImageOptions {
            caption: image.caption.clone(),
            mimetype: Some(image.mime.clone()),
            ..ImageOptions::default()
        };
        self.on_wa(|client| async move {
            let upload = client
                .upload(bytes, MediaType::Image, UploadOptions::default())
                .await
                .map_err(|err| WaError::SendFailed(format!("media upload failed: {err}")))?;
            let sent = client
                .send_message_with_options(to, image_message(upload, options), send_options)
                .await
                .map_err(|err| WaError::SendFailed(err.to_string()))?;
            Ok(SendReceipt {
                message_id: sent.message_id,
                at: Utc::now(),
            })
        })
        .await
    }

    async fn set_typing(&self, to: &Jid, typing: bool) -> Result<(), WaError> {
        let to = wa_jid(to)?;
        self.on_wa(|client| async move {
            let chatstate = client.chatstate();
            let sent = if typing {
                chatstate.send_composing(&to).await
            } else {
                chatstate.send_paused(&to).await
            };
            sent.map_err(|err| WaError::Other(err.to_string()))
        })
        .await
    }

    async fn mark_read(&self, chat: &Jid, message_ids: &[String]) -> Result<(), WaError> {
        let chat = wa_jid(chat)?;
        let ids = message_ids.to_vec();
        self.on_wa(|client| async move {
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            client
                .mark_as_read(&chat, None, &refs)
                .await
                .map_err(|err| WaError::Other(err.to_string()))
        })
        .await
    }

    async fn request_pairing_code(
        &self,
        phone: &PhoneNumber,
    ) -> Result<(String, DateTime<Utc>), WaError> {
        let options = PairCodeOptions {
            phone_number: phone.digits().to_owned(),
            ..PairCodeOptions::default()
        };
        self.on_wa(|client| async move {
            let code = client
                .pair_with_code(options)
                .await
                .map_err(|err| WaError::Other(format!("pairing by code failed: {err}")))?;
            Ok((code, Utc::now() + chrono::Duration::seconds(180)))
        })
        .await
    }

    async fn log_out(&self) -> Result<(), WaError> {
        self.on_wa(|client| async move {
            client.logout().await;
            Ok(())
        })
        .await
    }

    async fn shutdown(&self) {
        let handle = self.handle.lock().await.take();
        if let Some(handle) = handle {
            // Graceful: flushes the device, receipts and secrets.
            let _ = self.runtime.spawn(handle.shutdown()).await;
        }
    }

    fn is_connected(&self) -> bool {
        self.client.is_connected()
    }
}

fn until(now: SystemTime, ttl: Duration) -> DateTime<Utc> {
    DateTime::<Utc>::from(now) + chrono::Duration::from_std(ttl).unwrap_or_default()
}

fn jid(raw: &whatsapp_rust::Jid) -> Option<Jid> {
    Jid::parse(&raw.to_string()).ok()
}

/// What the supervisor hears of one whatsapp-rust event (nothing for most kinds).
fn map_event(event: &Event, now: SystemTime) -> Vec<WaEvent> {
    let one = |event| vec![event];
    match event {
        Event::PairingQrCode(qr) => one(WaEvent::QrCode {
            code: qr.code.clone(),
            expires_at: until(now, qr.timeout),
        }),
        Event::PairingQrCodesExhausted(_) => one(WaEvent::QrCodesExhausted),
        Event::PairingCode(code) => one(WaEvent::PairingCode {
            code: code.code.clone(),
            expires_at: until(now, code.timeout),
        }),
        Event::PairSuccess(paired) => match jid(&paired.id) {
            Some(own) => one(WaEvent::Paired {
                jid: own,
                lid: jid(&paired.lid),
            }),
            None => Vec::new(),
        },
        Event::Connected(_) => one(WaEvent::Connected),
        Event::Disconnected(disconnected) => one(WaEvent::Disconnected {
            reason: format!("disconnected: {}", disconnected.reason),
        }),
        Event::LoggedOut(logged_out) => one(WaEvent::LoggedOut {
            reason: format!("Logged out by WhatsApp ({:?}).", logged_out.reason),
        }),
        Event::StreamReplaced(_) => one(WaEvent::StreamReplaced),
        Event::TemporaryBan(ban) => one(WaEvent::TemporaryBan {
            until: DateTime::<Utc>::from(now) + ban.expire,
            reason: format!("Temporarily banned by WhatsApp ({:?}).", ban.code),
        }),
        Event::Messages(batch) => batch
            .messages
            .iter()
            .filter_map(|message| inbound(&message.message, &message.info))
            .map(WaEvent::Message)
            .collect(),
        Event::Receipt(receipt) => {
            let kind = match receipt.r#type {
                ReceiptType::Delivered => ReceiptKind::Delivered,
                ReceiptType::Read | ReceiptType::ReadSelf => ReceiptKind::Read,
                _ => return Vec::new(),
            };
            let Some(chat) = jid(&receipt.source.chat) else {
                return Vec::new();
            };
            one(WaEvent::Receipt(Receipt {
                chat,
                message_ids: receipt
                    .message_ids
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                kind,
                at: receipt.timestamp,
            }))
        }
        // Decoded off the event path, see `history_chunk`.
        Event::HistorySync(_) => Vec::new(),
        _ => Vec::new(),
    }
}

fn image_of(message: &wa::Message) -> Option<InboundImage> {
    message.image_message.as_option().map(|image| InboundImage {
        mime: image
            .mimetype
            .clone()
            .unwrap_or_else(|| "image/jpeg".into()),
        caption: image.caption.clone(),
        bytes: None,
    })
}

fn text_of(message: &wa::Message) -> Option<String> {
    message
        .text_content()
        .or_else(|| message.get_caption())
        .map(str::to_owned)
}

/// One history-sync chunk: conversations read one at a time from the compressed payload, then
/// the LID ↔ phone mappings of the rest. `None` when the payload is broken.
fn history_chunk(sync: &LazyHistorySync) -> Option<HistoryChunk> {
    let mut stream = sync.stream();
    let mut conversations = Vec::new();
    while let Some(conversation) = stream.next_conversation().ok()? {
        conversations.extend(history_conversation(&conversation));
    }
    let lid_to_phone = stream
        .remainder()
        .map(|rest| {
            rest.phone_number_to_lid_mappings
                .iter()
                .filter_map(|mapping| {
                    let lid = Jid::parse(mapping.lid_jid.as_deref()?).ok()?;
                    let phone = Jid::parse(mapping.pn_jid.as_deref()?).ok()?;
                    Some((lid, phone))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(HistoryChunk {
        conversations,
        lid_to_phone,
    })
}

fn history_conversation(conversation: &wa::Conversation) -> Option<HistoryConversation> {
    let chat = Jid::parse(&conversation.id).ok()?;
    let messages = conversation
        .messages
        .iter()
        .filter_map(|entry| entry.message.as_option())
        .filter_map(|info| {
            let key = info.key.as_option()?;
            let from_me = key.from_me.unwrap_or(false);
            let sender = match key.participant.as_deref().or(info.participant.as_deref()) {
                Some(participant) => Jid::parse(participant).ok()?,
                None => chat.clone(),
            };
            let message = info.message.as_option();
            Some(InboundMessage {
                id: key.id.clone()?,
                chat: chat.clone(),
                sender,
                sender_alt: None,
                sender_name: info.push_name.clone().filter(|name| !name.is_empty()),
                from_me,
                text: message.and_then(text_of),
                image: message.and_then(image_of),
                timestamp: info
                    .message_timestamp
                    .and_then(|t| i64::try_from(t).ok())
                    .unwrap_or_default(),
            })
        })
        .collect();
    Some(HistoryConversation {
        chat,
        name: conversation.name.clone(),
        messages,
    })
}

fn inbound(
    message: &wa::Message,
    info: &whatsapp_rust::types::message::MessageInfo,
) -> Option<InboundMessage> {
    let image = image_of(message);
    Some(InboundMessage {
        id: info.id.to_string(),
        chat: jid(&info.source.chat)?,
        sender: jid(&info.source.sender)?,
        sender_alt: info.source.sender_alt.as_ref().and_then(jid),
        sender_name: Some(info.push_name.clone()).filter(|name| !name.is_empty()),
        from_me: info.source.is_from_me,
        text: text_of(message),
        image,
        timestamp: info.timestamp.timestamp(),
    })
}

#[cfg(test)]
mod tests {
    use whatsapp_rust::{
        types::{
            events::{
                Connected, PairSuccess, PairingCode, PairingQrCode, PairingQrCodesExhausted,
                Receipt as WaReceipt, StreamReplaced, TempBanReason, TemporaryBan,
            },
            message::{MessageInfo, MessageSource},
        },
        wacore::types::presence::ReceiptType,
    };

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn wa(raw: &str) -> whatsapp_rust::Jid {
        raw.parse().unwrap()
    }

    #[test]
    fn pairing_events_become_qr_codes_pairing_codes_and_pairings() {
        let now = at(1_700_000_000);
        let qr = Event::PairingQrCode(
            PairingQrCode::builder()
                .code("2@ref,a,b,c,9".into())
                .timeout(Duration::from_secs(60))
                .build(),
        );
        assert_eq!(
            map_event(&qr, now),
            vec![WaEvent::QrCode {
                code: "2@ref,a,b,c,9".into(),
                expires_at: DateTime::<Utc>::from(at(1_700_000_060)),
            }]
        );
        let exhausted = Event::PairingQrCodesExhausted(
            PairingQrCodesExhausted::builder()
                .disconnected(true)
                .build(),
        );
        assert_eq!(map_event(&exhausted, now), vec![WaEvent::QrCodesExhausted]);
        let code = Event::PairingCode(
            PairingCode::builder()
                .code("ABCD1234".into())
                .timeout(Duration::from_secs(180))
                .build(),
        );
        assert_eq!(
            map_event(&code, now),
            vec![WaEvent::PairingCode {
                code: "ABCD1234".into(),
                expires_at: DateTime::<Utc>::from(at(1_700_000_180)),
            }]
        );
        let paired = Event::PairSuccess(
            PairSuccess::builder()
                .id(wa("60123456789:4@s.whatsapp.net"))
                .lid(wa("123456789@lid"))
                .business_name(String::new())
                .platform("android".into())
                .build(),
        );
        assert_eq!(
            map_event(&paired, now),
            vec![WaEvent::Paired {
                jid: Jid::parse("60123456789:4@s.whatsapp.net").unwrap(),
                lid: Some(Jid::parse("123456789@lid").unwrap()),
            }]
        );
    }

    #[test]
    fn lifecycle_events_map_one_to_one() {
        let now = at(1_700_000_000);
        assert_eq!(
            map_event(&Event::Connected(Connected::builder().build()), now),
            vec![WaEvent::Connected]
        );
        assert_eq!(
            map_event(
                &Event::StreamReplaced(StreamReplaced::builder().build()),
                now
            ),
            vec![WaEvent::StreamReplaced]
        );
        let ban = Event::TemporaryBan(
            TemporaryBan::builder()
                .code(TempBanReason::SentToTooManyPeople)
                .expire(chrono::Duration::seconds(3600))
                .build(),
        );
        match map_event(&ban, now).as_slice() {
            [WaEvent::TemporaryBan { until, reason }] => {
                assert_eq!(*until, DateTime::<Utc>::from(at(1_700_003_600)));
                assert!(reason.contains("SentToTooManyPeople"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn source() -> MessageSource {
        MessageSource {
            chat: wa("60111111111@s.whatsapp.net"),
            sender: wa("999@lid"),
            sender_alt: Some(wa("60111111111@s.whatsapp.net")),
            ..MessageSource::default()
        }
    }

    #[test]
    fn inbound_messages_carry_text_or_caption_sender_and_time() {
        let info = MessageInfo {
            source: source(),
            id: "3EB0AAA".into(),
            push_name: "Ana".into(),
            timestamp: DateTime::<Utc>::from(at(1_700_000_000)),
            ..MessageInfo::default()
        };
        let text = inbound(&wa::Message::text("hello"), &info).unwrap();
        assert_eq!(text.id, "3EB0AAA");
        assert_eq!(text.chat.as_str(), "60111111111@s.whatsapp.net");
        assert_eq!(text.sender.as_str(), "999@lid");
        assert_eq!(
            text.sender_alt.as_ref().map(Jid::as_str),
            Some("60111111111@s.whatsapp.net")
        );
        assert_eq!(text.sender_name.as_deref(), Some("Ana"));
        assert!(!text.from_me);
        assert_eq!(text.text.as_deref(), Some("hello"));
        assert_eq!(text.timestamp, 1_700_000_000);
        assert!(text.image.is_none());

        let photo = wa::Message {
            image_message: whatsapp_rust::buffa::MessageField::some(wa::message::ImageMessage {
                mimetype: Some("image/png".into()),
                caption: Some("look".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let image = inbound(&photo, &info).unwrap();
        assert_eq!(image.text.as_deref(), Some("look"));
        let image = image.image.unwrap();
        assert_eq!(image.mime, "image/png");
        assert_eq!(image.caption.as_deref(), Some("look"));

        // A group message keeps the group as its chat and the member as its sender: the inbox
        // tells personal chats from groups by the chat, and drops the group's.
        let group = MessageInfo {
            source: MessageSource {
                chat: wa("120363000000000000@g.us"),
                sender: wa("60122222222@s.whatsapp.net"),
                is_group: true,
                ..MessageSource::default()
            },
            id: "3EB0BBB".into(),
            timestamp: DateTime::<Utc>::from(at(1_700_000_100)),
            ..MessageInfo::default()
        };
        let in_group = inbound(&wa::Message::text("hi all"), &group).unwrap();
        assert_eq!(in_group.chat.as_str(), "120363000000000000@g.us");
        assert_eq!(in_group.sender.as_str(), "60122222222@s.whatsapp.net");
        assert!(in_group.sender_alt.is_none());
        assert!(!in_group.chat.is_personal());
        assert!(text.chat.is_personal());
    }

    /// What WhatsApp may send and PostgreSQL cannot store (NUL) or our columns cannot hold (a
    /// name over 200 characters) is mapped as it came; the inbox's cleaning makes it storable,
    /// so the message is kept.
    #[test]
    fn inbound_messages_with_unstorable_content_are_mapped_and_cleanable() {
        let info = MessageInfo {
            source: source(),
            id: "3EB0NUL".into(),
            push_name: format!("Ana\u{0}{}", "x".repeat(300)),
            timestamp: DateTime::<Utc>::from(at(1_700_000_000)),
            ..MessageInfo::default()
        };
        let mapped = inbound(&wa::Message::text("hi\u{0} there"), &info).unwrap();
        let text = mapped.text.as_deref().unwrap();
        assert_eq!(
            crate::domain::inbox::clean_text(text, crate::domain::inbox::MAX_INBOUND_TEXT),
            "hi there"
        );
        let name =
            crate::domain::inbox::clean_name(mapped.sender_name.as_deref().unwrap(), 200).unwrap();
        assert!(!name.contains('\u{0}'));
        assert_eq!(name.chars().count(), 200);
        assert!(name.starts_with("Ana "));
    }

    #[test]
    fn delivery_and_read_receipts_are_reported_and_others_are_not() {
        let receipt = |kind| {
            Event::Receipt(
                WaReceipt::builder()
                    .source(source())
                    .message_ids(vec!["A".into(), "B".into()])
                    .timestamp(DateTime::<Utc>::from(at(1_700_000_000)))
                    .r#type(kind)
                    .offline(false)
                    .build(),
            )
        };
        let now = at(1_700_000_001);
        match map_event(&receipt(ReceiptType::Read), now).as_slice() {
            [WaEvent::Receipt(read)] => {
                assert_eq!(read.kind, ReceiptKind::Read);
                assert_eq!(read.message_ids, vec!["A", "B"]);
                assert_eq!(read.chat.as_str(), "60111111111@s.whatsapp.net");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            map_event(&receipt(ReceiptType::Delivered), now).as_slice(),
            [WaEvent::Receipt(Receipt {
                kind: ReceiptKind::Delivered,
                ..
            })]
        ));
        assert!(map_event(&receipt(ReceiptType::Retry), now).is_empty());
    }

    #[test]
    fn history_conversations_keep_their_messages() {
        let entry = |id: &str, from_me: bool, text: &str| wa::HistorySyncMsg {
            message: whatsapp_rust::buffa::MessageField::some(wa::WebMessageInfo {
                key: whatsapp_rust::buffa::MessageField::some(wa::MessageKey {
                    remote_jid: Some("60111111111@s.whatsapp.net".into()),
                    from_me: Some(from_me),
                    id: Some(id.into()),
                    ..Default::default()
                }),
                message: whatsapp_rust::buffa::MessageField::some(wa::Message::text(text)),
                message_timestamp: Some(1_700_000_000),
                ..Default::default()
            }),
            ..Default::default()
        };
        let conversation = wa::Conversation {
            id: "60111111111@s.whatsapp.net".into(),
            name: Some("Ana".into()),
            messages: vec![entry("A", false, "hi"), entry("B", true, "hello")],
            ..Default::default()
        };
        let mapped = history_conversation(&conversation).unwrap();
        assert_eq!(mapped.chat.as_str(), "60111111111@s.whatsapp.net");
        assert_eq!(mapped.name.as_deref(), Some("Ana"));
        let summary: Vec<_> = mapped
            .messages
            .iter()
            .map(|m| (m.id.as_str(), m.from_me, m.text.as_deref(), m.timestamp))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("A", false, Some("hi"), 1_700_000_000),
                ("B", true, Some("hello"), 1_700_000_000)
            ]
        );
    }
}
