//! The audience: leads per device, the AI lead pool, tags, CSV import/export and opt-outs.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{eventually, spawn_app, TestApp};

const LEAD_FIELDS: &str =
    "id name phone niches targetStatus triggers notes source optedOut device { id }";

async fn set_country(app: &TestApp, token: &str, country: &str) {
    let response = app
        .gql(
            Some(token),
            "mutation($c: String) { updateMe(input: { defaultCountry: $c }) { defaultCountry } }",
            json!({ "c": country }),
        )
        .await;
    assert_eq!(response.data()["updateMe"]["defaultCountry"], country);
}

async fn upload(app: &TestApp, token: &str, query: &str, variables: Value, file: Vec<u8>) -> Value {
    let operations = json!({ "query": query, "variables": variables });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(file)
                .file_name("leads.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    app.http
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .header("x-wafleet-csrf", "1")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

const JOB_FIELDS: &str =
    "id kind status rowsRead imported updated duplicates rejectedCount rejected(first: 1000) { line reason } error";

pub(crate) async fn import_leads(
    app: &TestApp,
    token: &str,
    device: &str,
    csv: &[u8],
    mode: &str,
) -> Value {
    let response = upload(
        app,
        token,
        &format!("mutation($d: ID!, $file: Upload!, $m: TagMergeMode!) {{ importLeads(deviceId: $d, file: $file, tagMode: $m) {{ {JOB_FIELDS} }} }}"),
        json!({ "d": device, "file": null, "m": mode }),
        csv.to_vec(),
    )
    .await;
    assert!(response["errors"].is_null(), "{response}");
    let id = response["data"]["importLeads"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    finished_job(app, token, &id).await
}

async fn finished_job(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let job = app
            .gql(
                Some(token),
                &format!("query($id: ID!) {{ importJob(id: $id) {{ {JOB_FIELDS} }} }}"),
                json!({ "id": id }),
            )
            .await
            .data()["importJob"]
            .clone();
        if job["status"] != "RUNNING" {
            return job;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not finish: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn all_leads(app: &TestApp, token: &str, filter: Value) -> Vec<Value> {
    let mut leads = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let response = app
            .gql(
                Some(token),
                &format!("query($f: LeadFilter, $after: String) {{ leads(filter: $f, first: 200, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {LEAD_FIELDS} }} }} }} }}"),
                json!({ "f": filter, "after": after }),
            )
            .await;
        let page = &response.data()["leads"];
        for edge in page["edges"].as_array().unwrap() {
            leads.push(edge["node"].clone());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    leads
}

async fn export(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The file: 1,000 data rows with semicolons, a BOM and national-form phones, 5 bad
/// rows and 10 repeats of earlier phones.
fn thousand_row_file() -> Vec<u8> {
    let mut csv = String::from("\u{feff}Nama;No HP;Tags;Status;Notes\n");
    for i in 0..985 {
        csv.push_str(&format!(
            "Lead {i};012-{:03} {:04};Beauty, Health;prospect;note {i}\n",
            i / 100 + 300,
            1000 + i
        ));
    }
    // 10 repeats of earlier phones (the last one wins).
    for i in 0..10 {
        csv.push_str(&format!(
            "Again {i};012-{:03} {:04};Spa;customer;\n",
            i / 100 + 300,
            1000 + i
        ));
    }
    csv.push_str("No phone;;Beauty;;\n");
    csv.push_str("Bad phone;12;Beauty;;\n");
    csv.push_str("Unknown code;+999 1234 5678;Beauty;;\n");
    csv.push_str("Too few columns;0123009999\n");
    csv.push_str(&format!("{};0123008888;Beauty;;\n", "x".repeat(201)));
    csv.into_bytes()
}

#[tokio::test]
async fn a_thousand_row_file_imports_the_good_rows_reports_each_bad_line_and_exports_back_unchanged(
) {
    let app = spawn_app().await;
    let user = app.new_user().await;
    set_country(&app, &user.token, "MY").await;
    let device = app.add_device(&user.token, "Sales").await;

    let job = import_leads(&app, &user.token, &device, &thousand_row_file(), "MERGE").await;
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(job["rowsRead"], 1000);
    assert_eq!(job["imported"], 985);
    assert_eq!(job["duplicates"], 10);
    assert_eq!(job["updated"], 0);
    assert_eq!(job["rejectedCount"], 5);
    let rejected: Vec<(i64, String)> = job["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines: Vec<i64> = rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [997, 998, 999, 1000, 1001]);
    assert!(rejected[0].1.contains("missing phone"), "{rejected:?}");
    assert!(rejected[1].1.contains("bad phone"), "{rejected:?}");
    assert!(rejected[2].1.contains("bad phone"), "{rejected:?}");
    assert!(rejected[3].1.contains("column count"), "{rejected:?}");
    assert!(rejected[4].1.contains("too long"), "{rejected:?}");

    let leads = all_leads(&app, &user.token, json!({})).await;
    assert_eq!(leads.len(), 985);
    let first = leads.iter().find(|l| l["phone"] == "+60123001000").unwrap();
    // The last row of a phone in the file wins: its name, status and tags.
    assert_eq!(first["name"], "Again 0");
    assert_eq!(first["targetStatus"], "CUSTOMER");
    assert_eq!(first["source"], "IMPORT");
    assert_eq!(first["niches"], json!(["Spa"]));

    // Export → import changes nothing.
    let exported = export(
        &app,
        &user.token,
        &format!("/export/leads.csv?deviceId={device}"),
    )
    .await;
    assert_eq!(exported.status(), 200);
    assert!(exported.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = exported.bytes().await.unwrap().to_vec();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.starts_with("name,phone,niches,target_status,triggers,notes\n"));
    assert_eq!(text.lines().count(), 986);
    let before = all_leads(&app, &user.token, json!({})).await;
    let again = import_leads(&app, &user.token, &device, &body, "REPLACE").await;
    assert_eq!(again["status"], "DONE", "{again}");
    assert_eq!(again["imported"], 0);
    assert_eq!(again["updated"], 985);
    assert_eq!(again["rejectedCount"], 0, "{again}");
    let after = all_leads(&app, &user.token, json!({})).await;
    let project = |leads: &[Value]| {
        let mut rows: Vec<String> = leads
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {} {} {}",
                    l["phone"],
                    l["name"],
                    l["niches"],
                    l["targetStatus"],
                    l["triggers"],
                    l["notes"]
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(project(&before), project(&after));
}

#[tokio::test]
async fn formulas_are_escaped_in_exports_and_read_back_as_written() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.add_device(&user.token, "Sales").await;
    let created = app
        .gql(
            Some(&user.token),
            &format!("mutation($i: LeadInput!) {{ createLead(input: $i) {{ {LEAD_FIELDS} }} }}"),
            json!({ "i": { "deviceId": device, "name": "=HYPERLINK(\"http://x\")", "phone": "+60123456789", "notes": "@SUM(A1)", "niches": ["-vip"] } }),
        )
        .await;
    assert!(created.0["errors"].is_null(), "{:?}", created.0);
    let text = export(&app, &user.token, "/export/leads.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains("'@SUM(A1)"), "{text}");
    assert!(text.contains("'+60123456789"), "{text}");
    let job = import_leads(&app, &user.token, &device, text.as_bytes(), "REPLACE").await;
    assert_eq!(job["updated"], 1, "{job}");
    let lead = &all_leads(&app, &user.token, json!({})).await[0];
    assert_eq!(lead["name"], "=HYPERLINK(\"http://x\")");
    assert_eq!(lead["notes"], "@SUM(A1)");
    assert_eq!(lead["niches"], json!(["-vip"]));
}

#[tokio::test]
async fn tags_match_whole_and_case_and_accent_insensitive_and_phones_are_unique_per_device_and_per_user(
) {
    let app = spawn_app().await;
    let user = app.new_user().await;
    set_country(&app, &user.token, "MY").await;
    let one = app.add_device(&user.token, "One").await;
    let two = app.add_device(&user.token, "Two").await;
    let create = |device: String, phone: &'static str, niches: Value| {
        let app = &app;
        let token = user.token.clone();
        async move {
            app.gql(
                Some(&token),
                &format!("mutation($i: LeadInput!) {{ createLead(input: $i) {{ {LEAD_FIELDS} }} }}"),
                json!({ "i": { "deviceId": device, "name": "Siti", "phone": phone, "niches": niches, "triggers": ["COLD"] } }),
            )
            .await
        }
    };
    let lead = create(one.clone(), "012-345 6789", json!(["Beauty", "Health"])).await;
    assert_eq!(lead.data()["createLead"]["phone"], "+60123456789");
    // The same phone on another device is another lead; on the same device it is refused.
    assert!(create(two.clone(), "+60123456789", json!(["Heal"])).await.0["errors"].is_null());
    let twice = create(one.clone(), "0123456789", json!([])).await;
    assert_eq!(twice.error_code(), "BAD_USER_INPUT");

    let matching = |filter: Value| all_leads(&app, &user.token, filter);
    assert_eq!(matching(json!({ "niche": "health" })).await.len(), 1);
    assert_eq!(matching(json!({ "niche": "HÉALTH" })).await.len(), 1);
    assert_eq!(
        matching(json!({ "niche": "heal" })).await.len(),
        1,
        "Heal is its own tag"
    );
    assert_eq!(matching(json!({ "niche": "hea" })).await.len(), 0);
    assert_eq!(
        matching(json!({ "niches": ["health", "heal"] }))
            .await
            .len(),
        2
    );
    assert_eq!(
        matching(json!({ "allNiches": ["beauty", "health"] }))
            .await
            .len(),
        1
    );
    assert_eq!(matching(json!({ "trigger": "cold" })).await.len(), 2);
    assert_eq!(matching(json!({ "trigger": "col" })).await.len(), 0);
    assert_eq!(
        matching(json!({ "search": "+60 12-345 6789" })).await.len(),
        2
    );
    assert_eq!(matching(json!({ "search": "sit" })).await.len(), 2);
    assert_eq!(matching(json!({ "deviceId": one })).await.len(), 1);

    let niches = app
        .gql(
            Some(&user.token),
            "{ niches { tag leads aiLeads } }",
            json!({}),
        )
        .await;
    let tags: Vec<&str> = niches.data()["niches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags.len(), 3, "{tags:?}");

    // AI leads: unique per user.
    let ai = |phone: &'static str| {
        let app = &app;
        let token = user.token.clone();
        async move {
            app.gql(
                Some(&token),
                "mutation($i: AiLeadInput!) { createAiLead(input: $i) { id phone status niches } }",
                json!({ "i": { "phone": phone, "niches": ["Beauty"] } }),
            )
            .await
        }
    };
    assert_eq!(
        ai("0123456789").await.data()["createAiLead"]["status"],
        "PENDING"
    );
    assert_eq!(ai("+60123456789").await.error_code(), "BAD_USER_INPUT");
    let stats = app
        .gql(
            Some(&user.token),
            "{ aiLeadStats { total byStatus { status count } byNiche { tag aiLeads } } }",
            json!({}),
        )
        .await;
    assert_eq!(stats.data()["aiLeadStats"]["total"], 1);
    assert_eq!(stats.data()["aiLeadStats"]["byNiche"][0]["tag"], "Beauty");

    // Bulk: retag, move (a clash moves nothing), delete.
    let ids: Vec<String> = matching(json!({}))
        .await
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let retagged = app
        .gql(Some(&user.token), "mutation($ids: [ID!]!) { retagLeads(ids: $ids, add: [\"VIP\"], remove: [\"beauty\"]) }", json!({ "ids": ids }))
        .await;
    assert_eq!(retagged.data()["retagLeads"], 2);
    assert_eq!(matching(json!({ "niche": "vip" })).await.len(), 2);
    assert_eq!(matching(json!({ "niche": "beauty" })).await.len(), 0);
    let clash = app
        .gql(
            Some(&user.token),
            "mutation($ids: [ID!]!, $d: ID!) { moveLeads(ids: $ids, deviceId: $d) }",
            json!({ "ids": ids, "d": two }),
        )
        .await;
    assert_eq!(clash.error_code(), "BAD_USER_INPUT");
    assert_eq!(matching(json!({ "deviceId": one })).await.len(), 1);

    // Deleting a device removes its leads and says how many.
    let deleted = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { deleteDevice(id: $id) { leads } }",
            json!({ "id": one }),
        )
        .await;
    assert_eq!(deleted.data()["deleteDevice"]["leads"], 1);
    let removed = app
        .gql(
            Some(&user.token),
            "mutation($ids: [ID!]!) { deleteLeads(ids: $ids) }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(removed.data()["deleteLeads"], 1);
}

#[tokio::test]
async fn another_users_leads_ai_leads_jobs_and_exports_stay_out_of_reach() {
    let app = spawn_app().await;
    let alice = app.new_user().await;
    let mallory = app.new_user().await;
    let device = app.add_device(&alice.token, "Sales").await;
    let lead = app
        .gql(Some(&alice.token), "mutation($d: ID!) { createLead(input: { deviceId: $d, phone: \"+60123456789\" }) { id } }", json!({ "d": device }))
        .await;
    let lead_id = lead.data()["createLead"]["id"].as_str().unwrap().to_owned();
    let ai = app
        .gql(
            Some(&alice.token),
            "mutation { createAiLead(input: { phone: \"+60123456780\" }) { id } }",
            json!({}),
        )
        .await;
    let ai_id = ai.data()["createAiLead"]["id"].as_str().unwrap().to_owned();
    let job = import_leads(
        &app,
        &alice.token,
        &device,
        b"phone\n+60123456781\n",
        "MERGE",
    )
    .await;

    let m = Some(mallory.token.as_str());
    assert!(app
        .gql(
            m,
            "query($id: ID!) { lead(id: $id) { id } }",
            json!({ "id": lead_id })
        )
        .await
        .data()["lead"]
        .is_null());
    assert!(app
        .gql(
            m,
            "query($id: ID!) { importJob(id: $id) { id } }",
            json!({ "id": job["id"] })
        )
        .await
        .data()["importJob"]
        .is_null());
    assert_eq!(
        app.gql(
            m,
            "{ leads { totalCount } aiLeads { totalCount } niches { tag } }",
            json!({})
        )
        .await
        .data()["leads"]["totalCount"],
        0
    );
    let update = app
        .gql(
            m,
            "mutation($id: ID!) { updateLead(id: $id, input: { name: \"x\" }) { id } }",
            json!({ "id": lead_id }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
    let update = app
        .gql(
            m,
            "mutation($id: ID!) { updateAiLead(id: $id, input: { name: \"x\" }) { id } }",
            json!({ "id": ai_id }),
        )
        .await;
    assert_eq!(update.error_code(), "NOT_FOUND");
    assert_eq!(
        app.gql(
            m,
            "mutation($ids: [ID!]!) { deleteLeads(ids: $ids) }",
            json!({ "ids": [lead_id] })
        )
        .await
        .data()["deleteLeads"],
        0
    );
    assert_eq!(
        app.gql(
            m,
            "mutation($ids: [ID!]!) { deleteAiLeads(ids: $ids) }",
            json!({ "ids": [ai_id] })
        )
        .await
        .data()["deleteAiLeads"],
        0
    );
    let into_alices = upload(
        &app,
        &mallory.token,
        "mutation($d: ID!, $file: Upload!) { importLeads(deviceId: $d, file: $file) { id } }",
        json!({ "d": device, "file": null }),
        b"phone\n+60123456782\n".to_vec(),
    )
    .await;
    assert_eq!(into_alices["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let text = export(&app, &mallory.token, "/export/leads.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 1, "only the header: {text}");
    assert_eq!(
        export(
            &app,
            &mallory.token,
            &format!("/export/leads.csv?deviceId={device}")
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        export(&app, "not-a-token", "/export/ai-leads.csv")
            .await
            .status(),
        401
    );
    assert_eq!(app.count("leads").await, 3);
}

#[tokio::test]
async fn files_that_are_not_lead_lists_are_refused_before_anything_changes() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app.add_device(&user.token, "Sales").await;
    let query =
        "mutation($d: ID!, $file: Upload!) { importLeads(deviceId: $d, file: $file) { id } }";
    for (file, message) in [
        (Vec::new(), "empty"),
        (b"name,notes\nSiti,hello\n".to_vec(), "no phone column"),
        (vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0, 1], "binary"),
    ] {
        let response = upload(
            &app,
            &user.token,
            query,
            json!({ "d": device, "file": null }),
            file,
        )
        .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{response}"
        );
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{response}"
        );
    }
    assert_eq!(app.count("import_jobs").await, 0);
    assert_eq!(app.count("leads").await, 0);
}

#[tokio::test]
async fn opt_outs_come_from_an_inbound_stop_by_hand_and_from_a_file_and_can_be_removed() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    set_country(&app, &user.token, "MY").await;
    let device = app
        .paired_device(&user.token, "Sales", "+60111111111")
        .await;
    for phone in ["+60123000001", "+60123000002"] {
        app.gql(Some(&user.token), "mutation($d: ID!, $p: String!) { createLead(input: { deviceId: $d, phone: $p }) { id } }", json!({ "d": device, "p": phone })).await;
    }
    let inbound = |from: &'static str, text: &'static str| {
        let app = &app;
        let token = user.token.clone();
        let device = device.clone();
        async move {
            app.gql(Some(&token), "mutation($id: ID!, $from: String!, $text: String!) { simInboundMessage(deviceId: $id, from: $from, text: $text) }", json!({ "id": device, "from": from, "text": text })).await
        }
    };
    inbound("+60123000002", "stop the bill please").await;
    inbound("+60123000001", "STOP!!").await;
    eventually(
        Duration::from_secs(10),
        "the STOP to opt the number out",
        || async {
            all_leads(&app, &user.token, json!({ "optedOut": true }))
                .await
                .len()
                == 1
        },
    )
    .await;
    let opted = all_leads(&app, &user.token, json!({ "optedOut": true })).await;
    assert_eq!(opted[0]["phone"], "+60123000001");
    let list = app
        .gql(
            Some(&user.token),
            "{ optOuts { totalCount edges { node { phone reason source } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list.data()["optOuts"]["totalCount"], 1);
    assert_eq!(
        list.data()["optOuts"]["edges"][0]["node"]["source"],
        "INBOUND"
    );

    let by_hand = app.gql(Some(&user.token), "mutation { optOut(phone: \"012-300 0002\", reason: \"asked on the phone\") { phone reason source } }", json!({})).await;
    assert_eq!(by_hand.data()["optOut"]["phone"], "+60123000002");
    assert_eq!(by_hand.data()["optOut"]["source"], "MANUAL");

    let job = upload(
        &app,
        &user.token,
        "mutation($file: Upload!) { importOptOuts(file: $file) { id } }",
        json!({ "file": null }),
        b"phone;reason\n0123000003;complained\n0123000002;again\nnope;x\n".to_vec(),
    )
    .await;
    let job = finished_job(
        &app,
        &user.token,
        job["data"]["importOptOuts"]["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(job["imported"], 1, "{job}");
    assert_eq!(job["updated"], 1, "{job}");
    assert_eq!(job["rejectedCount"], 1, "{job}");
    let text = export(&app, &user.token, "/export/opt-outs.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("complained"));

    let removed = app
        .gql(
            Some(&user.token),
            "mutation { removeOptOut(phone: \"+60123000001\") }",
            json!({}),
        )
        .await;
    assert_eq!(removed.data()["removeOptOut"], true);
    assert_eq!(
        all_leads(&app, &user.token, json!({ "optedOut": true }))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_embedded_default_sqlite_imports_filters_and_exports_the_same_way() {
    let dir = crate::helpers::TempDir::new();
    let app = crate::helpers::spawn_app_with(crate::helpers::TestOptions {
        database_url: Some(dir.sqlite_url("wafleet.db")),
        redis: false,
        ..Default::default()
    })
    .await;
    let user = app.new_user().await;
    set_country(&app, &user.token, "MY").await;
    let device = app.add_device(&user.token, "Sales").await;
    let csv = "\u{feff}nama;no hp;tags;triggers\nSiti;012-300 0001;Beauty, Health;cold\nAli;012-300 0002;Heal;\nBad;12;x;\nSiti again;0123000001;Spa;\n";
    let job = import_leads(&app, &user.token, &device, csv.as_bytes(), "MERGE").await;
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(job["imported"], 2, "{job}");
    assert_eq!(job["duplicates"], 1, "{job}");
    assert_eq!(job["rejected"][0]["line"], 4, "{job}");
    assert_eq!(
        all_leads(&app, &user.token, json!({ "niche": "spa" }))
            .await
            .len(),
        1
    );
    assert_eq!(
        all_leads(&app, &user.token, json!({ "niche": "heal" }))
            .await
            .len(),
        1
    );
    assert_eq!(
        all_leads(&app, &user.token, json!({ "niche": "hea" }))
            .await
            .len(),
        0
    );
    let text = export(&app, &user.token, "/export/leads.csv?niches=spa,heal")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    let again = import_leads(&app, &user.token, &device, text.as_bytes(), "REPLACE").await;
    assert_eq!(again["updated"], 2, "{again}");
    assert_eq!(again["imported"], 0, "{again}");
}
