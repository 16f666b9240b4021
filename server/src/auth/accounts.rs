//! Account commands: sign up, log in/out, profile, API tokens, and token authentication.

use std::{collections::HashSet, net::IpAddr, time::Duration};

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    password,
    rate_limit::{Attempts, FailureCounter},
    tokens, Viewer,
};
use crate::{
    domain::accounts::{Email, FullName, Password, TimeZoneName, TokenName},
    entities::{api_tokens, users},
    error::{AppError, AppResult},
    events::{Event, EventPublisher},
    types::{
        ids::{ApiTokenId, UserId},
        phone::Country,
    },
};

pub const KIND_SESSION: &str = "session";
pub const KIND_API: &str = "api";
/// A user can hold this many API tokens at once; it keeps the list reviewable.
pub const MAX_API_TOKENS: usize = 50;

pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub full_name: FullName,
    /// The zone times are shown in; UTC when not given.
    pub time_zone: Option<TimeZoneName>,
    /// The country national-form phone numbers are read in; none when not given.
    pub default_country: Option<Country>,
}

/// Login throttling settings.
pub struct LoginPolicy {
    /// Attempts per (email, IP address) in a window that did not succeed.
    pub max_failures: u32,
    /// Attempts from one IP address in a window, whatever the email, that did not succeed.
    pub max_failures_per_ip: u32,
    pub window: Duration,
}

impl LoginPolicy {
    fn refusal(&self, limit: u32, attempts: Attempts) -> Option<AppError> {
        (attempts.count > limit).then(|| AppError::RateLimited {
            // Rounded up: a client that waits this long is let in.
            retry_after_seconds: attempts.window_left.as_millis().div_ceil(1000).max(1) as u64,
        })
    }
}

