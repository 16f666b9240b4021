//! The send recorder: puts our sends into their chat threads, off the send path. The outbox is
//! the truth; the thread is a view that follows it within moments.

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::{domain::inbox, entities::broadcast_messages, state::AppState};

#[derive(Clone)]
pub struct SendRecorder {
    rows: mpsc::UnboundedSender<Vec<broadcast_messages::Model>>,
}

impl SendRecorder {
    /// Starts the recorder's task: it takes whatever rows are waiting as one batch.
    pub fn start(app: AppState) -> (Self, tokio::task::AbortHandle) {
        let (rows, mut receiver) = mpsc::unbounded_channel::<Vec<broadcast_messages::Model>>();
        let task = tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = first;
                while batch.len() < 5000 {
                    match receiver.try_recv() {
                        Ok(more) => batch.extend(more),
                        Err(_) => break,
                    }
                }
                // The newest state of each row wins.
                let mut latest: HashMap<i64, broadcast_messages::Model> = HashMap::new();
                for row in batch {
                    latest.insert(row.id, row);
                }
                let rows: Vec<_> = latest.into_values().collect();
                inbox::show_sends(app.ports(), &rows).await;
            }
        });
        (Self { rows }, task.abort_handle())
    }

    /// Hands rows whose status changed to the recorder.
    pub fn record(&self, rows: &[broadcast_messages::Model]) {
        if !rows.is_empty() {
            let _ = self.rows.send(rows.to_vec());
        }
    }
}
