//! Drip sequences end to end with the simulated clock (never waiting for a delay): enrolment by
//! trigger (create, import) and by hand, steps in order from the lead's own device, stop on
//! reply, opt-out, chaining once, pause/resume, two nodes ticking at once — each proven by
//! counting what `simSent` received.

use std::{collections::HashMap, time::Duration};

use serde_json::{json, Value};
use wafleet::domain::sequences::run;

use crate::helpers::{eventually, spawn_app, spawn_app_with, TestApp, TestOptions};

const SEQUENCE_FIELDS: &str = "id name trigger status stopOnReply nextSequenceId steps { position delayMinutes message } \
    progress { enrolled active completed replied optedOut failed steps { position waiting sent failed } }";

fn step(delay: i32, message: &str) -> Value {
    json!({ "delayMinutes": delay, "message": message, "minDelaySeconds": 0, "maxDelaySeconds": 0 })
}

async fn create_sequence(app: &TestApp, token: &str, input: Value) -> crate::helpers::GqlResponse {
    app.gql(
        Some(token),
        &format!(
            "mutation($i: SequenceInput!) {{ createSequence(input: $i) {{ {SEQUENCE_FIELDS} }} }}"
        ),
        json!({ "i": input }),
    )
    .await
}

async fn activate(app: &TestApp, token: &str, id: &str, status: &str) {
    let response = app
        .gql(
            Some(token),
            "mutation($id: ID!, $s: SequenceStatus!) { setSequenceStatus(id: $id, status: $s) { status } }",
            json!({ "id": id, "s": status }),
        )
        .await;
    assert_eq!(response.data()["setSequenceStatus"]["status"], status);
}

async fn sequence(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(
        Some(token),
        &format!("query($id: ID!) {{ sequence(id: $id) {{ {SEQUENCE_FIELDS} contacts {{ totalCount nodes {{ id phone status nextStep nextDueAt timeZone timeline {{ position status }} }} }} }} }}"),
        json!({ "id": id }),
    )
    .await
    .data()["sequence"]
        .clone()
}

