use chrono::Utc;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, TestOptions, PASSWORD};

const SIGN_UP: &str =
    "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }";
const LOG_IN: &str =
    "mutation($input: LogInInput!) { logIn(input: $input) { token user { id email } } }";
const ME: &str = "{ me { id email fullName timeZone apiTokens { id name } } }";

#[tokio::test]
async fn sign_up_returns_a_session_token_that_works() {
    let app = spawn_app().await;

    let user = app.sign_up("Ana@Example.com").await;

    let me = app.gql(Some(&user.token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["id"], user.id.as_str());
    assert_eq!(me.data()["me"]["email"], "ana@example.com");
    assert_eq!(me.data()["me"]["timeZone"], "UTC");
}

#[tokio::test]
async fn a_new_account_takes_the_time_zone_and_country_it_signs_up_with() {
    let app = spawn_app().await;
    let input = json!({ "email": "dewi@example.com", "password": PASSWORD, "fullName": "Dewi",
                        "timeZone": "Asia/Jakarta", "defaultCountry": "id" });

    let signed_up = app.gql(None, SIGN_UP, json!({ "input": input })).await;
    let token = signed_up.data()["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let me = app
        .gql(
            Some(&token),
            "{ me { timeZone defaultCountry } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["timeZone"], "Asia/Jakarta");
    assert_eq!(me.data()["me"]["defaultCountry"], "ID");
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = spawn_app().await;
    app.sign_up("hash@example.com").await;

    let row = app
        .state
        .db
        .query_one(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT password_hash FROM users".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get("", "password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn bad_sign_ups_are_rejected_and_store_nothing() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": "a@example.com", "password": "short", "fullName": "A"}),
            "too weak",
        ),
        (
            json!({"email": "a@example.com", "password": "password123", "fullName": "A"}),
            "too weak",
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD, "fullName": "A"}),
            "valid email",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "fullName": "  "}),
            "empty",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "fullName": "A",
                   "timeZone": "Mars/Olympus"}),
            "not a known time zone",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "fullName": "A",
                   "timeZone": "Asia/Jakarta", "defaultCountry": "XX"}),
            "XX",
        ),
    ];

    for (input, message) in cases {
        let response = app.gql(None, SIGN_UP, json!({ "input": input })).await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        assert!(
            response.error_message().contains(message),
            "{}",
            response.error_message()
        );
    }

    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("api_tokens").await, 0);
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict() {
    let app = spawn_app().await;
    app.sign_up("dup@example.com").await;

    let response = app
        .gql(
            None,
            SIGN_UP,
            json!({ "input": { "email": "DUP@example.com", "password": PASSWORD, "fullName": "B" } }),
        )
        .await;

    assert_eq!(response.error_code(), "CONFLICT");
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn log_in_with_the_right_password_opens_a_new_session() {
    let app = spawn_app().await;
    let user = app.sign_up("login@example.com").await;

    let response = app
        .gql(
            None,
            LOG_IN,
            json!({ "input": { "email": "login@example.com", "password": PASSWORD } }),
        )
        .await;

    let token = response.data()["logIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(token, user.token);
    let me = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["id"], user.id.as_str());
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_unauthenticated() {
    let app = spawn_app().await;
    app.sign_up("wrong@example.com").await;

    for (email, password) in [
        ("wrong@example.com", "not-the-password"),
        ("nobody@example.com", PASSWORD),
    ] {
        let response = app
            .gql(
                None,
                LOG_IN,
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        assert_eq!(response.error_code(), "UNAUTHENTICATED");
        assert_eq!(response.error_message(), "Wrong email or password.");
    }
    // Only the sign-up session exists.
    assert_eq!(app.count("api_tokens").await, 1);
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited_per_email_and_ip() {
    let app = spawn_app_with(TestOptions {
        env: vec![("WAFLEET_LOGIN_MAX_FAILURES", "3".into())],
        ..Default::default()
    })
    .await;
    app.sign_up("victim@example.com").await;
    let attempt = |password: &'static str| {
        app.gql(
            None,
            LOG_IN,
            json!({ "input": { "email": "victim@example.com", "password": password } }),
        )
    };

    for _ in 0..3 {
        assert_eq!(
            attempt("guess-guess-guess").await.error_code(),
            "UNAUTHENTICATED"
        );
    }

    // Now even the right password is refused until the window passes.
    let limited = attempt(PASSWORD).await;
    assert_eq!(limited.error_code(), "RATE_LIMITED");
    assert!(
        limited.0["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Another email from the same address is not affected.
    app.sign_up("other@example.com").await;
    let other = app
        .gql(
            None,
            LOG_IN,
            json!({ "input": { "email": "other@example.com", "password": PASSWORD } }),
        )
        .await;
    assert!(other.data()["logIn"]["token"].is_string());
}

#[tokio::test]
async fn missing_invalid_and_expired_tokens_are_unauthenticated() {
    let app = spawn_app().await;
    let user = app.sign_up("expiry@example.com").await;

    assert_eq!(
        app.gql(None, ME, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(Some("wft_made_up"), ME, json!({}))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );

    let past = Utc::now() - chrono::Duration::hours(1);
    app.state
        .db
        .execute(Statement::from_sql_and_values(
            app.state.db.get_database_backend(),
            "UPDATE api_tokens SET expires_at = $1",
            [past.into()],
        ))
        .await
        .unwrap();
    let expired = app.gql(Some(&user.token), ME, json!({})).await;
    assert_eq!(expired.error_code(), "UNAUTHENTICATED");
    assert!(expired.error_message().contains("expired"));
}

#[tokio::test]
async fn log_out_ends_the_session() {
    let app = spawn_app().await;
    let user = app.sign_up("bye@example.com").await;

    let response = app
        .gql(Some(&user.token), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(response.data()["logOut"], true);

    assert_eq!(
        app.gql(Some(&user.token), ME, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn update_me_changes_name_and_time_zone_and_rejects_unknown_zones() {
    let app = spawn_app().await;
    let user = app.sign_up("tz@example.com").await;
    let update =
        "mutation($input: UpdateMeInput!) { updateMe(input: $input) { fullName timeZone } }";

    let response = app
        .gql(
            Some(&user.token),
            update,
            json!({ "input": { "fullName": "Siti Aminah", "timeZone": "Asia/Kuala_Lumpur" } }),
        )
        .await;
    assert_eq!(response.data()["updateMe"]["timeZone"], "Asia/Kuala_Lumpur");
    assert_eq!(response.data()["updateMe"]["fullName"], "Siti Aminah");

    let bad = app
        .gql(
            Some(&user.token),
            update,
            json!({ "input": { "fullName": "X", "timeZone": "UTC+8" } }),
        )
        .await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");
    let me = app.gql(Some(&user.token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["fullName"], "Siti Aminah");
    assert_eq!(me.data()["me"]["timeZone"], "Asia/Kuala_Lumpur");
}

#[tokio::test]
async fn an_api_token_is_shown_once_works_and_stops_working_when_revoked() {
    let app = spawn_app().await;
    let user = app.sign_up("tokens@example.com").await;

    let created = app
        .gql(
            Some(&user.token),
            "mutation { createApiToken(name: \"ci\") { token apiToken { id name lastUsedAt } } }",
            json!({}),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token_id = created.data()["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // It authenticates, it is listed (without its secret), and it is stored only as a hash.
    let me = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(me.data()["me"]["apiTokens"][0]["name"], "ci");
    assert!(!me.0.to_string().contains(&token));
    assert_eq!(me.data()["me"]["apiTokens"].as_array().unwrap().len(), 1);
    let stored = app
        .state
        .db
        .query_one(Statement::from_string(
            app.state.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = '{token}'"),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.try_get::<i64>("", "n").unwrap(), 0);

    let revoked = app
        .gql(
            Some(&user.token),
            "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            json!({ "id": token_id }),
        )
        .await;
    assert_eq!(revoked.data()["revokeApiToken"]["id"], token_id.as_str());
    assert_eq!(
        app.gql(Some(&token), ME, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_user_cannot_revoke_or_see_someone_elses_token() {
    let app = spawn_app().await;
    let owner = app.new_user().await;
    let intruder = app.new_user().await;
    let created = app
        .gql(
            Some(&owner.token),
            "mutation { createApiToken(name: \"mine\") { token apiToken { id } } }",
            json!({}),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token_id = created.data()["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let attempt = app
        .gql(
            Some(&intruder.token),
            "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            json!({ "id": token_id }),
        )
        .await;

    assert_eq!(attempt.error_code(), "NOT_FOUND");
    let theirs = app.gql(Some(&intruder.token), ME, json!({})).await;
    assert_eq!(
        theirs.data()["me"]["apiTokens"].as_array().unwrap().len(),
        0
    );
    assert!(app.gql(Some(&token), ME, json!({})).await.data()["me"]["id"].is_string());
}

#[tokio::test]
async fn invalid_ids_and_empty_token_names_are_bad_input() {
    let app = spawn_app().await;
    let user = app.new_user().await;

    let bad_id = app
        .gql(
            Some(&user.token),
            "mutation { revokeApiToken(id: \"42\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(bad_id.error_code(), "BAD_USER_INPUT");
    let empty = app
        .gql(
            Some(&user.token),
            "mutation { createApiToken(name: \"  \") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(empty.error_code(), "BAD_USER_INPUT");
    assert_eq!(app.count("api_tokens").await, 1);
}
