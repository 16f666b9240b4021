//! Accounts: sign up, log in/out, the profile and API tokens.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

use super::{state, user_events, viewer, ClientIp, GqlResult};
use crate::{
    auth::accounts::{self, LoginPolicy, NewAccount, ProfileUpdate},
    domain::accounts::{Email, FullName, Password, TimeZoneName, TokenName},
    entities::{api_tokens, users},
    events::{Event, EventKind, EventPublisher},
    state::AppState,
    types::{
        ids::{ApiTokenId, UserId},
        phone::Country,
    },
};

pub struct User(users::Model);

/// A person who uses wafleet. Everything they create belongs to them alone.
#[Object]
impl User {
    /// The user's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Lower-case email address; the login name.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The name shown in the dashboard.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// IANA time zone used to display times (e.g. `Asia/Kuala_Lumpur`); all stored times are UTC.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// ISO 3166-1 alpha-2 country (e.g. `MY`) in which national-form phone numbers the user types
    /// or imports (`012-345 6789`) are read; null: numbers need their country code.
    async fn default_country(&self) -> Option<&str> {
        self.0.default_country.as_deref()
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The user's API tokens (not login sessions), newest first. Only the owner can see them.
    async fn api_tokens(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiToken>> {
        let viewer = viewer(ctx)?;
        if viewer.user_id.0 != self.0.id {
            return Ok(Vec::new());
        }
        let rows = accounts::api_tokens(&state(ctx).db, viewer.user_id).await?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }
}

/// A long-lived token for API clients. The token itself is only shown when it is created.
#[derive(SimpleObject)]
pub struct ApiToken {
    /// The token's id (for `revokeApiToken`).
    id: ID,
    /// What the user called it, e.g. "CRM sync".
    name: String,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// When the token was last used (to the minute).
    last_used_at: Option<DateTime<Utc>>,
    /// When it stops working; null: until revoked.
    expires_at: Option<DateTime<Utc>>,
}

impl From<api_tokens::Model> for ApiToken {
    fn from(row: api_tokens::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
        }
    }
}

/// A new session: send `token` as `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// The session token (shown once; store it).
    token: String,
    /// Who is signed in.
    user: User,
}

/// A new API token. `token` is shown this once; store it now.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The token itself: shown this once, stored only as a hash.
    token: String,
    /// The token's details.
    api_token: ApiToken,
}

/// A new account.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The login name; unique (letter case does not count).
    email: String,
    /// At least 10 characters, hard to guess, not built from the email.
    password: String,
    /// The name shown in the dashboard.
    full_name: String,
    /// IANA time zone the account shows times in (the SPA sends the browser's); default UTC.
    time_zone: Option<String>,
    /// ISO 3166-1 alpha-2 country for reading national-form phone numbers (the SPA derives it
    /// from the browser's time zone); default none.
    default_country: Option<String>,
}

/// A new password for the signed-in user.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    current_password: String,
    /// At least 10 characters, hard to guess, not built from your email.
    new_password: String,
}

/// Credentials to log in with.
#[derive(InputObject)]
pub struct LogInInput {
    /// The account's email address.
    email: String,
    /// Its password.
    password: String,
}

/// Fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateMeInput {
    /// A new display name.
    full_name: Option<String>,
    /// IANA time zone name, e.g. `Europe/Berlin`.
    time_zone: Option<String>,
    /// ISO 3166-1 alpha-2 country code (e.g. `MY`) for reading national-form phone numbers;
    /// null clears it.
    default_country: MaybeUndefined<String>,
}

/// A country phone numbers can belong to (for the default-country setting).
#[derive(SimpleObject)]
pub struct PhoneCountry {
    /// ISO 3166-1 alpha-2 code, e.g. `MY`.
    code: String,
    /// The country calling code without `+`, e.g. 60.
    calling_code: i32,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The countries phone numbers can be read in, by code (for choosing `defaultCountry`).
    async fn phone_countries(&self) -> Vec<PhoneCountry> {
        crate::types::phone::countries()
            .into_iter()
            .map(|(country, calling_code)| PhoneCountry {
                code: country.code().to_owned(),
                calling_code: i32::from(calling_code),
            })
            .collect()
    }

    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let viewer = viewer(ctx)?;
        Ok(User(
            accounts::find_user(&state(ctx).db, viewer.user_id).await?,
        ))
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account and logs it in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> GqlResult<AuthPayload> {
        let account = NewAccount {
            email: Email::parse(&input.email)?,
            password: Password::for_account(&input.password, &input.email, &input.full_name)?,
            full_name: FullName::parse(&input.full_name)?,
            time_zone: input
                .time_zone
                .as_deref()
                .map(TimeZoneName::parse)
                .transpose()?,
            default_country: input
                .default_country
                .as_deref()
                .map(Country::parse)
                .transpose()?,
        };
        let app = state(ctx);
        let (user, token) = accounts::sign_up(&app.db, app.config.session_ttl, account).await?;
        Ok(AuthPayload {
            token,
            user: User(user),
        })
    }

