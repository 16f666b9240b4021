//! The attacks of the security probe (issue 12), each sent as the probe sent it, and how the
//! server now refuses them without harm.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{eventually, spawn_app, spawn_app_with, TestApp, TestOptions, WsClient};

/// `levels` fragments, each spreading the next one twice: 2^levels leaves.
fn fragment_bomb(levels: usize, leaf: &str) -> String {
    let mut query = String::from("{ me { ...F0 } }");
    for level in 0..levels {
        query.push_str(&format!(
            " fragment F{level} on User {{ ...F{next} ...F{next} }}",
            next = level + 1
        ));
    }
    query.push_str(&format!(" fragment F{levels} on User {{ {leaf} }}"));
    query
}

async fn post(app: &TestApp, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut request = app
        .http
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls /healthz every 20 ms until `stop`, and returns the slowest answer.
async fn slowest_health(app: &TestApp, stop: tokio::sync::watch::Receiver<bool>) -> Duration {
    let mut slowest = Duration::ZERO;
    while !*stop.borrow() {
        let started = Instant::now();
        let health = app
            .http
            .get(format!("{}/healthz", app.address))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    slowest
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_in_milliseconds_while_healthz_answers() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);

    let bombs = async {
        let mut timings = Vec::new();
        // 2^30 spreads, anonymous with __typename and authenticated with id (as probed).
        for (leaf, token) in [("__typename", None), ("id", Some(user.token.as_str()))] {
            for _ in 0..3 {
                let started = Instant::now();
                let (status, body) =
                    post(&app, json!({ "query": fragment_bomb(30, leaf) }), token).await;
                timings.push(started.elapsed());
                assert_eq!(status, 200, "{body}");
                assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
                assert!(
                    body["errors"][0]["message"]
                        .as_str()
                        .unwrap()
                        .contains("too many fields"),
                    "{body}"
                );
            }
        }
        // A cycle through two fragments that spread each other twice.
        let (_, body) = post(
            &app,
            json!({ "query": "{ me { ...A } } fragment A on User { ...B ...B } fragment B on User { ...A ...A }" }),
            None,
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let _ = stop_tx.send(true);
        timings
    };
    let (timings, slowest_health) = tokio::join!(bombs, slowest_health(&app, stop_rx));

    // Before the fix one such request took 9 s (2^26) to 6.5 minutes (2^30). The refusal takes
    // milliseconds; a loaded CI machine may delay a single answer, so the fastest is held to
    // 100 ms and every one to a second.
    let fastest = timings.iter().min().copied().unwrap_or_default();
    let slowest = timings.iter().max().copied().unwrap_or_default();
    println!(
        "fragment bomb refused in {fastest:?} .. {slowest:?}; slowest /healthz {slowest_health:?}"
    );
    assert!(fastest < Duration::from_millis(100), "{timings:?}");
    assert!(slowest < Duration::from_secs(1), "{timings:?}");
    assert!(
        slowest_health < Duration::from_secs(1),
        "{slowest_health:?}"
    );
}

#[tokio::test]
async fn alias_amplification_is_refused_by_size_and_by_field_count() {
    let app = spawn_app().await;

    // The probe's 900,000 aliases in 16 MB: refused from its Content-Length.
    let huge: String = (0..900_000).map(|i| format!("a{i}:__typename ")).collect();
    let started = Instant::now();
    let (status, body) = post(&app, json!({ "query": format!("{{{huge}}}") }), None).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(started.elapsed() < Duration::from_secs(2));

    // Under the body limit but over the document limit.
    let long: String = (0..20_000).map(|i| format!("a{i}:__typename ")).collect();
    let (_, body) = post(&app, json!({ "query": format!("{{{long}}}") }), None).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("document is too long"),
        "{body}"
    );

    // 3,000 __typename aliases (48 KB): __typename counts now. The fastest of three answers is
    // held to 100 ms (a loaded CI machine may delay any single one).
    let many: String = (0..3_000).map(|i| format!("a{i}:__typename ")).collect();
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let (_, body) = post(&app, json!({ "query": format!("{{{many}}}") }), None).await;
        fastest = fastest.min(started.elapsed());
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too many fields"));
    }
    assert!(fastest < Duration::from_millis(100), "{fastest:?}");

    // A sane number is answered.
    let fine: String = (0..100).map(|i| format!("a{i}:__typename ")).collect();
    let (_, body) = post(&app, json!({ "query": format!("{{{fine}}}") }), None).await;
    assert!(body["data"]["a99"].is_string(), "{body}");
}

