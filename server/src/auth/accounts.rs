//! Account commands: sign up, log in/out, profile, API tokens, and token authentication.

use std::{net::IpAddr, time::Duration};

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{password, rate_limit::FailureCounter, tokens, Viewer};
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
    pub max_failures: u32,
    pub window: Duration,
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

/// Checks the password and opens a session. Failures are counted per (email, IP) and refused
/// with `RATE_LIMITED` past the policy's limit.
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
    let throttle_key = throttle_key(&email, client_ip);
    if failures.failures(&throttle_key).await? >= policy.max_failures {
        return Err(AppError::RateLimited {
            retry_after_seconds: policy.window.as_secs(),
        });
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
        _ => {
            failures
                .record_failure(&throttle_key, policy.window)
                .await?;
            return Err(AppError::Unauthenticated("Wrong email or password."));
        }
    };
    failures.reset(&throttle_key).await?;
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
    }))
}

/// Ends the session (or revokes the API token) the caller authenticated with.
pub async fn log_out(db: &DatabaseConnection, viewer: Viewer) -> AppResult<()> {
    api_tokens::Entity::delete_by_id(viewer.token_id)
        .exec(db)
        .await?;
    Ok(())
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
