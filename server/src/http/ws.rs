//! The graphql-ws endpoint (`/graphql/ws`) and the sockets it keeps open.
//!
//! A socket is authenticated once, by its `connection_init`; these rules keep that from
//! outliving the token:
//! - every open socket is registered with its token, and a `TokensRevoked` event (published on
//!   the bus, so it reaches every node) closes the sockets of those tokens at once;
//! - a socket closes itself when its token expires, and each new subscription on it checks that
//!   the token is still valid;
//! - a socket that sends no `connection_init` within `WAFLEET_WS_INIT_TIMEOUT_MS` is closed with
//!   4408, and a browser page from another origin cannot open one at all.

use std::{
    collections::HashMap,
    pin::pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
    time::Duration,
};

use async_graphql::{
    http::{ClientMessage, WebSocket as GraphQLWebSocket, WebSocketProtocols, WsMessage},
    Data,
};
use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use futures::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::{resolve_auth, HttpState};
use crate::{
    auth::{accounts, AuthState, Viewer},
    events::EventKind,
    events::EventPublisher,
    state::AppState,
};

/// Largest message a client may send (a subscription document and its variables).
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// How often the tokens of all open sockets are checked against the database, for changes
/// that come with no event (say, an expiry moved by hand).
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Why the server closes a socket, as a graphql-ws close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    pub code: u16,
    pub reason: &'static str,
}

const TOKEN_ENDED: Close = Close {
    code: 4403,
    reason: "Forbidden: the token was revoked, logged out or has expired",
};
const INIT_TIMEOUT: Close = Close {
    code: 4408,
    reason: "Connection initialisation timeout",
};
const CHECK_FAILED: Close = Close {
    code: 1011,
    reason: "The token could not be checked",
};

struct Socket {
    token_id: Uuid,
    close: mpsc::UnboundedSender<Close>,
}

/// The authenticated sockets open on this node, by token.
#[derive(Default)]
pub struct LiveSockets {
    next_id: AtomicU64,
    sockets: Mutex<HashMap<u64, Socket>>,
}

impl LiveSockets {
    /// The registry and the task that closes sockets when their tokens are revoked.
    pub fn start(app: AppState) -> (Arc<Self>, tokio::task::AbortHandle) {
        let sockets = Arc::new(Self::default());
        let events = app.events.subscribe();
        let task = tokio::spawn(sockets.clone().watch(app, events));
        (sockets, task.abort_handle())
    }

    async fn watch(
        self: Arc<Self>,
        app: AppState,
        mut events: broadcast::Receiver<Arc<crate::events::Event>>,
    ) {
        let mut sweep = tokio::time::interval(SWEEP_INTERVAL);
        sweep.tick().await;
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(event) => {
                        if let EventKind::TokensRevoked { token_ids } = &event.kind {
                            self.close_tokens(token_ids, TOKEN_ENDED);
                        }
                    }
                    // A revocation may be among the missed events: check every token.
                    Err(broadcast::error::RecvError::Lagged(_)) => self.recheck(&app).await,
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = sweep.tick() => self.recheck(&app).await,
            }
        }
    }

    /// Closes the sockets whose tokens are no longer valid.
    async fn recheck(&self, app: &AppState) {
        let token_ids: Vec<Uuid> = self.lock().values().map(|socket| socket.token_id).collect();
        if token_ids.is_empty() {
            return;
        }
        match accounts::active_tokens(&app.db, &token_ids).await {
            Ok(active) => {
                let ended: Vec<Uuid> = token_ids
                    .into_iter()
                    .filter(|id| !active.contains(id))
                    .collect();
                self.close_tokens(&ended, TOKEN_ENDED);
            }
            Err(err) => {
                let err: async_graphql::Error = err.into();
                tracing::warn!(error = %err.message, "cannot re-check the tokens of open sockets");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Socket>> {
        self.sockets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(&self, token_id: Uuid, close: mpsc::UnboundedSender<Close>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Socket { token_id, close });
        id
    }

    fn unregister(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn close_tokens(&self, token_ids: &[Uuid], close: Close) {
        for socket in self.lock().values() {
            if token_ids.contains(&socket.token_id) {
                let _ = socket.close.send(close);
            }
        }
    }
}

/// Whether a browser page of `origin` may open the socket. Clients that send no `Origin` (not
/// browsers) are let through: the token in `connection_init` is what authenticates them.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if !allowed.is_empty() {
        return allowed.contains(&origin);
    }
    // Same origin: the page was served by this host (the scheme may differ behind a proxy
    // that terminates TLS).
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((authority, host), (Some(authority), Some(host)) if authority == host)
}

/// The one subprotocol spoken: graphql-ws's `graphql-transport-ws` (the legacy
/// subscriptions-transport-ws cannot be told to close a connection it refused).
const PROTOCOL: &str = "graphql-transport-ws";

pub async fn graphql_ws(
    State(state): State<HttpState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let offered = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|protocols| protocols.split(',').any(|p| p.trim() == PROTOCOL));
    if !offered {
        return (
            StatusCode::BAD_REQUEST,
            "Use the graphql-transport-ws subprotocol (the graphql-ws library).",
        )
            .into_response();
    }
    if !origin_allowed(&headers, &state.app.config.allowed_origins) {
        return (
            StatusCode::FORBIDDEN,
            "Pages of this origin may not open the GraphQL WebSocket (see WAFLEET_ALLOWED_ORIGINS).",
        )
            .into_response();
    }
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .protocols([PROTOCOL])
        .on_upgrade(move |socket| serve(state, socket))
        .into_response()
}