#[tokio::test]
async fn nul_in_any_input_is_bad_input_and_stores_nothing() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.paired_device(&user.token, "Shop", "+60123450001").await;
    let token = Some(user.token.as_str());
    let nul = "a\u{0}b";
    let cases = [
        (
            "mutation($v: String!) { addDevice(input: { name: $v }) { id } }",
            json!({ "v": nul }),
        ),
        (
            "mutation($id: ID!, $v: String!) { updateDevice(id: $id, input: { name: $v }) { id } }",
            json!({ "id": device, "v": nul }),
        ),
        (
            "mutation($v: String!) { createApiToken(name: $v) { token } }",
            json!({ "v": nul }),
        ),
        (
            "mutation($id: ID!, $v: String!) { sendMessage(input: { deviceId: $id, phone: \"+60123000001\", text: $v }) { id } }",
            json!({ "id": device, "v": nul }),
        ),
        (
            "query($v: String!) { devices(search: $v) { totalCount } }",
            json!({ "v": nul }),
        ),
        (
            "query($id: ID!, $v: String!) { chats(deviceId: $id, search: $v) { totalCount } }",
            json!({ "id": device, "v": nul }),
        ),
        (
            "query($id: ID!, $v: String!) { messages(deviceId: $id, chatJid: $v) { totalCount } }",
            json!({ "id": device, "v": nul }),
        ),
        (
            "mutation($id: ID!, $v: String!) { markChatRead(deviceId: $id, chatJid: $v) }",
            json!({ "id": device, "v": nul }),
        ),
        // In the document itself, not in a variable.
        (
            "mutation { createApiToken(name: \"x\\u0000y\") { token } }",
            json!({}),
        ),
    ];
    for (query, variables) in cases {
        let response = app.gql(token, query, variables).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{query}");
        assert!(response.error_message().contains("NUL"), "{query}");
    }
    assert_eq!(app.count("devices").await, 1);
    assert_eq!(app.count("broadcast_messages").await, 0);
    assert_eq!(app.count("api_tokens WHERE kind = 'api'").await, 0);
}

/// A contact writes to the device through the simulated network, with content the API would
/// refuse (NUL, megabytes): straight on the bus, as the phone's side of the sim does.
async fn inbound(
    app: &TestApp,
    owner: &str,
    device: &str,
    from: &str,
    text: &str,
    name: Option<&str>,
) {
    use wafleet::{
        events::{Event, EventPublisher},
        types::{
            ids::{DeviceId, UserId},
            jid::Jid,
        },
        whatsapp::{sim::SimCommand, InboundMessage},
    };
    let chat = Jid::parse(&format!("{}@s.whatsapp.net", from.trim_start_matches('+'))).unwrap();
    let message = InboundMessage {
        id: format!("SIMIN{}", uuid::Uuid::new_v4().simple()).to_uppercase(),
        chat: chat.clone(),
        sender: chat,
        sender_alt: None,
        sender_name: name.map(str::to_owned),
        from_me: false,
        text: Some(text.to_owned()),
        image: None,
        timestamp: chrono::Utc::now().timestamp(),
    };
    app.state
        .events
        .publish(Event::sim(
            UserId(owner.parse().unwrap()),
            DeviceId(device.parse().unwrap()),
            SimCommand::Inbound { message },
        ))
        .await;
}

