//! The live adapter (whatsapp-rust 0.7) against an in-process fake WhatsApp endpoint: a Noise
//! XX/IK responder with a zero-signed certificate chain (the test build enables whatsapp-rust's
//! `danger-skip-cert-chain-verify`) that plays both WhatsApp's server and the account's phone.
//!
//! - A new device gets `<pair-device>` refs, so the real client shows a QR code.
//! - When the test "scans" that code, the fake phone signs the companion's identity (ADV) and
//!   the server sends `<pair-success>`, checks the client's counter-signature, then restarts the
//!   stream (515) the way WhatsApp does.
//! - The client logs in again with its new identity; the fake answers the IQs a fresh login
//!   sends (pre-keys, passive/active, app-state sync, …) until the client reports `Connected`.
//!   The phone shares no app-state key, so the client first waits out its 10 s grace for one.
//! - Sending: everyone has one device (the phone); pre-key fetches get bundles made with wacore's
//!   libsignal, and `<message>`s are recorded and acknowledged. Nothing is relayed onwards.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{prelude::BASE64_STANDARD, Engine as _};
use serde_json::{json, Value};
use wacore_noise::NoiseCipher;
use whatsapp_rust::{
    async_channel, async_trait,
    buffa::{Message as _, MessageField},
    bytes::Bytes,
    pair::PairUtils,
    transport::{Transport, TransportEvent, TransportFactory},
    wacore::{
        framing::{encode_frame, FrameDecoder},
        handshake::NoiseHandshake,
        libsignal::{
            crypto::hmac_sha256,
            protocol::{KeyPair, PreKeySignalMessage, PublicKey},
        },
    },
    wacore_binary::{
        consts::{NOISE_PATTERN_IK, NOISE_PATTERN_XX, WA_CONN_HEADER},
        marshal::{marshal, unmarshal_ref},
        util::unpack,
        Node, NodeContent,
    },
    waproto::whatsapp as wa,
    NodeBuilder,
};

use crate::helpers::{eventually, spawn_app_with, TestApp, TestOptions, TestUser, WsClient};

/// The WhatsApp Web version the client claims (no HTTP version fetch).
const WA_VERSION: &str = "2.3000.1023000000";

/// The account the fake phone belongs to, and the companion slot it gives the new device.
const PHONE_USER: &str = "15551234567";
const DEVICE_NUMBER: u32 = 7;
const DEVICE_JID: &str = "15551234567:7@s.whatsapp.net";
const DEVICE_LID: &str = "100000012345678:7@lid";
/// Which of the phone's signed companion keys this device is (ADV `keyIndex`).
const KEY_INDEX: u32 = 1;

/// Key ids in the bundles the fake hands out, distinctive enough to find in a `pkmsg`.
const SIGNED_PRE_KEY_ID: u32 = 11;
const PRE_KEY_ID: u32 = 42;

/// ADV signature prefixes (WhatsApp's account-device verification), as
/// `wacore::pair::PairUtils::do_pair_crypto` checks and produces them.
const ADV_ACCOUNT_SIGNATURE_PREFIX: &[u8] = &[6, 0];
const ADV_DEVICE_SIGNATURE_PREFIX: &[u8] = &[6, 1];

// ---------------- in-memory transport (client side) ----------------

struct MemTransport {
    to_server: async_channel::Sender<Bytes>,
}

#[async_trait]
impl Transport for MemTransport {
    async fn send(&self, data: Bytes) -> anyhow::Result<()> {
        self.to_server
            .send(data)
            .await
            .map_err(|_| anyhow::anyhow!("server gone"))
    }

    async fn disconnect(&self) {
        self.to_server.close();
    }
}

struct FakeFactory(Arc<FakeWhatsApp>);

#[async_trait]
impl TransportFactory for FakeFactory {
    async fn create_transport(
        &self,
    ) -> anyhow::Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>)> {
        let (to_server, from_client) = async_channel::unbounded::<Bytes>();
        let (to_client, from_server) = async_channel::bounded::<TransportEvent>(64);
        to_client.send(TransportEvent::Connected).await?;
        let server = self.0.clone();
        tokio::spawn(async move {
            // Ends when the client goes away (or restarts the stream after pairing).
            if let Err(err) = server.clone().serve(from_client, to_client).await {
                server.note(format!("connection ended: {err:#}"));
            }
        });
        Ok((Arc::new(MemTransport { to_server }), from_server))
    }
}

// ---------------- framing and the encrypted node stream ----------------

struct Frames {
    rx: async_channel::Receiver<Bytes>,
    decoder: FrameDecoder,
    header_pending: bool,
}

impl Frames {
    /// Cancel-safe: nothing is lost if the future is dropped while waiting for data.
    async fn next(&mut self) -> anyhow::Result<Vec<u8>> {
        loop {
            if let Some(frame) = self.decoder.decode_frame() {
                return Ok(frame.to_vec());
            }
            let mut data = self.rx.recv().await?.to_vec();
            if self.header_pending {
                anyhow::ensure!(data.starts_with(&WA_CONN_HEADER), "missing WA header");
                data.drain(..WA_CONN_HEADER.len());
                self.header_pending = false;
            }
            self.decoder.feed(&data);
        }
    }
}

/// Client → fake, after the handshake. Separate from `NodeWriter` so the fake can wait for a
/// node and for a QR scan at once.
struct NodeReader {
    frames: Frames,
    cipher: NoiseCipher,
    counter: u32,
}