    /// Opens a session. Attempts that fail are throttled per email and address, and per
    /// address across emails; `RATE_LIMITED` carries `retryAfterSeconds`.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> GqlResult<AuthPayload> {
        let app = state(ctx);
        let ip = ctx.data_opt::<ClientIp>().and_then(|ip| ip.0);
        let (user, token) = accounts::log_in(
            &app.db,
            app.login_failures.as_ref(),
            &login_policy(app),
            app.config.session_ttl,
            &input.email,
            &input.password,
            ip,
        )
        .await?;
        Ok(AuthPayload {
            token,
            user: User(user),
        })
    }

    /// Ends the current session (or revokes the API token used for this request). Its open
    /// WebSockets close, on every node.
    async fn log_out(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        accounts::log_out(&app.db, viewer).await?;
        publish_revoked(app, viewer.user_id, vec![viewer.token_id]).await;
        Ok(true)
    }

    /// Ends every other login session of yours (other browsers and devices); API tokens stay.
    /// Returns how many sessions were ended.
    async fn log_out_other_sessions(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let ended = accounts::log_out_other_sessions(&app.db, viewer).await?;
        let count = ended.len();
        publish_revoked(app, viewer.user_id, ended).await;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }

    /// Changes your password after checking the current one, and ends every other login
    /// session. Returns how many sessions were ended.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> GqlResult<i32> {
        let viewer = viewer(ctx)?;
        let app = state(ctx);
        let ended = accounts::change_password(
            &app.db,
            app.login_failures.as_ref(),
            &login_policy(app),
            viewer,
            &input.current_password,
            &input.new_password,
        )
        .await?;
        let count = ended.len();
        publish_revoked(app, viewer.user_id, ended).await;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }

    /// Changes the signed-in user's name, time zone or default country.
    async fn update_me(&self, ctx: &Context<'_>, input: UpdateMeInput) -> GqlResult<User> {
        let viewer = viewer(ctx)?;
        let update = ProfileUpdate {
            full_name: input
                .full_name
                .as_deref()
                .map(FullName::parse)
                .transpose()?,
            time_zone: input
                .time_zone
                .as_deref()
                .map(TimeZoneName::parse)
                .transpose()?,
            default_country: match input.default_country {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(code) => Some(Some(Country::parse(&code)?)),
            },
        };
        let app = state(ctx);
        let user = accounts::update_me(&app.db, &app.events, viewer.user_id, update).await?;
        Ok(User(user))
    }

    /// Creates an API token for scripts and integrations. The token is returned only now.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> GqlResult<CreatedApiToken> {
        let viewer = viewer(ctx)?;
        let name = TokenName::parse(&name)?;
        let (row, token) = accounts::create_api_token(&state(ctx).db, viewer.user_id, name).await?;
        Ok(CreatedApiToken {
            token,
            api_token: row.into(),
        })
    }

    /// Revokes an API token; requests using it fail from now on and its open WebSockets close.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ApiToken> {
        let viewer = viewer(ctx)?;
        let id = ApiTokenId::parse(&id)?;
        let app = state(ctx);
        let row = accounts::revoke_api_token(&app.db, viewer.user_id, id).await?;
        publish_revoked(app, viewer.user_id, vec![row.id]).await;
        Ok(ApiToken::from(row))
    }
}

fn login_policy(app: &AppState) -> LoginPolicy {
    LoginPolicy {
        max_failures: app.config.login_max_failures,
        max_failures_per_ip: app.config.login_max_failures_per_ip,
        window: app.config.login_window,
    }
}

/// Tells every node to close the WebSockets of tokens that no longer work.
async fn publish_revoked(app: &AppState, user_id: UserId, token_ids: Vec<uuid::Uuid>) {
    if token_ids.is_empty() {
        return;
    }
    app.events
        .publish(Event::tokens_revoked(user_id, token_ids))
        .await;
}

#[derive(Default)]
pub struct AccountSubscription;

#[Subscription]
impl AccountSubscription {
    /// Fires when the signed-in user's profile changes (for example in another tab).
    async fn user_updated(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = GqlResult<User>>, async_graphql::Error> {
        let viewer = viewer(ctx)?;
        let app = state(ctx).clone();
        let user_id: UserId = viewer.user_id;
        let changes = user_events(ctx, user_id, |event| match event.kind {
            EventKind::UserUpdated => vec![()],
            _ => Vec::new(),
        });
        Ok(changes.then(move |change| {
            let app = app.clone();
            async move {
                change?;
                Ok(User(accounts::find_user(&app.db, user_id).await?))
            }
        }))
    }
}