async fn lead(app: &TestApp, token: &str, device: &str, phone: &str, triggers: &[&str]) -> String {
    let response = app
        .gql(
            Some(token),
            "mutation($i: LeadInput!) { createLead(input: $i) { id } }",
            json!({ "i": { "deviceId": device, "name": "Lead", "phone": phone, "triggers": triggers } }),
        )
        .await;
    response.data()["createLead"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
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

/// Texts each phone received from a device, in order.
async fn received(app: &TestApp, token: &str, device: &str) -> HashMap<String, Vec<String>> {
    let mut by_phone: HashMap<String, Vec<String>> = HashMap::new();
    for sent in app.sim_sent(token, device).await {
        let to = sent["to"].as_str().unwrap();
        by_phone
            .entry(format!("+{}", to.split('@').next().unwrap()))
            .or_default()
            .push(sent["text"].as_str().unwrap_or_default().to_owned());
    }
    by_phone
}

async fn wait_received(app: &TestApp, token: &str, device: &str, phone: &str, n: usize) {
    eventually(
        Duration::from_secs(15),
        &format!("{phone} to have {n} messages"),
        || async {
            received(app, token, device)
                .await
                .get(phone)
                .map_or(0, Vec::len)
                >= n
        },
    )
    .await;
}

/// Waits until the contact with `phone` waits for step `position` (its previous one is final).
async fn wait_next_step(app: &TestApp, token: &str, sequence_id: &str, phone: &str, position: i64) {
    eventually(
        Duration::from_secs(15),
        &format!("{phone} to wait for step {position}"),
        || async {
            sequence(app, token, sequence_id).await["contacts"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["phone"] == phone && c["nextStep"].as_i64().unwrap_or(0) >= position)
        },
    )
    .await;
}

/// Unsent rows per recipient phone, straight from the outbox.
async fn most_unsent_per_phone(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .state
        .db
        .query_one(sea_orm::Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT COALESCE(MAX(n), 0) AS n FROM (SELECT COUNT(*) AS n FROM broadcast_messages \
             WHERE status IN ('PENDING', 'QUEUED', 'SENDING') GROUP BY device_id, recipient_phone) d"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn a_lead_enrolled_by_its_trigger_gets_each_step_in_order_and_chains_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let a = app.paired_device(t, "A", "+60123000201").await;
    let b = app.paired_device(t, "B", "+60123000202").await;
    let warm = create_sequence(
        &app,
        t,
        json!({ "name": "Warm", "trigger": "warm", "steps": [step(0, "Warm hello")] }),
    )
    .await;
    let warm_id = warm.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cold = create_sequence(
        &app,
        t,
        json!({
            "name": "Cold",
            "trigger": "COLD",
            "nextSequenceId": warm_id,
            "steps": [step(0, "Step one, {name|there}"), step(60, "Step two"), step(60, "Step three")],
        }),
    )
    .await;
    assert_eq!(cold.data()["createSequence"]["status"], "DRAFT");
    let cold_id = cold.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A draft enrols nobody.
    lead(&app, t, &a, "+60123456701", &["cold"]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(sequence(&app, t, &cold_id).await["progress"]["enrolled"], 0);

    activate(&app, t, &warm_id, "ACTIVE").await;
    activate(&app, t, &cold_id, "ACTIVE").await;
    lead(&app, t, &b, "+60123456702", &["Cold", "other"]).await;
    lead(&app, t, &b, "+60123456703", &["colder"]).await;
    wait_received(&app, t, &a, "+60123456701", 1).await;
    wait_received(&app, t, &b, "+60123456702", 1).await;
    assert!(most_unsent_per_phone(&app).await <= 1);

    for phone in ["+60123456701", "+60123456702"] {
        wait_next_step(&app, t, &cold_id, phone, 1).await;
    }
    advance(&app, t, 61 * 60).await;
    wait_received(&app, t, &b, "+60123456702", 2).await;
    wait_received(&app, t, &a, "+60123456701", 2).await;
    for phone in ["+60123456701", "+60123456702"] {
        wait_next_step(&app, t, &cold_id, phone, 2).await;
    }
    advance(&app, t, 61 * 60).await;
    // The last step, then the chained sequence's one step.
    wait_received(&app, t, &b, "+60123456702", 4).await;
    wait_received(&app, t, &a, "+60123456701", 4).await;
    advance(&app, t, 61 * 60).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let from_a = received(&app, t, &a).await;
    let from_b = received(&app, t, &b).await;
    assert_eq!(
        from_b["+60123456702"],
        ["Step one, Lead", "Step two", "Step three", "Warm hello"]
    );
    assert_eq!(from_a["+60123456701"].len(), 4);
    assert!(
        !from_b.contains_key("+60123456703"),
        "a whole-code match only"
    );
    // Each from the lead's own device only.
    assert!(!from_a.contains_key("+60123456702") && !from_b.contains_key("+60123456701"));
    let done = sequence(&app, t, &cold_id).await;
    assert_eq!(done["progress"]["completed"], 2, "{done}");
    let warm_done = sequence(&app, t, &warm_id).await;
    assert_eq!(warm_done["progress"]["enrolled"], 2);
    assert_eq!(warm_done["progress"]["completed"], 2);
    let timeline = &done["contacts"]["nodes"][0]["timeline"];
    assert_eq!(timeline.as_array().unwrap().len(), 3, "{timeline}");
}

#[tokio::test]
async fn an_answer_stops_the_run_an_opt_out_stops_it_everywhere_and_imports_enrol() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Chat", "+60123000211").await;
    let created = create_sequence(
        &app,
        t,
        json!({ "name": "Nurture", "trigger": "nurture", "steps": [step(0, "One"), step(30, "Two")] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&app, t, &id, "ACTIVE").await;
    let csv = b"name,phone,triggers\nAnswers,+60123456711,nurture\nStops,+60123456712,NURTURE\nQuiet,+60123456713,nurture\n";
    let job = crate::leads::import_leads(&app, t, &device, csv, "MERGE").await;
    assert_eq!(job["imported"], 3, "{job}");
    for phone in ["+60123456711", "+60123456712", "+60123456713"] {
        wait_received(&app, t, &device, phone, 1).await;
    }
    for (phone, text) in [
        ("+60123456711", "Sounds good, tell me more"),
        ("+60123456712", "STOP"),
    ] {
        app.gql(
            Some(t),
            "mutation($d: ID!, $f: String!, $t: String!) { simInboundMessage(deviceId: $d, from: $f, text: $t) }",
            json!({ "d": device, "f": phone, "t": text }),
        )
        .await
        .data();
    }
    eventually(
        Duration::from_secs(10),
        "the answers to stop the runs",
        || async {
            let p = &sequence(&app, t, &id).await["progress"];
            p["replied"] == 1 && p["optedOut"] == 1
        },
    )
    .await;
    wait_next_step(&app, t, &id, "+60123456713", 1).await;
    advance(&app, t, 31 * 60).await;
    wait_received(&app, t, &device, "+60123456713", 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = received(&app, t, &device).await;
    assert_eq!(got["+60123456711"], ["One"]);
    assert_eq!(got["+60123456712"], ["One"]);
    assert_eq!(got["+60123456713"], ["One", "Two"]);
    let contacts = sequence(&app, t, &id).await["contacts"]["nodes"].clone();
    let replied = contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["phone"] == "+60123456711")
        .unwrap()
        .clone();
    assert_eq!(replied["status"], "REPLIED");
    assert_eq!(replied["timeZone"], "Asia/Kuala_Lumpur");
    assert!(replied["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["status"] == "REPLIED"));
}

#[tokio::test]
async fn pausing_holds_contacts_and_resuming_sends_each_due_step_once() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Held", "+60123000221").await;
    let created = create_sequence(
        &app,
        t,
        json!({ "name": "Held", "trigger": "held", "steps": [step(0, "First"), step(10, "Second")] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&app, t, &id, "ACTIVE").await;
    let lead_id = lead(&app, t, &device, "+60123456721", &[]).await;
    // By hand.
    let enrolled = app
        .gql(
            Some(t),
            "mutation($s: ID!, $l: [ID!]!) { enrollLeads(sequenceId: $s, leadIds: $l) }",
            json!({ "s": id, "l": [lead_id, lead_id] }),
        )
        .await;
    assert_eq!(enrolled.data()["enrollLeads"], 1);
    wait_received(&app, t, &device, "+60123456721", 1).await;
    eventually(
        Duration::from_secs(10),
        "the contact to wait for step 2",
        || async { sequence(&app, t, &id).await["contacts"]["nodes"][0]["nextStep"] == 1 },
    )
    .await;
    activate(&app, t, &id, "PAUSED").await;
    advance(&app, t, 11 * 60).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(received(&app, t, &device).await["+60123456721"].len(), 1);
    activate(&app, t, &id, "ACTIVE").await;
    wait_received(&app, t, &device, "+60123456721", 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        received(&app, t, &device).await["+60123456721"],
        ["First", "Second"]
    );
    // Enrolling again changes nothing.
    let again = app
        .gql(
            Some(t),
            "mutation($s: ID!, $l: [ID!]!) { enrollLeads(sequenceId: $s, leadIds: $l) }",
            json!({ "s": id, "l": [lead_id] }),
        )
        .await;
    assert_eq!(again.data()["enrollLeads"], 0);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_nothing_changes() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let other = app.new_user().await;
    let t = &user.token;
    let a = create_sequence(
        &app,
        t,
        json!({ "name": "A", "trigger": "a", "steps": [step(0, "Hi")] }),
    )
    .await;
    let a_id = a.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = create_sequence(
        &app,
        t,
        json!({ "name": "B", "trigger": "b", "nextSequenceId": a_id, "steps": [step(0, "Hi")] }),
    )
    .await;
    let b_id = b.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        (
            json!({ "name": "C", "trigger": "c", "steps": [step(-5, "Hi")] }),
            "negative",
        ),
        (
            json!({ "name": "C", "trigger": "c", "nextSequenceId": "6f1c8a58-0000-4000-8000-000000000000", "steps": [step(0, "Hi")] }),
            "does not exist",
        ),
        (
            json!({ "name": "C", "trigger": "A", "steps": [step(0, "Hi")] }),
            "is used by",
        ),
        (json!({ "name": "C", "trigger": "c", "steps": [] }), "steps"),
        (
            json!({ "name": "C", "trigger": "c", "steps": [step(0, "{name}")] }),
            "fallback",
        ),
    ];
    for (input, says) in cases {
        let response = create_sequence(&app, t, input.clone()).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        assert!(
            response.error_message().contains(says),
            "{input}: {}",
            response.error_message()
        );
    }
    assert_eq!(app.count("sequences").await, 2);
    // A → B → A would loop.
    let looped = app
        .gql(
            Some(t),
            "mutation($id: ID!, $i: SequenceInput!) { updateSequence(id: $id, input: $i) { id } }",
            json!({ "id": a_id, "i": { "name": "A", "trigger": "a", "nextSequenceId": b_id, "steps": [step(0, "Hi")] } }),
        )
        .await;
    assert_eq!(looped.error_code(), "BAD_USER_INPUT");
    assert!(
        looped.error_message().contains("loop"),
        "{}",
        looped.error_message()
    );
    assert!(sequence(&app, t, &a_id).await["nextSequenceId"].is_null());
    // Someone else's lead or sequence.
    let theirs_device = app.add_device(&other.token, "Theirs").await;
    let theirs = lead(&app, &other.token, &theirs_device, "+60123456731", &[]).await;
    let refused = app
        .gql(
            Some(t),
            "mutation($s: ID!, $l: [ID!]!) { enrollLeads(sequenceId: $s, leadIds: $l) }",
            json!({ "s": a_id, "l": [theirs] }),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("sequence_contacts").await, 0);
    assert!(sequence(&app, &other.token, &a_id).await.is_null());
}

#[tokio::test]
async fn two_nodes_ticking_at_once_send_each_step_once() {
    let first = spawn_app().await;
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..TestOptions::default()
    })
    .await;
    let user = first.new_user().await;
    let t = &user.token;
    let device = first.paired_device(t, "Shared", "+60123000231").await;
    let created = create_sequence(
        &first,
        t,
        json!({ "name": "Twice", "trigger": "twice", "steps": [step(0, "One"), step(5, "Two")] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&first, t, &id, "ACTIVE").await;
    for n in 0..20 {
        lead(&first, t, &device, &format!("+601234568{n:02}"), &["twice"]).await;
    }
    // Both nodes' schedulers run; on top, both tick by hand at the same moments.
    for _ in 0..5 {
        let now = first.state.clock.now();
        let (a, b) = tokio::join!(
            run::tick(first.state.ports(), now),
            run::tick(second.state.ports(), now)
        );
        a.unwrap();
        b.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eventually(Duration::from_secs(15), "every first step", || async {
        received(&first, t, &device)
            .await
            .values()
            .filter(|v| !v.is_empty())
            .count()
            == 20
    })
    .await;
    advance(&first, t, 6 * 60).await;
    for _ in 0..5 {
        let now = first.state.clock.now();
        let (a, b) = tokio::join!(
            run::tick(first.state.ports(), now),
            run::tick(second.state.ports(), now)
        );
        a.unwrap();
        b.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eventually(Duration::from_secs(15), "every second step", || async {
        received(&first, t, &device)
            .await
            .values()
            .all(|v| v.len() >= 2)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    for (phone, texts) in received(&first, t, &device).await {
        assert_eq!(texts, ["One", "Two"], "{phone}");
    }
}

#[tokio::test]
async fn a_sequence_runs_on_the_embedded_default_sqlite() {
    let dir = crate::helpers::TempDir::new();
    let app = spawn_app_with(TestOptions {
        database_url: Some(dir.sqlite_url("sequences.db")),
        redis: false,
        ..TestOptions::default()
    })
    .await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Embedded", "+60123000241").await;
    let created = create_sequence(
        &app,
        t,
        json!({ "name": "Embedded", "trigger": "emb_1", "niches": [], "steps": [step(0, "One"), step(15, "Two")] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&app, t, &id, "ACTIVE").await;
    lead(&app, t, &device, "+60123456741", &["EMB_1"]).await;
    // `_` in a code is a character, not a wildcard.
    lead(&app, t, &device, "+60123456742", &["embx1"]).await;
    wait_received(&app, t, &device, "+60123456741", 1).await;
    wait_next_step(&app, t, &id, "+60123456741", 1).await;
    advance(&app, t, 16 * 60).await;
    wait_received(&app, t, &device, "+60123456741", 2).await;
    eventually(
        Duration::from_secs(10),
        "the contact to complete",
        || async { sequence(&app, t, &id).await["progress"]["completed"] == 1 },
    )
    .await;
    let got = received(&app, t, &device).await;
    assert_eq!(got["+60123456741"], ["One", "Two"]);
    assert!(!got.contains_key("+60123456742"));
}

/// `HH:MM` in Kuala Lumpur (UTC+8, no daylight saving), `hours` from `now`.
fn kl_time(now: chrono::DateTime<chrono::Utc>, hours: i64) -> String {
    use chrono::Timelike;
    let local = now + chrono::Duration::hours(8 + hours);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

#[tokio::test]
async fn a_step_waits_for_its_window_in_the_leads_time() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let t = &user.token;
    let device = app.paired_device(t, "Windowed", "+60123000251").await;
    let now = app.state.clock.now();
    let mut windowed = step(0, "Good morning");
    windowed["sendWindow"] = json!({ "from": kl_time(now, 3), "to": kl_time(now, 4) });
    let created = create_sequence(
        &app,
        t,
        json!({ "name": "Morning", "trigger": "morning", "steps": [windowed] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&app, t, &id, "ACTIVE").await;
    lead(&app, t, &device, "+60123456751", &["morning"]).await;
    // Due at once, but outside its window: its row waits as PENDING, nothing goes out.
    eventually(
        Duration::from_secs(10),
        "the step's row to wait for its window",
        || async { app.outbox_by_status().await.get("PENDING") == Some(&1) },
    )
    .await;
    assert!(app.sim_sent(t, &device).await.is_empty());
    advance(&app, t, 3 * 3600 + 120).await;
    wait_received(&app, t, &device, "+60123456751", 1).await;
    eventually(
        Duration::from_secs(10),
        "the contact to complete",
        || async { sequence(&app, t, &id).await["progress"]["completed"] == 1 },
    )
    .await;
}

#[tokio::test]
async fn a_node_killed_mid_sequence_leaves_every_step_sent_once_by_the_other() {
    let mut first = spawn_app().await;
    let second = spawn_app_with(TestOptions {
        database_url: Some(first.database_url.clone()),
        redis_prefix: Some(first.redis_prefix.clone()),
        ..TestOptions::default()
    })
    .await;
    let user = first.new_user().await;
    let t = &user.token;
    let device = first.paired_device(t, "Survivor", "+60123000261").await;
    let created = create_sequence(
        &first,
        t,
        json!({ "name": "Crash", "trigger": "crash", "steps": [step(0, "One"), step(20, "Two"), step(20, "Three")] }),
    )
    .await;
    let id = created.data()["createSequence"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate(&first, t, &id, "ACTIVE").await;
    for n in 0..15 {
        lead(&first, t, &device, &format!("+601234569{n:02}"), &["crash"]).await;
    }
    eventually(
        Duration::from_secs(15),
        "every contact to wait for step 2",
        || async { sequence(&first, t, &id).await["progress"]["steps"][1]["waiting"] == 15 },
    )
    .await;
    // The first node dies like kill -9; the second goes on (it takes the device over).
    first.kill();
    advance(&second, t, 21 * 60).await;
    eventually(Duration::from_secs(30), "every second step", || async {
        received(&second, t, &device)
            .await
            .values()
            .all(|v| v.len() >= 2)
    })
    .await;
    eventually(
        Duration::from_secs(15),
        "every contact to wait for step 3",
        || async { sequence(&second, t, &id).await["progress"]["steps"][2]["waiting"] == 15 },
    )
    .await;
    advance(&second, t, 21 * 60).await;
    eventually(
        Duration::from_secs(30),
        "every contact to complete",
        || async { sequence(&second, t, &id).await["progress"]["completed"] == 15 },
    )
    .await;
    for (phone, texts) in received(&second, t, &device).await {
        assert_eq!(texts, ["One", "Two", "Three"], "{phone}");
    }
}
