//! AI campaigns end to end: the pool dealt evenly over the devices up to their limit, a device
//! that fails three sends in a row or goes offline giving its unsent leads to the others (and
//! rejoining when it is back), two nodes and interrupted rounds dealing no lead twice, and bad
//! input refused — each proven by what `simSent` received.

use std::{collections::HashMap, time::Duration};

use serde_json::{json, Value};
use wafleet::domain::campaigns::ai;

use crate::helpers::{eventually, spawn_app, spawn_app_with, TestApp, TestOptions};

const FIELDS: &str = "id kind status pausedReason perDeviceLimit \
    progress { status totals { total sent failed cancelled } \
    aiDevices { deviceId deviceName online status dealt sent failed room reason } } \
    redeals { total entries { leadId leadPhone fromDeviceId toDeviceId reason at } }";

async fn pool_leads(app: &TestApp, token: &str, count: usize, prefix: &str, niches: &[&str]) {
    for n in 0..count {
        app.gql(
            Some(token),
            "mutation($i: AiLeadInput!) { createAiLead(input: $i) { id } }",
            json!({ "i": { "name": format!("Lead {n}"), "phone": format!("{prefix}{n:04}"), "niches": niches } }),
        )
        .await
        .data();
    }
}

async fn devices(app: &TestApp, token: &str, count: usize, phone_prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let id = app
            .paired_device(
                token,
                &format!("AI {n:02}"),
                &format!("{phone_prefix}{n:02}"),
            )
            .await;
        app.set_delays(token, &id, 0, 0).await;
        ids.push(id);
    }
    ids
}

async fn create(app: &TestApp, token: &str, input: Value) -> crate::helpers::GqlResponse {
    let mut input = input;
    input["kind"] = json!("AI");
    app.gql(
        Some(token),
        &format!("mutation($i: CampaignInput!) {{ createCampaign(input: $i) {{ {FIELDS} }} }}"),
        json!({ "i": input }),
    )
    .await
}

