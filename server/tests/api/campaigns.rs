//! Broadcast campaigns end to end: targeting, templates, windows and schedules (the simulated
//! clock moved, never waited for), run-once across two nodes and an interrupted start, the
//! late-start guard, control, replies, progress — each proven by what `simSent` received.

use std::{collections::HashMap, time::Duration};

use chrono::{Timelike, Utc};
use serde_json::{json, Value};
use wafleet::{
    domain::campaigns::{trigger, CampaignStatus},
    entities::campaigns as campaign_rows,
    types::ids::UserId,
    workers::scheduler,
};

use crate::helpers::{eventually, spawn_app, spawn_app_with, TempDir, TestApp, TestOptions};

const CAMPAIGN_FIELDS: &str =
    "id title message status pausedReason scheduledAt startedAt niches targetStatus \
    deviceIds weekdays sendWindow { from to } minDelaySeconds maxDelaySeconds \
    progress { status totals { total pending queued sent failed skipped cancelled replied } \
    devices { deviceId deviceName counts { total sent failed skipped } } }";

async fn create_lead(
    app: &TestApp,
    token: &str,
    device: &str,
    name: &str,
    phone: &str,
    niches: &[&str],
    target: &str,
) {
    let response = app
        .gql(
            Some(token),
            "mutation($i: LeadInput!) { createLead(input: $i) { id } }",
            json!({ "i": { "deviceId": device, "name": name, "phone": phone, "niches": niches, "targetStatus": target } }),
        )
        .await;
    response.data();
}

async fn create_campaign(app: &TestApp, token: &str, input: Value) -> crate::helpers::GqlResponse {
    app.gql(
        Some(token),
        &format!(
            "mutation($i: CampaignInput!) {{ createCampaign(input: $i) {{ {CAMPAIGN_FIELDS} }} }}"
        ),
        json!({ "i": input }),
    )
    .await
}

async fn campaign(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(
        Some(token),
        &format!("query($id: ID!) {{ campaign(id: $id) {{ {CAMPAIGN_FIELDS} }} }}"),
        json!({ "id": id }),
    )
    .await
    .data()["campaign"]
        .clone()
}

async fn act(app: &TestApp, token: &str, mutation: &str, id: &str) -> crate::helpers::GqlResponse {
    app.gql(
        Some(token),
        &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id status pausedReason }} }}"),
        json!({ "id": id }),
    )
    .await
}

async fn wait_for_campaign(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        last = campaign(app, token, id).await;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("campaign {id} never reached {status}; last seen: {last}");
}

/// What each recipient received from a device: phone → texts.
async fn received(app: &TestApp, token: &str, device: &str) -> HashMap<String, Vec<String>> {
    let mut by_phone: HashMap<String, Vec<String>> = HashMap::new();
    for sent in app.sim_sent(token, device).await {
        let to = sent["to"].as_str().unwrap();
        let phone = format!("+{}", to.split('@').next().unwrap());
        let text = sent["text"]
            .as_str()
            .or(sent["caption"].as_str())
            .unwrap_or_default()
            .to_owned();
        by_phone.entry(phone).or_default().push(text);
    }
    by_phone
}

fn each_once(received: &HashMap<String, Vec<String>>) {
    for (phone, texts) in received {
        assert_eq!(texts.len(), 1, "{phone} received {texts:?}");
    }
}

