use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{eventually, spawn_app, TestApp};

const CHATS: &str = "query($id: ID!) { chats(deviceId: $id, first: 100) { edges { node { jid name phone lastMessageText lastMessageAt unreadCount } } } }";
const MESSAGES: &str = "query($id: ID!, $chat: String!) { messages(deviceId: $id, chatJid: $chat, last: 100) { edges { node { id whatsappId text fromMe timestamp status hasImage caption mediaUrl } } } }";

async fn chats(app: &TestApp, token: &str, device: &str) -> Vec<Value> {
    let response = app.gql(Some(token), CHATS, json!({ "id": device })).await;
    response.data()["chats"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn messages(app: &TestApp, token: &str, device: &str, chat: &str) -> Vec<Value> {
    let response = app
        .gql(Some(token), MESSAGES, json!({ "id": device, "chat": chat }))
        .await;
    response.data()["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn history_message(id: String, text: &str, timestamp: i64) -> Value {
    json!({ "id": id, "fromMe": false, "text": text, "timestamp": timestamp })
}

#[tokio::test]
async fn a_history_sync_yields_exactly_the_recent_personal_chats_with_at_most_twenty_messages() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "History", "+60100000201")
        .await;
    let now = chrono::Utc::now().timestamp();
    let mut chats_input = Vec::new();
    // 30 personal chats from the last days (10 with millisecond timestamps).
    for n in 0..30 {
        let ts = now - 3600 * (n + 1);
        let ts = if n < 10 { ts * 1000 } else { ts };
        chats_input.push(
            json!({ "jid": format!("6012000{n:04}@s.whatsapp.net"), "name": format!("Contact {n}"),
            "messages": [history_message(format!("H{n}"), &format!("hello {n}"), ts)] }),
        );
    }
    // One chat with 60 messages.
    let long: Vec<Value> = (0..60)
        .map(|m| history_message(format!("L{m}"), &format!("long {m}"), now - 7200 + m))
        .collect();
    chats_input
        .push(json!({ "jid": "60129999999@s.whatsapp.net", "name": "Chatty", "messages": long }));
    // 5 personal chats older than 30 days, 4 far-future ones (become "now").
    for n in 0..5 {
        chats_input.push(json!({ "jid": format!("6013000{n:04}@s.whatsapp.net", ), "messages": [history_message(format!("O{n}"), "old", now - 40 * 86400)] }));
    }
    for n in 0..4 {
        chats_input.push(json!({ "jid": format!("6014000{n:04}@s.whatsapp.net"), "messages": [history_message(format!("F{n}"), "future", now + 5 * 365 * 86400)] }));
    }
    // Groups, status and newsletters: never chats.
    for (n, jid) in [
        "120363001@g.us",
        "120363002@g.us",
        "status@broadcast",
        "120363003@newsletter",
        "120363004@g.us",
        "120363005@g.us",
        "120363006@g.us",
        "120363007@g.us",
        "120363008@g.us",
        "120363009@g.us",
    ]
    .iter()
    .enumerate()
    {
        chats_input.push(json!({ "jid": jid, "messages": [history_message(format!("G{n}"), "group", now - 60)] }));
    }
    assert_eq!(chats_input.len(), 50);

    app.gql(
        Some(&user.token),
        "mutation($id: ID!, $chats: [SimChatInput!]!) { simHistorySync(deviceId: $id, chats: $chats) }",
        json!({ "id": device, "chats": chats_input }),
    )
    .await
    .data();

    eventually(Duration::from_secs(15), "35 chats", || async {
        chats(&app, &user.token, &device).await.len() == 35
    })
    .await;
    let list = chats(&app, &user.token, &device).await;
    assert!(list
        .iter()
        .all(|c| c["jid"].as_str().unwrap().ends_with("@s.whatsapp.net")));
    // Newest first: the far-future ones were clamped to now, so they lead.
    assert!(list[0]["jid"].as_str().unwrap().starts_with("6014000"));
    let times: Vec<&str> = list
        .iter()
        .map(|c| c["lastMessageAt"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {times:?}"
    );
    // Milliseconds became seconds.
    let ms_chat = list
        .iter()
        .find(|c| c["jid"] == "60120000000@s.whatsapp.net")
        .unwrap();
    let at: chrono::DateTime<chrono::Utc> =
        ms_chat["lastMessageAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(at.timestamp(), now - 3600);
    assert_eq!(ms_chat["name"], "Contact 0");
    // The long chat keeps its newest 20.
    let long = messages(&app, &user.token, &device, "60129999999@s.whatsapp.net").await;
    assert_eq!(long.len(), 20);
    assert_eq!(long.first().unwrap()["text"], "long 40");
    assert_eq!(long.last().unwrap()["text"], "long 59");

    // A re-sync of the same messages doubles nothing.
    app.gql(
        Some(&user.token),
        "mutation($id: ID!, $chats: [SimChatInput!]!) { simHistorySync(deviceId: $id, chats: $chats) }",
        json!({ "id": device, "chats": [{ "jid": "60129999999@s.whatsapp.net", "messages": (50..60).map(|m| history_message(format!("L{m}"), &format!("long {m}"), now - 7200 + m)).collect::<Vec<_>>() }] }),
    )
    .await
    .data();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        messages(&app, &user.token, &device, "60129999999@s.whatsapp.net")
            .await
            .len(),
        20
    );
    // 40 personal chats are stored; the 5 older than 30 days are not listed.
    assert_eq!(app.count("whatsapp_chats").await, 40);
}

#[tokio::test]
async fn an_inbound_message_arrives_live_moves_its_chat_to_the_top_and_can_be_marked_read() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.paired_device(&user.token, "Live", "+60100000202").await;
    for (n, from) in ["+60123000001", "+60123000002"].iter().enumerate() {
        app.gql(
            Some(&user.token),
            "mutation($id: ID!, $from: String!, $text: String!) { simInboundMessage(deviceId: $id, from: $from, text: $text) }",
            json!({ "id": device, "from": from, "text": format!("first {n}") }),
        )
        .await
        .data();
    }
    eventually(Duration::from_secs(10), "two chats", || async {
        chats(&app, &user.token, &device).await.len() == 2
    })
    .await;
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID!) { messageAdded(deviceId: $id) { id chatJid text fromMe } }",
        json!({ "id": device }),
    )
    .await;
    // WhatsApp times have whole seconds: let the next message be clearly the newest.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simInboundMessage(deviceId: $id, from: \"+60123000001\", text: \"are you open today?\", name: \"Aisyah\") }",
        json!({ "id": device }),
    )
    .await
    .data();

    // The first two messages' events may still be on their way when the subscription starts.
    let mut added = ws.next_payload().await;
    while added["data"]["messageAdded"]["text"]
        .as_str()
        .is_some_and(|text| text.starts_with("first "))
    {
        added = ws.next_payload().await;
    }
    assert_eq!(added["data"]["messageAdded"]["text"], "are you open today?");
    assert_eq!(
        added["data"]["messageAdded"]["chatJid"],
        "60123000001@s.whatsapp.net"
    );
    let list = chats(&app, &user.token, &device).await;
    assert_eq!(list[0]["jid"], "60123000001@s.whatsapp.net");
    assert_eq!(list[0]["unreadCount"], 2);
    assert_eq!(list[0]["lastMessageText"], "are you open today?");
    assert_eq!(list[0]["phone"], "+60123000001");

    let read = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { markChatRead(deviceId: $id, chatJid: \"60123000001@s.whatsapp.net\") { unreadCount } }",
            json!({ "id": device }),
        )
        .await;
    assert_eq!(read.data()["markChatRead"]["unreadCount"], 0);

    // A client that reconnects asks for what it missed.
    let first_id = added["data"]["messageAdded"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simInboundMessage(deviceId: $id, from: \"+60123000002\", text: \"missed me?\") }",
        json!({ "id": device }),
    )
    .await
    .data();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = app.ws_connect(Some(&user.token)).await.unwrap();
    again
        .subscribe(
            "subscription($id: ID!, $after: ID) { messageAdded(deviceId: $id, after: $after) { text } }",
            json!({ "id": device, "after": first_id }),
        )
        .await;
    assert_eq!(
        again.next_payload().await["data"]["messageAdded"]["text"],
        "missed me?"
    );
}

#[tokio::test]
async fn a_lid_sender_with_a_known_phone_stays_one_chat() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.paired_device(&user.token, "Lid", "+60100000203").await;
    let inbound = "mutation($id: ID!, $from: String!, $text: String!, $phone: String) { simInboundMessage(deviceId: $id, from: $from, text: $text, senderPhone: $phone) }";

    app.gql(
        Some(&user.token),
        inbound,
        json!({ "id": device, "from": "+60123000009", "text": "by phone" }),
    )
    .await
    .data();
    app.gql(Some(&user.token), inbound, json!({ "id": device, "from": "987654321012345@lid", "text": "by lid", "phone": "+60123000009" }))
        .await
        .data();
    app.gql(
        Some(&user.token),
        inbound,
        json!({ "id": device, "from": "987654321012345@lid", "text": "lid only" }),
    )
    .await
    .data();

    eventually(
        Duration::from_secs(10),
        "three messages in one chat",
        || async {
            messages(&app, &user.token, &device, "60123000009@s.whatsapp.net")
                .await
                .len()
                == 3
        },
    )
    .await;
    assert_eq!(chats(&app, &user.token, &device).await.len(), 1);
}

