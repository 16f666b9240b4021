//! Stands in for the live whatsapp-rust adapter until it is built: every connection attempt
//! fails with a clear message, so devices end FAILED with that reason instead of hanging.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{OpenRequest, Session, WaError, WaEvent, WhatsApp};
use crate::domain::ids::DeviceId;

pub struct LiveUnavailable;

pub const MESSAGE: &str =
    "This build has no live WhatsApp connection yet; start wafleet with WAFLEET_WHATSAPP=sim to use the simulated network";

#[async_trait]
impl WhatsApp for LiveUnavailable {
    async fn open(
        &self,
        _request: OpenRequest,
    ) -> Result<(Arc<dyn Session>, mpsc::Receiver<WaEvent>), WaError> {
        Err(WaError::ConnectFailed(MESSAGE.into()))
    }

    async fn forget(&self, _device_id: DeviceId) -> Result<(), WaError> {
        Ok(())
    }
}