impl NodeReader {
    async fn recv(&mut self) -> anyhow::Result<Node> {
        let mut frame = self.frames.next().await?;
        self.cipher
            .decrypt_in_place_with_counter(self.counter, &mut frame)?;
        self.counter += 1;
        let body = unpack(&frame)?;
        Ok(unmarshal_ref(&body)?.to_owned())
    }
}

/// Fake → client, after the handshake.
struct NodeWriter {
    tx: async_channel::Sender<TransportEvent>,
    cipher: NoiseCipher,
    counter: u32,
}

impl NodeWriter {
    async fn send(&mut self, node: Node) -> anyhow::Result<()> {
        let sealed = self
            .cipher
            .encrypt_with_counter(self.counter, &marshal(&node)?)?;
        self.counter += 1;
        self.tx
            .send(TransportEvent::DataReceived(
                encode_frame(&sealed, None)?.into(),
            ))
            .await?;
        Ok(())
    }
}

async fn send_handshake(
    tx: &async_channel::Sender<TransportEvent>,
    message: wa::HandshakeMessage,
) -> anyhow::Result<()> {
    tx.send(TransportEvent::DataReceived(
        encode_frame(&message.encode_to_vec(), None)?.into(),
    ))
    .await?;
    Ok(())
}

fn key_bytes(key: &KeyPair) -> [u8; 32] {
    key.public_key
        .public_key_bytes()
        .try_into()
        .expect("X25519 public keys are 32 bytes")
}

fn key32(bytes: Option<Vec<u8>>, what: &str) -> anyhow::Result<[u8; 32]> {
    bytes
        .ok_or_else(|| anyhow::anyhow!("no {what}"))?
        .try_into()
        .map_err(|_| anyhow::anyhow!("bad {what}"))
}

// ---------------- node helpers ----------------

fn attr(node: &Node, key: &str) -> Option<String> {
    node.attrs.get(key).map(|value| value.as_str().into_owned())
}

fn child<'a>(node: &'a Node, tag: &str) -> Option<&'a Node> {
    node.get_optional_child(tag)
}

fn bytes_of(node: &Node) -> Option<&[u8]> {
    match &node.content {
        Some(NodeContent::Bytes(bytes)) => Some(bytes),
        _ => None,
    }
}

/// A one-line summary for the test log: tags and namespaces only, never JIDs or payloads.
fn describe(node: &Node) -> String {
    let children: Vec<&str> = node
        .children()
        .unwrap_or_default()
        .iter()
        .map(|c| c.tag.as_ref())
        .collect();
    format!(
        "<{} type={:?} xmlns={:?}> [{}]",
        node.tag,
        attr(node, "type").unwrap_or_default(),
        attr(node, "xmlns").unwrap_or_default(),
        children.join(",")
    )
}

