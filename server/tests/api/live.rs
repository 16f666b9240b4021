//! The live adapter (whatsapp-rust 0.7) against an in-process fake WhatsApp endpoint: a Noise XX
//! responder with a zero-signed certificate chain (the test build enables whatsapp-rust's
//! `danger-skip-cert-chain-verify`) that pushes `<pair-device>` refs, so the real client shows a
//! QR code. The fake stops there: no pair-success, login or message relay.

use std::{sync::Arc, time::Duration};

use serde_json::json;
use wafleet::whatsapp::live::{LiveOptions, LiveWhatsApp};
use whatsapp_rust::{
    async_channel, async_trait,
    buffa::{Message as _, MessageField},
    bytes::Bytes,
    transport::{Transport, TransportEvent, TransportFactory},
    wacore::{
        framing::{encode_frame, FrameDecoder},
        handshake::NoiseHandshake,
        libsignal::protocol::KeyPair,
    },
    wacore_binary::{
        consts::{NOISE_PATTERN_XX, WA_CONN_HEADER},
        marshal::{marshal, unmarshal_ref},
        util::unpack,
        Node,
    },
    waproto::whatsapp as wa,
    NodeBuilder,
};

use crate::helpers::{
    database_url, drop_database, eventually, fresh_database, spawn_app_with, TestOptions,
};

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

/// Every connection gets its own fake-server task.
struct FakeWhatsApp {
    static_key: KeyPair,
    cert_chain: Vec<u8>,
}

impl FakeWhatsApp {
    fn new() -> Arc<Self> {
        let static_key = KeyPair::generate(&mut rand_wa::rng());
        let public: [u8; 32] = static_key.public_key.public_key_bytes().try_into().unwrap();
        let cert_chain = wacore_noise::test_util::build_cert_chain_bytes(&public);
        Arc::new(Self {
            static_key,
            cert_chain,
        })
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
            // Ends when the client goes away.
            let _ = server.serve(from_client, to_client).await;
        });
        Ok((Arc::new(MemTransport { to_server }), from_server))
    }
}

struct Frames {
    rx: async_channel::Receiver<Bytes>,
    decoder: FrameDecoder,
    header_pending: bool,
}