async fn send_image(
    app: &TestApp,
    token: &str,
    device: &str,
    bytes: Vec<u8>,
    file_name: &str,
    caption: &str,
) -> Value {
    let operations = json!({
        "query": "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id status hasImage caption mediaUrl } }",
        "variables": { "input": { "deviceId": device, "phone": "+60123000077", "image": null, "caption": caption } }
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.input.image"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(file_name.to_owned())
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let response = app
        .http
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .header("x-wafleet-csrf", "1")
        .multipart(form)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

/// A real (decodable) 32 × 24 JPEG: uploads are decoded before they are accepted.
fn jpeg() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 10, 84]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    bytes
}

#[tokio::test]
async fn a_sent_text_and_image_appear_pending_at_once_then_sent_and_the_image_is_the_owners_only() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Composer", "+60100000204")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;

    let text = app
        .gql(
            Some(&user.token),
            "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id status text fromMe chatJid } }",
            json!({ "input": { "deviceId": device, "chatJid": "60123000077@s.whatsapp.net", "text": "Your order is ready" } }),
        )
        .await;
    assert_eq!(text.data()["sendMessage"]["status"], "PENDING");
    assert_eq!(text.data()["sendMessage"]["fromMe"], true);

    let image = send_image(
        &app,
        &user.token,
        &device,
        jpeg(),
        "photo.jpg",
        "Catalogue page 3",
    )
    .await;
    assert_eq!(image["data"]["sendMessage"]["hasImage"], true, "{image}");
    let media_url = image["data"]["sendMessage"]["mediaUrl"]
        .as_str()
        .unwrap()
        .to_owned();

    eventually(Duration::from_secs(10), "both sent", || async {
        let thread = messages(&app, &user.token, &device, "60123000077@s.whatsapp.net").await;
        thread.len() == 2 && thread.iter().all(|m| m["status"] == "SENT")
    })
    .await;
    let sent = app.sim_sent(&user.token, &device).await;
    assert_eq!(sent.len(), 2);
    let photo = sent.iter().find(|s| s["hasImage"] == true).unwrap();
    assert_eq!(photo["caption"], "Catalogue page 3");
    let chat = &chats(&app, &user.token, &device).await[0];
    assert_eq!(chat["lastMessageText"], "Catalogue page 3");

    let mine = app
        .http
        .get(format!("{}{media_url}", app.address))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.bytes().await.unwrap().to_vec(), jpeg());
    let theirs = app
        .http
        .get(format!("{}{media_url}", app.address))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
    let anonymous = app
        .http
        .get(format!("{}{media_url}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn bad_messages_and_uploads_get_clear_errors_and_store_nothing() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Strict", "+60100000205")
        .await;
    let theirs = app
        .paired_device(&other.token, "Theirs", "+60100000206")
        .await;

    let pdf = b"%PDF-1.7 not an image".to_vec();
    let renamed = send_image(&app, &user.token, &device, pdf, "invoice.jpg", "").await;
    assert_eq!(
        renamed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{renamed}"
    );
    let huge = send_image(
        &app,
        &user.token,
        &device,
        vec![0xFF; 30 * 1024 * 1024],
        "huge.jpg",
        "",
    )
    .await;
    assert_eq!(
        huge["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{huge}"
    );
    for (input, code) in [
        (
            json!({ "deviceId": device, "phone": "+60123000078", "text": "" }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "deviceId": device, "phone": "not a phone", "text": "hi" }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "deviceId": theirs, "phone": "+60123000078", "text": "hi" }),
            "NOT_FOUND",
        ),
        (
            json!({ "deviceId": "9e5c1d0f-0000-4000-8000-000000000000", "phone": "+60123000078", "text": "hi" }),
            "NOT_FOUND",
        ),
    ] {
        let response = app
            .gql(
                Some(&user.token),
                "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        assert_eq!(response.error_code(), code, "{input}");
    }
    let foreign_chats = app
        .gql(Some(&user.token), CHATS, json!({ "id": theirs }))
        .await;
    assert_eq!(foreign_chats.error_code(), "NOT_FOUND");

    assert_eq!(app.count("broadcast_messages").await, 0);
    assert_eq!(app.count("whatsapp_messages").await, 0);
}