/// Creates an AI campaign that must be accepted; its id.
async fn create_id(app: &TestApp, token: &str, input: Value) -> String {
    create(app, token, input).await.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn campaign(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(
        Some(token),
        &format!("query($id: ID!) {{ campaign(id: $id) {{ {FIELDS} }} }}"),
        json!({ "id": id }),
    )
    .await
    .data()["campaign"]
        .clone()
}

async fn wait_for(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        last = campaign(app, token, id).await;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("campaign {id} never reached {status}; last seen: {last}");
}

/// Every number the simulated network received from these devices, with how often.
async fn received(app: &TestApp, token: &str, devices: &[String]) -> HashMap<String, Vec<String>> {
    let mut by_phone: HashMap<String, Vec<String>> = HashMap::new();
    for device in devices {
        for sent in app.sim_sent(token, device).await {
            let to = sent["to"].as_str().unwrap();
            by_phone
                .entry(format!("+{}", to.split('@').next().unwrap()))
                .or_default()
                .push(device.clone());
        }
    }
    by_phone
}

fn each_once(received: &HashMap<String, Vec<String>>) {
    for (phone, from) in received {
        assert_eq!(from.len(), 1, "{phone} received {} messages", from.len());
    }
}

async fn pool_by_status(app: &TestApp, token: &str) -> HashMap<String, i64> {
    let stats = app
        .gql(
            Some(token),
            "{ aiLeadStats { byStatus { status count } } }",
            json!({}),
        )
        .await;
    stats.data()["aiLeadStats"]["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap().to_owned(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn part<'a>(campaign: &'a Value, device: &str) -> &'a Value {
    campaign["progress"]["aiDevices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deviceId"] == device)
        .unwrap_or_else(|| panic!("no part for {device} in {campaign}"))
}

#[tokio::test]
async fn ten_devices_with_a_limit_of_seven_send_seventy_leads_and_leave_thirty_in_the_pool() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 10, "+601110000").await;
    pool_leads(&app, t, 100, "+6012300", &["Beauty"]).await;

    let preview = app
        .gql(
            Some(t),
            "query($i: CampaignInput!) { campaignPreview(input: $i) { leads leftPending onlineDevices devices { leads online } } }",
            json!({ "i": { "kind": "AI", "title": "Pool", "message": "Hi {name|there}", "niches": ["beauty"], "perDeviceLimit": 7, "minDelaySeconds": 0, "maxDelaySeconds": 0 } }),
        )
        .await;
    let preview = preview.data()["campaignPreview"].clone();
    assert_eq!(preview["leads"], 70, "{preview}");
    assert_eq!(preview["leftPending"], 30);
    assert_eq!(preview["onlineDevices"], 10);
    assert!(preview["devices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["leads"] == 7));

    let id = create_id(&app, t, json!({ "title": "Pool", "message": "Hi {name|there}", "niches": ["beauty"], "perDeviceLimit": 7, "minDelaySeconds": 0, "maxDelaySeconds": 0 })).await;
    let done = wait_for(&app, t, &id, "COMPLETED_WITH_PENDING").await;
    assert_eq!(
        done["pausedReason"],
        "30 leads left for a later campaign: every device reached its limit."
    );
    assert_eq!(done["progress"]["totals"]["sent"], 70, "{done}");
    for device in &fleet {
        let part = part(&done, device);
        assert_eq!(part["sent"], 7, "{part}");
        assert_eq!(part["room"], 0);
        assert_eq!(part["status"], "LIMIT_REACHED");
        assert_eq!(app.sim_sent(t, device).await.len(), 7);
    }
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 70);
    each_once(&got);
    let pool = pool_by_status(&app, t).await;
    assert_eq!(pool.get("SENT"), Some(&70), "{pool:?}");
    assert_eq!(pool.get("PENDING"), Some(&30), "{pool:?}");
    // A sent lead says which device it went out from.
    let sent = app
        .gql(
            Some(t),
            "{ aiLeads(filter: { status: SENT }, first: 100) { edges { node { phone device { id } } } } }",
            json!({}),
        )
        .await;
    let edges = sent.data()["aiLeads"]["edges"].as_array().unwrap().clone();
    assert_eq!(edges.len(), 70);
    for edge in &edges {
        let lead = &edge["node"];
        let phone = lead["phone"].as_str().unwrap();
        assert_eq!(
            got[phone][0],
            lead["device"]["id"].as_str().unwrap(),
            "{lead}"
        );
    }

    // A later campaign takes the leads left, and none of the sent ones.
    let again = create(
        &app,
        t,
        json!({ "title": "Rest", "message": "Hello", "perDeviceLimit": 10, "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let again = again.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rest = wait_for(&app, t, &again, "COMPLETED").await;
    assert_eq!(rest["progress"]["totals"]["sent"], 30, "{rest}");
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 100);
    each_once(&got);
}

#[tokio::test]
async fn a_device_failing_three_sends_in_a_row_is_out_and_its_unsent_leads_go_to_the_others() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 3, "+601120000").await;
    pool_leads(&app, t, 30, "+6012310", &[]).await;
    app.gql(
        Some(t),
        "mutation($id: ID!) { simFailSends(deviceId: $id, count: 3, error: \"not on WhatsApp\") }",
        json!({ "id": fleet[0] }),
    )
    .await
    .data();
    // A second apart, so the failing device still holds leads when its third failure is seen.
    let id = create_id(&app, t, json!({ "title": "Failover", "message": "Hi", "perDeviceLimit": 30, "minDelaySeconds": 1, "maxDelaySeconds": 1 })).await;
    let done = wait_for(&app, t, &id, "COMPLETED").await;
    let failing = part(&done, &fleet[0]);
    assert_eq!(failing["status"], "FAILED", "{done}");
    assert_eq!(failing["failed"], 3);
    assert_eq!(failing["reason"], "3 sends failed in a row");
    assert_eq!(done["progress"]["totals"]["failed"], 3);
    assert_eq!(done["progress"]["totals"]["sent"], 27, "{done}");
    let redeals = &done["redeals"];
    assert!(redeals["total"].as_i64().unwrap() >= 1, "{done}");
    for entry in redeals["entries"].as_array().unwrap() {
        assert_eq!(entry["fromDeviceId"], fleet[0]);
        assert_eq!(entry["reason"], "3 sends failed in a row");
        assert!(
            entry["toDeviceId"] == fleet[1] || entry["toDeviceId"] == fleet[2],
            "{entry}"
        );
    }
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 27);
    each_once(&got);
    let pool = pool_by_status(&app, t).await;
    assert_eq!(pool.get("SENT"), Some(&27), "{pool:?}");
    assert_eq!(pool.get("FAILED"), Some(&3), "{pool:?}");

    // Retrying the failed ones sends them once each and ends the campaign again.
    let retried = app
        .gql(
            Some(t),
            "mutation($id: ID!) { retryFailed(campaignId: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(retried.data()["retryFailed"], 3);
    let again = wait_for(&app, t, &id, "COMPLETED").await;
    assert_eq!(again["progress"]["totals"]["sent"], 30, "{again}");
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 30);
    each_once(&got);
}

