//! Asking the node that runs a device's session to do something. Commands travel on the event
//! bus, so they reach the right node whichever node received the request.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use crate::{
    error::{AppError, AppResult},
    events::{DeviceCommand, Event, EventKind},
    state::AppState,
    types::ids::{DeviceId, UserId},
};

pub async fn send(app: &AppState, owner: UserId, device_id: DeviceId, command: DeviceCommand) {
    app.events
        .publish(Event {
            user_id: owner.0,
            kind: EventKind::DeviceCommand {
                device_id: device_id.0,
                command,
            },
        })
        .await;
}

/// Waits (up to `timeout`) for the first event about `device_id` that `pick` accepts, after
/// running `trigger`. Subscribes before triggering, so the answer cannot be missed.
pub async fn request<T>(
    app: &AppState,
    device_id: DeviceId,
    timeout: Duration,
    trigger: impl std::future::Future<Output = ()>,
    mut pick: impl FnMut(&EventKind) -> Option<AppResult<T>>,
) -> AppResult<T> {
    let mut events = app.events.subscribe();
    trigger.await;
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) if event.device_id() == Some(device_id.0) => {
                    if let Some(answer) = pick(&event.kind) {
                        return answer;
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => {
                    return Err(AppError::Internal(anyhow::anyhow!("event bus closed")))
                }
            }
        }
    };
    tokio::time::timeout(timeout, wait)
        .await
        .unwrap_or_else(|_| {
            Err(AppError::DeviceOffline(
                "The device did not answer in time. Check that it is connected and try again."
                    .into(),
            ))
        })
}
