//! The scheduler: scheduled outbox rows are sent when their time comes, driven by `tick(now)` or
//! by moving the simulated clock — never by waiting for the schedule.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use wafleet::{
    domain::outbox::{send, Content, NewMessage},
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
    workers::scheduler,
};

use crate::helpers::{eventually, spawn_app, TestApp};

fn scheduled(user: &str, device: &str, phone: &str, at: chrono::DateTime<Utc>) -> NewMessage {
    let phone = PhoneNumber::parse(phone).unwrap();
    NewMessage {
        scheduled_at: Some(at),
        ..NewMessage::inbox(
            UserId(user.parse().unwrap()),
            DeviceId(device.parse().unwrap()),
            phone.clone(),
            Jid::from_phone(&phone),
            Content::text("Good morning").unwrap(),
        )
    }
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> String {
    let outbox = app
        .gql(
            Some(token),
            "{ outbox { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    outbox.data()["outbox"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == id.to_string().as_str())
        .map(|e| e["node"]["status"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_scheduled_message_waits_for_its_time_and_is_sent_once_when_it_comes() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Morning", "+60123000077")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;
    let now = app.state.clock.now();
    let rows = send::enqueue(
        app.state.ports(),
        vec![scheduled(
            &user.id,
            &device,
            "+60123456789",
            now + chrono::Duration::hours(1),
        )],
    )
    .await
    .unwrap();
    let id = rows[0].id;
    assert_eq!(status_of(&app, &user.token, id).await, "PENDING");

    // Not yet due: nothing moves.
    let early = scheduler::tick(&app.state, now + chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(early.promoted, 0);
    assert_eq!(status_of(&app, &user.token, id).await, "PENDING");

    // Two nodes ticking at once promote it once.
    let later = now + chrono::Duration::hours(2);
    let (a, b) = tokio::join!(
        scheduler::tick(&app.state, later),
        scheduler::tick(&app.state, later)
    );
    assert_eq!(a.unwrap().promoted + b.unwrap().promoted, 1);
    eventually(
        Duration::from_secs(10),
        "the due message to go out",
        || async { status_of(&app, &user.token, id).await == "SENT" },
    )
    .await;
    let sent = app.sim_sent(&user.token, &device).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["text"], "Good morning");
    let counts = app
        .gql(
            Some(&user.token),
            "{ outboxCounts { pending queued sent } }",
            json!({}),
        )
        .await;
    assert_eq!(
        counts.data()["outboxCounts"],
        json!({ "pending": 0, "queued": 0, "sent": 1 })
    );
}

#[tokio::test]
async fn moving_the_simulated_clock_sends_what_came_due_without_waiting() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Tomorrow", "+60123000078")
        .await;
    app.set_delays(&user.token, &device, 0, 0).await;
    let before = app
        .gql(Some(&user.token), "{ simClock }", json!({}))
        .await
        .data()["simClock"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<Utc>>()
        .unwrap();
    let rows = send::enqueue(
        app.state.ports(),
        vec![scheduled(
            &user.id,
            &device,
            "+60123456789",
            before + chrono::Duration::days(1),
        )],
    )
    .await
    .unwrap();
    // A day ahead is not due now.
    let now = scheduler::tick(&app.state, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(now.promoted, 0);
    assert!(app.sim_sent(&user.token, &device).await.is_empty());

    let moved = app
        .gql(
            Some(&user.token),
            "mutation { simAdvanceClock(seconds: 90000) }",
            json!({}),
        )
        .await;
    let after = moved.data()["simAdvanceClock"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<Utc>>()
        .unwrap();
    assert!(after - before >= chrono::Duration::seconds(90000));
    eventually(Duration::from_secs(10), "the message to go out", || async {
        status_of(&app, &user.token, rows[0].id).await == "SENT"
    })
    .await;
    assert_eq!(app.sim_sent(&user.token, &device).await.len(), 1);
    // The clock never goes back.
    let refused = app
        .gql(
            Some(&user.token),
            "mutation { simAdvanceClock(seconds: -5) }",
            json!({}),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
}
