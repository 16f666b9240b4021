use std::time::Duration;

use serde_json::json;

use crate::helpers::{eventually, spawn_app, spawn_app_with, TestOptions};

const UPDATE: &str = "mutation($id: ID!, $input: UpdateDeviceInput!) { updateDevice(id: $id, input: $input) { name minDelaySeconds maxDelaySeconds dailyCap } }";

#[tokio::test]
async fn a_new_device_shows_its_qr_on_device_events_and_goes_online_when_scanned() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Sales 1").await;
    eventually(Duration::from_secs(5), "the first QR code", || async {
        !app.device(&user.token, &id).await["qrCode"].is_null()
    })
    .await;

    // A new subscriber gets the QR code that is showing, at once.
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID) { deviceEvents(deviceId: $id) { kind device { id status phone } qrCode { code expiresAt } } }",
        json!({ "id": id }),
    )
    .await;
    let first = ws.next_payload().await;
    assert_eq!(first["data"]["deviceEvents"]["kind"], "QR_CODE");
    let code = first["data"]["deviceEvents"]["qrCode"]["code"]
        .as_str()
        .unwrap();
    assert!(
        code.starts_with("2@") && code.split(',').count() == 5,
        "{code}"
    );

    let scanned = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { simScanQr(deviceId: $id, phone: \"+60 12-345 6789\") { status phone jid } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(scanned.data()["simScanQr"]["status"], "ONLINE");
    assert_eq!(scanned.data()["simScanQr"]["phone"], "+60123456789");
    assert_eq!(
        scanned.data()["simScanQr"]["jid"],
        "60123456789@s.whatsapp.net"
    );

    // The subscriber sees the device turn ONLINE.
    loop {
        let event = ws.next_payload().await;
        let data = &event["data"]["deviceEvents"];
        if data["kind"] == "STATUS" && data["device"]["status"] == "ONLINE" {
            assert_eq!(data["device"]["phone"], "+60123456789");
            break;
        }
    }
    let device = app.device(&user.token, &id).await;
    assert!(device["qrCode"].is_null());
    let statuses: Vec<_> = device["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].clone())
        .collect();
    assert_eq!(statuses.first().unwrap(), "ONLINE");
    assert_eq!(statuses.last().unwrap(), "PAIRING");
}

#[tokio::test]
async fn devices_are_listed_newest_first_with_filters_and_pages() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    for name in ["Alpha", "Bravo", "Charlie"] {
        app.add_device(&user.token, name).await;
    }
    app.add_device(&other.token, "Not yours").await;
    let list = "query($first: Int, $after: String, $search: String, $status: DeviceStatus) { devices(first: $first, after: $after, search: $search, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }";

    let page1 = app
        .gql(Some(&user.token), list, json!({ "first": 2 }))
        .await;
    let devices = &page1.data()["devices"];
    assert_eq!(devices["totalCount"], 3);
    assert_eq!(devices["pageInfo"]["hasNextPage"], true);
    let names: Vec<_> = devices["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Charlie"), json!("Bravo")]);
    let cursor = devices["pageInfo"]["endCursor"].as_str().unwrap();
    let page2 = app
        .gql(
            Some(&user.token),
            list,
            json!({ "first": 2, "after": cursor }),
        )
        .await;
    assert_eq!(page2.data()["devices"]["edges"][0]["node"]["name"], "Alpha");
    assert_eq!(page2.data()["devices"]["pageInfo"]["hasNextPage"], false);

    let searched = app
        .gql(Some(&user.token), list, json!({ "search": "rav" }))
        .await;
    assert_eq!(searched.data()["devices"]["totalCount"], 1);
    let online = app
        .gql(Some(&user.token), list, json!({ "status": "ONLINE" }))
        .await;
    assert_eq!(online.data()["devices"]["totalCount"], 0);
    let bad_cursor = app
        .gql(Some(&user.token), list, json!({ "after": "nope" }))
        .await;
    assert_eq!(bad_cursor.error_code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn someone_elses_device_is_not_found_and_stays_unchanged() {
    let app = spawn_app().await;
    let owner = app.new_user().await;
    let intruder = app.new_user().await;
    let id = app.add_device(&owner.token, "Mine").await;

    assert!(app.device(&intruder.token, &id).await.is_null());
    let update = app
        .gql(
            Some(&intruder.token),
            UPDATE,
            json!({ "id": id, "input": { "name": "Stolen" } }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
    for mutation in [
        "mutation($id: ID!) { reconnectDevice(id: $id) { id } }",
        "mutation($id: ID!) { logOutDevice(id: $id) { id } }",
        "mutation($id: ID!) { deleteDevice(id: $id) { chats } }",
        "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
    ] {
        let response = app
            .gql(Some(&intruder.token), mutation, json!({ "id": id }))
            .await;
        assert_eq!(response.error_code(), "NOT_FOUND", "{mutation}");
    }
    let mut ws = app.ws_connect(Some(&intruder.token)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID) { deviceEvents(deviceId: $id) { kind } }",
        json!({ "id": id }),
    )
    .await;
    let refused = ws.recv().await.unwrap();
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert_eq!(refused["payload"]["data"], json!(null));

    assert_eq!(app.device(&owner.token, &id).await["name"], "Mine");
}

#[tokio::test]
async fn device_settings_are_validated_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Pacing").await;
    let device = app.device(&user.token, &id).await;
    assert_eq!(
        (
            device["minDelaySeconds"].clone(),
            device["maxDelaySeconds"].clone()
        ),
        (json!(5), json!(15))
    );

    let ok = app
        .gql(Some(&user.token), UPDATE, json!({ "id": id, "input": { "name": "Renamed", "minDelaySeconds": 8, "maxDelaySeconds": 20, "dailyCap": 300 } }))
        .await;
    assert_eq!(
        ok.data()["updateDevice"],
        json!({ "name": "Renamed", "minDelaySeconds": 8, "maxDelaySeconds": 20, "dailyCap": 300 })
    );

    for input in [
        json!({ "minDelaySeconds": 30 }),
        json!({ "maxDelaySeconds": 2 }),
        json!({ "minDelaySeconds": -1 }),
        json!({ "dailyCap": 0 }),
        json!({ "name": "   " }),
    ] {
        let response = app
            .gql(
                Some(&user.token),
                UPDATE,
                json!({ "id": id, "input": input }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
    }
    let cleared = app
        .gql(
            Some(&user.token),
            UPDATE,
            json!({ "id": id, "input": { "dailyCap": null } }),
        )
        .await;
    assert_eq!(cleared.data()["updateDevice"]["dailyCap"], json!(null));
    let device = app.device(&user.token, &id).await;
    assert_eq!(device["name"], "Renamed");
    assert_eq!(device["minDelaySeconds"], 8);

    let bad_add = app
        .gql(
            Some(&user.token),
            "mutation { addDevice(input: { name: \"X\", minDelaySeconds: 10, maxDelaySeconds: 5 }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(bad_add.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("devices").await, 1);
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_a_silently_dead_one_is_caught_by_the_health_check() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Flaky", "+447700900123")
        .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
        json!({ "id": id }),
    )
    .await
    .data();
    eventually(
        Duration::from_secs(10),
        "a reconnect after the drop",
        || async {
            let device = app.device(&user.token, &id).await;
            device["status"] == "ONLINE"
                && device["history"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["status"] == "RECONNECTING")
        },
    )
    .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simDisconnect(deviceId: $id, silent: true) }",
        json!({ "id": id }),
    )
    .await
    .data();
    eventually(
        Duration::from_secs(10),
        "the health check to notice",
        || async {
            let device = app.device(&user.token, &id).await;
            device["status"] == "ONLINE"
                && device["history"].as_array().unwrap().iter().any(|h| {
                    h["reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("health check"))
                })
        },
    )
    .await;
}

#[tokio::test]
async fn a_temporary_ban_pauses_the_device_until_it_expires() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Banned", "+60111111111")
        .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simBan(deviceId: $id, seconds: 2) }",
        json!({ "id": id }),
    )
    .await
    .data();

    let banned = app.wait_for_status(&user.token, &id, "BANNED").await;
    assert!(banned["bannedUntil"].is_string());
    assert!(banned["statusReason"]
        .as_str()
        .unwrap()
        .contains("too many"));
    app.wait_for_status(&user.token, &id, "ONLINE").await;
}

