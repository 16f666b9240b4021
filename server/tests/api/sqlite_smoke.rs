//! The embedded default (SQLite, in-process queue and bus) works end to end and keeps its data
//! across a restart.
use serde_json::json;

use crate::helpers::{spawn_app_with, TempDir, TestOptions, PASSWORD};

#[tokio::test]
async fn the_embedded_default_signs_up_logs_in_and_survives_a_restart() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("wafleet.db");
    let options = TestOptions {
        database_url: Some(url),
        redis: false,
        ..Default::default()
    };

    let first = spawn_app_with(options.clone()).await;
    let user = first.sign_up("embedded@example.com").await;
    let created = first
        .gql(
            Some(&user.token),
            "mutation { createApiToken(name: \"cli\") { token } }",
            json!({}),
        )
        .await;
    let api_token = created.data()["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let ready: serde_json::Value = first
        .http
        .get(format!("{}/readyz", first.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["redis"], serde_json::Value::Null);
    drop(first);

    let second = spawn_app_with(options).await;
    let me = second
        .gql(Some(&api_token), "{ me { email } }", json!({}))
        .await;
    assert_eq!(me.data()["me"]["email"], "embedded@example.com");
    let login = second
        .gql(
            None,
            "mutation { logIn(input: {email: \"embedded@example.com\", password: \"plum-orchard-42\"}) { token } }",
            json!({}),
        )
        .await;
    assert!(login.data()["logIn"]["token"].is_string());
    let _ = PASSWORD;
}

#[tokio::test]
async fn the_embedded_default_pairs_a_device_and_sends_through_the_in_process_queue() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("wafleet.db");
    let app = spawn_app_with(TestOptions {
        database_url: Some(url),
        redis: false,
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Embedded", "+60100000099")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;

    for n in 0..3 {
        app.send_text(
            &user.token,
            &device,
            "+60123459999",
            &format!("embedded {n}"),
        )
        .await;
    }

    crate::helpers::eventually(
        std::time::Duration::from_secs(10),
        "three sends",
        || async { app.outbox_by_status().await.get("SENT") == Some(&3) },
    )
    .await;
    let sent = app.sim_sent(&user.token, &device).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0]["to"], "60123459999@s.whatsapp.net");
}

#[tokio::test]
async fn concurrent_sends_on_the_embedded_default_all_succeed_once() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("wafleet.db");
    let app = spawn_app_with(TestOptions {
        database_url: Some(url),
        redis: false,
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let device = app.paired_device(&user.token, "Busy", "+60100000098").await;
    app.set_delays(&user.token, &device, 0, 0).await;

    // Many sends at once while the pacer is busy writing: none may fail after being queued.
    let sends = (0..40).map(|n| {
        let app = &app;
        let token = user.token.clone();
        let device = device.clone();
        async move {
            app.gql(
                Some(&token),
                "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id status } }",
                json!({ "input": { "deviceId": device, "phone": "+60123459998", "text": format!("burst {n}") } }),
            )
            .await
        }
    });
    let responses = futures::future::join_all(sends).await;

    for response in &responses {
        assert_eq!(response.data()["sendMessage"]["status"], "PENDING");
    }
    crate::helpers::eventually(
        std::time::Duration::from_secs(20),
        "forty sends",
        || async { app.outbox_by_status().await.get("SENT") == Some(&40) },
    )
    .await;
    assert_eq!(app.sim_sent(&user.token, &device).await.len(), 40);
}

#[tokio::test]
async fn sends_held_by_a_pacer_when_its_device_drops_go_out_after_the_reconnect() {
    let dir = TempDir::new();
    let url = dir.sqlite_url("wafleet.db");
    let app = spawn_app_with(TestOptions {
        database_url: Some(url),
        redis: false,
        env: vec![("WAFLEET_SIM_SEND_LATENCY_MS", "30".into())],
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Dropping", "+60100000097")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;
    for n in 0..40 {
        app.send_text(&user.token, &device, "+60123459997", &format!("held {n}"))
            .await;
    }

    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    app.gql(
        Some(&user.token),
        "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
        json!({ "id": device }),
    )
    .await
    .data();

    crate::helpers::eventually(
        std::time::Duration::from_secs(20),
        "all forty sent",
        || async { app.outbox_by_status().await.get("SENT") == Some(&40) },
    )
    .await;
    assert_eq!(app.sim_sent(&user.token, &device).await.len(), 40);
}
