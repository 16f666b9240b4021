//! The HTTP surface: GraphQL (POST, GraphiQL on GET), graphql-ws, health, the SPA (`spa.rs`);
//! metrics on a listener of their own.

mod export;
mod ws;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use async_graphql::{
    http::{GraphiQLSource, MultipartOptions},
    ErrorExtensionValues, Executor, Value,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::get,
    Json, Router,
};
use fred::prelude::*;
use serde_json::json;
use tower_http::{
    catch_panic::CatchPanicLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

pub use self::ws::LiveSockets;
use crate::{
    auth::{self, accounts, AuthState},
    error::{AppError, ErrorCode},
    graphql::{limits::ExecutionStarted, AppSchema, ClientIp},
    state::AppState,
};

#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: AppSchema,
    /// The authenticated WebSockets open on this node.
    pub sockets: Arc<LiveSockets>,
}

/// The page policy: scripts, styles and connections from this origin only, no inline script,
/// no plugins, and no framing by other sites.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// GraphiQL (on only when `WAFLEET_GRAPHIQL=on`, or with the simulated network) loads its
/// scripts and styles from a public CDN and starts with an inline script.
const GRAPHIQL_POLICY: &str =
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://unpkg.com; \
     style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data: https:; \
     font-src 'self' data: https://unpkg.com; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Multipart GraphQL requests must carry one of these headers. A browser sends a custom header
/// only after a CORS preflight, which this server never grants to other origins, so a foreign
/// page cannot post a form or an upload here.
pub const PREFLIGHT_HEADERS: [&str; 2] = ["x-wafleet-csrf", "apollo-require-preflight"];

pub fn router(state: HttpState) -> Router {
    let body_limit = state.app.config.body_limit_bytes();
    let json_limit = state.app.config.json_body_limit_bytes();
    let web_dir = state.app.config.web_dir.clone();
    let graphql = Router::new()
        .route("/graphql", get(graphiql).post(graphql_http))
        .route("/graphql/ws", get(ws::graphql_ws))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(middleware::from_fn_with_state(
            (json_limit, body_limit),
            reject_oversized,
        ));
    let mut router = Router::new()
        .merge(graphql)
        .route("/media/{reference}", get(media))
        .route("/export/leads.csv", get(export::leads))
        .route("/export/ai-leads.csv", get(export::ai_leads))
        .route("/export/opt-outs.csv", get(export::opt_outs))
        .route(
            "/export/campaigns/{id}/recipients.csv",
            get(export::campaign_recipients),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    router = match web_dir {
        Some(dir) => router.fallback_service(crate::spa::router(&dir)),
        None => router.fallback(spa_missing),
    };
    let request_id = header::HeaderName::from_static("x-request-id");
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let path = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| request.uri().path().to_owned());
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                tracing::info_span!("request", method = %request.method(), path, request.id = id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// The router of the metrics listener (`WAFLEET_METRICS_BIND`), apart from the API.
pub fn metrics_router(state: HttpState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn graphiql(State(state): State<HttpState>) -> Response {
    if !state.app.config.graphiql {
        return (
            StatusCode::NOT_FOUND,
            "GraphiQL is off on this server (WAFLEET_GRAPHIQL=on turns it on). Send queries as POST.",
        )
            .into_response();
    }
    let page = GraphiQLSource::build()
        .endpoint("/graphql")
        .subscription_endpoint("/graphql/ws")
        .title("wafleet GraphiQL")
        .finish();
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(GRAPHIQL_POLICY),
        )],
        Html(page),
    )
        .into_response()
}

/// Resolves the bearer token of a request or WebSocket connection.
pub(crate) async fn resolve_auth(
    app: &AppState,
    authorization: Option<&str>,
) -> Result<AuthState, AppError> {
    let Some(header) = authorization else {
        return Ok(AuthState::Anonymous);
    };
    let Some(token) = auth::bearer_token(header) else {
        return Ok(AuthState::Invalid);
    };
    Ok(match accounts::authenticate(&app.db, token).await? {
        Some(viewer) => AuthState::Authenticated(viewer),
        None => AuthState::Invalid,
    })
}

/// How a client asked for its response to be written (the `Accept` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseFormat {
    /// `application/graphql-response+json`: 4xx when the request did not parse or validate.
    GraphQLResponseJson,
    /// `application/json` (or no preference): always 200 for a well-formed request.
    Json,
}

impl ResponseFormat {
    fn of(headers: &HeaderMap) -> Self {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if accept.contains("application/graphql-response+json") {
            Self::GraphQLResponseJson
        } else {
            Self::Json
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// What a GraphQL POST may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Multipart,
}

/// Only JSON, or multipart with a preflight-forcing header: the content types of HTML forms
/// (`text/plain`, `application/x-www-form-urlencoded`, and `multipart/form-data` without the
/// header) are what other sites can post here without asking.
fn body_kind(headers: &HeaderMap) -> Result<BodyKind, (StatusCode, &'static str)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(BodyKind::Json),
        "multipart/form-data" => {
            if PREFLIGHT_HEADERS.iter().any(|h| headers.contains_key(*h)) {
                Ok(BodyKind::Multipart)
            } else {
                Err((
                    StatusCode::BAD_REQUEST,
                    "Uploads must carry the header x-wafleet-csrf (or apollo-require-preflight).",
                ))
            }
        }
        _ => Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send GraphQL requests as application/json (or multipart/form-data for uploads).",
        )),
    }
}