#[tokio::test]
async fn a_logout_on_the_phone_ends_in_logged_out_and_reconnect_pairs_again() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Unlinked", "+60122222222")
        .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simLogOut(deviceId: $id) }",
        json!({ "id": id }),
    )
    .await
    .data();
    app.wait_for_status(&user.token, &id, "LOGGED_OUT").await;

    let again = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { reconnectDevice(id: $id) { status jid } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(again.data()["reconnectDevice"]["status"], "PAIRING");
    assert_eq!(again.data()["reconnectDevice"]["jid"], json!(null));
    eventually(Duration::from_secs(5), "a new QR code", || async {
        !app.device(&user.token, &id).await["qrCode"].is_null()
    })
    .await;
}

#[tokio::test]
async fn log_out_from_the_dashboard_unlinks_the_device() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Dashboard logout", "+60133333333")
        .await;

    let response = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { logOutDevice(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(response.data()["logOutDevice"]["status"], "LOGGED_OUT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.device(&user.token, &id).await["status"], "LOGGED_OUT");
}

#[tokio::test]
async fn too_many_failed_restarts_in_a_row_end_in_failed_not_an_endless_loop() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_DEVICE_RESTART_CAP", "3".into())],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Doomed", "+60144444444")
        .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simFailConnects(deviceId: $id, count: 100) }",
        json!({ "id": id }),
    )
    .await
    .data();
    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
        json!({ "id": id }),
    )
    .await
    .data();

    let failed = app.wait_for_status(&user.token, &id, "FAILED").await;
    assert!(
        failed["statusReason"]
            .as_str()
            .unwrap()
            .contains("3 failed attempts"),
        "{failed}"
    );
    // It stays FAILED: no more attempts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.device(&user.token, &id).await["status"], "FAILED");

    // Once the network works again, reconnectDevice brings it back.
    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simFailConnects(deviceId: $id, count: 0) }",
        json!({ "id": id }),
    )
    .await
    .data();
    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { reconnectDevice(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await
    .data();
    app.wait_for_status(&user.token, &id, "ONLINE").await;
}

#[tokio::test]
async fn pairing_by_phone_number_returns_a_code_that_also_arrives_on_device_events() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "By code").await;
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription { deviceEvents { kind pairingCode { code } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let response = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { requestPairingCode(deviceId: $id, phone: \"+60 19 555 0000\") { code expiresAt } }",
            json!({ "id": id }),
        )
        .await;
    let code = response.data()["requestPairingCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 8);

    loop {
        let event = ws.next_payload().await;
        if event["data"]["deviceEvents"]["kind"] == "PAIRING_CODE" {
            assert_eq!(
                event["data"]["deviceEvents"]["pairingCode"]["code"],
                code.as_str()
            );
            break;
        }
    }
    let bad_phone = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { requestPairingCode(deviceId: $id, phone: \"012345\") { code } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(bad_phone.error_code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn delete_device_logs_out_first_and_removes_everything_in_one_go() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let id = app
        .paired_device(&user.token, "Doomed", "+60155555555")
        .await;
    let mut ws = app.ws_connect(Some(&user.token)).await.unwrap();
    ws.subscribe(
        "subscription { deviceEvents { kind device { id status } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let response = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { deleteDevice(id: $id) { deviceId chats messages leads outbox } }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(response.data()["deleteDevice"]["deviceId"], id.as_str());
    assert_eq!(response.data()["deleteDevice"]["outbox"], 0);
    assert!(app.device(&user.token, &id).await.is_null());
    assert_eq!(app.count("devices").await, 0);
    assert_eq!(app.count("device_status_changes").await, 0);
    let mut kinds = Vec::new();
    while !kinds.contains(&json!("DELETED")) {
        let event = ws.next_payload().await;
        kinds.push(event["data"]["deviceEvents"]["kind"].clone());
        if event["data"]["deviceEvents"]["kind"] == "STATUS" {
            assert_eq!(
                event["data"]["deviceEvents"]["device"]["status"],
                "LOGGED_OUT"
            );
        }
    }
    assert!(app.workers.supervisor.running().is_empty());
}

#[tokio::test]
async fn a_qr_code_that_nobody_scans_expires_and_reconnect_shows_a_new_one() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_SIM_QR_TTL_MS", "50".into())],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Unscanned").await;

    eventually(
        Duration::from_secs(5),
        "the QR codes to run out",
        || async {
            let device = app.device(&user.token, &id).await;
            device["statusReason"]
                .as_str()
                .is_some_and(|r| r.contains("expired"))
        },
    )
    .await;
    assert_eq!(app.device(&user.token, &id).await["status"], "PAIRING");
    // The runner stores the status, then releases the device: a moment apart.
    eventually(Duration::from_secs(5), "the session to end", || async {
        app.workers.supervisor.running().is_empty()
    })
    .await;

    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { reconnectDevice(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await
    .data();
    eventually(Duration::from_secs(5), "a new QR code", || async {
        !app.device(&user.token, &id).await["qrCode"].is_null()
    })
    .await;
}

#[tokio::test]
async fn without_a_live_connection_a_device_fails_with_a_clear_reason_instead_of_hanging() {
    // A local port nobody listens on: WhatsApp is unreachable.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/ws/chat", closed.local_addr().unwrap());
    drop(closed);
    let app = spawn_app_with(TestOptions {
        env: vec![
            ("WAFLEET_WHATSAPP", "live".into()),
            ("WAFLEET_WHATSAPP_URL", url),
            // No version fetch: the test reaches nothing beyond this machine.
            ("WAFLEET_WHATSAPP_VERSION", "2.3000.1023000000".into()),
            ("WAFLEET_DEVICE_RESTART_CAP", "2".into()),
        ],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let id = app.add_device(&user.token, "Live").await;

    let failed = app.wait_for_status(&user.token, &id, "FAILED").await;
    assert!(
        failed["statusReason"]
            .as_str()
            .unwrap()
            .contains("The server cannot reach WhatsApp. Check that the machine running wafleet has internet access"),
        "{failed}"
    );
    // The simulated network's controls do not exist in live mode.
    let sim = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(sim.error_code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn paired_devices_come_back_online_after_a_restart() {
    let mut first = spawn_app().await;
    let user = first.new_user().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            first
                .paired_device(&user.token, &format!("D{n}"), &format!("+6017000000{n}"))
                .await,
        );
    }
    first.stop().await;
    for id in &ids {
        assert_eq!(first.status_in_database(id).await, "OFFLINE");
    }

    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..Default::default()
    })
    .await;
    for id in &ids {
        second.wait_for_status(&user.token, id, "ONLINE").await;
    }
}

#[tokio::test]
async fn when_a_node_dies_its_devices_move_to_another_node_within_the_lease_time() {
    let mut node_a = spawn_app().await;
    let user = node_a.new_user().await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            node_a
                .paired_device(&user.token, &format!("N{n}"), &format!("+6018000000{n}"))
                .await,
        );
    }
    let node_b = spawn_app_with(TestOptions {
        database_url: Some(node_a.database_url.clone()),
        redis_prefix: Some(node_a.redis_prefix.clone()),
        ..Default::default()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    // Every device runs on exactly one node.
    assert_eq!(node_a.workers.supervisor.running().len(), 6);
    assert!(node_b.workers.supervisor.running().is_empty());

    node_a.kill();
    let killed_at = tokio::time::Instant::now();

    eventually(
        Duration::from_secs(10),
        "node B to take every device",
        || async { node_b.workers.supervisor.running().len() == 6 },
    )
    .await;
    // Lease TTL is 1.5 s in tests; the other node scans every TTL/3.
    assert!(
        killed_at.elapsed() < Duration::from_millis(1500 + 1500),
        "took {:?}",
        killed_at.elapsed()
    );
    for id in &ids {
        let device = node_b.wait_for_status(&user.token, id, "ONLINE").await;
        assert!(device["phone"].is_string());
    }
    // Commands now reach the device on node B.
    node_b
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
            json!({ "id": ids[0] }),
        )
        .await
        .data();
    eventually(Duration::from_secs(10), "a reconnect on node B", || async {
        let device = node_b.device(&user.token, &ids[0]).await;
        device["status"] == "ONLINE"
            && device["history"].as_array().unwrap()[..3]
                .iter()
                .any(|h| h["status"] == "RECONNECTING")
    })
    .await;
}