async fn serve(state: HttpState, socket: WebSocket) {
    let app = state.app.clone();
    let (close_tx, mut close_rx) = mpsc::unbounded_channel::<Close>();
    // Set once `connection_init` authenticated the socket: its viewer and registry entry.
    let authenticated: Arc<OnceLock<(Viewer, u64)>> = Arc::new(OnceLock::new());
    let (mut sink, stream) = socket.split();

    let checked = {
        let app = app.clone();
        let authenticated = authenticated.clone();
        let close_tx = close_tx.clone();
        stream
            .take_while(|message| futures::future::ready(message.is_ok()))
            .filter_map(|message| {
                futures::future::ready(match message {
                    Ok(Message::Text(text)) => Some(bytes::Bytes::from(text)),
                    Ok(Message::Binary(bytes)) => Some(bytes),
                    _ => None,
                })
            })
            .then(move |bytes| {
                let app = app.clone();
                let authenticated = authenticated.clone();
                let close_tx = close_tx.clone();
                async move {
                    let message = ClientMessage::from_bytes(bytes);
                    if let (Ok(ClientMessage::Start { .. }), Some((viewer, _))) =
                        (&message, authenticated.get())
                    {
                        // A new subscription: the token must still be good.
                        match accounts::token_is_active(&app.db, viewer.token_id).await {
                            Ok(true) => {}
                            Ok(false) => {
                                let _ = close_tx.send(TOKEN_ENDED);
                                return None;
                            }
                            Err(_) => {
                                let _ = close_tx.send(CHECK_FAILED);
                                return None;
                            }
                        }
                    }
                    Some(message)
                }
            })
            .filter_map(futures::future::ready)
    };

    let on_init = {
        let app = app.clone();
        let sockets = state.sockets.clone();
        let authenticated = authenticated.clone();
        let close_tx = close_tx.clone();
        move |payload: serde_json::Value| async move {
            let authorization = payload
                .get("authorization")
                .or_else(|| payload.get("Authorization"))
                .and_then(|v| v.as_str());
            match resolve_auth(&app, authorization).await? {
                AuthState::Authenticated(viewer) => {
                    let id = sockets.register(viewer.token_id, close_tx);
                    let _ = authenticated.set((viewer, id));
                    let mut data = Data::default();
                    data.insert(AuthState::Authenticated(viewer));
                    Ok(data)
                }
                other => Err(other
                    .viewer()
                    .err()
                    .map(Into::into)
                    .unwrap_or_else(|| async_graphql::Error::new("Authentication required"))),
            }
        }
    };

    let mut outgoing = pin!(GraphQLWebSocket::from_message_stream(
        state.schema.clone(),
        checked,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(on_init));
    let mut init_deadline = pin!(tokio::time::sleep(app.config.ws_init_timeout));
    // Armed once the socket is authenticated, if its token expires.
    let mut expiry = pin!(tokio::time::sleep(Duration::from_secs(365 * 24 * 3600)));
    let mut expiry_armed = false;

    let close = loop {
        tokio::select! {
            message = outgoing.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break None;
                    }
                    if !expiry_armed {
                        if let Some((viewer, _)) = authenticated.get() {
                            expiry_armed = true;
                            if let Some(at) = viewer.expires_at {
                                let left = (at - Utc::now()).to_std().unwrap_or_default();
                                expiry.as_mut().reset(tokio::time::Instant::now() + left);
                            }
                        }
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame { code, reason: reason.into() })))
                        .await;
                    break None;
                }
                None => break None,
            },
            Some(close) = close_rx.recv() => break Some(close),
            () = &mut init_deadline, if authenticated.get().is_none() => break Some(INIT_TIMEOUT),
            () = &mut expiry, if expiry_armed => break Some(TOKEN_ENDED),
        }
    };
    if let Some(close) = close {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: close.code,
                reason: close.reason.into(),
            })))
            .await;
    }
    if let Some((_, id)) = authenticated.get() {
        state.sockets.unregister(*id);
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        headers
    }

    #[test]
    fn only_the_own_origin_or_a_listed_one_may_open_a_socket() {
        let same = headers(Some("http://app.example.com:8080"), "app.example.com:8080");
        assert!(origin_allowed(&same, &[]));
        let tls = headers(Some("https://app.example.com"), "app.example.com");
        assert!(origin_allowed(&tls, &[]));
        let evil = headers(Some("https://evil.example"), "app.example.com");
        assert!(!origin_allowed(&evil, &[]));
        assert!(origin_allowed(&headers(None, "app.example.com"), &[]));
        let listed = vec!["https://evil.example".to_owned()];
        assert!(origin_allowed(&evil, &listed));
        assert!(!origin_allowed(&same, &listed));
    }
}