#[tokio::test]
async fn a_device_that_goes_offline_gives_its_leads_to_the_others_and_rejoins_when_back() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 3, "+601130000").await;
    pool_leads(&app, t, 60, "+6012320", &[]).await;
    let id = create_id(&app, t, json!({ "title": "Offline", "message": "Hi", "perDeviceLimit": 25, "minDelaySeconds": 1, "maxDelaySeconds": 1 })).await;
    eventually(Duration::from_secs(20), "the first sends", || async {
        app.sim_sent(t, &fleet[1]).await.len() >= 2
    })
    .await;
    // The device drops and cannot reconnect.
    for mutation in [
        "mutation($id: ID!) { simFailConnects(deviceId: $id, count: 100) }",
        "mutation($id: ID!) { simDisconnect(deviceId: $id) }",
    ] {
        app.gql(Some(t), mutation, json!({ "id": fleet[1] }))
            .await
            .data();
    }
    eventually(
        Duration::from_secs(20),
        "its leads dealt to the others",
        || async {
            let now = campaign(&app, t, &id).await;
            let away = part(&now, &fleet[1]);
            now["redeals"]["total"].as_i64().unwrap() > 0
                && away["online"] == false
                && away["dealt"] == away["sent"]
        },
    )
    .await;
    let during = campaign(&app, t, &id).await;
    let sent_before = part(&during, &fleet[1])["sent"].as_i64().unwrap();
    for entry in during["redeals"]["entries"].as_array().unwrap() {
        assert_eq!(entry["fromDeviceId"], fleet[1]);
        assert_eq!(entry["reason"], "device went offline");
    }
    // The others reach their limit (50 of 60); the campaign waits for the offline device,
    // which has room left, instead of ending.
    eventually(
        Duration::from_secs(60),
        "the others at their limit",
        || async {
            let now = campaign(&app, t, &id).await;
            part(&now, &fleet[0])["sent"] == 25 && part(&now, &fleet[2])["sent"] == 25
        },
    )
    .await;
    assert_eq!(campaign(&app, t, &id).await["status"], "RUNNING");

    for mutation in [
        "mutation($id: ID!) { simFailConnects(deviceId: $id, count: 0) }",
        "mutation($id: ID!) { reconnectDevice(id: $id) { id } }",
    ] {
        app.gql(Some(t), mutation, json!({ "id": fleet[1] }))
            .await
            .data();
    }
    let done = wait_for(&app, t, &id, "COMPLETED").await;
    let back = part(&done, &fleet[1]);
    assert_eq!(back["sent"].as_i64().unwrap(), 60 - 50, "{done}");
    assert!(back["sent"].as_i64().unwrap() >= sent_before);
    assert_eq!(done["progress"]["totals"]["sent"], 60);
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 60);
    each_once(&got);
}