#[tokio::test]
async fn inbound_messages_with_unstorable_content_are_cleaned_and_kept() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.paired_device(&user.token, "Shop", "+60123450002").await;
    let sim_name_limit = "n".repeat(1024 * 1024);

    // As the probe sent them: NUL in the text, NUL in the name, a 1 MB name, a 1 MB text.
    inbound(
        &app,
        &user.id,
        &device,
        "+60111000001",
        "hi\u{0} there",
        None,
    )
    .await;
    inbound(
        &app,
        &user.id,
        &device,
        "+60111000002",
        "hello",
        Some("Ana\u{0}Lima"),
    )
    .await;
    inbound(
        &app,
        &user.id,
        &device,
        "+60111000003",
        "long name",
        Some(&sim_name_limit),
    )
    .await;
    let huge_text = "t".repeat(1024 * 1024);
    inbound(&app, &user.id, &device, "+60111000004", &huge_text, None).await;

    eventually(
        Duration::from_secs(10),
        "all four messages stored",
        || async { app.count("whatsapp_messages").await == 4 },
    )
    .await;
    let response = app
        .gql(
            Some(&user.token),
            "query($id: ID!) { a: messages(deviceId: $id, chatJid: \"60111000001@s.whatsapp.net\") { edges { node { text } } } \
             b: messages(deviceId: $id, chatJid: \"60111000002@s.whatsapp.net\") { edges { node { senderName } } } \
             c: messages(deviceId: $id, chatJid: \"60111000003@s.whatsapp.net\") { edges { node { senderName } } } \
             d: messages(deviceId: $id, chatJid: \"60111000004@s.whatsapp.net\") { edges { node { text } } } }",
            json!({ "id": device }),
        )
        .await;
    let data = response.data();
    assert_eq!(data["a"]["edges"][0]["node"]["text"], "hi there");
    assert_eq!(data["b"]["edges"][0]["node"]["senderName"], "Ana Lima");
    let long_name = data["c"]["edges"][0]["node"]["senderName"]
        .as_str()
        .unwrap();
    assert_eq!(long_name.chars().count(), 200);
    let capped = data["d"]["edges"][0]["node"]["text"].as_str().unwrap();
    assert_eq!(
        capped.chars().count(),
        wafleet::domain::inbox::MAX_INBOUND_TEXT
    );
}

#[tokio::test]
async fn sim_message_ids_are_never_reused_after_a_reconnect_or_a_restart() {
    let mut first = spawn_app().await;
    let user = first.new_user().await;
    let device = first
        .paired_device(&user.token, "Shop", "+60123450003")
        .await;
    first.set_delays(&user.token, &device, 0, 0).await;
    first
        .send_text(&user.token, &device, "+60123000010", "one")
        .await;
    eventually(Duration::from_secs(10), "the first send", || async {
        first.sim_sent(&user.token, &device).await.len() == 1
    })
    .await;

    // Reconnect: a new session of the device.
    first
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
            json!({ "id": device }),
        )
        .await
        .data();
    first.wait_for_status(&user.token, &device, "ONLINE").await;
    first
        .send_text(&user.token, &device, "+60123000010", "two")
        .await;
    eventually(Duration::from_secs(10), "the second send", || async {
        first.sim_sent(&user.token, &device).await.len() == 2
    })
    .await;

    // Restart: another process on the same database.
    first.stop().await;
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..Default::default()
    })
    .await;
    second.wait_for_status(&user.token, &device, "ONLINE").await;
    second
        .send_text(&user.token, &device, "+60123000010", "three")
        .await;
    eventually(Duration::from_secs(10), "the third send", || async {
        second.sim_sent(&user.token, &device).await.len() == 3
    })
    .await;

    let sent = second.sim_sent(&user.token, &device).await;
    let mut ids: Vec<&str> = sent
        .iter()
        .map(|s| s["messageId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{sent:?}");
    // Every thread message follows its outbox row instead of staying PENDING.
    eventually(
        Duration::from_secs(10),
        "all three thread messages SENT",
        || async {
            second
                .count("whatsapp_messages WHERE from_me AND status = 'SENT'")
                .await
                == 3
        },
    )
    .await;
}