/// `<iq type="result">` for a request, with optional content.
fn iq_result(request: &Node, content: Vec<Node>) -> Node {
    let builder = NodeBuilder::new("iq")
        .attr("from", "s.whatsapp.net")
        .attr("type", "result")
        .attr("id", attr(request, "id").unwrap_or_default());
    if content.is_empty() {
        builder.build()
    } else {
        builder.children(content).build()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

// ---------------- the fake phone ----------------

/// The fields of a scanned QR code the phone needs.
struct ScannedQr {
    pairing_ref: String,
    /// The companion's identity key: what the account signature binds the device to.
    identity: [u8; 32],
    /// Shared out of band through the QR: the HMAC key that proves the phone saw the code.
    adv_secret: Vec<u8>,
}

fn scan(code: &str) -> anyhow::Result<ScannedQr> {
    let (pairing_ref, _noise, identity) = PairUtils::parse_qr_code(code)?;
    let adv_secret = BASE64_STANDARD.decode(
        code.split(',')
            .nth(3)
            .ok_or_else(|| anyhow::anyhow!("no adv secret"))?,
    )?;
    Ok(ScannedQr {
        pairing_ref,
        identity,
        adv_secret,
    })
}

/// The phone's side of linking a companion: the `ADVSignedDeviceIdentityHMAC` that goes into
/// `<pair-success><device-identity>`. Mirrors what `PairUtils::do_pair_crypto` verifies:
/// - details = `ADVDeviceIdentity` (which companion, which key index),
/// - account signature = phone identity key over `[6, 0] ‖ details ‖ companion identity key`,
/// - HMAC-SHA256 keyed with the QR's adv secret over the encoded signed identity.
fn signed_device_identity(phone: &KeyPair, qr: &ScannedQr) -> anyhow::Result<Vec<u8>> {
    let details = wa::ADVDeviceIdentity {
        raw_id: Some(DEVICE_NUMBER),
        timestamp: Some(now_secs()),
        key_index: Some(KEY_INDEX),
        account_type: Some(wa::ADVEncryptionType::E2EE),
        device_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec();
    let signed_over = [ADV_ACCOUNT_SIGNATURE_PREFIX, &details, &qr.identity].concat();
    let account_signature = phone
        .private_key
        .calculate_signature(&signed_over, &mut rand_wa::rng())?;
    let signed = wa::ADVSignedDeviceIdentity {
        details: Some(details),
        account_signature_key: Some(key_bytes(phone).to_vec()),
        account_signature: Some(account_signature.to_vec()),
        device_signature: None,
    }
    .encode_to_vec();
    let hmac = hmac_sha256(&qr.adv_secret, &signed);
    Ok(wa::ADVSignedDeviceIdentityHMAC {
        details: Some(signed),
        hmac: Some(hmac.to_vec()),
        account_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec())
}

/// `<iq type="set" xmlns="md"><pair-success>`: what the server pushes once the phone accepted
/// the QR code. `device` names the companion's new JID/LID; `platform` is the phone's.
fn pair_success(device_identity: Vec<u8>) -> Node {
    NodeBuilder::new("iq")
        .attr("from", "s.whatsapp.net")
        .attr("type", "set")
        .attr("id", "pair-success-1")
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-success")
            .children([
                NodeBuilder::new("device-identity")
                    .bytes(device_identity)
                    .build(),
                NodeBuilder::new("device")
                    .attr("jid", DEVICE_JID)
                    .attr("lid", DEVICE_LID)
                    .build(),
                NodeBuilder::new("platform").attr("name", "android").build(),
            ])
            .build()])
        .build()
}

/// The client answers pair-success with its own signature over the same details
/// (`[6, 1] ‖ details ‖ its identity key ‖ the phone's identity key`), as WhatsApp's server
/// stores it. `true` when that signature verifies with the identity key from the QR code.
fn device_signature_is_valid(reply: &Node, qr: &ScannedQr) -> bool {
    let Some(identity) = child(reply, "pair-device-sign")
        .and_then(|sign| child(sign, "device-identity"))
        .and_then(bytes_of)
    else {
        return false;
    };
    let Ok(signed) = wa::ADVSignedDeviceIdentity::decode_from_slice(identity) else {
        return false;
    };
    let (Some(details), Some(account_key), Some(signature)) = (
        signed.details.as_deref(),
        signed.account_signature_key.as_deref(),
        signed.device_signature.as_deref(),
    ) else {
        return false;
    };
    let signed_over = [
        ADV_DEVICE_SIGNATURE_PREFIX,
        details,
        &qr.identity,
        account_key,
    ]
    .concat();
    PublicKey::from_djb_public_key_bytes(&qr.identity)
        .is_ok_and(|device| device.verify_signature(&signed_over, signature))
}

/// What WhatsApp sends once pairing is done: "restart the stream", and the client logs in anew.
fn stream_restart() -> Node {
    NodeBuilder::new("stream:error").attr("code", "515").build()
}

// ---------------- the key directory ----------------

/// A user's published Signal keys for one device, as the server hands them out to senders:
/// identity, a signed pre-key (signed by the identity over its 33-byte serialised form, as
/// libsignal verifies it) and one one-time pre-key.
struct KeyBundle {
    registration_id: u32,
    identity: KeyPair,
    signed_pre_key: KeyPair,
    signed_pre_key_signature: Vec<u8>,
    pre_key: KeyPair,
}

impl KeyBundle {
    fn new(identity: KeyPair, registration_id: u32) -> anyhow::Result<Self> {
        let signed_pre_key = KeyPair::generate(&mut rand_wa::rng());
        let signed_pre_key_signature = identity
            .private_key
            .calculate_signature(&signed_pre_key.public_key.serialize(), &mut rand_wa::rng())?
            .to_vec();
        Ok(Self {
            registration_id,
            identity,
            signed_pre_key,
            signed_pre_key_signature,
            pre_key: KeyPair::generate(&mut rand_wa::rng()),
        })
    }

    /// `<user jid>` of a pre-key fetch result (the same layout the client uploads its own keys
    /// in); key ids are 3 bytes big-endian.
    fn to_node(&self, jid: &str) -> Node {
        let id = |n: u32| n.to_be_bytes()[1..].to_vec();
        NodeBuilder::new("user")
            .attr("jid", jid)
            .children([
                NodeBuilder::new("registration")
                    .bytes(self.registration_id.to_be_bytes().to_vec())
                    .build(),
                // 5: Curve25519 (libsignal's DJB key type).
                NodeBuilder::new("type").bytes(vec![5u8]).build(),
                NodeBuilder::new("identity")
                    .bytes(key_bytes(&self.identity).to_vec())
                    .build(),
                NodeBuilder::new("skey")
                    .children([
                        NodeBuilder::new("id").bytes(id(SIGNED_PRE_KEY_ID)).build(),
                        NodeBuilder::new("value")
                            .bytes(key_bytes(&self.signed_pre_key).to_vec())
                            .build(),
                        NodeBuilder::new("signature")
                            .bytes(self.signed_pre_key_signature.clone())
                            .build(),
                    ])
                    .build(),
                NodeBuilder::new("key")
                    .children([
                        NodeBuilder::new("id").bytes(id(PRE_KEY_ID)).build(),
                        NodeBuilder::new("value")
                            .bytes(key_bytes(&self.pre_key).to_vec())
                            .build(),
                    ])
                    .build(),
            ])
            .build()
    }
}

/// The user part of a JID attribute (`15551234567:7@s.whatsapp.net` → `15551234567`).
fn user_of(jid: &str) -> &str {
    jid.split(['@', ':']).next().unwrap_or_default()
}

/// A usync answer: every user asked about has exactly one device, the phone (device 0), so
/// no companion key-index list is needed.
fn usync_result(request: &Node) -> Node {
    let query = child(request, "usync");
    let users = query
        .and_then(|usync| child(usync, "list"))
        .and_then(Node::children)
        .unwrap_or_default()
        .iter()
        .filter_map(|user| attr(user, "jid"))
        .map(|jid| {
            NodeBuilder::new("user")
                .attr("jid", format!("{}@s.whatsapp.net", user_of(&jid)))
                .children([NodeBuilder::new("devices")
                    .children([NodeBuilder::new("device-list")
                        .children([NodeBuilder::new("device").attr("id", "0").build()])
                        .build()])
                    .build()])
                .build()
        });
    let mut usync = NodeBuilder::new("usync");
    for key in ["sid", "mode", "context"] {
        if let Some(value) = query.and_then(|q| attr(q, key)) {
            usync = usync.attr(key, value);
        }
    }
    usync
        .children([NodeBuilder::new("list").children(users).build()])
        .build()
}

// ---------------- the fake server ----------------

/// What the fake saw, for the test to assert on (and print when something is missing).
#[derive(Default)]
struct Observed {
    /// One line per handshake: "XX pairing", "XX login 7", "IK login 7".
    handshakes: Vec<String>,
    /// The client counter-signed the identity the phone issued.
    device_signed: bool,
    /// The logged-in client's requests, summarised.
    requests: Vec<String>,
    /// Anything noteworthy (connections ending, unexpected nodes).
    notes: Vec<String>,
    /// The identity key of the companion the phone linked (from its QR code).
    device_identity: Option<[u8; 32]>,
    /// Every `<message>` the client sent.
    messages: Vec<SeenMessage>,
}

/// An outgoing `<message>` as the fake received it.
#[derive(Clone, Debug)]
struct SeenMessage {
    id: String,
    to: String,
    /// The `type` of each `<enc>` (one per recipient device): `pkmsg`, `msg`, `skmsg`.
    encryptions: Vec<String>,
    /// Each `pkmsg` (a message that opens a Signal session): the sender's identity key and the
    /// pre-key ids it used from the recipient's bundle.
    session_openings: Vec<([u8; 32], Option<u32>, u32)>,
}

/// Reads the session-opening header of a `pkmsg`; `None` for other types or garbage.
fn session_opening(enc: &Node) -> Option<([u8; 32], Option<u32>, u32)> {
    if attr(enc, "type").as_deref() != Some("pkmsg") {
        return None;
    }
    let message = PreKeySignalMessage::try_from(bytes_of(enc)?).ok()?;
    let sender: [u8; 32] = message
        .identity_key()
        .public_key()
        .public_key_bytes()
        .try_into()
        .ok()?;
    Some((
        sender,
        message.pre_key_id().map(u32::from),
        u32::from(message.signed_pre_key_id()),
    ))
}

/// Every connection gets its own task; they share the server's keys, the phone and what the
/// fake observed.
struct FakeWhatsApp {
    static_key: KeyPair,
    cert_chain: Vec<u8>,
    /// The phone's identity key: signs companion devices.
    phone: KeyPair,
    /// QR codes the test "scanned" with the phone.
    scans: (
        async_channel::Sender<String>,
        async_channel::Receiver<String>,
    ),
    observed: Mutex<Observed>,
    /// Published keys per user, made on first request (the account's own phone included).
    bundles: Mutex<HashMap<String, Arc<KeyBundle>>>,
}

impl FakeWhatsApp {
    fn new() -> Arc<Self> {
        let static_key = KeyPair::generate(&mut rand_wa::rng());
        let cert_chain = wacore_noise::test_util::build_cert_chain_bytes(&key_bytes(&static_key));
        Arc::new(Self {
            static_key,
            cert_chain,
            phone: KeyPair::generate(&mut rand_wa::rng()),
            scans: async_channel::unbounded(),
            observed: Mutex::new(Observed::default()),
            bundles: Mutex::new(HashMap::new()),
        })
    }

    /// The phone scans a QR code shown by the companion.
    fn scan_qr(&self, code: &str) {
        self.scans
            .0
            .try_send(code.to_owned())
            .expect("open channel");
    }

    fn observe<T>(&self, read: impl FnOnce(&mut Observed) -> T) -> T {
        read(&mut self.observed.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// What the fake saw, for failure messages: tags and namespaces only.
    fn summary(&self) -> String {
        self.observe(|o| {
            format!(
                "fake WhatsApp saw: handshakes {:?}, device signed {}, requests {:#?}, \
                 messages {}, notes {:#?}",
                o.handshakes,
                o.device_signed,
                o.requests,
                o.messages.len(),
                o.notes
            )
        })
    }

    fn note(&self, line: String) {
        self.observe(|o| o.notes.push(line));
    }

    /// The keys a user's phone published; the account's own phone signs with its identity key.
    fn bundle_of(&self, user: &str) -> anyhow::Result<Arc<KeyBundle>> {
        let mut bundles = self.bundles.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bundle) = bundles.get(user) {
            return Ok(bundle.clone());
        }
        let identity = if user == PHONE_USER {
            self.phone.clone()
        } else {
            KeyPair::generate(&mut rand_wa::rng())
        };
        let registration_id = u32::try_from(bundles.len()).unwrap_or_default() + 1000;
        let bundle = Arc::new(KeyBundle::new(identity, registration_id)?);
        bundles.insert(user.to_owned(), bundle.clone());
        Ok(bundle)
    }

    /// `<iq xmlns="encrypt" type="get"><key><user jid/>…`: the bundles of the devices asked for.
    fn pre_key_result(&self, request: &Node) -> anyhow::Result<Node> {
        let mut users = Vec::new();
        for user in child(request, "key")
            .and_then(Node::children)
            .unwrap_or_default()
        {
            if let Some(jid) = attr(user, "jid") {
                users.push(self.bundle_of(user_of(&jid))?.to_node(&jid));
            }
        }
        Ok(NodeBuilder::new("list").children(users).build())
    }

    /// An outgoing `<message>`: remember it and acknowledge it the way the server does.
    async fn accept_message(&self, node: &Node, writer: &mut NodeWriter) -> anyhow::Result<()> {
        let id = attr(node, "id").unwrap_or_default();
        let to = attr(node, "to").unwrap_or_default();
        // One `<enc>` per recipient device, either directly or under `<participants><to>`.
        let mut encs: Vec<&Node> = Vec::new();
        for item in node.children().unwrap_or_default() {
            match item.tag.as_ref() {
                "enc" => encs.push(item),
                "participants" => encs.extend(
                    item.children()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|to| child(to, "enc")),
                ),
                _ => {}
            }
        }
        let seen = SeenMessage {
            id: id.clone(),
            to: to.clone(),
            encryptions: encs.iter().filter_map(|enc| attr(enc, "type")).collect(),
            session_openings: encs.iter().filter_map(|enc| session_opening(enc)).collect(),
        };
        self.observe(|o| o.messages.push(seen));
        writer
            .send(
                NodeBuilder::new("ack")
                    .attr("class", "message")
                    .attr("id", id)
                    .attr("from", to)
                    .attr("t", now_secs().to_string())
                    .build(),
            )
            .await
    }

    async fn serve(
        self: Arc<Self>,
        rx: async_channel::Receiver<Bytes>,
        tx: async_channel::Sender<TransportEvent>,
    ) -> anyhow::Result<()> {
        let frames = Frames {
            rx,
            decoder: FrameDecoder::new(),
            header_pending: true,
        };
        let (reader, writer, payload) = self.handshake(frames, tx).await?;
        match payload.username {
            None => self.pair(reader, writer).await,
            Some(_) => self.log_in(reader, writer).await,
        }
    }

    /// Noise responder. A new device (or one without a cached server certificate) starts with
    /// XX; a registered one that cached the certificate after pairing resumes with IK.
    async fn handshake(
        &self,
        mut frames: Frames,
        tx: async_channel::Sender<TransportEvent>,
    ) -> anyhow::Result<(NodeReader, NodeWriter, wa::ClientPayload)> {
        let hello = wa::HandshakeMessage::decode_from_slice(&frames.next().await?)?;
        let hello = hello
            .client_hello
            .into_option()
            .ok_or_else(|| anyhow::anyhow!("no client_hello"))?;
        let client_ephemeral = key32(hello.ephemeral, "ephemeral key")?;
        let ephemeral = KeyPair::generate(&mut rand_wa::rng());

        let (noise, payload, kind) = match (hello.r#static, hello.payload) {
            // IK: the client already knows our static key and sends its own plus the login
            // payload in the hello. We answer e, ee, se and the certificate chain.
            (Some(client_static_sealed), Some(payload_sealed)) => {
                let mut noise = NoiseHandshake::new(NOISE_PATTERN_IK, &WA_CONN_HEADER)?;
                noise.authenticate(&key_bytes(&self.static_key));
                noise.authenticate(&client_ephemeral);
                noise.mix_shared_secret(
                    self.static_key.private_key.serialize(),
                    &client_ephemeral,
                )?;
                let client_static = key32(
                    Some(noise.decrypt(&client_static_sealed)?),
                    "client static key",
                )?;
                noise.mix_shared_secret(self.static_key.private_key.serialize(), &client_static)?;
                let payload = noise.decrypt(&payload_sealed)?;
                noise.authenticate(&key_bytes(&ephemeral));
                noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_ephemeral)?;
                noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
                let cert = noise.encrypt(&self.cert_chain)?;
                // No `static` in the reply: that is how the client knows IK was accepted.
                send_handshake(
                    &tx,
                    wa::HandshakeMessage {
                        server_hello: MessageField::some(wa::handshake_message::ServerHello {
                            ephemeral: Some(key_bytes(&ephemeral).to_vec()),
                            payload: Some(cert),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                )
                .await?;
                (noise, payload, "IK")
            }
            // XX: e, ee, s, es (our static key and the certificate chain), then the client's
            // static key and payload in ClientFinish.
            _ => {
                let mut noise = NoiseHandshake::new(NOISE_PATTERN_XX, &WA_CONN_HEADER)?;
                noise.authenticate(&client_ephemeral);
                noise.authenticate(&key_bytes(&ephemeral));
                noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_ephemeral)?;
                let static_sealed = noise.encrypt(self.static_key.public_key.public_key_bytes())?;
                noise.mix_shared_secret(
                    self.static_key.private_key.serialize(),
                    &client_ephemeral,
                )?;
                let cert = noise.encrypt(&self.cert_chain)?;
                send_handshake(
                    &tx,
                    wa::HandshakeMessage {
                        server_hello: MessageField::some(wa::handshake_message::ServerHello {
                            ephemeral: Some(key_bytes(&ephemeral).to_vec()),
                            r#static: Some(static_sealed),
                            payload: Some(cert),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                )
                .await?;
                let finish = wa::HandshakeMessage::decode_from_slice(&frames.next().await?)?;
                let finish = finish
                    .client_finish
                    .into_option()
                    .ok_or_else(|| anyhow::anyhow!("no client_finish"))?;
                let client_static = key32(
                    Some(noise.decrypt(&finish.r#static.unwrap_or_default())?),
                    "client static key",
                )?;
                noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
                let payload = noise.decrypt(&finish.payload.unwrap_or_default())?;
                (noise, payload, "XX")
            }
        };
        let payload = wa::ClientPayload::decode_from_slice(&payload)?;
        let line = match (payload.username, payload.device) {
            (None, _) => format!("{kind} pairing"),
            (Some(_), device) => format!("{kind} login {}", device.unwrap_or_default()),
        };
        self.observe(|o| o.handshakes.push(line));
        // The initiator writes with the first key: the responder reads with it.
        let (read, write) = noise.finish()?;
        Ok((
            NodeReader {
                frames,
                cipher: read,
                counter: 0,
            },
            NodeWriter {
                tx,
                cipher: write,
                counter: 0,
            },
            payload,
        ))
    }

    /// An unpaired device: show it QR refs, and when the phone scans one, link it.
    async fn pair(&self, mut reader: NodeReader, mut writer: NodeWriter) -> anyhow::Result<()> {
        let refs: Vec<_> = (0..6)
            .map(|n| {
                NodeBuilder::new("ref")
                    .bytes(format!("2@fakeref{n}").into_bytes())
                    .build()
            })
            .collect();
        writer
            .send(
                NodeBuilder::new("iq")
                    .attr("from", "s.whatsapp.net")
                    .attr("type", "set")
                    .attr("id", "pair-1")
                    .attr("xmlns", "md")
                    .children([NodeBuilder::new("pair-device").children(refs).build()])
                    .build(),
            )
            .await?;

        let mut scanned: Option<ScannedQr> = None;
        loop {
            tokio::select! {
                code = self.scans.1.recv() => {
                    let qr = scan(&code?)?;
                    anyhow::ensure!(qr.pairing_ref.starts_with("2@fakeref"), "not our ref");
                    let identity = signed_device_identity(&self.phone, &qr)?;
                    self.observe(|o| o.device_identity = Some(qr.identity));
                    writer.send(pair_success(identity)).await?;
                    scanned = Some(qr);
                }
                node = reader.recv() => {
                    let node = node?;
                    let is_sign = node.tag == "iq" && child(&node, "pair-device-sign").is_some();
                    match (&scanned, is_sign) {
                        (Some(qr), true) => {
                            let valid = device_signature_is_valid(&node, qr);
                            self.observe(|o| o.device_signed = valid);
                            anyhow::ensure!(valid, "the device signature does not verify");
                            // The client closes the socket and logs in with its new identity.
                            writer.send(stream_restart()).await?;
                        }
                        _ => self.answer(&node, &mut writer, false).await?,
                    }
                }
            }
        }
    }

    /// A registered device logging in: `<success>`, then answer whatever it asks.
    async fn log_in(&self, mut reader: NodeReader, mut writer: NodeWriter) -> anyhow::Result<()> {
        writer
            .send(
                NodeBuilder::new("success")
                    .attr("t", now_secs().to_string())
                    .attr("lid", DEVICE_LID)
                    .build(),
            )
            .await?;
        loop {
            let node = reader.recv().await?;
            self.answer(&node, &mut writer, true).await?;
        }
    }

    /// Answers a get/set IQ; other stanzas (acks, receipts, presence) need no answer here.
    async fn answer(
        &self,
        node: &Node,
        writer: &mut NodeWriter,
        logged_in: bool,
    ) -> anyhow::Result<()> {
        let kind = attr(node, "type").unwrap_or_default();
        if logged_in {
            self.observe(|o| o.requests.push(describe(node)));
        }
        if node.tag == "message" {
            return self.accept_message(node, writer).await;
        }
        if node.tag != "iq" || !matches!(kind.as_str(), "get" | "set") {
            return Ok(());
        }
        let xmlns = attr(node, "xmlns").unwrap_or_default();
        match xmlns.as_str() {
            // Leaving passive mode: the server then flushes what queued up while the device was
            // away and ends with `<ib><offline count>`, which the client waits for.
            "passive" if child(node, "active").is_some() => {
                writer.send(iq_result(node, Vec::new())).await?;
                writer
                    .send(
                        NodeBuilder::new("ib")
                            .attr("from", "s.whatsapp.net")
                            .children([NodeBuilder::new("offline").attr("count", "0").build()])
                            .build(),
                    )
                    .await?;
            }
            // App-state sync: every collection the client asks for exists and is empty. A fresh
            // pairing waits for the critical ones before it reports `Connected`.
            "w:sync:app:state" => {
                let collections = child(node, "sync")
                    .and_then(Node::children)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| attr(c, "name"))
                    .map(|name| {
                        NodeBuilder::new("collection")
                            .attr("name", name)
                            .attr("version", "0")
                            .build()
                    });
                let sync = NodeBuilder::new("sync").children(collections).build();
                writer.send(iq_result(node, vec![sync])).await?;
            }
            // Who has which devices: everyone has just a phone.
            "usync" => {
                writer
                    .send(iq_result(node, vec![usync_result(node)]))
                    .await?;
            }
            // Pre-key bundles of the devices a message is about to be encrypted for.
            "encrypt" if child(node, "key").is_some() => {
                let list = self.pre_key_result(node)?;
                writer.send(iq_result(node, vec![list])).await?;
            }
            // Pre-key upload, the blocklist, trusted-contact tokens: an empty result is what
            // WhatsApp answers too (nothing blocked, tokens accepted).
            "encrypt" if child(node, "registration").is_some() => {
                writer.send(iq_result(node, Vec::new())).await?;
            }
            "blocklist" => writer.send(iq_result(node, Vec::new())).await?,
            "privacy" if child(node, "tokens").is_some() => {
                writer.send(iq_result(node, Vec::new())).await?;
            }
            // Server-side A/B props and privacy settings: none set, the defaults apply.
            "abt" => {
                let props = NodeBuilder::new("props").attr("refresh", "86400").build();
                writer.send(iq_result(node, vec![props])).await?;
            }
            "privacy" => {
                let privacy = NodeBuilder::new("privacy").build();
                writer.send(iq_result(node, vec![privacy])).await?;
            }
            // Anything else gets an empty result: the client logs a warning for queries it
            // cannot parse and goes on. Logged, to see what else a client asks for.
            _ => {
                eprintln!("fake WhatsApp: empty result for {}", describe(node));
                writer.send(iq_result(node, Vec::new())).await?;
            }
        }
        Ok(())
    }
}

/// The live adapter reaches the fake instead of WhatsApp; the app builds the adapter itself, on
/// its own database (the session store lives there).
fn live_options(fake: &Arc<FakeWhatsApp>) -> TestOptions {
    TestOptions {
        env: vec![
            ("WAFLEET_WHATSAPP", "live".into()),
            ("WAFLEET_WHATSAPP_VERSION", WA_VERSION.into()),
        ],
        whatsapp_transport: Some(Arc::new(FakeFactory(fake.clone()))),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_new_live_device_shows_the_qr_code_of_the_whatsapp_endpoint() {
    let app = spawn_app_with(live_options(&FakeWhatsApp::new())).await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Live").await;
    eventually(Duration::from_secs(30), "the first QR code", || async {
        !app.device(&user.token, &id).await["qrCode"].is_null()
    })
    .await;

    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID) { deviceEvents(deviceId: $id) { kind device { status } qrCode { code expiresAt } } }",
        json!({ "id": id }),
    )
    .await;
    let first = ws.next_payload().await;
    let event = &first["data"]["deviceEvents"];
    assert_eq!(event["kind"], "QR_CODE", "{first}");
    assert_eq!(event["device"]["status"], "PAIRING", "{first}");
    let code = event["qrCode"]["code"].as_str().unwrap();
    let fields: Vec<_> = code.split(',').collect();
    // ref, noise key, identity key, adv secret, client type: made by whatsapp-rust itself.
    assert_eq!(fields.len(), 5, "{code}");
    assert!(fields[0].starts_with("2@fakeref"), "{code}");
    assert!(fields[1..4].iter().all(|f| f.len() == 44), "{code}");
    // The client created the device's keys in the database store, not in memory.
    assert_eq!(app.count("wa_device_state").await, 1);
}

/// A live app with one device that the fake phone paired: adds the device, reads its first QR
/// code from `deviceEvents` and lets the phone scan it, then waits until our API shows the device
/// ONLINE. Returns the device as the `device` query last showed it and the open subscription.
async fn pair_live_device(
    fake: &Arc<FakeWhatsApp>,
) -> (TestApp, TestUser, String, Value, WsClient) {
    let app = spawn_app_with(live_options(fake)).await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Live").await;
    eventually(Duration::from_secs(30), "the first QR code", || async {
        !app.device(&user.token, &id).await["qrCode"].is_null()
    })
    .await;
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID) { deviceEvents(deviceId: $id) { kind device { status phone } qrCode { code } } }",
        json!({ "id": id }),
    )
    .await;
    let first = ws.next_payload().await;
    assert_eq!(first["data"]["deviceEvents"]["kind"], "QR_CODE", "{first}");
    let code = first["data"]["deviceEvents"]["qrCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();

    // The phone scans what our API shows.
    fake.scan_qr(&code);

    // A fresh pairing reports `Connected` only after the critical app-state sync, which first
    // gives the phone 10 s to share the app-state key (the fake phone does not).
    let device = wait_online(&app, &user, &id, fake).await;
    (app, user, id, device, ws)
}

/// Waits until our API shows the device ONLINE and returns it as the `device` query shows it.
async fn wait_online(app: &TestApp, user: &TestUser, id: &str, fake: &FakeWhatsApp) -> Value {
    let mut last = Value::Null;
    let online = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            last = app.device(&user.token, id).await;
            if last["status"] == "ONLINE" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(online.is_ok(), "not ONLINE: {last}\n{}", fake.summary());
    last
}

#[tokio::test]
async fn a_phone_scanning_the_qr_code_pairs_the_live_device_and_it_goes_online() {
    let fake = FakeWhatsApp::new();
    let (_app, _user, _id, device, mut ws) = pair_live_device(&fake).await;
    let observed = fake.summary();

    // Paired with the phone's number, and the QR code is gone.
    assert_eq!(device["phone"], "+15551234567", "{device}");
    assert_eq!(
        device["jid"],
        format!("{PHONE_USER}@s.whatsapp.net"),
        "{device}"
    );
    assert!(device["qrCode"].is_null(), "{device}");
    fake.observe(|o| {
        // The client counter-signed the identity the phone issued...
        assert!(o.device_signed, "{observed}");
        // ...and after the stream restart logged in again as the linked companion. (The fake
        // restarts the stream as soon as the client has signed; the client's pairing handler is
        // still finishing then and may force one more reconnect: hence "any".)
        assert_eq!(
            o.handshakes.first().map(String::as_str),
            Some("XX pairing"),
            "{observed}"
        );
        assert!(
            o.handshakes[1..]
                .iter()
                .any(|h| h.ends_with(&format!("login {DEVICE_NUMBER}"))),
            "{observed}"
        );
        // It synced the (empty) app state before reporting itself connected.
        assert!(
            o.requests.iter().any(|r| r.contains("w:sync:app:state")),
            "{observed}"
        );
    });
    // Subscribers saw it go ONLINE with the phone number.
    loop {
        let payload = ws.next_payload().await;
        let event = &payload["data"]["deviceEvents"];
        if event["kind"] == "STATUS" && event["device"]["status"] == "ONLINE" {
            assert_eq!(event["device"]["phone"], "+15551234567", "{payload}");
            break;
        }
    }
}

#[tokio::test]
async fn a_message_sent_from_a_paired_live_device_reaches_the_whatsapp_endpoint_once() {
    let fake = FakeWhatsApp::new();
    let (app, user, device, _, _ws) = pair_live_device(&fake).await;
    app.set_delays(&user.token, &device, 0, 0).await;

    app.send_text(&user.token, &device, "+1 555 765 4321", "Hello over Signal")
        .await;

    let row = || async {
        app.gql(
            Some(&user.token),
            "{ outbox { edges { node { status whatsappId lastError } } } }",
            json!({}),
        )
        .await
        .data()["outbox"]["edges"][0]["node"]
            .clone()
    };
    let mut last = Value::Null;
    let sent = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            last = row().await;
            if last["status"] == "SENT" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let observed = fake.summary();
    assert!(sent.is_ok(), "not SENT: {last}\n{observed}");

    // Exactly one <message>, with the id our outbox recorded, Signal-encrypted for the
    // recipient's phone.
    let (messages, device_identity) = fake.observe(|o| (o.messages.clone(), o.device_identity));
    assert_eq!(messages.len(), 1, "{observed}");
    let message = &messages[0];
    assert_eq!(
        Some(message.id.as_str()),
        last["whatsappId"].as_str(),
        "{message:?}"
    );
    assert_eq!(message.to, "15557654321@s.whatsapp.net", "{message:?}");
    assert!(
        message.encryptions.iter().any(|e| e == "pkmsg"),
        "{message:?}"
    );
    // Every session it opened is signed by the identity the phone linked and uses the pre-keys
    // the fake handed out.
    assert!(!message.session_openings.is_empty(), "{message:?}");
    for (sender, pre_key, signed_pre_key) in &message.session_openings {
        assert_eq!(Some(*sender), device_identity, "{message:?}");
        assert_eq!(*pre_key, Some(PRE_KEY_ID), "{message:?}");
        assert_eq!(*signed_pre_key, SIGNED_PRE_KEY_ID, "{message:?}");
    }
}

#[tokio::test]
async fn a_paired_live_device_logs_in_again_after_a_restart_without_a_new_qr_code() {
    let fake = FakeWhatsApp::new();
    let (mut first, user, id, _device, ws) = pair_live_device(&fake).await;
    drop(ws);
    first.stop().await;
    let handshakes_before = fake.observe(|o| o.handshakes.len());

    // A new process on the same database: the session store there is all it has.
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..live_options(&fake)
    })
    .await;
    let last = wait_online(&second, &user, &id, &fake).await;
    assert_eq!(last["phone"], "+15551234567", "{last}");
    assert!(last["qrCode"].is_null(), "{last}");
    let observed = fake.summary();
    fake.observe(|o| {
        let after = &o.handshakes[handshakes_before..];
        // Every connection after the restart was a login of the linked companion: no pairing.
        assert!(!after.is_empty(), "{observed}");
        assert!(
            after
                .iter()
                .all(|h| h.ends_with(&format!("login {DEVICE_NUMBER}"))),
            "{observed}"
        );
    });
}

/// A node that died after the stanza left but before it stored the outcome leaves its row in
/// SENDING with the id its claim chose. The next process sends it again under that id: the
/// endpoint gets two `<message>` stanzas with one id (a recipient keeps one copy), and the
/// outbox keeps one row, SENT, with that id.
#[tokio::test]
async fn a_send_interrupted_by_a_crash_goes_out_again_under_the_same_id_and_stays_one_row() {
    use sea_orm::{ConnectionTrait, Statement};
    let fake = FakeWhatsApp::new();
    let (mut first, user, device, _, ws) = pair_live_device(&fake).await;
    first.set_delays(&user.token, &device, 0, 0).await;
    first
        .send_text(&user.token, &device, "+1 555 765 4321", "Hello twice")
        .await;
    eventually(Duration::from_secs(30), "the first send", || async {
        first.outbox_by_status().await.get("SENT") == Some(&1)
    })
    .await;
    drop(ws);
    first.stop().await;
    // What kill -9 between the send and its record leaves: the row in SENDING (SENDING counts
    // as QUEUED in the running totals), its id stored by the claim.
    for sql in [
        "UPDATE broadcast_messages SET status = 'SENDING', sent_at = NULL",
        "UPDATE outbox_counters SET count = count + 1 WHERE status = 'QUEUED'",
        "UPDATE outbox_counters SET count = count - 1 WHERE status = 'SENT'",
    ] {
        first
            .state
            .db
            .execute(Statement::from_string(
                first.state.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap();
    }

    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..live_options(&fake)
    })
    .await;
    wait_online(&second, &user, &device, &fake).await;
    let mut last = Value::Null;
    let resent = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            last = second
                .gql(
                    Some(&user.token),
                    "{ outbox { edges { node { status whatsappId attempts } } } }",
                    json!({}),
                )
                .await
                .data()["outbox"]["edges"]
                .clone();
            if last[0]["node"]["status"] == "SENT" && fake.observe(|o| o.messages.len()) == 2 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let observed = fake.summary();
    assert!(resent.is_ok(), "not resent: {last}\n{observed}");
    let messages = fake.observe(|o| o.messages.clone());
    assert_eq!(messages.len(), 2, "{observed}");
    assert_eq!(messages[0].id, messages[1].id, "{messages:?}");
    assert_eq!(messages[1].to, "15557654321@s.whatsapp.net");
    assert!(messages[0].id.starts_with("3EB0") && messages[0].id.len() == 22);
    let rows = last.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{last}");
    assert_eq!(rows[0]["node"]["whatsappId"], messages[0].id.as_str());
    assert_eq!(rows[0]["node"]["attempts"], 2, "{last}");
    assert_eq!(
        second.outbox_by_status().await,
        HashMap::from([("SENT".to_owned(), 1)])
    );
}