#[tokio::test]
async fn two_nodes_and_interrupted_rounds_deal_no_lead_twice() {
    let first = spawn_app().await;
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..TestOptions::default()
    })
    .await;
    let user = first.new_user().await;
    let t = &user.token;
    let fleet = devices(&first, t, 4, "+601140000").await;
    pool_leads(&first, t, 120, "+6012330", &[]).await;
    let id = create_id(
        &first,
        t,
        json!({ "title": "Two nodes", "message": "Hi", "perDeviceLimit": 40, "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    // Besides both nodes' schedulers: rounds run at once on both nodes, and rounds cut off at
    // every point they can be (as a kill -9 would stop one).
    for micros in [30u64, 100, 300, 1_000, 3_000, 10_000, 30_000] {
        let now = chrono::Utc::now();
        let _ = tokio::time::timeout(
            Duration::from_micros(micros),
            ai::round(first.state.ports(), uuid, now),
        )
        .await;
        let (a, b) = tokio::join!(
            ai::round(first.state.ports(), uuid, now),
            ai::round(second.state.ports(), uuid, now)
        );
        a.unwrap();
        b.unwrap();
    }
    let done = wait_for(&first, t, &id, "COMPLETED").await;
    assert_eq!(done["progress"]["totals"]["sent"], 120, "{done}");
    let got = received(&first, t, &fleet).await;
    assert_eq!(got.len(), 120);
    each_once(&got);
    let per_device: Vec<i64> = done["progress"]["aiDevices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["sent"].as_i64().unwrap())
        .collect();
    assert_eq!(per_device.iter().sum::<i64>(), 120, "{per_device:?}");
    assert!(per_device.iter().all(|n| *n <= 40), "{per_device:?}");
}

#[tokio::test]
async fn pause_holds_the_dealt_leads_and_resume_sends_each_of_them_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 2, "+601160000").await;
    pool_leads(&app, t, 12, "+6012350", &[]).await;
    let id = create_id(&app, t, json!({ "title": "Held", "message": "Hi {name}", "perDeviceLimit": 10, "minDelaySeconds": 1, "maxDelaySeconds": 1 })).await;
    eventually(Duration::from_secs(20), "a first send", || async {
        !received(&app, t, &fleet).await.is_empty()
    })
    .await;
    let paused = app
        .gql(
            Some(t),
            "mutation($id: ID!) { pauseCampaign(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(paused.data()["pauseCampaign"]["status"], "PAUSED");
    // A send under way when it paused settles as usual; after that nothing goes out, and rounds
    // neither deal nor give back: the dealt leads stay with their devices.
    eventually(
        Duration::from_secs(20),
        "the sends in flight settled",
        || async {
            let c = campaign(&app, t, &id).await;
            let dealt: i64 = c["progress"]["aiDevices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["dealt"].as_i64().unwrap())
                .sum();
            c["progress"]["totals"]["sent"].as_i64().unwrap()
                == received(&app, t, &fleet).await.len() as i64
                && dealt == 12
        },
    )
    .await;
    let before = received(&app, t, &fleet).await.len();
    assert!(
        before < 12,
        "the pause came too late to hold anything: {before} sent"
    );
    for _ in 0..3 {
        ai::tick(app.state.ports(), app.state.clock.now())
            .await
            .unwrap();
    }
    // Longer than a device's pause between two sends (1 s): a pacer would have sent by now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(received(&app, t, &fleet).await.len(), before);
    let pool = pool_by_status(&app, t).await;
    assert_eq!(
        pool.get("ASSIGNED").copied().unwrap_or(0),
        12 - before as i64,
        "{pool:?}"
    );
    assert_eq!(campaign(&app, t, &id).await["status"], "PAUSED");

    app.gql(
        Some(t),
        "mutation($id: ID!) { resumeCampaign(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let done = wait_for(&app, t, &id, "COMPLETED").await;
    assert_eq!(done["progress"]["totals"]["sent"], 12, "{done}");
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 12);
    each_once(&got);
    assert_eq!(pool_by_status(&app, t).await.get("SENT").copied(), Some(12));
}

#[tokio::test]
async fn cancel_gives_the_unsent_leads_back_to_the_pool_and_clone_deals_them_later() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 2, "+601150000").await;
    pool_leads(&app, t, 40, "+6012340", &[]).await;
    let id = create_id(&app, t, json!({ "title": "Slow", "message": "Hi", "perDeviceLimit": 20, "minDelaySeconds": 2, "maxDelaySeconds": 2 })).await;
    eventually(Duration::from_secs(20), "a first send", || async {
        !received(&app, t, &fleet).await.is_empty()
    })
    .await;
    app.gql(
        Some(t),
        "mutation($id: ID!) { cancelCampaign(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data();
    // A send under way when it was cancelled settles as usual; then nothing is out.
    eventually(Duration::from_secs(20), "no lead assigned", || async {
        pool_by_status(&app, t)
            .await
            .get("ASSIGNED")
            .copied()
            .unwrap_or(0)
            == 0
    })
    .await;
    let pool = pool_by_status(&app, t).await;
    let sent = received(&app, t, &fleet).await.len() as i64;
    assert_eq!(pool.get("SENT").copied().unwrap_or(0), sent, "{pool:?}");
    assert_eq!(
        pool.get("PENDING").copied().unwrap_or(0),
        40 - sent,
        "{pool:?}"
    );

    let clone = app
        .gql(
            Some(t),
            "mutation($id: ID!) { cloneCampaign(id: $id) { id kind perDeviceLimit } }",
            json!({ "id": id }),
        )
        .await;
    let clone = clone.data()["cloneCampaign"].clone();
    assert_eq!(clone["kind"], "AI");
    assert_eq!(clone["perDeviceLimit"], 20);
    let clone_id = clone["id"].as_str().unwrap().to_owned();
    app.gql(
        Some(t),
        "mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id } }",
        json!({ "id": clone_id, "i": { "kind": "AI", "title": "Again", "message": "Hi", "perDeviceLimit": 20, "minDelaySeconds": 0, "maxDelaySeconds": 0 } }),
    )
    .await
    .data();
    // Saved without a start time: it starts now.
    wait_for(&app, t, &clone_id, "COMPLETED").await;
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 40);
    each_once(&got);
}

#[tokio::test]
async fn bad_input_is_refused_and_a_campaign_without_an_online_device_fails_with_the_reason() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let t = &user.token;
    let theirs = app.add_device(&other.token, "Not yours").await;
    let pairing = app.add_device(t, "Not paired").await;
    pool_leads(&app, t, 3, "+6012350", &[]).await;
    for (input, says) in [
        (
            json!({ "title": "Zero", "message": "Hi", "perDeviceLimit": 0 }),
            "more than 0",
        ),
        (
            json!({ "title": "None", "message": "Hi" }),
            "limit per device",
        ),
        (
            json!({ "title": "Theirs", "message": "Hi", "perDeviceLimit": 5, "deviceIds": [theirs] }),
            "not yours",
        ),
    ] {
        let refused = create(&app, t, input).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT");
        assert!(format!("{refused:?}").contains(says), "{refused:?}");
    }
    assert_eq!(app.count("campaigns").await, 0);

    let id = create_id(&app, t, json!({ "title": "Nobody online", "message": "Hi", "perDeviceLimit": 5, "deviceIds": [pairing] })).await;
    let failed = wait_for(&app, t, &id, "FAILED").await;
    assert!(
        failed["pausedReason"]
            .as_str()
            .unwrap()
            .contains("None of the chosen devices was online"),
        "{failed}"
    );
    assert_eq!(app.count("broadcast_messages").await, 0);
    assert_eq!(pool_by_status(&app, t).await.get("PENDING"), Some(&3));

    // Someone else's campaign (with its progress and re-deal log) is not found.
    let peek = app
        .gql(
            Some(&other.token),
            "query($id: ID!) { campaign(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(peek.data()["campaign"], Value::Null);
}

#[tokio::test]
async fn an_ai_campaign_runs_on_the_embedded_default_sqlite_with_the_in_process_queue() {
    let dir = crate::helpers::TempDir::new();
    let app = spawn_app_with(TestOptions {
        database_url: Some(dir.sqlite_url("ai.db")),
        redis: false,
        ..TestOptions::default()
    })
    .await;
    let user = app.new_user().await;
    let t = &user.token;
    let fleet = devices(&app, t, 3, "+601160000").await;
    pool_leads(&app, t, 24, "+6012360", &["VIP"]).await;
    pool_leads(&app, t, 2, "+6012361", &["Regular"]).await;
    app.gql(
        Some(t),
        "mutation($id: ID!) { simFailSends(deviceId: $id, count: 3) }",
        json!({ "id": fleet[2] }),
    )
    .await
    .data();
    let id = create_id(&app, t, json!({ "title": "Embedded", "message": "Hi {name}", "niches": ["vip"], "perDeviceLimit": 12, "minDelaySeconds": 1, "maxDelaySeconds": 1 })).await;
    let done = wait_for(&app, t, &id, "COMPLETED").await;
    assert_eq!(part(&done, &fleet[2])["status"], "FAILED", "{done}");
    assert_eq!(done["progress"]["totals"]["failed"], 3);
    assert_eq!(done["progress"]["totals"]["sent"], 21, "{done}");
    let got = received(&app, t, &fleet).await;
    assert_eq!(got.len(), 21);
    each_once(&got);
    assert!(got.keys().all(|phone| phone.starts_with("+6012360")));
}