#[tokio::test]
async fn parallel_wrong_passwords_are_counted_before_they_are_checked() {
    let app = spawn_app().await;
    let email = format!("target-{}@example.com", uuid::Uuid::new_v4().simple());
    app.sign_up(&email).await;
    let query = "mutation($input: LogInInput!) { logIn(input: $input) { token } }";

    let attempts = (0..60).map(|_| {
        app.gql(
            None,
            query,
            json!({ "input": { "email": email, "password": "not-the-password-1" } }),
        )
    });
    let results = futures::future::join_all(attempts).await;
    let checked = results
        .iter()
        .filter(|r| r.error_code() == "UNAUTHENTICATED")
        .count();
    let limited: Vec<&Value> = results
        .iter()
        .filter(|r| r.error_code() == "RATE_LIMITED")
        .map(|r| &r.0["errors"][0]["extensions"]["retryAfterSeconds"])
        .collect();
    assert_eq!(checked, 10, "the limit is 10");
    assert_eq!(limited.len(), 50);
    assert!(limited
        .iter()
        .all(|s| (1..=900).contains(&s.as_u64().unwrap())));
}

#[tokio::test]
async fn password_spraying_from_one_address_is_limited_and_retry_after_is_the_time_left() {
    let app = spawn_app_with(TestOptions {
        env: vec![
            ("WAFLEET_LOGIN_MAX_FAILURES_PER_IP", "5".into()),
            ("WAFLEET_LOGIN_WINDOW_SECONDS", "3".into()),
        ],
        ..Default::default()
    })
    .await;
    let query = "mutation($input: LogInInput!) { logIn(input: $input) { token } }";
    let try_email = |n: usize| {
        app.gql(
            None,
            query,
            json!({ "input": { "email": format!("sprayed-{n}@example.com"), "password": "Summer2026!" } }),
        )
    };
    for n in 0..5 {
        assert_eq!(try_email(n).await.error_code(), "UNAUTHENTICATED");
    }
    let refused = try_email(5).await;
    assert_eq!(refused.error_code(), "RATE_LIMITED");
    let first = refused.0["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!((1..=3).contains(&first), "{first}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = try_email(6).await.0["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!(later < first, "{later} < {first}");
}

const USER_UPDATED: &str = "subscription { userUpdated { timeZone } }";

/// Waits for the server to close the socket; returns the close code.
async fn closed_with(ws: &mut WsClient) -> u64 {
    loop {
        match ws.recv().await {
            Some(message) if message["type"] == "close" => {
                return message["code"].as_u64().unwrap()
            }
            Some(_) => continue,
            None => return 0,
        }
    }
}

#[tokio::test]
async fn a_revoked_token_closes_its_sockets_on_every_node_within_a_second() {
    let node_a = spawn_app().await;
    let node_b = spawn_app_with(TestOptions {
        database_url: Some(node_a.database_url.clone()),
        redis_prefix: Some(node_a.redis_prefix.clone()),
        ..Default::default()
    })
    .await;
    let user = node_a.new_user().await;
    let created = node_a
        .gql(
            Some(&user.token),
            "mutation { createApiToken(name: \"script\") { token apiToken { id } } }",
            json!({}),
        )
        .await;
    let api_token = created.data()["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api_token_id = created.data()["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut on_b = node_b.ws_connect(Some(&api_token)).await.unwrap();
    on_b.subscribe(USER_UPDATED, json!({})).await;
    let mut session_on_b = node_b.ws_connect(Some(&user.token)).await.unwrap();
    session_on_b.subscribe(USER_UPDATED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    node_a
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            json!({ "id": api_token_id }),
        )
        .await
        .data();
    assert_eq!(closed_with(&mut on_b).await, 4403);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // The session's socket is another token's: still open, and it hears updates.
    node_a
        .gql(
            Some(&user.token),
            "mutation { updateMe(input: { timeZone: \"Asia/Tokyo\" }) { id } }",
            json!({}),
        )
        .await
        .data();
    let payload = session_on_b.next_payload().await;
    assert_eq!(payload["data"]["userUpdated"]["timeZone"], "Asia/Tokyo");

    // Logging out closes the session's socket too.
    let started = Instant::now();
    node_a
        .gql(Some(&user.token), "mutation { logOut }", json!({}))
        .await
        .data();
    assert_eq!(closed_with(&mut session_on_b).await, 4403);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_new_subscription_rechecks_the_token_and_an_expiring_token_closes_its_socket() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(USER_UPDATED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // The token expires behind the socket's back (no event): the next subscription finds out.
    let db = &app.state.db;
    sea_orm::ConnectionTrait::execute_unprepared(
        db,
        "UPDATE api_tokens SET expires_at = NOW() - INTERVAL '1 minute'",
    )
    .await
    .unwrap();
    ws.subscribe(
        "subscription($id: ID!) { messageAdded(deviceId: $id, after: \"0\") { id } }",
        json!({ "id": uuid::Uuid::new_v4() }),
    )
    .await;
    assert_eq!(closed_with(&mut ws).await, 4403);

    // A token that expires while its socket is open closes it when it does.
    let other = app.new_user().await;
    sea_orm::ConnectionTrait::execute_unprepared(
        db,
        "UPDATE api_tokens SET expires_at = NOW() + INTERVAL '1 second' WHERE expires_at > NOW()",
    )
    .await
    .unwrap();
    let mut expiring = app.ws_connect(Some(&other.token)).await.unwrap();
    expiring.subscribe(USER_UPDATED, json!({})).await;
    let started = Instant::now();
    assert_eq!(closed_with(&mut expiring).await, 4403);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn sockets_without_connection_init_or_from_another_origin_are_closed() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_WS_INIT_TIMEOUT_MS", "300".into())],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;

    let mut idle = WsClient::open(&app.address, None).await.unwrap();
    let started = Instant::now();
    assert_eq!(closed_with(&mut idle).await, 4408);
    assert!(started.elapsed() < Duration::from_secs(2));

    let host = app.address.trim_start_matches("http://").to_owned();
    let evil = WsClient::open(&app.address, Some("https://evil.example")).await;
    assert!(evil.is_err(), "a foreign origin must not get a socket");
    let mut same = WsClient::open(&app.address, Some(&format!("http://{host}")))
        .await
        .unwrap();
    same.init(Some(&user.token)).await.unwrap();
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_app().await;
    for path in ["/graphql", "/healthz", "/", "/media/nothing"] {
        let response = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
    let spa = app
        .http
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    let policy = spa.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
}

#[tokio::test]
async fn simple_cross_site_posts_are_refused_and_create_nothing() {
    let app = spawn_app().await;
    let sign_up = |email: &str| {
        json!({ "query": "mutation($i: SignUpInput!) { signUp(input: $i) { token } }",
                "variables": { "i": { "email": email, "password": "plum-orchard-42", "fullName": "C" } } })
        .to_string()
    };
    let url = format!("{}/graphql", app.address);
    let text_plain = app
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body(sign_up("csrf1@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(text_plain.status(), 415);
    let form = app
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(sign_up("csrf2@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let multipart = || {
        reqwest::multipart::Form::new()
            .text("operations", sign_up("csrf3@example.com"))
            .text("map", "{}")
    };
    let bare = app
        .http
        .post(&url)
        .multipart(multipart())
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 400);
    assert_eq!(app.count("users").await, 0);

    // With the preflight-forcing header (what the SPA sends), multipart works.
    let preflighted: Value = app
        .http
        .post(&url)
        .header("x-wafleet-csrf", "1")
        .multipart(multipart())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        preflighted["data"]["signUp"]["token"].is_string(),
        "{preflighted}"
    );
}

#[tokio::test]
async fn responses_follow_the_accept_header() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let send = |accept: &'static str, query: &'static str| {
        app.http
            .post(&url)
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    let legacy = send("application/json", "{ __typename }").await.unwrap();
    assert_eq!(legacy.status(), 200);
    assert!(legacy.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let invalid = send("application/json", "{ nope }").await.unwrap();
    assert_eq!(invalid.status(), 200);

    let modern = "application/graphql-response+json, application/json;q=0.9";
    let ok = send(modern, "{ __typename }").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/graphql-response+json"));
    for broken in ["{ nope }", "{ __typename "] {
        let refused = send(modern, broken).await.unwrap();
        assert_eq!(refused.status(), 400, "{broken}");
        let body: Value = refused.json().await.unwrap();
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // An operation that ran (and failed in a resolver) is a 200 with data.
    let ran = send(modern, "{ me { id } }").await.unwrap();
    assert_eq!(ran.status(), 200);
}

#[tokio::test]
async fn change_password_and_log_out_other_sessions_end_the_other_sessions() {
    let app = spawn_app().await;
    let email = format!("ana-{}@example.com", uuid::Uuid::new_v4().simple());
    let first = app.sign_up(&email).await;
    let log_in = |password: &'static str| {
        app.gql(
            None,
            "mutation($input: LogInInput!) { logIn(input: $input) { token } }",
            json!({ "input": { "email": email, "password": password } }),
        )
    };
    let second = log_in(crate::helpers::PASSWORD).await.data()["logIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut second_ws = app.ws_connect(Some(&second)).await.unwrap();
    second_ws.subscribe(USER_UPDATED, json!({})).await;

    let change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) }";
    let wrong = app
        .gql(
            Some(&first.token),
            change,
            json!({ "input": { "currentPassword": "not-it-at-all", "newPassword": "granite-kettle-77" } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    let weak = app
        .gql(
            Some(&first.token),
            change,
            json!({ "input": { "currentPassword": crate::helpers::PASSWORD, "newPassword": email } }),
        )
        .await;
    assert_eq!(weak.error_code(), "BAD_USER_INPUT");
    assert!(weak.error_message().contains("too weak"));

    let changed = app
        .gql(
            Some(&first.token),
            change,
            json!({ "input": { "currentPassword": crate::helpers::PASSWORD, "newPassword": "granite-kettle-77" } }),
        )
        .await;
    assert_eq!(changed.data()["changePassword"], 1);
    assert_eq!(closed_with(&mut second_ws).await, 4403);
    let me = "{ me { id } }";
    assert_eq!(
        app.gql(Some(&second), me, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    app.gql(Some(&first.token), me, json!({})).await.data();
    assert_eq!(
        log_in(crate::helpers::PASSWORD).await.error_code(),
        "UNAUTHENTICATED"
    );

    // Two more sessions, then "log out other sessions" from the first.
    let third = log_in("granite-kettle-77").await.data()["logIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    log_in("granite-kettle-77").await.data();
    let ended = app
        .gql(
            Some(&first.token),
            "mutation { logOutOtherSessions }",
            json!({}),
        )
        .await;
    assert_eq!(ended.data()["logOutOtherSessions"], 2);
    assert_eq!(
        app.gql(Some(&third), me, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    app.gql(Some(&first.token), me, json!({})).await.data();
}

#[tokio::test]
async fn a_user_cannot_add_more_devices_than_the_cap() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_MAX_DEVICES_PER_USER", "2".into())],
        ..Default::default()
    })
    .await;
    let ana = app.new_user().await;
    let ben = app.new_user().await;
    let add = "mutation($name: String!) { addDevice(input: { name: $name }) { id } }";
    let tries = (0..5).map(|n| app.gql(Some(&ana.token), add, json!({ "name": format!("d{n}") })));
    let results = futures::future::join_all(tries).await;
    let added = results.iter().filter(|r| r.0["errors"].is_null()).count();
    assert_eq!(added, 2);
    let refused = results.iter().find(|r| !r.0["errors"].is_null()).unwrap();
    assert_eq!(refused.error_code(), "CONFLICT");
    // Another user's cap is their own.
    app.gql(Some(&ben.token), add, json!({ "name": "b" }))
        .await
        .data();
    assert_eq!(app.count("devices").await, 3);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([7, 94, 84]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

async fn upload(app: &TestApp, token: &str, device: &str, files: Vec<Vec<u8>>) -> (u16, Value) {
    let operations = json!({
        "query": "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }",
        "variables": { "input": { "deviceId": device, "phone": "+60123000077", "image": null } }
    });
    let map: serde_json::Map<String, Value> = (0..files.len())
        .map(|n| (n.to_string(), json!(["variables.input.image"])))
        .collect();
    let mut form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", Value::Object(map).to_string());
    for (n, bytes) in files.into_iter().enumerate() {
        form = form.part(
            n.to_string(),
            reqwest::multipart::Part::bytes(bytes)
                .file_name(format!("{n}.png"))
                .mime_str("image/png")
                .unwrap(),
        );
    }
    let response = app
        .http
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .header("x-wafleet-csrf", "1")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn media_files(app: &TestApp) -> usize {
    std::fs::read_dir(&app.state.config.media_dir)
        .map(|dir| dir.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn uploads_are_decoded_one_per_request_and_stored_only_when_accepted() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let unpaired = app.add_device(&user.token, "Unpaired").await;
    let paired = app.paired_device(&user.token, "Shop", "+60123450004").await;

    let (_, offline) = upload(&app, &user.token, &unpaired, vec![png(8, 8)]).await;
    assert_eq!(offline["errors"][0]["extensions"]["code"], "DEVICE_OFFLINE");
    assert_eq!(media_files(&app), 0, "no orphan for a refused send");

    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let polyglot = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>".to_vec();
    for bad in [bomb, polyglot] {
        let (_, refused) = upload(&app, &user.token, &paired, vec![bad]).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    let (status, many) = upload(&app, &user.token, &paired, vec![png(8, 8), png(9, 9)]).await;
    assert_eq!(status, 400, "{many}");
    assert_eq!(media_files(&app), 0);
    assert_eq!(app.count("broadcast_messages").await, 0);

    let (_, sent) = upload(&app, &user.token, &paired, vec![png(8, 8)]).await;
    assert!(sent["data"]["sendMessage"]["id"].is_string(), "{sent}");
    assert_eq!(media_files(&app), 1);
}

#[tokio::test]
async fn a_repeated_send_with_the_same_idempotency_key_sends_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let device = app.paired_device(&user.token, "Shop", "+60123450005").await;
    let other_device = app
        .paired_device(&other.token, "Theirs", "+60123450006")
        .await;
    let send = |token: String, device: String, text: &'static str, key: &'static str| {
        let app = &app;
        async move {
            app.gql(
                Some(&token),
                "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id outboxId } }",
                json!({ "input": { "deviceId": device, "phone": "+60123000088", "text": text, "idempotencyKey": key } }),
            )
            .await
        }
    };
    let (mine, theirs) = (user.token.clone(), other.token.clone());

    // The same request three times, two of them at once.
    let (a, b) = tokio::join!(
        send(mine.clone(), device.clone(), "once", "order-17"),
        send(mine.clone(), device.clone(), "once", "order-17")
    );
    let c = send(mine.clone(), device.clone(), "once", "order-17").await;
    let first = a.data()["sendMessage"].clone();
    assert_eq!(b.data()["sendMessage"], first);
    assert_eq!(c.data()["sendMessage"], first);

    // The same key for another message is a mistake; another user's key is theirs.
    let reused = send(mine.clone(), device.clone(), "something else", "order-17").await;
    assert_eq!(reused.error_code(), "CONFLICT");
    send(theirs, other_device.clone(), "once", "order-17")
        .await
        .data();

    eventually(Duration::from_secs(10), "the message sent", || async {
        !app.sim_sent(&user.token, &device).await.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.sim_sent(&user.token, &device).await.len(), 1);
    assert_eq!(app.count("broadcast_messages").await, 2);
}
