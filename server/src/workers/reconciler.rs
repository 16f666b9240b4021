//! The reconciler: makes the queue agree with the outbox. Rows QUEUED whose queue entry was lost
//! (Redis flushed or restarted, the in-process queue gone with its process) are put back.

use std::sync::Arc;

use super::dispatcher::Dispatcher;
use crate::{domain::outbox, state::AppState};

/// Makes the queue agree with the outbox: rows QUEUED whose entry was lost (Redis flushed or
/// restarted, the in-process queue gone with its process) are put back. Runs for the devices
/// this node paces.
pub async fn reconcile(app: &AppState, dispatcher: &Dispatcher) {
    for device_id in dispatcher.pacing() {
        let queued = match outbox::queued_ids(&app.db, device_id).await {
            Ok(ids) if !ids.is_empty() => ids,
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(error = ?err, "reconciler cannot read the outbox");
                return;
            }
        };
        let on_queue = match dispatcher.queue().row_ids(device_id).await {
            Ok(ids) => ids,
            Err(err) => {
                tracing::warn!(error = %err, "reconciler cannot read the queue");
                return;
            }
        };
        let present: std::collections::HashSet<i64> = on_queue.into_iter().collect();
        let missing: Vec<i64> = queued
            .into_iter()
            .filter(|id| !present.contains(id))
            .collect();
        if missing.is_empty() {
            continue;
        }
        tracing::warn!(device.id = %device_id, rows = missing.len(), "re-enqueueing rows missing from the queue");
        if let Err(err) = dispatcher.queue().push(device_id, &missing).await {
            tracing::warn!(error = %err, "reconciler cannot push");
        }
    }
}

/// Runs `reconcile` every `interval`, and once at start.
pub async fn run_reconciler(app: AppState, dispatcher: Arc<Dispatcher>) {
    let mut tick = tokio::time::interval(app.config.dispatch.reconcile_interval);
    loop {
        tick.tick().await;
        reconcile(&app, &dispatcher).await;
    }
}
