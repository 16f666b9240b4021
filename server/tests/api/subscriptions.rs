use std::time::Duration;

use serde_json::json;
use wafleet::events::{Event, EventBus, EventKind, EventPublisher};

use crate::helpers::{spawn_app, spawn_app_with, TestOptions};

const UPDATE: &str = "mutation($tz: String!) { updateMe(input: { timeZone: $tz }) { timeZone } }";

#[tokio::test]
async fn a_websocket_without_a_valid_token_is_refused() {
    let app = spawn_app().await;

    let anonymous = app.ws_connect(None).await;
    assert!(anonymous.is_err());
    let bogus = app.ws_connect(Some("wft_bogus")).await;
    assert!(bogus.is_err());
}

#[tokio::test]
async fn user_updated_reaches_the_subscriber_and_only_the_owner() {
    let app = spawn_app().await;
    let ana = app.new_user().await;
    let ben = app.new_user().await;
    let mut ana_ws = app.ws_connect(Some(&ana.token)).await.unwrap();
    let mut ben_ws = app.ws_connect(Some(&ben.token)).await.unwrap();
    ana_ws
        .subscribe("subscription { userUpdated { id timeZone } }", json!({}))
        .await;
    ben_ws
        .subscribe("subscription { userUpdated { id timeZone } }", json!({}))
        .await;
    // The subscription is registered asynchronously; give it a moment before publishing.
    tokio::time::sleep(Duration::from_millis(200)).await;

    app.gql(Some(&ana.token), UPDATE, json!({ "tz": "Europe/Berlin" }))
        .await
        .data();
    app.gql(Some(&ben.token), UPDATE, json!({ "tz": "Asia/Tokyo" }))
        .await
        .data();

    let for_ana = ana_ws.next_payload().await;
    assert_eq!(for_ana["data"]["userUpdated"]["id"], ana.id.as_str());
    assert_eq!(for_ana["data"]["userUpdated"]["timeZone"], "Europe/Berlin");
    let for_ben = ben_ws.next_payload().await;
    assert_eq!(for_ben["data"]["userUpdated"]["timeZone"], "Asia/Tokyo");
}

#[tokio::test]
async fn a_subscription_on_one_node_sees_a_change_made_on_another() {
    let node_a = spawn_app().await;
    let node_b = spawn_app_with(TestOptions {
        database_url: Some(node_a.database_url.clone()),
        redis_prefix: Some(node_a.redis_prefix.clone()),
        ..Default::default()
    })
    .await;
    let user = node_a.new_user().await;
    let mut ws_on_b = node_b.ws_connect(Some(&user.token)).await.unwrap();
    ws_on_b
        .subscribe("subscription { userUpdated { timeZone } }", json!({}))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    node_a
        .gql(
            Some(&user.token),
            UPDATE,
            json!({ "tz": "America/Sao_Paulo" }),
        )
        .await
        .data();

    let payload = ws_on_b.next_payload().await;
    assert_eq!(
        payload["data"]["userUpdated"]["timeZone"],
        "America/Sao_Paulo"
    );
}

#[tokio::test]
async fn redis_buses_with_the_same_prefix_share_events_and_others_do_not() {
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("wafleet-test:{}:", uuid::Uuid::new_v4().simple());
    let connect = |prefix: String| {
        let url = url.clone();
        async move {
            let (pool, config) = wafleet::startup::connect_redis(&url).await.unwrap();
            EventBus::redis(pool, config, &prefix).await.unwrap()
        }
    };
    let publisher = connect(prefix.clone()).await;
    let listener = connect(prefix.clone()).await;
    let stranger = connect(format!("{prefix}other:")).await;
    let mut on_listener = listener.subscribe();
    let mut on_stranger = stranger.subscribe();

    let event = Event {
        user_id: uuid::Uuid::new_v4(),
        kind: EventKind::UserUpdated,
    };
    publisher.publish(event.clone()).await;

    let received = tokio::time::timeout(Duration::from_secs(5), on_listener.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*received, event);
    let nothing = tokio::time::timeout(Duration::from_millis(300), on_stranger.recv()).await;
    assert!(nothing.is_err(), "another prefix must not see the event");
}