#[tokio::test]
async fn a_campaign_reaches_each_matching_lead_once_from_its_own_device_in_its_own_words() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let a = app.paired_device(t, "Store A", "+60123000101").await;
    let b = app.paired_device(t, "Store B", "+60123000102").await;
    for device in [&a, &b] {
        app.set_delays(t, device, 0, 0).await;
    }
    create_lead(
        &app,
        t,
        &a,
        "Aisyah Rahman",
        "+60123456001",
        &["Beauty"],
        "PROSPECT",
    )
    .await;
    create_lead(
        &app,
        t,
        &a,
        "",
        "+60123456002",
        &["béauty", "Hair"],
        "PROSPECT",
    )
    .await;
    create_lead(
        &app,
        t,
        &a,
        "Customer Carl",
        "+60123456003",
        &["Beauty"],
        "CUSTOMER",
    )
    .await;
    create_lead(
        &app,
        t,
        &a,
        "Fashion Fay",
        "+60123456004",
        &["Fashion"],
        "PROSPECT",
    )
    .await;
    create_lead(
        &app,
        t,
        &a,
        "Beautiful Bea",
        "+60123456007",
        &["Beauty Pro"],
        "PROSPECT",
    )
    .await;
    create_lead(&app, t, &b, "Budi", "+60123456005", &["BEAUTY"], "PROSPECT").await;
    create_lead(
        &app,
        t,
        &b,
        "Opted Olga",
        "+60123456006",
        &["Beauty"],
        "PROSPECT",
    )
    .await;
    app.gql(
        Some(t),
        "mutation { optOut(phone: \"+60123456006\", reason: \"asked\") { phone } }",
        json!({}),
    )
    .await
    .data();

    let input = json!({
        "title": "December promo",
        "message": "{Hi|Hello} {name|there}, {our sale|the sale} starts today",
        "niches": ["beauty"],
        "targetStatus": "PROSPECT",
        "minDelaySeconds": 0,
        "maxDelaySeconds": 0,
    });
    let preview = app
        .gql(
            Some(t),
            "query($i: CampaignInput!) { campaignPreview(input: $i) { leads optedOut onOfflineDevices samples distinctTexts devices { deviceName leads online finishesAt } } }",
            json!({ "i": input }),
        )
        .await;
    let preview = preview.data()["campaignPreview"].clone();
    assert_eq!(preview["leads"], 3, "{preview}");
    assert_eq!(preview["optedOut"], 1);
    assert_eq!(preview["onOfflineDevices"], 0);
    assert_eq!(preview["distinctTexts"], 4);
    assert_eq!(preview["samples"].as_array().unwrap().len(), 3);
    assert_eq!(preview["devices"].as_array().unwrap().len(), 2);

    let created = create_campaign(&app, t, input).await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.data()["createCampaign"]["status"], "SCHEDULED");
    let done = wait_for_campaign(&app, t, &id, "COMPLETED").await;
    let totals = &done["progress"]["totals"];
    assert_eq!(totals["total"], 4, "{done}");
    assert_eq!(totals["sent"], 3);
    assert_eq!(totals["skipped"], 1);
    assert_eq!(totals["queued"], 0);

    let from_a = received(&app, t, &a).await;
    let from_b = received(&app, t, &b).await;
    each_once(&from_a);
    each_once(&from_b);
    let mut phones_a: Vec<&String> = from_a.keys().collect();
    phones_a.sort();
    assert_eq!(phones_a, ["+60123456001", "+60123456002"]);
    assert_eq!(from_b.keys().collect::<Vec<_>>(), ["+60123456005"]);
    let aisyah = &from_a["+60123456001"][0];
    assert!(aisyah.contains("Aisyah Rahman,"), "{aisyah}");
    assert!(
        aisyah.starts_with("Hi ") || aisyah.starts_with("Hello "),
        "{aisyah}"
    );
    assert!(!aisyah.contains('{'), "{aisyah}");
    assert!(from_a["+60123456002"][0].contains(" there, "), "{from_a:?}");

    // The opted-out lead's row says why; the report and the CSV agree.
    let report = app
        .gql(
            Some(t),
            "query($id: ID!) { campaign(id: $id) { report { failures { reason count } deliveredRate replyRate devices { deviceName counts { sent skipped } } } } }",
            json!({ "id": id }),
        )
        .await;
    let devices = report.data()["campaign"]["report"]["devices"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(devices.len(), 2);
    let csv = app
        .http
        .get(format!(
            "{}/export/campaigns/{id}/recipients.csv",
            app.address
        ))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.unwrap();
    assert_eq!(body.lines().count(), 5, "{body}");
    assert!(body.contains("SKIPPED,opted out"), "{body}");

    // Someone else sees none of it.
    let other = app.new_user().await;
    assert!(campaign(&app, &other.token, &id).await.is_null());
    assert_eq!(
        act(&app, &other.token, "pauseCampaign", &id)
            .await
            .error_code(),
        "NOT_FOUND"
    );
    let theirs = app
        .http
        .get(format!(
            "{}/export/campaigns/{id}/recipients.csv",
            app.address
        ))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
    let listed = app
        .gql(
            Some(&other.token),
            "{ campaigns { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data()["campaigns"]["totalCount"], 0);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_nothing_is_stored() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let t = &user.token;
    let mine = app.add_device(t, "Mine").await;
    let theirs = app.add_device(&other.token, "Theirs").await;
    create_lead(
        &app,
        t,
        &mine,
        "Ana",
        "+60123456001",
        &["Beauty"],
        "PROSPECT",
    )
    .await;
    let base = json!({ "title": "Promo", "message": "Hi {name|there}", "niches": ["beauty"] });
    let with = |patch: Value| {
        let mut input = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    let cases = [
        (
            with(json!({ "minDelaySeconds": 40, "maxDelaySeconds": 5 })),
            "shortest delay",
        ),
        (with(json!({ "message": "   " })), "empty"),
        (with(json!({ "message": "{name}" })), "fallback"),
        (with(json!({ "message": "{Hi|Hello" })), ""),
        (
            with(json!({ "sendWindow": { "from": "09:00", "to": "09:00" } })),
            "length",
        ),
        (with(json!({ "niches": ["nosuchtag"] })), "nosuchtag"),
        (with(json!({ "deviceIds": [theirs] })), "device"),
        (with(json!({ "title": " " })), "title"),
    ];
    for (input, says) in cases {
        let response = create_campaign(&app, t, input.clone()).await;
        assert_eq!(
            response.error_code(),
            "BAD_USER_INPUT",
            "{input}: {:?}",
            response.0
        );
        assert!(
            response.error_message().contains(says),
            "{input}: {}",
            response.error_message()
        );
    }
    assert_eq!(app.count("campaigns").await, 0);

    // A finished campaign cannot be edited; the edit changes nothing.
    let created = create_campaign(&app, t, with(json!({ "deviceIds": [mine] }))).await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&app, t, "cancelCampaign", &id).await.data();
    let edit = app
        .gql(
            Some(t),
            "mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id } }",
            json!({ "id": id, "i": with(json!({ "title": "Changed" })) }),
        )
        .await;
    assert_eq!(edit.error_code(), "CONFLICT", "{:?}", edit.0);
    assert_eq!(campaign(&app, t, &id).await["title"], "Promo");
    // Someone else's campaign cannot be edited either.
    let theirs = app
        .gql(
            Some(&other.token),
            "mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id } }",
            json!({ "id": id, "i": base }),
        )
        .await;
    assert_eq!(theirs.error_code(), "NOT_FOUND");
}

async fn advance(app: &TestApp, token: &str, seconds: i64) {
    app.gql(
        Some(token),
        "mutation($s: Int!) { simAdvanceClock(seconds: $s) }",
        json!({ "s": seconds }),
    )
    .await
    .data();
}

/// `HH:MM` in Kuala Lumpur (UTC+8, no daylight saving), `hours` from `now`.
fn kl_time(now: chrono::DateTime<Utc>, hours: i64) -> String {
    let local = now + chrono::Duration::hours(8 + hours);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

#[tokio::test]
async fn the_schedule_and_the_window_in_the_leads_time_hold_messages_until_the_clock_gets_there() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Store", "+60123000111").await;
    create_lead(&app, t, &device, "Ana", "+60123456001", &[], "PROSPECT").await;
    create_lead(&app, t, &device, "Ben", "+60123456002", &[], "CUSTOMER").await;
    let now = app.state.clock.now();
    // Starts in an hour; sends from 3 h to 4 h from now, Malaysian time (the leads' phones).
    let created = create_campaign(
        &app,
        t,
        json!({
            "title": "Later",
            "message": "Good {morning|day}",
            "scheduledAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
            "sendWindow": { "from": kl_time(now, 3), "to": kl_time(now, 4) },
            "minDelaySeconds": 0,
            "maxDelaySeconds": 0,
        }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let early = scheduler::tick(&app.state, now + chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(early.campaigns.started, 0);
    assert_eq!(campaign(&app, t, &id).await["status"], "SCHEDULED");

    advance(&app, t, 3700).await;
    let running = wait_for_campaign(&app, t, &id, "RUNNING").await;
    assert_eq!(running["progress"]["totals"]["total"], 2);
    // Outside the window: the rows wait as PENDING, nothing goes out.
    eventually(
        Duration::from_secs(10),
        "both rows to wait for the window",
        || async { campaign(&app, t, &id).await["progress"]["totals"]["pending"] == 2 },
    )
    .await;
    assert!(app.sim_sent(t, &device).await.is_empty());

    advance(&app, t, 2 * 3600 + 120).await;
    wait_for_campaign(&app, t, &id, "COMPLETED").await;
    let got = received(&app, t, &device).await;
    assert_eq!(got.len(), 2);
    each_once(&got);
}

#[tokio::test]
async fn a_campaign_found_hours_late_pauses_with_the_reason_and_resumes_by_hand() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Store", "+60123000121").await;
    create_lead(&app, t, &device, "Ana", "+60123456001", &[], "PROSPECT").await;
    let now = app.state.clock.now();
    let created = create_campaign(
        &app,
        t,
        json!({
            "title": "Missed",
            "message": "Hello",
            "scheduledAt": (now - chrono::Duration::minutes(9 * 60 + 5)).to_rfc3339(),
            "minDelaySeconds": 0,
            "maxDelaySeconds": 0,
        }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paused = wait_for_campaign(&app, t, &id, "PAUSED").await;
    assert_eq!(
        paused["pausedReason"],
        "start time missed by 9 h — resume to send"
    );
    assert!(app.sim_sent(t, &device).await.is_empty());
    act(&app, t, "resumeCampaign", &id).await.data();
    wait_for_campaign(&app, t, &id, "COMPLETED").await;
    assert_eq!(app.sim_sent(t, &device).await.len(), 1);
}

#[tokio::test]
async fn pause_holds_every_unsent_message_and_resume_sends_each_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    // Not paired yet: the campaign's rows wait on its queue.
    let device = app.add_device(t, "Later").await;
    for n in 0..12 {
        create_lead(
            &app,
            t,
            &device,
            &format!("Lead {n}"),
            &format!("+601234560{n:02}"),
            &[],
            "PROSPECT",
        )
        .await;
    }
    let created = create_campaign(
        &app,
        t,
        json!({ "title": "Held", "message": "Hi {name}", "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let running = wait_for_campaign(&app, t, &id, "RUNNING").await;
    assert_eq!(running["progress"]["totals"]["queued"], 12);
    let paused = act(&app, t, "pauseCampaign", &id).await;
    assert_eq!(paused.data()["pauseCampaign"]["status"], "PAUSED");
    assert_eq!(
        campaign(&app, t, &id).await["progress"]["totals"]["pending"],
        12
    );

    // The device comes online: nothing of the paused campaign goes out.
    let qr = || async { !app.device(t, &device).await["qrCode"].is_null() };
    eventually(Duration::from_secs(10), "a QR code", qr).await;
    app.gql(
        Some(t),
        "mutation($id: ID!) { simScanQr(deviceId: $id, phone: \"+60123000131\") { status } }",
        json!({ "id": device }),
    )
    .await
    .data();
    app.set_delays(t, &device, 0, 0).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(app.sim_sent(t, &device).await.is_empty());
    // Edits while paused reach the unsent messages.
    let edit = app
        .gql(
            Some(t),
            "mutation($id: ID!, $i: CampaignInput!) { updateCampaign(id: $id, input: $i) { id message } }",
            json!({ "id": id, "i": { "title": "Held", "message": "Hello {name}!", "minDelaySeconds": 0, "maxDelaySeconds": 0 } }),
        )
        .await;
    assert_eq!(edit.data()["updateCampaign"]["message"], "Hello {name}!");

    act(&app, t, "resumeCampaign", &id).await.data();
    wait_for_campaign(&app, t, &id, "COMPLETED").await;
    let got = received(&app, t, &device).await;
    assert_eq!(got.len(), 12);
    each_once(&got);
    assert!(
        got.values()
            .all(|texts| texts[0].starts_with("Hello Lead ")),
        "{got:?}"
    );
    // Resuming a finished campaign is refused; it sends nothing more.
    assert_eq!(
        act(&app, t, "resumeCampaign", &id).await.error_code(),
        "CONFLICT"
    );

    // A clone has the content, no time, and waits.
    let clone = act(&app, t, "cloneCampaign", &id).await;
    let clone_id = clone.data()["cloneCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let copy = campaign(&app, t, &clone_id).await;
    assert_eq!(copy["title"], "Held (Copy)");
    assert_eq!(copy["status"], "SCHEDULED");
    assert!(copy["scheduledAt"].is_null());
    scheduler::tick(&app.state, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(campaign(&app, t, &clone_id).await["status"], "SCHEDULED");
    // Deleting a campaign keeps the outbox's history.
    let outbox_rows = app.count("broadcast_messages").await;
    let deleted = app
        .gql(
            Some(t),
            "mutation($id: ID!) { deleteCampaign(id: $id) }",
            json!({ "id": clone_id }),
        )
        .await;
    assert_eq!(deleted.data()["deleteCampaign"], true);
    assert_eq!(app.count("broadcast_messages").await, outbox_rows);
}

#[tokio::test]
async fn cancel_stops_the_unsent_messages_and_a_running_campaign_cannot_be_deleted() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.add_device(t, "Never online").await;
    for n in 0..5 {
        create_lead(
            &app,
            t,
            &device,
            "",
            &format!("+601234561{n:02}"),
            &[],
            "PROSPECT",
        )
        .await;
    }
    let created = create_campaign(&app, t, json!({ "title": "Stop", "message": "Hi" })).await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for_campaign(&app, t, &id, "RUNNING").await;
    let refused = app
        .gql(
            Some(t),
            "mutation($id: ID!) { deleteCampaign(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(refused.error_code(), "CONFLICT");
    act(&app, t, "cancelCampaign", &id).await.data();
    let cancelled = campaign(&app, t, &id).await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["progress"]["totals"]["cancelled"], 5);
    assert_eq!(app.outbox_by_status().await.get("CANCELLED"), Some(&5));
}

#[tokio::test]
async fn failing_sends_pause_the_campaign_by_itself_and_retry_sends_the_failed_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Flaky", "+60123000141").await;
    app.set_delays(t, &device, 0, 0).await;
    for n in 0..30 {
        create_lead(
            &app,
            t,
            &device,
            "",
            &format!("+601234562{n:02}"),
            &[],
            "PROSPECT",
        )
        .await;
    }
    app.gql(
        Some(t),
        "mutation($id: ID!) { simFailSends(deviceId: $id, count: 22, error: \"recipient not on WhatsApp\") }",
        json!({ "id": device }),
    )
    .await
    .data();
    let created = create_campaign(
        &app,
        t,
        json!({ "title": "Flaky", "message": "Hi", "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paused = wait_for_campaign(&app, t, &id, "PAUSED").await;
    assert!(
        paused["pausedReason"]
            .as_str()
            .unwrap()
            .starts_with("20 of the last 50 sends failed"),
        "{paused}"
    );
    let report = app
        .gql(
            Some(t),
            "query($id: ID!) { campaign(id: $id) { report { failures { reason count } } } }",
            json!({ "id": id }),
        )
        .await;
    let failures = report.data()["campaign"]["report"]["failures"].clone();
    assert!(
        failures[0]["reason"]
            .as_str()
            .unwrap()
            .ends_with("recipient not on WhatsApp"),
        "{failures}"
    );

    act(&app, t, "resumeCampaign", &id).await.data();
    wait_for_campaign(&app, t, &id, "COMPLETED").await;
    let retried = app
        .gql(
            Some(t),
            "mutation($id: ID!, $d: ID) { retryFailed(campaignId: $id, deviceId: $d) }",
            json!({ "id": id, "d": device }),
        )
        .await;
    assert_eq!(retried.data()["retryFailed"], 22);
    let done = wait_for_campaign(&app, t, &id, "COMPLETED").await;
    assert_eq!(done["progress"]["totals"]["sent"], 30, "{done}");
    let got = received(&app, t, &device).await;
    assert_eq!(got.len(), 30);
    each_once(&got);
}

#[tokio::test]
async fn a_campaign_starts_once_across_two_nodes_and_an_interrupted_start() {
    let first = spawn_app().await;
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..TestOptions::default()
    })
    .await;
    let user = first.new_user().await;
    let t = &user.token;
    let device = first.add_device(t, "Queue only").await;
    for n in 0..40 {
        create_lead(
            &first,
            t,
            &device,
            "",
            &format!("+601234563{n:02}"),
            &[],
            "PROSPECT",
        )
        .await;
    }
    // Far in the future, so neither node's own scheduler starts it before the test does.
    let at = Utc::now() + chrono::Duration::days(30);
    let created = create_campaign(
        &first,
        t,
        json!({ "title": "Once", "message": "Hi", "scheduledAt": at.to_rfc3339() }),
    )
    .await;
    let id: uuid::Uuid = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    use sea_orm::EntityTrait;
    let model = campaign_rows::Entity::find_by_id(id)
        .one(&first.state.db)
        .await
        .unwrap()
        .unwrap();

    // A start cut off at every point it can be (the future dropped mid-way, as a kill -9 would
    // stop it) leaves no row behind, or every row: never some.
    for micros in [50u64, 200, 1_000, 3_000, 10_000] {
        let cut = tokio::time::timeout(
            Duration::from_micros(micros),
            trigger::start(first.state.ports(), &model, at),
        )
        .await;
        let rows = first.count("broadcast_messages").await;
        if cut.is_ok() || rows == 40 {
            break;
        }
        assert_eq!(rows, 0, "an interrupted start left {rows} rows");
    }
    // Both nodes at once: one wins.
    let (a, b) = tokio::join!(
        trigger::start(first.state.ports(), &model, at),
        trigger::start(second.state.ports(), &model, at)
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    let current = campaign_rows::Entity::find_by_id(id)
        .one(&first.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.status, CampaignStatus::Running);
    assert!(
        outcomes.iter().filter(|o| o.is_some()).count() <= 1,
        "{outcomes:?}"
    );
    assert_eq!(first.count("broadcast_messages").await, 40);
    let owner = UserId(user.id.parse().unwrap());
    assert_eq!(owner.0, current.user_id);
}

#[tokio::test]
async fn replies_count_once_per_recipient_and_progress_arrives_coalesced() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Chatty", "+60123000151").await;
    app.set_delays(t, &device, 0, 0).await;
    for n in 0..25 {
        create_lead(
            &app,
            t,
            &device,
            "",
            &format!("+601234564{n:02}"),
            &[],
            "PROSPECT",
        )
        .await;
    }
    let created = create_campaign(
        &app,
        t,
        json!({ "title": "Talk", "message": "Hi", "scheduledAt": (app.state.clock.now() + chrono::Duration::hours(1)).to_rfc3339(), "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ws = app.ws_connect(Some(t)).await.unwrap();
    ws.subscribe(
        "subscription($id: ID!) { campaignProgress(campaignId: $id) { status totals { sent replied } } }",
        json!({ "id": id }),
    )
    .await;
    let first = ws.next_payload().await;
    assert_eq!(first["data"]["campaignProgress"]["status"], "SCHEDULED");
    app.gql(
        Some(t),
        "mutation { simAdvanceClock(seconds: 3601) }",
        json!({}),
    )
    .await
    .data();
    let mut events = 1;
    loop {
        let payload = ws.next_payload().await;
        events += 1;
        let progress = &payload["data"]["campaignProgress"];
        if progress["status"] == "COMPLETED" && progress["totals"]["sent"] == 25 {
            break;
        }
    }
    // 25 rows went QUEUED → SENDING → SENT, plus the start and the end: far fewer events.
    assert!(events < 25, "{events} progress events");

    for text in ["thanks!", "when does it end?"] {
        app.gql(
            Some(t),
            "mutation($d: ID!, $t: String!) { simInboundMessage(deviceId: $d, from: \"+60123456400\", text: $t) }",
            json!({ "d": device, "t": text }),
        )
        .await
        .data();
    }
    eventually(Duration::from_secs(10), "the reply to count", || async {
        campaign(&app, t, &id).await["progress"]["totals"]["replied"] == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        campaign(&app, t, &id).await["progress"]["totals"]["replied"],
        1
    );
}

#[tokio::test]
async fn a_campaign_runs_on_the_embedded_default_sqlite_with_the_in_process_queue() {
    let dir = TempDir::new();
    let app = spawn_app_with(TestOptions {
        database_url: Some(dir.sqlite_url("campaigns.db")),
        redis: false,
        ..TestOptions::default()
    })
    .await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Embedded", "+60123000161").await;
    app.set_delays(t, &device, 0, 0).await;
    for n in 0..15 {
        create_lead(
            &app,
            t,
            &device,
            &format!("L{n}"),
            &format!("+601234565{n:02}"),
            &["VIP"],
            "PROSPECT",
        )
        .await;
    }
    create_lead(
        &app,
        t,
        &device,
        "Other",
        "+60123456599",
        &["Regular"],
        "PROSPECT",
    )
    .await;
    let created = create_campaign(
        &app,
        t,
        json!({ "title": "Embedded", "message": "Hi {name}", "niches": ["vip"], "minDelaySeconds": 0, "maxDelaySeconds": 0 }),
    )
    .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = wait_for_campaign(&app, t, &id, "COMPLETED").await;
    assert_eq!(done["progress"]["totals"]["sent"], 15, "{done}");
    let got = received(&app, t, &device).await;
    assert_eq!(got.len(), 15);
    each_once(&got);
    assert!(!got.contains_key("+60123456599"));
}
