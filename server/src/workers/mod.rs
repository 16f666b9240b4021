//! Background work of one node: the device supervisor (one session per device it holds), the
//! dispatcher (one pacer per ONLINE device), the scheduler (due rows and campaigns), the
//! reconciler (queue entries lost with Redis), the recorder (our sends in their threads) and
//! what arrives from WhatsApp (inbound).
pub mod dispatcher;
pub mod inbound;
pub mod leases;
pub mod reconciler;
pub mod recorder;
pub mod scheduler;
pub mod supervisor;