impl Frames {
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

impl FakeWhatsApp {
    async fn serve(
        self: Arc<Self>,
        rx: async_channel::Receiver<Bytes>,
        tx: async_channel::Sender<TransportEvent>,
    ) -> anyhow::Result<()> {
        let mut frames = Frames {
            rx,
            decoder: FrameDecoder::new(),
            header_pending: true,
        };

        // ClientHello (a fresh device always starts with XX).
        let hello = wa::HandshakeMessage::decode_from_slice(&frames.next().await?)?;
        let hello = hello
            .client_hello
            .into_option()
            .ok_or_else(|| anyhow::anyhow!("no client_hello"))?;
        anyhow::ensure!(hello.r#static.is_none(), "IK is not supported by the fake");
        let client_ephemeral: [u8; 32] = hello
            .ephemeral
            .ok_or_else(|| anyhow::anyhow!("no ephemeral key"))?
            .try_into()
            .map_err(|_| anyhow::anyhow!("bad ephemeral key"))?;

        // ServerHello: e, ee, s, es.
        let mut noise = NoiseHandshake::new(NOISE_PATTERN_XX, &WA_CONN_HEADER)?;
        noise.authenticate(&client_ephemeral);
        let ephemeral = KeyPair::generate(&mut rand_wa::rng());
        let ephemeral_public: [u8; 32] = ephemeral
            .public_key
            .public_key_bytes()
            .try_into()
            .map_err(|_| anyhow::anyhow!("bad key"))?;
        noise.authenticate(&ephemeral_public);
        noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_ephemeral)?;
        let static_encrypted = noise.encrypt(self.static_key.public_key.public_key_bytes())?;
        noise.mix_shared_secret(self.static_key.private_key.serialize(), &client_ephemeral)?;
        let cert_encrypted = noise.encrypt(&self.cert_chain)?;
        let server_hello = wa::HandshakeMessage {
            server_hello: MessageField::some(wa::handshake_message::ServerHello {
                ephemeral: Some(ephemeral_public.to_vec()),
                r#static: Some(static_encrypted),
                payload: Some(cert_encrypted),
                ..Default::default()
            }),
            ..Default::default()
        };
        tx.send(TransportEvent::DataReceived(
            encode_frame(&server_hello.encode_to_vec(), None)?.into(),
        ))
        .await?;

        // ClientFinish: s, se, then the ClientPayload.
        let finish = wa::HandshakeMessage::decode_from_slice(&frames.next().await?)?;
        let finish = finish
            .client_finish
            .into_option()
            .ok_or_else(|| anyhow::anyhow!("no client_finish"))?;
        let client_static: [u8; 32] = noise
            .decrypt(&finish.r#static.unwrap_or_default())?
            .try_into()
            .map_err(|_| anyhow::anyhow!("bad static key"))?;
        noise.mix_shared_secret(ephemeral.private_key.serialize(), &client_static)?;
        let payload = noise.decrypt(&finish.payload.unwrap_or_default())?;
        let payload = wa::ClientPayload::decode_from_slice(&payload)?;
        anyhow::ensure!(
            payload.username.is_none(),
            "the fake only pairs new devices"
        );
        // The initiator writes with the first key: the responder reads with it.
        let (read, write) = noise.finish()?;
        let mut write_counter: u32 = 0;
        let mut read_counter: u32 = 0;
        let mut encrypt = |node: Node| -> anyhow::Result<TransportEvent> {
            let sealed = write.encrypt_with_counter(write_counter, &marshal(&node)?)?;
            write_counter += 1;
            Ok(TransportEvent::DataReceived(
                encode_frame(&sealed, None)?.into(),
            ))
        };

        // An unpaired device: hand it QR refs.
        let refs: Vec<_> = (0..6)
            .map(|n| {
                NodeBuilder::new("ref")
                    .bytes(format!("2@fakeref{n}").into_bytes())
                    .build()
            })
            .collect();
        let pair_device = NodeBuilder::new("iq")
            .attr("from", "s.whatsapp.net")
            .attr("type", "set")
            .attr("id", "pair-1")
            .attr("xmlns", "md")
            .children([NodeBuilder::new("pair-device").children(refs).build()])
            .build();
        tx.send(encrypt(pair_device)?).await?;

        // Answer every get/set IQ with an empty result.
        loop {
            let mut frame = frames.next().await?;
            read.decrypt_in_place_with_counter(read_counter, &mut frame)?;
            read_counter += 1;
            let body = unpack(&frame)?;
            let node = unmarshal_ref(&body)?;
            let is_request = node.tag == "iq"
                && matches!(
                    node.get_attr("type").map(|t| t.to_string()).as_deref(),
                    Some("get" | "set")
                );
            if is_request {
                let id = node
                    .get_attr("id")
                    .map(|id| id.to_string())
                    .unwrap_or_default();
                let result = NodeBuilder::new("iq")
                    .attr("from", "s.whatsapp.net")
                    .attr("type", "result")
                    .attr("id", id)
                    .build();
                tx.send(encrypt(result)?).await?;
            }
        }
    }
}

#[tokio::test]
async fn a_new_live_device_shows_the_qr_code_of_the_whatsapp_endpoint() {
    // The adapter keeps its session stores in the app's database, so that exists first.
    let database = fresh_database().await;
    let url = database_url(&database);
    let db = wafleet::db::connect(&url).await.unwrap();
    let whatsapp = LiveWhatsApp::new(
        db,
        LiveOptions {
            transport: Some(Arc::new(FakeFactory(FakeWhatsApp::new()))),
            version: Some((2, 3000, 1_023_000_000)),
            ..LiveOptions::default()
        },
    )
    .unwrap();
    let app = spawn_app_with(TestOptions {
        database_url: Some(url),
        env: vec![("WAFLEET_WHATSAPP", "live".into())],
        whatsapp: Some(whatsapp),
        ..Default::default()
    })
    .await;
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
    drop(ws);
    drop(app);
    drop_database(&database).await;
}