/// Creates a user and a first session.
#[tracing::instrument(skip_all)]
pub async fn sign_up(
    db: &DatabaseConnection,
    session_ttl: Duration,
    account: NewAccount,
) -> AppResult<(users::Model, String)> {
    let taken = users::Entity::find()
        .filter(users::Column::Email.eq(account.email.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(email_taken());
    }
    let password_hash = password::hash(&account.password).await?;
    let now = Utc::now();
    let user = users::ActiveModel {
        id: Set(UserId::new().0),
        email: Set(account.email.as_str().to_owned()),
        full_name: Set(account.full_name.into_inner()),
        password_hash: Set(password_hash),
        time_zone: Set(account
            .time_zone
            .map_or_else(|| "UTC".to_owned(), TimeZoneName::into_inner)),
        default_country: Set(account.default_country.map(|c| c.code().to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(Some(now)),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // Two sign-ups racing for one email: the unique index decides.
        Some(SqlErr::UniqueConstraintViolation(_)) => email_taken(),
        _ => e.into(),
    })?;
    let token = issue_session(db, user.id, session_ttl).await?;
    tracing::info!(user.id = %user.id, "user signed up");
    Ok((user, token))
}

fn email_taken() -> AppError {
    AppError::Conflict("An account with this email already exists. Log in instead.".into())
}

/// Checks the password and opens a session.
///
/// Every attempt is counted before the password is checked — per (email, IP address) and per
/// IP address across emails, against password spraying — and refused with `RATE_LIMITED` past
/// the policy's limits; a success takes its attempts back. Failures and refusals are logged with
/// a hash of the email, never the email itself.
#[tracing::instrument(skip_all)]
pub async fn log_in(
    db: &DatabaseConnection,
    failures: &dyn FailureCounter,
    policy: &LoginPolicy,
    session_ttl: Duration,
    email: &str,
    password_attempt: &str,
    client_ip: Option<IpAddr>,
) -> AppResult<(users::Model, String)> {
    let email = email.trim().to_lowercase();
    let email_key = throttle_key(&email, client_ip);
    let ip_key = ip_throttle_key(client_ip);
    let per_email = failures.attempt(&email_key, policy.window).await?;
    let per_ip = failures.attempt(&ip_key, policy.window).await?;
    let refusal = policy
        .refusal(policy.max_failures, per_email)
        .or_else(|| policy.refusal(policy.max_failures_per_ip, per_ip));
    if let Some(refusal) = refusal {
        tracing::warn!(
            email.hash = %email_hash(&email),
            client.ip = ?client_ip,
            attempts.email = per_email.count,
            attempts.ip = per_ip.count,
            "login refused: too many attempts"
        );
        return Err(refusal);
    }
    let user = users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .one(db)
        .await?;
    let ok = password::verify(
        password_attempt,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match (ok, user) {
        (true, Some(user)) => user,
        (_, user) => {
            tracing::warn!(
                user.id = ?user.map(|u| u.id),
                email.hash = %email_hash(&email),
                client.ip = ?client_ip,
                "login failed: wrong email or password"
            );
            return Err(AppError::Unauthenticated("Wrong email or password."));
        }
    };
    failures.reset(&email_key).await?;
    failures.forgive(&ip_key).await?;
    let now = Utc::now();
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::UserId.eq(user.id))
        .filter(api_tokens::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let user = users::ActiveModel {
        last_login_at: Set(Some(now)),
        ..users::ActiveModel::from(user)
    }
    .update(db)
    .await?;
    let token = issue_session(db, user.id, session_ttl).await?;
    tracing::info!(user.id = %user.id, "user logged in");
    Ok((user, token))
}

/// The key never contains the email itself, so Redis holds no personal data.
fn throttle_key(email: &str, ip: Option<IpAddr>) -> String {
    let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{email}\n{ip}").as_bytes()))
}

fn ip_throttle_key(ip: Option<IpAddr>) -> String {
    let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
    format!("ip:{}", hex::encode(Sha256::digest(ip.as_bytes())))
}

/// What the log says instead of an email: enough to tell attempts on one account apart.
fn email_hash(email: &str) -> String {
    let digest = hex::encode(Sha256::digest(email.as_bytes()));
    digest.get(..16).unwrap_or(&digest).to_owned()
}

async fn issue_session(db: &DatabaseConnection, user_id: Uuid, ttl: Duration) -> AppResult<String> {
    let token = tokens::generate();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl).map_err(anyhow::Error::from)?;
    api_tokens::ActiveModel {
        id: Set(ApiTokenId::new().0),
        user_id: Set(user_id),
        kind: Set(KIND_SESSION.to_owned()),
        name: Set("session".to_owned()),
        token_hash: Set(token.hash),
        created_at: Set(now),
        last_used_at: Set(Some(now)),
        expires_at: Set(Some(now + ttl)),
    }
    .insert(db)
    .await?;
    Ok(token.plaintext)
}

/// Resolves a bearer token. `None` when it is unknown or expired.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> AppResult<Option<Viewer>> {
    let now = Utc::now();
    let Some(row) = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(tokens::hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.expires_at.is_some_and(|at| at <= now) {
        return Ok(None);
    }
    // Writing on every request would make each read a write; a minute's precision is plenty.
    if row
        .last_used_at
        .is_none_or(|at| now - at > chrono::Duration::minutes(1))
    {
        api_tokens::Entity::update_many()
            .col_expr(api_tokens::Column::LastUsedAt, Expr::value(now))
            .filter(api_tokens::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Viewer {
        user_id: UserId(row.user_id),
        token_id: row.id,
        expires_at: row.expires_at,
    }))
}

/// The tokens among `ids` that still exist and have not expired.
pub async fn active_tokens(db: &DatabaseConnection, ids: &[Uuid]) -> AppResult<HashSet<Uuid>> {
    let now = Utc::now();
    let mut active = HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<Uuid> = api_tokens::Entity::find()
            .select_only()
            .column(api_tokens::Column::Id)
            .filter(api_tokens::Column::Id.is_in(chunk.iter().copied()))
            .filter(
                Condition::any()
                    .add(api_tokens::Column::ExpiresAt.is_null())
                    .add(api_tokens::Column::ExpiresAt.gt(now)),
            )
            .into_tuple()
            .all(db)
            .await?;
        active.extend(found);
    }
    Ok(active)
}

/// Whether a token still exists and has not expired.
pub async fn token_is_active(db: &DatabaseConnection, id: Uuid) -> AppResult<bool> {
    Ok(active_tokens(db, &[id]).await?.contains(&id))
}

/// Ends the session (or revokes the API token) the caller authenticated with.
pub async fn log_out(db: &DatabaseConnection, viewer: Viewer) -> AppResult<()> {
    api_tokens::Entity::delete_by_id(viewer.token_id)
        .exec(db)
        .await?;
    tracing::info!(user.id = %viewer.user_id, "user logged out");
    Ok(())
}

/// Ends every login session of the user except the one of `viewer`; returns their token ids.
/// API tokens are not sessions and stay.
pub async fn log_out_other_sessions(
    db: &DatabaseConnection,
    viewer: Viewer,
) -> AppResult<Vec<Uuid>> {
    let ended: Vec<Uuid> = api_tokens::Entity::find()
        .select_only()
        .column(api_tokens::Column::Id)
        .filter(api_tokens::Column::UserId.eq(viewer.user_id.0))
        .filter(api_tokens::Column::Kind.eq(KIND_SESSION))
        .filter(api_tokens::Column::Id.ne(viewer.token_id))
        .into_tuple()
        .all(db)
        .await?;
    for chunk in ended.chunks(500) {
        api_tokens::Entity::delete_many()
            .filter(api_tokens::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    tracing::info!(user.id = %viewer.user_id, sessions = ended.len(), "other sessions ended");
    Ok(ended)
}

/// Changes the password after checking the current one, and ends every other session.
/// Wrong current passwords are throttled like logins, per user.
pub async fn change_password(
    db: &DatabaseConnection,
    failures: &dyn FailureCounter,
    policy: &LoginPolicy,
    viewer: Viewer,
    current: &str,
    new_password: &str,
) -> AppResult<Vec<Uuid>> {
    let key = format!("password:{}", viewer.user_id);
    let attempts = failures.attempt(&key, policy.window).await?;
    if let Some(refusal) = policy.refusal(policy.max_failures, attempts) {
        tracing::warn!(user.id = %viewer.user_id, "password change refused: too many attempts");
        return Err(refusal);
    }
    let user = find_user(db, viewer.user_id).await?;
    if !password::verify(current, Some(user.password_hash.clone())).await? {
        tracing::warn!(user.id = %viewer.user_id, "password change failed: wrong current password");
        // Not UNAUTHENTICATED: the session itself is fine.
        return Err(AppError::validation("The current password is wrong."));
    }
    if current == new_password {
        return Err(AppError::validation(
            "The new password is the current one; choose another.",
        ));
    }
    let new_password = Password::for_account(new_password, &user.email, &user.full_name)?;
    let password_hash = password::hash(&new_password).await?;
    users::ActiveModel {
        password_hash: Set(password_hash),
        updated_at: Set(Utc::now()),
        ..users::ActiveModel::from(user)
    }
    .update(db)
    .await?;
    failures.reset(&key).await?;
    tracing::info!(user.id = %viewer.user_id, "password changed");
    log_out_other_sessions(db, viewer).await
}

pub async fn find_user(db: &DatabaseConnection, user_id: UserId) -> AppResult<users::Model> {
    users::Entity::find_by_id(user_id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("User"))
}

/// Changes the profile and tells the user's subscribers (other tabs follow).
pub async fn update_me(
    db: &DatabaseConnection,
    events: &dyn EventPublisher,
    user_id: UserId,
    update: ProfileUpdate,
) -> AppResult<users::Model> {
    let user = find_user(db, user_id).await?;
    let mut active = users::ActiveModel::from(user);
    if let Some(name) = update.full_name {
        active.full_name = Set(name.into_inner());
    }
    if let Some(tz) = update.time_zone {
        active.time_zone = Set(tz.into_inner());
    }
    if let Some(country) = update.default_country {
        active.default_country = Set(country.map(|c| c.code().to_owned()));
    }
    active.updated_at = Set(Utc::now());
    let user = active.update(db).await?;
    events.publish(Event::user_updated(user_id)).await;
    Ok(user)
}

/// What `update_me` changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileUpdate {
    pub full_name: Option<FullName>,
    pub time_zone: Option<TimeZoneName>,
    /// `Some(None)` clears the country.
    pub default_country: Option<Option<Country>>,
}

/// The country the user's national-form phone numbers are read in, if they set one.
pub async fn phone_country(db: &DatabaseConnection, user_id: UserId) -> AppResult<Option<Country>> {
    let user = find_user(db, user_id).await?;
    Ok(user
        .default_country
        .as_deref()
        .and_then(|code| Country::parse(code).ok()))
}

/// The user's API tokens (not sessions), newest first.
pub async fn api_tokens(
    db: &DatabaseConnection,
    user_id: UserId,
) -> AppResult<Vec<api_tokens::Model>> {
    Ok(api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(user_id.0))
        .filter(api_tokens::Column::Kind.eq(KIND_API))
        .order_by_desc(api_tokens::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Creates an API token; the plaintext is returned once and never stored.
pub async fn create_api_token(
    db: &DatabaseConnection,
    user_id: UserId,
    name: TokenName,
) -> AppResult<(api_tokens::Model, String)> {
    if api_tokens(db, user_id).await?.len() >= MAX_API_TOKENS {
        return Err(AppError::Conflict(format!(
            "You already have {MAX_API_TOKENS} API tokens; revoke one first."
        )));
    }
    let token = tokens::generate();
    let row = api_tokens::ActiveModel {
        id: Set(ApiTokenId::new().0),
        user_id: Set(user_id.0),
        kind: Set(KIND_API.to_owned()),
        name: Set(name.into_inner()),
        token_hash: Set(token.hash),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        expires_at: Set(None),
    }
    .insert(db)
    .await?;
    tracing::info!(user.id = %user_id, api_token.id = %row.id, "API token created");
    Ok((row, token.plaintext))
}

/// Revokes one of the user's API tokens. Someone else's token is reported as not found.
pub async fn revoke_api_token(
    db: &DatabaseConnection,
    user_id: UserId,
    id: ApiTokenId,
) -> AppResult<api_tokens::Model> {
    let row = api_tokens::Entity::find_by_id(id.0)
        .filter(api_tokens::Column::UserId.eq(user_id.0))
        .filter(api_tokens::Column::Kind.eq(KIND_API))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("API token"))?;
    api_tokens::Entity::delete_by_id(row.id).exec(db).await?;
    tracing::info!(user.id = %user_id, api_token.id = %row.id, "API token revoked");
    Ok(row)
}

/// Creates a user from the command line (`wafleet create-user`).
pub async fn create_user_cli(
    db: &DatabaseConnection,
    account: NewAccount,
) -> AppResult<users::Model> {
    let (user, _) = sign_up(db, Duration::from_secs(60), account).await?;
    // The CLI needs no session: drop the one sign-up opened.
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::UserId.eq(user.id))
        .exec(db)
        .await?;
    Ok(user)
}