async fn graphql_http(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let format = ResponseFormat::of(&headers);
    let kind = match body_kind(&headers) {
        Ok(kind) => kind,
        Err((status, message)) => {
            return error_response(&state, status, ErrorCode::BadUserInput, message)
        }
    };
    let config = &state.app.config;
    let limit = match kind {
        BodyKind::Json => config.json_body_limit_bytes(),
        BodyKind::Multipart => config.body_limit_bytes(),
    };
    let Ok(body) = axum::body::to_bytes(request.into_body(), limit).await else {
        return error_response(
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            &too_large(limit),
        );
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = MultipartOptions::default()
        .max_file_size(config.upload_max_bytes.max(config.import_max_bytes));
    let request = match async_graphql::http::receive_body(content_type, &body[..], options).await {
        Ok(request) if request.uploads.len() > 1 => {
            return error_response(
                &state,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "Send at most one file per request.",
            )
        }
        Ok(request) => request,
        Err(err) => {
            let status = match err {
                async_graphql::ParseRequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            let message = match err {
                async_graphql::ParseRequestError::UnsupportedBatch => {
                    "Batch requests are not supported.".to_owned()
                }
                async_graphql::ParseRequestError::PayloadTooLarge => too_large(limit),
                other => format!("The request is not a valid GraphQL request: {other}"),
            };
            return error_response(&state, status, ErrorCode::BadUserInput, &message);
        }
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let auth = match resolve_auth(&state.app, authorization).await {
        Ok(auth) => auth,
        Err(err) => {
            let err: async_graphql::Error = err.into();
            return error_response(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &err.message,
            );
        }
    };
    let started = ExecutionStarted::default();
    let request = request
        .data(auth)
        .data(ClientIp(Some(peer.ip())))
        .data(started.clone());
    let mut response = state.schema.execute(request).await;
    for error in &mut response.errors {
        // Errors raised before resolvers run (syntax, validation, depth and complexity limits,
        // argument types) carry no code yet: they are all the client's to fix.
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        let code = match extensions.get("code") {
            Some(Value::String(code)) => code.clone(),
            _ => {
                extensions.set("code", ErrorCode::BadUserInput.as_str());
                ErrorCode::BadUserInput.as_str().to_owned()
            }
        };
        state.app.metrics.record_graphql_error(&code);
    }
    graphql_response(response, format, started.get())
}

/// Writes a GraphQL response in the format the client asked for. A request that never started
/// executing (it did not parse or validate) has no `data` and, for
/// `application/graphql-response+json`, a 400.
fn graphql_response(
    response: async_graphql::Response,
    format: ResponseFormat,
    executed: bool,
) -> Response {
    let extra_headers = response.http_headers.clone();
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    let status = if executed || format == ResponseFormat::Json {
        StatusCode::OK
    } else {
        if let Some(object) = body.as_object_mut() {
            object.remove("data");
        }
        StatusCode::BAD_REQUEST
    };
    let mut http = (status, Json(body)).into_response();
    http.headers_mut()
        .insert(header::CONTENT_TYPE, format.content_type());
    http.headers_mut().extend(extra_headers);
    http
}

fn too_large(limit: usize) -> String {
    if limit >= 1024 * 1024 {
        format!(
            "The request body is too large (limit {} MB).",
            limit / (1024 * 1024)
        )
    } else {
        format!("The request body is too large (limit {} KB).", limit / 1024)
    }
}

fn error_response(
    state: &HttpState,
    status: StatusCode,
    code: ErrorCode,
    message: &str,
) -> Response {
    state.app.metrics.record_graphql_error(code.as_str());
    graphql_error_body(status, code, message)
}

fn graphql_error_body(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, Json(body)).into_response()
}

/// Refuses a body announced as too large before reading it, with a GraphQL-shaped error: the
/// upload limit for multipart requests, the much smaller JSON limit for everything else.
async fn reject_oversized(
    State((json_limit, upload_limit)): State<(usize, usize)>,
    request: Request,
    next: Next,
) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let limit = if multipart { upload_limit } else { json_limit };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > limit) {
        return graphql_error_body(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            &too_large(limit),
        );
    }
    next.run(request).await
}

/// A stored image, only for the owner of a message or outbox row that uses it.
async fn media(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match resolve_auth(&state.app, authorization)
        .await
        .map(|a| a.viewer())
    {
        Ok(Ok(viewer)) => viewer,
        _ => {
            return (
                StatusCode::UNAUTHORIZED,
                "Send your token as 'Authorization: Bearer <token>'.",
            )
                .into_response()
        }
    };
    let Some(path) = crate::media::path_of(&state.app.config.media_dir, &reference) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match crate::domain::inbox::media_owned_by(&state.app.db, viewer.user_id.0, &reference).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match reference.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    };
    let mut response = Response::new(Body::from(bytes));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    response
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database and (if configured) Redis answer.
async fn readyz(State(state): State<HttpState>) -> Response {
    let app = &state.app;
    let db_ok = tokio::time::timeout(Duration::from_secs(3), app.db.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let redis_ok = match &app.redis {
        None => None,
        Some(redis) => Some(
            tokio::time::timeout(Duration::from_secs(3), redis.ping::<String>(None))
                .await
                .is_ok_and(|r| r.is_ok()),
        ),
    };
    let ready = db_ok && redis_ok.unwrap_or(true);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "ready": ready, "database": db_ok, "redis": redis_ok })),
    )
        .into_response()
}

async fn metrics(State(state): State<HttpState>) -> Response {
    let body = state.app.metrics.render(&state.app.db);
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

async fn spa_missing() -> (StatusCode, &'static str) {
    (
        StatusCode::NOT_FOUND,
        "The web app is not built. Run `just run`, or set WAFLEET_WEB_DIR to a built web/dist.",
    )
}

async fn count_requests(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state
        .app
        .metrics
        .record_http(&method, response.status().as_u16());
    response
}