#[tokio::test]
async fn deleting_a_device_removes_its_chats_and_messages_and_says_how_many() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Doomed inbox", "+60100000207")
        .await;
    for n in 0..3 {
        app.gql(
            Some(&user.token),
            "mutation($id: ID!, $from: String!) { simInboundMessage(deviceId: $id, from: $from, text: \"hi\") }",
            json!({ "id": device, "from": format!("+6012300010{n}") }),
        )
        .await
        .data();
    }
    eventually(Duration::from_secs(10), "three chats", || async {
        chats(&app, &user.token, &device).await.len() == 3
    })
    .await;

    let removed = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { deleteDevice(id: $id) { chats messages } }",
            json!({ "id": device }),
        )
        .await;

    assert_eq!(
        removed.data()["deleteDevice"],
        json!({ "chats": 3, "messages": 3 })
    );
    assert_eq!(app.count("whatsapp_chats").await, 0);
}

#[tokio::test]
async fn in_demo_mode_the_phone_scans_by_itself_pushes_history_and_contacts_write() {
    let app = crate::helpers::spawn_app_with(crate::helpers::TestOptions {
        env: vec![
            ("WAFLEET_SIM_AUTO_SCAN_MS", "100".into()),
            ("WAFLEET_SIM_HISTORY_CHATS", "5".into()),
            ("WAFLEET_SIM_CHATTER_SECONDS", "1".into()),
        ],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let device = app.add_device(&user.token, "Demo").await;

    let online = app.wait_for_status(&user.token, &device, "ONLINE").await;
    assert!(online["phone"].as_str().unwrap().starts_with("+601"));
    eventually(Duration::from_secs(10), "the demo history", || async {
        chats(&app, &user.token, &device).await.len() >= 5
    })
    .await;
    eventually(Duration::from_secs(10), "a contact writing", || async {
        chats(&app, &user.token, &device)
            .await
            .iter()
            .any(|c| c["unreadCount"].as_i64().unwrap_or(0) > 0)
    })
    .await;
}

#[tokio::test]
async fn a_chat_keeps_only_its_newest_twenty_messages_when_we_send_many() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Talkative", "+60100000208")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;

    for n in 0..25 {
        app.send_text(
            &user.token,
            &device,
            "+60123000088",
            &format!("note {n:02}"),
        )
        .await;
    }

    eventually(Duration::from_secs(15), "all sent", || async {
        app.outbox_by_status().await.get("SENT") == Some(&25)
    })
    .await;
    eventually(Duration::from_secs(10), "the thread settled", || async {
        let thread = messages(&app, &user.token, &device, "60123000088@s.whatsapp.net").await;
        thread.len() == 20 && thread.iter().all(|m| m["status"] == "SENT")
    })
    .await;
    let thread = messages(&app, &user.token, &device, "60123000088@s.whatsapp.net").await;
    assert_eq!(thread.last().unwrap()["text"], "note 24");
    assert_eq!(
        chats(&app, &user.token, &device).await[0]["lastMessageText"],
        "note 24"
    );
}

const WAITING: &str = "query { waitingChats(first: 50) { totalCount edges { node { waitingSince chat { jid lastMessageText waitingSince } device { id name } } } } }";

async fn waiting(app: &TestApp, token: &str) -> (i64, Vec<Value>) {
    let response = app.gql(Some(token), WAITING, json!({})).await;
    let connection = &response.data()["waitingChats"];
    (
        connection["totalCount"].as_i64().unwrap(),
        connection["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect(),
    )
}

async fn inbound(app: &TestApp, token: &str, device: &str, from: &str, text: &str) {
    app.gql(
        Some(token),
        "mutation($id: ID!, $from: String!, $text: String!) { simInboundMessage(deviceId: $id, from: $from, text: $text) }",
        json!({ "id": device, "from": from, "text": text }),
    )
    .await
    .data();
}

#[tokio::test]
async fn chats_waiting_for_an_answer_are_listed_across_devices_longest_first_until_answered() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let north = app
        .paired_device(&user.token, "North", "+60100000301")
        .await;
    let south = app
        .paired_device(&user.token, "South", "+60100000302")
        .await;
    let theirs = app
        .paired_device(&other.token, "Theirs", "+60100000303")
        .await;

    inbound(&app, &user.token, &north, "+60123000011", "hello?").await;
    inbound(&app, &other.token, &theirs, "+60123000013", "hi").await;
    // WhatsApp times have whole seconds: let the later messages be clearly later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    inbound(&app, &user.token, &south, "+60123000012", "price?").await;
    inbound(&app, &user.token, &north, "+60123000011", "anyone there?").await;
    eventually(Duration::from_secs(10), "two chats waiting", || async {
        let north_chats = chats(&app, &user.token, &north).await;
        waiting(&app, &user.token).await.0 == 2
            && north_chats
                .first()
                .is_some_and(|c| c["lastMessageText"] == "anyone there?")
    })
    .await;

    let (total, list) = waiting(&app, &user.token).await;
    assert_eq!(total, 2);
    // Waiting since the first unanswered message, so North's contact comes first.
    assert_eq!(list[0]["chat"]["jid"], "60123000011@s.whatsapp.net");
    assert_eq!(list[0]["device"]["name"], "North");
    assert_eq!(list[0]["chat"]["lastMessageText"], "anyone there?");
    assert_eq!(list[1]["chat"]["jid"], "60123000012@s.whatsapp.net");
    assert_eq!(list[1]["device"]["name"], "South");
    let north_waits: chrono::DateTime<chrono::Utc> =
        list[0]["waitingSince"].as_str().unwrap().parse().unwrap();
    let south_waits: chrono::DateTime<chrono::Utc> =
        list[1]["waitingSince"].as_str().unwrap().parse().unwrap();
    assert!(north_waits < south_waits);
    assert_eq!(list[0]["chat"]["waitingSince"], list[0]["waitingSince"]);
    // The other user sees only their own chat.
    let (their_total, their_list) = waiting(&app, &other.token).await;
    assert_eq!(their_total, 1);
    assert_eq!(their_list[0]["device"]["id"], theirs);

    // Each device counts its recent chats with unread messages.
    let unread = app
        .gql(
            Some(&user.token),
            "query { devices(first: 10) { nodes { name unreadChats } } }",
            json!({}),
        )
        .await;
    let mut counts: Vec<(String, i64)> = unread.data()["devices"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["unreadChats"].as_i64().unwrap(),
            )
        })
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        vec![("North".to_owned(), 1), ("South".to_owned(), 1)]
    );

    // Answering takes a chat off the list; the other one stays.
    app.send_text(&user.token, &north, "+60123000011", "Yes, we are open")
        .await;
    eventually(Duration::from_secs(10), "North answered", || async {
        waiting(&app, &user.token).await.0 == 1
    })
    .await;
    let (_, list) = waiting(&app, &user.token).await;
    assert_eq!(list[0]["chat"]["jid"], "60123000012@s.whatsapp.net");
    let north_chat = chats(&app, &user.token, &north).await;
    assert_eq!(north_chat[0]["lastMessageText"], "Yes, we are open");

    // A new message after our answer starts a new wait (a second later: whole seconds).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    inbound(&app, &user.token, &north, "+60123000011", "thanks!").await;
    eventually(Duration::from_secs(10), "North waits again", || async {
        waiting(&app, &user.token).await.0 == 2
    })
    .await;
    let (_, list) = waiting(&app, &user.token).await;
    assert_eq!(list[1]["chat"]["jid"], "60123000011@s.whatsapp.net");
    let again: chrono::DateTime<chrono::Utc> =
        list[1]["waitingSince"].as_str().unwrap().parse().unwrap();
    assert!(again > north_waits);
}
