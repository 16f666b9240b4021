//! The HTTP surface: GraphQL (POST + GraphiQL on GET), graphql-ws, health, metrics, the SPA
//! (`spa.rs`).

use std::{net::SocketAddr, time::Duration};

use async_graphql::{
    http::{GraphiQLSource, ALL_WEBSOCKET_PROTOCOLS},
    Data, ErrorExtensionValues, Executor, Value,
};
use async_graphql_axum::{
    rejection::GraphQLRejection, GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, MatchedPath, Request, State, WebSocketUpgrade},
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
    trace::TraceLayer,
};

use crate::{
    auth::{self, accounts, AuthState},
    error::{AppError, ErrorCode},
    graphql::{AppSchema, ClientIp},
    state::AppState,
};

#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: AppSchema,
}

pub fn router(state: HttpState) -> Router {
    let body_limit = state.app.config.body_limit_bytes();
    let web_dir = state.app.config.web_dir.clone();
    let graphql = Router::new()
        .route("/graphql", get(graphiql).post(graphql_http))
        .route("/graphql/ws", get(graphql_ws))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(middleware::from_fn_with_state(body_limit, reject_oversized));
    let mut router = Router::new()
        .merge(graphql)
        .route("/media/{reference}", get(media))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
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

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("wafleet GraphiQL")
            .finish(),
    )
}

/// Resolves the bearer token of a request or WebSocket connection.
async fn resolve_auth(app: &AppState, authorization: Option<&str>) -> Result<AuthState, AppError> {
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

async fn graphql_http(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => {
            let message = format!(
                "The request is not a valid GraphQL request: {}",
                rejection.0
            );
            return error_response(
                &state,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &message,
            );
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
    let request = request.data(auth).data(ClientIp(Some(peer.ip())));
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
    GraphQLResponse::from(response).into_response()
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
    let body = json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, Json(body)).into_response()
}

/// Refuses a body announced as too large before reading it, with a GraphQL-shaped error.
async fn reject_oversized(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > limit) {
        let message = format!(
            "The request body is too large (limit {} MB).",
            limit / (1024 * 1024)
        );
        return graphql_error_body(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            &message,
        );
    }
    next.run(request).await
}

async fn graphql_ws(
    State(state): State<HttpState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let app = state.app.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, state.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let authorization = payload
                        .get("authorization")
                        .or_else(|| payload.get("Authorization"))
                        .and_then(|v| v.as_str());
                    match resolve_auth(&app, authorization).await? {
                        AuthState::Authenticated(viewer) => {
                            let mut data = Data::default();
                            data.insert(AuthState::Authenticated(viewer));
                            Ok(data)
                        }
                        other => Err(other.viewer().err().map(Into::into).unwrap_or_else(|| {
                            async_graphql::Error::new("Authentication required")
                        })),
                    }
                })
                .serve()
        })
        .into_response()
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
