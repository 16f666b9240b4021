//! Phone numbers as people type them: national forms read with the user's default country,
//! numbers that cannot exist refused with a reason.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{eventually, spawn_app};

const UPDATE_ME: &str =
    "mutation($input: UpdateMeInput!) { updateMe(input: $input) { defaultCountry } }";
const SEND: &str =
    "mutation($input: SendMessageInput!) { sendMessage(input: $input) { outboxId } }";
const PAIR: &str = "mutation($id: ID!, $phone: String!) { requestPairingCode(deviceId: $id, phone: $phone) { code } }";

#[tokio::test]
async fn national_numbers_are_read_in_the_users_country_and_impossible_ones_are_refused() {
    let app = spawn_app().await;
    let user = app.new_user().await;
    let device = app
        .paired_device(&user.token, "Sender", "+60123000001")
        .await;
    let unpaired = app.add_device(&user.token, "Unpaired").await;

    // Without a country, a national number is ambiguous.
    let refused = app
        .gql(
            Some(&user.token),
            SEND,
            json!({ "input": { "deviceId": device, "phone": "012-345 6789", "text": "hi" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert!(refused.error_message().contains("country code"));

    let bad_country = app
        .gql(
            Some(&user.token),
            UPDATE_ME,
            json!({ "input": { "defaultCountry": "Malaysia" } }),
        )
        .await;
    assert_eq!(bad_country.error_code(), "BAD_USER_INPUT");
    let set = app
        .gql(
            Some(&user.token),
            UPDATE_ME,
            json!({ "input": { "defaultCountry": "my" } }),
        )
        .await;
    assert_eq!(set.data()["updateMe"]["defaultCountry"], "MY");

    // sendMessage: stored as E.164.
    let sent = app
        .gql(
            Some(&user.token),
            SEND,
            json!({ "input": { "deviceId": device, "phone": "012-345 6789", "text": "hi" } }),
        )
        .await;
    let id = sent.data()["sendMessage"]["outboxId"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = app
        .gql(
            Some(&user.token),
            "{ outbox { edges { node { id recipientPhone } } } }",
            json!({}),
        )
        .await;
    let node = &row.data()["outbox"]["edges"][0]["node"];
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["recipientPhone"], "+60123456789");

    // requestPairingCode: the national form pairs too.
    let code = app
        .gql(
            Some(&user.token),
            PAIR,
            json!({ "id": unpaired, "phone": "019-555 0000" }),
        )
        .await;
    assert_eq!(
        code.data()["requestPairingCode"]["code"]
            .as_str()
            .unwrap()
            .len(),
        8
    );

    // A country calling code that does not exist, and a length the country does not use.
    for (phone, reason) in [
        ("+999 1234 5678", "country calling code"),
        ("+60 1234 5678 9012", "wrong length for MY"),
    ] {
        for response in [
            app.gql(
                Some(&user.token),
                SEND,
                json!({ "input": { "deviceId": device, "phone": phone, "text": "hi" } }),
            )
            .await,
            app.gql(
                Some(&user.token),
                PAIR,
                json!({ "id": unpaired, "phone": phone }),
            )
            .await,
        ] {
            assert_eq!(response.error_code(), "BAD_USER_INPUT", "{phone}");
            assert!(
                response.error_message().contains(reason),
                "{phone}: {}",
                response.error_message()
            );
        }
    }
    eventually(
        Duration::from_secs(10),
        "the one good send to go out",
        || async { app.sim_sent(&user.token, &device).await.len() == 1 },
    )
    .await;
    assert_eq!(app.count("broadcast_messages").await, 1);

    // The countries to choose from, for the Settings screen.
    let countries = app
        .gql(None, "{ phoneCountries { code callingCode } }", json!({}))
        .await;
    assert!(countries.data()["phoneCountries"]
        .as_array()
        .unwrap()
        .contains(&json!({ "code": "MY", "callingCode": 60 })));
}
